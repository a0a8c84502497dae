"""``imr-desk parse FILE... [--json]``: parse letters and print their records."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from imr_desk.names import shown, storable_record
from imr_desk.parser import parse_file
from imr_desk.pdf_source import PdfError

REPAIRED_WARNING = "the PDF is damaged (repaired on opening); compare the values with the original"

_log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Files to parse and the output form."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="letter PDFs")
    parser.add_argument("--json", action="store_true", help="one JSON record per line")


def run(args: argparse.Namespace) -> int:
    """Parse each file; one that is unreadable or that the parser fails on is reported on
    stderr (a parser failure's traceback goes to the log) and the rest still parse.

    File names are printed ``shown`` (escaped), in the records too: a name that is not UTF-8
    or holds an escape sequence can neither break a strict UTF-8 stdout nor reach a terminal."""
    failed = 0
    for path in args.files:
        record = _parse(path)
        if record is None:
            failed += 1
            continue
        record = storable_record(record)
        _warn(shown(path), record["source"])
        print(json.dumps(record, ensure_ascii=False) if args.json else summarise(record))
    return 1 if failed else 0


def _parse(path: str) -> dict[str, Any] | None:
    """The file's record, or None once the reason it has none is printed (and logged)."""
    try:
        return parse_file(path)
    except PdfError as error:
        _log.warning("%s: %s", shown(path), error.reason)
        print(shown(f"imr-desk parse: {path}: {error.reason}"), file=sys.stderr)
    except Exception as exc:  # a parser bug on one letter must not hide the others' records
        _log.exception("%s: the parser failed", shown(path))
        print(
            shown(f"imr-desk parse: {path}: the parser failed ({type(exc).__name__}: {exc})"),
            file=sys.stderr,
        )
    return None


def _warn(name: str, source: dict[str, Any]) -> None:
    """Warnings that come with a record: a repaired PDF, a parser that stopped part-way.
    ``name`` is already ``shown``."""
    if source.get("repaired"):
        print(f"imr-desk parse: {name}: warning: {REPAIRED_WARNING}", file=sys.stderr)
    if source.get("parse_error"):
        error = shown(source["parse_error"])
        _log.warning("%s: the parser failed part-way (%s)", name, error)
        print(
            f"imr-desk parse: {name}: warning: the parser failed part-way"
            f" ({error}); some values may be missing",
            file=sys.stderr,
        )


def summarise(record: dict[str, Any]) -> str:
    """A short readable account of a record, for people rather than programs. Each line is
    ``shown``: text taken from a PDF reaches the terminal escaped, like file names."""
    source, letter = record["source"], record["letter"]
    lines = [
        f"{source['file_name']}: layout {source['layout']}, {source['pages']} page(s)"
        + (" — needs OCR" if source.get("needs_ocr") else ""),
        f"  case {letter['case_number'] or '?'}  decided {letter['decision_date'] or '?'}"
        f"  outcome {letter['outcome'] or '?'}",
        f"  patient {letter['patient_age'] or '?'} {letter['patient_sex'] or '?'}"
        f"  reviewer {', '.join(letter['reviewer_specialties']) or '?'}",
    ]
    for index, item in enumerate(record["items"]):
        lines.append(
            f"  {index + 1}. {item['treatment']} — {item['decision']} [{item['category']}]"
        )
    low = [p["field"] for p in record["provenance"] if 0 < p["confidence"] < 0.7]
    if low:
        lines.append(f"  check: {', '.join(low)}")
    return "\n".join(shown(line) for line in lines)
