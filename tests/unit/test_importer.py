"""Batch import: discovery, duplicates, failures, OCR, cancel and resume, re-parse."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fake_letters import crashing_fake_parse_file, fake_parse_file, write_letters

from imr_desk.cli import main
from imr_desk.edits import SetField
from imr_desk.importer import ImportProgress, discover, import_paths
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

SEX = FieldRef("patient_sex")


@pytest.fixture
def store(project: EngineProject) -> LetterStore:
    """ann's desk on an empty project, on each engine (closed by ``project``)."""
    return project.open("ann")


def run(store: LetterStore, paths: list, **kw: object):
    kw.setdefault("workers", 0)
    kw.setdefault("parser_version", "v1")
    kw.setdefault("parse_file", fake_parse_file)
    return import_paths(store, paths, **kw)


def test_discover_walks_folders_for_pdfs_and_reports_missing_paths(tmp_path: Path) -> None:
    write_letters(tmp_path / "a" / "deep", 2)
    (tmp_path / "a" / "notes.txt").write_text("not a letter")
    (tmp_path / "a" / "UPPER.PDF").write_bytes(b"%PDF x")
    explicit = tmp_path / "named.bin"
    explicit.write_bytes(b"x")
    files, missing = discover([tmp_path / "a", explicit, tmp_path / "gone"])
    names = [f.name for f in files]
    assert names == ["UPPER.PDF", "letter-00000.pdf", "letter-00001.pdf", "named.bin"]
    assert [(m.path, m.reason) for m in missing] == [
        (str(tmp_path / "gone"), "no such file or folder")
    ]


def test_import_stores_letters_and_reports_failures_ocr_and_progress(
    store: LetterStore, tmp_path: Path
) -> None:
    write_letters(tmp_path / "in", 4)
    (tmp_path / "in" / "broken.pdf").write_bytes(b"BAD bytes")
    (tmp_path / "in" / "crash.pdf").write_bytes(b"CRASH please")
    (tmp_path / "in" / "scan.pdf").write_bytes(b"%PDF SCAN only")
    seen: list[tuple[int, int]] = []

    def report(progress: ImportProgress) -> None:
        seen.append((progress.done, progress.total))

    summary = run(store, [tmp_path / "in"], report=report)
    assert (summary.imported, len(summary.failed), summary.total) == (5, 2, 7)
    reasons = {Path(r.path).name: r.reason for r in summary.failed}
    assert reasons["broken.pdf"] == "damaged PDF that cannot be opened"
    assert "the parser failed (RuntimeError: boom)" in reasons["crash.pdf"]
    assert [Path(p).name for p in summary.needs_ocr] == ["scan.pdf"]
    assert seen == [(n, 7) for n in range(1, 8)]
    assert store.count_letters() == 5
    row = store.list_letters()[0]
    assert (row.parser_version, row.status) == ("v1", "parsed")
    assert Path(row.source_path).is_absolute()


def test_a_second_import_skips_known_letters_and_same_content_files(
    store: LetterStore, tmp_path: Path
) -> None:
    letters = write_letters(tmp_path / "in", 3)
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(letters[0].read_bytes())
    first = run(store, [tmp_path / "in", copy])
    assert (first.imported, len(first.duplicates)) == (3, 1)
    assert first.duplicates[0].reason == f"same file as {letters[0]}"
    again = run(store, [tmp_path / "in"])
    assert (again.imported, len(again.duplicates)) == (0, 3)
    assert {d.reason for d in again.duplicates} == {"already in the database"}
    assert store.count_letters() == 3


def test_parallel_workers_import_the_same_as_one_process(
    store: LetterStore, tmp_path: Path
) -> None:
    write_letters(tmp_path / "in", 12)
    (tmp_path / "in" / "broken.pdf").write_bytes(b"BAD")
    summary = run(store, [tmp_path / "in"], workers=2)
    assert (summary.imported, len(summary.failed), summary.cancelled) == (12, 1, False)
    pooled_cases = sorted(r.case_number for r in store.list_letters())
    with LetterStore.open(tmp_path / "inline.db") as inline:  # the reference: in one process
        run(inline, [tmp_path / "in"])
        assert sorted(r.case_number for r in inline.list_letters()) == pooled_cases


@pytest.mark.parametrize("workers", [0, 2])
def test_a_cancelled_import_resumes_without_duplicates(
    store: LetterStore, tmp_path: Path, workers: int
) -> None:
    write_letters(tmp_path / "in", 20)
    imported = []

    def report(progress: ImportProgress) -> None:
        imported.append(progress.last)

    summary = run(
        store,
        [tmp_path / "in"],
        workers=workers,
        report=report,
        should_stop=lambda: len(imported) >= 5,
    )
    assert summary.cancelled
    assert 5 <= store.count_letters() < 20
    rest = run(store, [tmp_path / "in"], workers=workers)
    assert rest.imported + summary.imported == 20
    assert len(rest.duplicates) == summary.imported
    assert store.count_letters() == 20


