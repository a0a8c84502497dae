"""Batch import: find letters, parse them in worker processes, store each in its own transaction.

The parent process is the only writer; workers only parse. A letter is written whole or not at
all, so an import that is interrupted (Ctrl+C, killed, cancelled from the app) and run again
resumes: letters already stored are recognised by their SHA-256 and skipped.

A letter the parser raises on is still stored, with no values and the reason in
``source.parse_error``, for a person to fill in; its traceback goes to the log. Only regular
files are opened, and with workers no file can stall the batch (``importer_pool``: a time and a
memory limit per file). SIGTERM stops an import as Ctrl+C does.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from imr_desk import names
from imr_desk.import_job import (
    ParseFile,
    ParserFailure,
    default_parser,
    file_sha256,
    parse_job,
    unparsed_record,
)
from imr_desk.importer_pool import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, WorkerPool
from imr_desk.regular_files import NotRegularFileError
from imr_desk.storage import LetterStore

__all__ = [
    "FileResult",
    "ImportProgress",
    "ImportSummary",
    "ParseFile",
    "ParserFailure",
    "default_parser",
    "discover",
    "file_sha256",
    "import_paths",
    "parse_job",
    "unparsed_record",
]

Outcome = Literal["imported", "duplicate", "failed", "reparsed", "kept"]
SIGTERM_EXIT: Final = 128 + signal.SIGTERM
SIGINT_EXIT: Final = 128 + signal.SIGINT

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file; ``reason`` says why it failed or what it duplicates.
    ``parse_error`` is set when the letter was stored although the parser failed on it."""

    path: str
    outcome: Outcome
    reason: str | None = None
    needs_ocr: bool = False
    parse_error: str | None = None


@dataclass
class ImportProgress:
    """Running totals, handed to the progress callback after every file."""

    total: int
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    needs_ocr: int = 0
    last: FileResult | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Files per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate; None until there is a rate."""
        return (self.total - self.done) / self.rate if self.rate > 0 else None


@dataclass
class ImportSummary:
    """The end of an import: what was imported, skipped, failed and still needs OCR.
    ``parser_errors`` were imported (or re-parsed) although the parser failed on them."""

    total: int = 0
    imported: int = 0
    reparsed: int = 0
    kept: list[FileResult] = field(default_factory=list)
    duplicates: list[FileResult] = field(default_factory=list)
    failed: list[FileResult] = field(default_factory=list)
    needs_ocr: list[str] = field(default_factory=list)
    parser_errors: list[FileResult] = field(default_factory=list)
    cancelled: bool = False
    terminated: bool = False  # stopped by SIGTERM (``cancelled`` is set too)
    seconds: float = 0.0

    @property
    def interrupted_exit_code(self) -> int:
        """The shell's code for the signal that stopped the import: 143 for SIGTERM, 130 for
        Ctrl+C (and a cancel)."""
        return SIGTERM_EXIT if self.terminated else SIGINT_EXIT

    def add(self, result: FileResult) -> None:
        """Count one file's result."""
        if result.outcome == "imported":
            self.imported += 1
        elif result.outcome == "reparsed":
            self.reparsed += 1
        elif result.outcome == "kept":
            self.kept.append(result)
        elif result.outcome == "duplicate":
            self.duplicates.append(result)
        else:
            self.failed.append(result)
        if result.needs_ocr:
            self.needs_ocr.append(result.path)
        if result.parse_error and result.outcome in ("imported", "reparsed"):
            self.parser_errors.append(result)


