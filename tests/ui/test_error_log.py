"""The app's side of the log file: About shows where it is, and errors shown to the reviewer
(a message box, a failed import) are written there with their tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desk import logs
from imr_desk.ui import dialogs

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _log_set_up(logging_to_file: Path) -> None:
    """The log file set up, as every command does."""


def log_text(log_dir: Path) -> str:
    return (log_dir / logs.LOG_FILE).read_text(encoding="utf-8")


def test_help_about_shows_the_log_file_path(
    qtbot, window, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs, "show_info", lambda _parent, title, text: shown.append((title, text))
    )
    window.action_set.about.trigger()
    qtbot.waitUntil(lambda: bool(shown))
    title, text = shown[0]
    assert title == "About IMR Desk"
    assert f"Log file: {log_dir / 'imr-desk.log'}" in text


def test_an_error_shown_while_handling_an_exception_is_logged_with_its_traceback(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boxes: list[str] = []
    monkeypatch.setattr(
        dialogs.QMessageBox, "warning", lambda _p, title, _text: boxes.append(title)
    )
    try:
        raise OSError(28, "No space left on device")
    except OSError as exc:
        dialogs.show_error(None, "Edit not saved", f"The change was not saved: {exc}")
    dialogs.show_error(None, "Cannot open letter", "CM16-0000001.pdf: no such file")
    assert boxes == ["Edit not saved", "Cannot open letter"]
    text = log_text(log_dir)
    assert "ERROR imr_desk.ui.dialogs" in text
    assert "Edit not saved: The change was not saved: [Errno 28] No space left on device" in text
    assert text.count("Traceback (most recent call last)") == 1
    assert "Cannot open letter: CM16-0000001.pdf: no such file" in text
    assert "NoneType: None" not in text


def test_a_failed_import_in_the_app_is_logged_with_its_traceback(
    qtbot, desk, log_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from imr_desk.ui import batch as batch_module

    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, title, text: shown.append(text))

    def broken_import(*_args: object, **_kwargs: object) -> None:
        raise KeyError("letters")

    monkeypatch.setattr(batch_module, "import_paths", broken_import)
    with qtbot.waitSignal(desk.batch.import_finished, timeout=30000) as finished:
        desk.batch.start_import([str(tmp_path)])
    assert finished.args == [None]
    assert shown == ["KeyError: 'letters'"]
    text = log_text(log_dir)
    assert "ERROR imr_desk.ui.batch" in text and "Importing letters failed" in text
    assert "Traceback (most recent call last)" in text and "KeyError: 'letters'" in text
