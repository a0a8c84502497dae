"""One file's parse as a worker runs it: the parser's answer, or a failure with its reason,
never an exception, so that one file costs at most its own letter and never the batch."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imr_desk.domain import empty_record
from imr_desk.pdf_source import OUT_OF_MEMORY, PdfError, page_sizes
from imr_desk.regular_files import open_regular_file

ParseFile = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class ParserFailure:
    """A worker's answer when the parser raised: the record to store for manual review (None
    when the file cannot be opened either), the reason, and the traceback for the log (the
    worker has no log of its own, so the parent writes it)."""

    reason: str
    traceback: str
    record: dict[str, Any] | None = None


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes: the letter's identity (the same as the parser's). Raises
    OSError; NotRegularFileError for a FIFO or device, which is never opened for reading."""
    digest = hashlib.sha256()
    with open_regular_file(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_job(path: str, parse_file: ParseFile) -> tuple[str, Any]:
    """Run in a worker: ("ok", record), ("failed", reason) for a file that cannot be read, or
    ("parser_error", ParserFailure) when the parser raised. Never raises."""
    try:
        return "ok", parse_file(path)
    except PdfError as exc:
        return "failed", exc.reason
    except MemoryError:  # the worker's memory limit: a bomb, not a parser bug
        return "failed", OUT_OF_MEMORY
    except Exception as exc:  # a parser bug costs one letter its values, not the batch
        return "parser_error", _parser_failure(path, exc)


def _parser_failure(path: str, exc: Exception) -> ParserFailure:
    reason = f"the parser failed ({type(exc).__name__}: {exc})"
    trace = "".join(traceback.format_exception(exc))
    try:
        record = unparsed_record(path, reason)
    except Exception:  # the file cannot be opened either: it fails like an unreadable one
        record = None
    return ParserFailure(reason, trace, record)


def unparsed_record(path: str, reason: str) -> dict[str, Any]:
    """The record stored for a letter the parser raised on: no values, only what the file
    itself says (name, SHA-256, page count) and ``source.parse_error``, so that the letter
    still reaches the queue for a person to fill in. Raises PdfError when it cannot be opened."""
    pages = len(page_sizes(path))
    record = empty_record(
        file_name=Path(path).name, sha256=file_sha256(Path(path)), pages=pages, layout="unknown"
    )
    record["source"]["parse_error"] = reason
    return record


def default_parser() -> tuple[ParseFile, str]:
    """The real parser and its version (imported late: the parser is the heavy part)."""
    from imr_desk.parser import PARSER_VERSION, parse_file

    return parse_file, PARSER_VERSION
