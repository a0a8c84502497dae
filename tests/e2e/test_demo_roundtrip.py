"""End to end, as the README's `imr-desk demo` runs it: generated letters imported by the app,
a field corrected, the letter verified, the dataset exported from the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from imr_desk.commands.demo import prepare_demo

pytestmark = pytest.mark.gui


def test_demo_start_correct_verify_export_keeps_the_correction(
    qtbot, make_desk, tmp_path: Path
) -> None:
    db, pdfs = prepare_demo(tmp_path / "demo", count=3, seed=11)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    desk = make_desk(db, settings=settings, reviewer="e2e", import_workers=0)
    window, batch, review = desk.window, desk.batch, desk.review
    window.show()

    with qtbot.waitSignal(batch.import_finished, timeout=60000) as imported:
        batch.start_import([str(tmp_path / "demo" / "letters")])
    assert imported.args[0].imported == len(pdfs) == 3
    assert window.queue.model.total() == 3
    qtbot.waitUntil(lambda: review.session is not None)

    sha = review.session.sha256
    editor = window.form.editor("letter.claim_number")
    window.form.focus_field("letter.claim_number")
    editor.widget.setText("CORRECTED-42")
    editor.widget.editingFinished.emit()
    window.action_set.verify_next.trigger()
    assert review.session.sha256 != sha

    out = tmp_path / "export"
    with qtbot.waitSignal(batch.export_finished, timeout=60000) as exported:
        batch.start_export(out)
    assert exported.args[0].letters == 1
    records = [json.loads(line) for line in (out / "letters.jsonl").read_text().splitlines()]
    assert [r["source"]["sha256"] for r in records] == [sha]
    record = records[0]
    assert record["status"] == "verified"
    assert record["letter"]["claim_number"] == "CORRECTED-42"
    assert "letter.claim_number" in record["review"]["corrected"]
    assert record["review"]["reviewer"] == "e2e"
    window.close()
