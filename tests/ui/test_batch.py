"""Import and export from the app: off the UI thread, with progress, cancellable."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desk.samples import generate_letters

pytestmark = pytest.mark.gui


def test_import_runs_in_the_background_with_progress(qtbot, window, desk, tmp_path: Path) -> None:
    folder = tmp_path / "more"
    generate_letters(folder, count=2, seed=99)
    batch = desk.batch
    progress: list[int] = []
    with qtbot.waitSignal(batch.import_finished, timeout=60000) as finished:
        task = batch.start_import([str(folder)])
        task.progressed.connect(lambda done, _total, _text: progress.append(done))
        assert window.isEnabled()
    assert finished.args[0].imported == 2
    assert window.queue.model.total() == 6
    assert "Verified 0 / 6" in window.progress_label.text()


def test_cancelling_an_import_stops_it_between_letters(qtbot, window, desk, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    generate_letters(folder, count=12, seed=5)
    batch = desk.batch
    with qtbot.waitSignal(batch.import_finished, timeout=60000) as finished:
        task = batch.start_import([str(folder)])
        task.progressed.connect(lambda done, _total, _text: task.cancel())
    summary = finished.args[0]
    assert summary.cancelled
    assert summary.imported < 12
    assert window.queue.model.total() == 4 + summary.imported


def test_export_failure_is_reported_and_the_app_keeps_running(
    qtbot, desk, tmp_path: Path, monkeypatch
) -> None:
    from imr_desk.ui import batch as batch_module
    from imr_desk.ui import dialogs

    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, title, text: shown.append(title))

    def refuse(*_args, **_kwargs):
        raise batch_module.ExportError("disk full")

    monkeypatch.setattr(batch_module, "export_dataset", refuse)
    with qtbot.waitSignal(desk.batch.export_finished, timeout=30000) as finished:
        desk.batch.start_export(tmp_path / "out")
    assert finished.args == [None]
    assert shown == ["Exporting dataset failed"]
