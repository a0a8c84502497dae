"""A letter the parser raises on is stored for manual review, counted, and its traceback logged;
the rest of the batch goes on. The same for ``imr-desk parse``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imr_desk import logs, parser
from imr_desk.cli import main
from imr_desk.importer import file_sha256, import_paths
from imr_desk.pdf_source import PdfText, page_sizes
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore

BROKEN_TABLE = "no items table after the summary"


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three real sample letters; the parser is made to fail on the second."""
    return sorted(generate_letters(tmp_path_factory.mktemp("letters"), count=3, seed=11))


@pytest.fixture(autouse=True)
def _log_set_up(logging_to_file: Path) -> None:
    """The log file set up, as every command does."""


def log_text(log_dir: Path) -> str:
    return (log_dir / logs.LOG_FILE).read_text(encoding="utf-8")


def raise_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the real parser raise (after the PDF has been read) for the file called ``name``."""
    real_parse = parser.parse

    def parse(pdf: PdfText) -> dict[str, Any]:
        if pdf.file_name == name:
            raise ValueError(BROKEN_TABLE)
        return real_parse(pdf)

    monkeypatch.setattr(parser, "parse", parse)


def raising_parse_file(path: str) -> dict[str, Any]:
    """The real parser, raising for the second sample letter (module level: a worker process
    imports it by name)."""
    if Path(path).name == sorted(p.name for p in Path(path).parent.glob("*.pdf"))[1]:
        raise ValueError(BROKEN_TABLE)
    return parser.parse_file(path)


@pytest.mark.parametrize("workers", [0, 2])
def test_a_parser_exception_stores_the_letter_for_review_and_the_batch_goes_on(
    tmp_path: Path, letters: list[Path], log_dir: Path, workers: int
) -> None:
    broken = letters[1]
    with LetterStore.open(tmp_path / "letters.db", reviewer="ann") as store:
        summary = import_paths(
            store,
            [letters[0].parent],
            parse_file=raising_parse_file,
            parser_version="v1",
            workers=workers,
        )
        assert (summary.imported, summary.failed, summary.total) == (3, [], 3)
        assert [Path(r.path) for r in summary.parser_errors] == [broken]
        assert summary.parser_errors[0].parse_error == (
            f"the parser failed (ValueError: {BROKEN_TABLE})"
        )
        stored = store.get(file_sha256(broken)).parsed
        others = [store.get(file_sha256(p)).parsed for p in (letters[0], letters[2])]
    assert stored["source"]["parse_error"] == f"the parser failed (ValueError: {BROKEN_TABLE})"
    assert stored["source"]["file_name"] == broken.name
    assert stored["source"]["pages"] == len(page_sizes(broken)) > 0
    assert (stored["source"]["layout"], stored["items"]) == ("unknown", [])
    assert stored["letter"]["case_number"] is None
    assert all(o["letter"]["case_number"] and "parse_error" not in o["source"] for o in others)
    text = log_text(log_dir)
    assert f"{broken}: the parser failed (ValueError: {BROKEN_TABLE}); stored for review" in text
    assert "Traceback (most recent call last)" in text
    assert f"ValueError: {BROKEN_TABLE}" in text.split("Traceback (most recent call last)")[1]


def test_the_import_command_counts_parser_errors_and_names_the_file(
    tmp_path: Path,
    letters: list[Path],
    log_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raise_on(letters[1].name, monkeypatch)
    db = str(tmp_path / "letters.db")
    folder = str(letters[0].parent)
    assert main(["import", folder, "--db", db, "--workers", "0", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert f"parser error: {letters[1]}: the parser failed (ValueError: {BROKEN_TABLE})" in err
    assert "imported 3, with parser errors 1 (stored for review, reasons above)" in out
    assert "failed 0" in out
    assert "Traceback (most recent call last)" in log_text(log_dir)


def test_a_reparse_that_raises_keeps_the_earlier_parse(
    tmp_path: Path, letters: list[Path], log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LetterStore.open(tmp_path / "letters.db", reviewer="ann") as store:
        import_paths(store, letters, parse_file=parser.parse_file, parser_version="v1", workers=0)
        raise_on(letters[1].name, monkeypatch)
        summary = import_paths(
            store,
            letters,
            parse_file=parser.parse_file,
            parser_version="v2",
            workers=0,
            reparse=True,
        )
        kept = store.get(file_sha256(letters[1]))
    assert (summary.reparsed, summary.parser_errors) == (2, [])
    assert [(Path(k.path), k.reason) for k in summary.kept] == [
        (letters[1], f"the parser failed (ValueError: {BROKEN_TABLE}); the earlier parse is kept")
    ]
    assert kept.parser_version == "v1"
    assert kept.parsed["letter"]["case_number"]
    assert "not stored" in log_text(log_dir)


def test_the_parse_command_reports_a_parser_exception_and_parses_the_other_files(
    letters: list[Path],
    log_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raise_on(letters[1].name, monkeypatch)
    assert main(["parse", "--json", *map(str, letters)]) == 1
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["source"]["file_name"] for r in records] == [letters[0].name, letters[2].name]
    assert err.strip() == (
        f"imr-desk parse: {letters[1]}: the parser failed (ValueError: {BROKEN_TABLE})"
    )
    text = log_text(log_dir)
    assert f"{letters[1]}: the parser failed" in text
    assert "Traceback (most recent call last)" in text and f"ValueError: {BROKEN_TABLE}" in text