# --- discovery -----------------------------------------------------------------------------


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[FileResult]]:
    """The PDF files named or found (recursively) under the paths, in a stable order, plus a
    failure for each path that does not exist. A file named explicitly is taken whatever its
    extension, so the parser can say what is wrong with it."""
    found: dict[Path, None] = {}
    missing: list[FileResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(dict.fromkeys(_pdfs_under(path)))
        elif path.exists():
            found[path] = None
        else:
            missing.append(FileResult(str(path), "failed", "no such file or folder"))
    return list(found), missing


def _pdfs_under(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(".pdf"):
                yield Path(root) / name


def _parse_error_sentence(error: str | None) -> str | None:
    """``source.parse_error`` as a sentence: the parser's own note (it stopped part-way and
    kept what it had read) is only the exception."""
    if not error or error.startswith("the parser failed"):
        return error
    return f"the parser failed part-way ({error})"


# --- the import ----------------------------------------------------------------------------


@dataclass
class _Job:
    path: Path
    reparse: bool


class _Importer:
    """One run of ``import_paths``: classifies files, feeds the pool, writes results."""

    def __init__(self, store: LetterStore, parser_version: str, reparse: bool) -> None:
        self.store = store
        self.parser_version = parser_version
        self.reparse = reparse
        self.seen: dict[str, str] = {}
        self.candidates: set[str] = set()
        if reparse:
            self.candidates = {sha for sha, _ in store.reparse_candidates(parser_version)}

    def classify(self, path: Path) -> _Job | FileResult:
        """Decide before parsing: a new letter, a re-parse, a duplicate or unreadable."""
        try:
            sha = file_sha256(path)
        except NotRegularFileError as exc:
            return FileResult(str(path), "failed", str(exc.strerror))
        except OSError as exc:
            return FileResult(str(path), "failed", f"cannot be read ({exc.strerror})")
        if sha in self.seen:
            return FileResult(str(path), "duplicate", f"same file as {self.seen[sha]}")
        self.seen[sha] = str(path)
        if not self.store.has_letter(sha):
            return _Job(path, reparse=False)
        if self.reparse and sha in self.candidates:
            return _Job(path, reparse=True)
        return FileResult(str(path), "duplicate", "already in the database")

    def store_result(self, job: _Job, status: str, value: Any) -> FileResult:
        """Write one parsed record in its own transaction (the parent is the only writer)."""
        path = str(job.path)
        if status == "parser_error":
            return self._store_parser_failure(job, value)
        if status != "ok":
            return FileResult(path, "failed", str(value))
        parse_error = _parse_error_sentence((value.get("source") or {}).get("parse_error"))
        if parse_error:
            _log.warning("%s: %s; stored for review", path, parse_error)
        return self._store(job, value)

    def _store(self, job: _Job, record: dict[str, Any]) -> FileResult:
        record = names.storable_record(record)  # SQLite TEXT takes no undecodable name
        path, source = str(job.path), record.get("source") or {}
        needs_ocr = bool(source.get("needs_ocr"))
        parse_error = _parse_error_sentence(source.get("parse_error"))
        if job.reparse:
            if self.store.replace_parsed(record, parser_version=self.parser_version):
                return FileResult(path, "reparsed", None, needs_ocr, parse_error)
            return FileResult(path, "kept", "a reviewer has worked on it")
        source_path = names.storable_path(job.path.resolve())
        if self.store.add_letter(
            record, source_path=source_path, parser_version=self.parser_version
        ):
            return FileResult(path, "imported", None, needs_ocr, parse_error)
        return FileResult(path, "duplicate", "already in the database")

    def _store_parser_failure(self, job: _Job, failure: ParserFailure) -> FileResult:
        """Log the traceback, then store the empty record for review. A re-parse keeps the
        earlier parse instead: an empty record would throw its values away."""
        path = str(job.path)
        stored = failure.record is not None and not job.reparse
        outcome = "stored for review" if stored else "not stored"
        _log.error("%s: %s; %s\n%s", path, failure.reason, outcome, failure.traceback.rstrip())
        if failure.record is None:
            return FileResult(path, "failed", failure.reason)
        if job.reparse:
            return FileResult(path, "kept", f"{failure.reason}; the earlier parse is kept")
        return self._store(job, failure.record)


def import_paths(
    store: LetterStore,
    paths: Iterable[str | os.PathLike[str]],
    *,
    parse_file: ParseFile | None = None,
    parser_version: str | None = None,
    workers: int | None = None,
    report: Callable[[ImportProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    reparse: bool = False,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> ImportSummary:
    """Import letters from files and folders; see the module docstring for the guarantees.

    ``workers=0`` parses in this process (no pool, so no time or memory limit). ``report`` is
    called after every file; ``should_stop`` is polled between files and, with workers, several
    times a second (the app's Cancel button). Ctrl+C and SIGTERM stop the same way. A worker's
    file fails after ``time_limit`` seconds or beyond ``memory_limit`` bytes (None: no limit).
    """
    if parse_file is None:
        parse_file, default_version = default_parser()
        parser_version = parser_version or default_version
    files, missing = discover(paths)
    summary = ImportSummary(total=len(files) + len(missing))
    progress = ImportProgress(total=summary.total)
    importer = _Importer(store, parser_version or "unknown", reparse)
    terminated = threading.Event()

    def stop() -> bool:
        return terminated.is_set() or (should_stop is not None and should_stop())

    def record(result: FileResult) -> None:
        _log_result(result)
        summary.add(result)
        progress.done += 1
        progress.counts[result.outcome] = progress.counts.get(result.outcome, 0) + 1
        progress.needs_ocr += result.needs_ocr
        progress.last = result
        if report is not None:
            report(progress)

    for result in missing:
        record(result)
    run = _Run(importer, parse_file, record, stop)
    try:
        with _sigterm_sets(terminated):
            if workers == 0:
                summary.cancelled = _run_inline(run, files)
            else:
                pool: WorkerPool[_Job] = WorkerPool(
                    functools.partial(parse_job, parse_file=parse_file),
                    workers or os.cpu_count() or 1,
                    time_limit,
                    memory_limit,
                )
                summary.cancelled = pool.run(run.paths(files), run.finish, stop)
    except KeyboardInterrupt:
        summary.cancelled = True
    summary.terminated = terminated.is_set()
    summary.seconds = progress.elapsed
    _log_summary(summary)
    return summary


@contextmanager
def _sigterm_sets(terminated: threading.Event) -> Iterator[None]:
    """While the import runs, SIGTERM sets ``terminated``, which stops it between files like
    Ctrl+C (what was stored stays). Only the main thread may handle signals: the app's import
    runs on another and stops by its Cancel."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: terminated.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _log_result(result: FileResult) -> None:
    """A failure is a warning (its reason was also shown); every other file a debug line."""
    if result.outcome == "failed":
        _log.warning("not imported: %s: %s", result.path, result.reason)
    elif result.reason:
        _log.debug("%s: %s (%s)", result.outcome, result.path, result.reason)
    else:
        _log.debug("%s: %s", result.outcome, result.path)


def _log_summary(summary: ImportSummary) -> None:
    _log.info(
        "import %s: %d files, %d imported, %d re-parsed, %d duplicates, %d failed, "
        "%d with parser errors, %d need OCR",
        "cancelled" if summary.cancelled else "finished",
        summary.total,
        summary.imported,
        summary.reparsed,
        len(summary.duplicates),
        len(summary.failed),
        len(summary.parser_errors),
        len(summary.needs_ocr),
    )


@dataclass
class _Run:
    """What parsing in this process and parsing in a pool share: the importer, the parser,
    and the callbacks that count each file and say when to stop."""

    importer: _Importer
    parse_file: ParseFile
    record: Callable[[FileResult], None]
    stop: Callable[[], bool]

    def jobs(self, files: list[Path]) -> Iterator[_Job]:
        """The files that need parsing; the others (duplicates, unreadable) are counted here."""
        for path in files:
            job = self.importer.classify(path)
            if isinstance(job, FileResult):
                self.record(job)
            else:
                yield job

    def paths(self, files: list[Path]) -> Iterator[tuple[_Job, str]]:
        """The jobs for a worker pool, each with the path its worker reads."""
        for job in self.jobs(files):
            yield job, str(job.path)

    def finish(self, job: _Job, parsed: tuple[str, Any]) -> None:
        """Store one parse result and count it."""
        self.record(self.importer.store_result(job, *parsed))


def _run_inline(run: _Run, files: list[Path]) -> bool:
    for job in run.jobs(files):
        if run.stop():
            return True
        run.finish(job, parse_job(str(job.path), run.parse_file))
    return run.stop()
