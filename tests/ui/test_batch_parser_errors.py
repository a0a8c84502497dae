"""The app's import counts letters the parser failed on, names them, and queues them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imr_desk import parser
from imr_desk.pdf_source import PdfText
from imr_desk.samples import generate_letters
from imr_desk.ui import dialogs

pytestmark = pytest.mark.gui


def test_the_import_summary_counts_and_names_letters_the_parser_failed_on(
    qtbot, desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "more"
    broken = sorted(generate_letters(folder, count=3, seed=21))[1]
    real_parse = parser.parse

    def parse(pdf: PdfText) -> dict[str, Any]:
        if pdf.file_name == broken.name:
            raise IndexError("list index out of range")
        return real_parse(pdf)

    monkeypatch.setattr(parser, "parse", parse)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs, "show_info", lambda _parent, title, text: shown.append((title, text))
    )
    with qtbot.waitSignal(desk.batch.import_finished, timeout=60000) as finished:
        desk.batch.start_import([str(folder)])
    summary = finished.args[0]
    assert (summary.imported, len(summary.parser_errors), summary.failed) == (3, 1, [])
    status = desk.window.statusBar().currentMessage()
    assert status == "Import: 3 imported, 1 with parser errors (fill in by hand)"
    assert shown == [
        (
            "Some letters need filling in",
            f"{broken.name}: stored for review, but the parser failed "
            "(IndexError: list index out of range)",
        )
    ]
    assert desk.window.queue.model.total() == 4 + 3
