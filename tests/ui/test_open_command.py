"""``imr-desk FILE``: after the import, the file's letter opens, or the reviewer is told by the
file's name (never a SHA-256) why it could not be imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desk.commands.open_app import open_file
from imr_desk.ui import dialogs

pytestmark = pytest.mark.gui


def _import_and_open(qtbot, desk, path: Path, monkeypatch) -> list[tuple[str, str]]:
    """Import ``path`` as ``imr-desk PATH`` does, then open it; the messages shown."""
    shown: list[tuple[str, str]] = []
    for name in ("show_error", "show_info"):
        monkeypatch.setattr(dialogs, name, lambda _w, title, text: shown.append((title, text)))
    with qtbot.waitSignal(desk.batch.import_finished, timeout=60000) as finished:
        desk.batch.start_import([str(path)])
    open_file(desk.review, path, finished.args[0])
    return shown


def test_a_file_that_fails_to_import_is_named_with_the_reason(
    qtbot, desk, tmp_path: Path, monkeypatch
) -> None:
    broken = tmp_path / "CM16-0000001 letter.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a PDF\n")
    shown = _import_and_open(qtbot, desk, broken, monkeypatch)
    assert len(shown) == 1, "one message for one file"
    _title, text = shown[0]
    assert text.startswith("CM16-0000001 letter.pdf: ") and len(text) > len(broken.name) + 4
    assert not any(len(word.strip("'")) == 64 for word in text.split()), "names a SHA-256"
    assert desk.review.session is not None  # the reviewer is left on a letter


def test_a_file_missing_from_the_database_is_named_not_hashed(
    qtbot, review, tmp_path: Path, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _w, _title, text: shown.append(text))
    stray = tmp_path / "stray.pdf"
    stray.write_bytes(b"%PDF-1.7 never imported")
    open_file(review, stray, None)
    assert shown == ["stray.pdf: it is not in the review database (the import stopped before it)"]


def test_a_file_that_imports_is_opened(qtbot, desk, sample_letters: Path, monkeypatch) -> None:
    pdf = sorted(sample_letters.glob("*.pdf"))[-1]
    shown = _import_and_open(qtbot, desk, pdf, monkeypatch)
    assert shown == []
    assert desk.review.session.file_name == pdf.name