def test_reparse_replaces_untouched_letters_and_never_a_reviewers_work(
    store: LetterStore, tmp_path: Path
) -> None:
    letters = write_letters(tmp_path / "in", 3)
    run(store, [tmp_path / "in"])
    rows = store.list_letters()
    store.apply(rows[0].sha256, SetField(FieldRef("patient_age"), 77))
    store.set_status(rows[1].sha256, "skipped")
    summary = run(store, letters, parser_version="v2", reparse=True)
    assert (summary.reparsed, summary.kept, len(summary.duplicates)) == (1, [], 2)
    versions = {r.sha256: r.parser_version for r in store.list_letters()}
    assert versions == {rows[0].sha256: "v1", rows[1].sha256: "v1", rows[2].sha256: "v2"}
    assert store.get(rows[0].sha256).full.value(FieldRef("patient_age")) == 77
    assert store.reparse_candidates("v2") == []
    assert run(store, letters, parser_version="v2", reparse=True).reparsed == 0


def test_reparse_keeps_a_letter_a_reviewer_opened_while_it_was_being_parsed(
    store: LetterStore, tmp_path: Path
) -> None:
    letters = write_letters(tmp_path / "in", 2)
    run(store, letters)
    second = store.list_letters()[1].sha256

    def report(progress: ImportProgress) -> None:
        if progress.done == 1:  # a reviewer edits letter 2 before its new record arrives
            store.apply(second, SetField(SEX, "female"))

    summary = run(store, letters, parser_version="v2", reparse=True, report=report)
    assert (summary.reparsed, [Path(k.path).name for k in summary.kept]) == (
        1,
        ["letter-00001.pdf"],
    )
    row = store.get(second)
    assert (row.parser_version, row.full.value(SEX)) == ("v1", "female")


def test_a_file_that_crashes_a_worker_is_reported_and_the_rest_imported(
    store: LetterStore, tmp_path: Path
) -> None:
    write_letters(tmp_path / "in", 10)
    (tmp_path / "in" / "letter-00004b.pdf").write_bytes(b"DIE here")
    summary = run(store, [tmp_path / "in"], workers=2, parse_file=crashing_fake_parse_file)
    assert summary.imported == 10
    assert [(Path(f.path).name, f.reason) for f in summary.failed] == [
        ("letter-00004b.pdf", "the parser crashed on this file (damaged PDF?)")
    ]
    assert store.count_letters() == 10


def parse_then_die_idle(path: str) -> dict[str, Any]:
    """``fake_parse_file``, except that after ``*-00003.pdf`` the worker dies a moment after
    answering: while idle, or while it holds the next file through no fault of that file."""
    if path.endswith("-00003.pdf"):
        threading.Timer(0.05, os._exit, (1,)).start()
    return fake_parse_file(path)


def test_a_worker_that_dies_between_files_loses_no_letter(
    store: LetterStore, tmp_path: Path
) -> None:
    # Successor of the BrokenProcessPool regression (a pool that broke while jobs were
    # submitted lost the job just taken): the file handed to a dead worker is parsed again.
    write_letters(tmp_path / "in", 10)
    summary = run(store, [tmp_path / "in"], workers=2, parse_file=parse_then_die_idle)
    assert (summary.imported, summary.failed) == (10, [])
    assert store.count_letters() == 10


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM here")
def test_sigterm_stops_an_import_between_files_like_ctrl_c(
    store: LetterStore, tmp_path: Path
) -> None:
    # Issue 14: SIGTERM killed the import outright (and orphaned its workers).
    write_letters(tmp_path / "in", 10)
    missed: list[int] = []

    def report(progress: ImportProgress) -> None:
        if progress.done == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    def before(signum: int, _frame: object) -> None:  # the import's own handler must take it
        missed.append(signum)

    previous = signal.signal(signal.SIGTERM, before)
    try:
        summary = run(store, [tmp_path / "in"], report=report)
        assert signal.getsignal(signal.SIGTERM) is before
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert missed == []
    assert (summary.cancelled, summary.terminated, summary.interrupted_exit_code) == (
        True,
        True,
        143,
    )
    assert store.count_letters() == summary.imported == 3
    assert run(store, [tmp_path / "in"]).imported == 7


def test_the_import_command_prints_each_failure_once(
    project: EngineProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")
    db = str(project.target("ann"))
    assert main(["import", str(broken), "--db", db, "--no-progress", "--workers", "0"]) == 1
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count(f"{broken}") == 1
    assert f"failed: {broken}: " in captured.err
    assert "failed 1 (reasons above)" in captured.out
