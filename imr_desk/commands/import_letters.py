"""``imr-desk import PATH... [--db DB]``: parse letters in parallel into the review database
(a SQLite file or a team server: several desks may import into one server at once).

Every line that names a file (or repeats a reason, which may quote text from a PDF) is printed
``names.shown``: escaped, so an undecodable name or an escape sequence cannot break the output.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Final

from imr_desk.commands.db_option import add_db_argument
from imr_desk.commands.progress_bar import ProgressBar
from imr_desk.importer import ImportProgress, ImportSummary, default_parser, import_paths
from imr_desk.names import real_path, shown
from imr_desk.storage import LetterStore, StorageError

LISTED_DUPLICATES: Final = 10

_log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Paths, database, workers, re-parse."""
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="letter PDFs or folders (recursive)"
    )
    add_db_argument(parser)
    parser.add_argument(
        "--workers", type=int, default=None, help="parser processes (default: cores)"
    )
    parser.add_argument(
        "--reparse",
        action="store_true",
        help="re-run this parser on stored letters nobody has touched (all of them without PATH)",
    )
    parser.add_argument("--verbose", action="store_true", help="list every duplicate")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Import; exit 0 when every file was handled, 1 when some failed, 130 when interrupted."""
    if not args.paths and not args.reparse:
        print("imr-desk import: give at least one PATH (or --reparse)", file=sys.stderr)
        return 2
    try:
        store = LetterStore.open(args.db)
    except StorageError as exc:
        _log.error("the review database cannot be opened: %s", exc)
        print(shown(f"imr-desk import: {exc}"), file=sys.stderr)
        return 1
    try:
        summary = _import(store, args)
    except StorageError as exc:
        _log.exception("the import stopped on a database error")
        print("\n" + shown(f"imr-desk import: {exc}"), file=sys.stderr)
        print("Letters saved before the error are kept; run again to continue.", file=sys.stderr)
        return 1
    finally:
        store.close()
    print_summary(summary, store_path=store.location, verbose=args.verbose)
    if summary.cancelled:
        return summary.interrupted_exit_code  # 130 for Ctrl+C, 143 for SIGTERM
    return 1 if summary.failed else 0


def _import(store: LetterStore, args: argparse.Namespace) -> ImportSummary:
    parse_file, version = default_parser()
    paths = list(args.paths)
    if args.reparse and not paths:
        paths = [real_path(source) for _, source in store.reparse_candidates(version)]
    bar = ProgressBar(enabled=False if args.no_progress else None)

    def report(progress: ImportProgress) -> None:
        last = progress.last
        if last is not None and last.outcome == "failed":
            bar.message(shown(f"failed: {last.path}: {last.reason}"))
        elif last is not None and last.parse_error:
            error = f"parser error: {last.path}: {last.parse_error} (stored for review)"
            bar.message(shown(error))
        counts = progress.counts
        extra = f"new {counts.get('imported', 0)} dup {counts.get('duplicate', 0)}"
        bar.update(progress.done, progress.total, progress.rate, progress.eta, extra)

    try:
        return import_paths(
            store,
            paths,
            parse_file=parse_file,
            parser_version=version,
            workers=args.workers,
            report=report,
            reparse=args.reparse,
        )
    finally:
        bar.clear()


def print_summary(summary: ImportSummary, *, store_path: str, verbose: bool = False) -> None:
    """The closing report: duplicates, letters needing OCR, then the totals. Failures and
    parser errors are only counted here: each one's reason was printed once, as it happened."""
    listed = summary.duplicates if verbose else summary.duplicates[:LISTED_DUPLICATES]
    for result in listed:
        print(shown(f"duplicate: {result.path} ({result.reason})"))
    if len(listed) < len(summary.duplicates):
        print(f"... and {len(summary.duplicates) - len(listed)} more duplicates (--verbose)")
    for path in summary.needs_ocr:
        print(shown(f"needs OCR: {path}"))
    for result in summary.kept:
        print(shown(f"not re-parsed: {result.path} ({result.reason})"))
    print(shown(_totals(summary, store_path)))
    if summary.cancelled:
        print(
            "interrupted: every letter listed as imported is saved; run the same command again "
            "to import the rest"
        )


def _totals(summary: ImportSummary, store_path: str) -> str:
    """The closing line: every count, the reasons pointed at when there are any."""
    parts = [f"imported {summary.imported}"]
    if summary.parser_errors:
        # Stored with few or no values: counted apart so nobody takes them for parsed letters.
        parts.append(
            f"with parser errors {len(summary.parser_errors)} (stored for review, reasons above)"
        )
    parts += [
        f"duplicates {len(summary.duplicates)}",
        f"failed {len(summary.failed)}" + (" (reasons above)" if summary.failed else ""),
        f"needs OCR {len(summary.needs_ocr)}",
    ]
    if summary.reparsed or summary.kept:
        parts.append(f"re-parsed {summary.reparsed}")
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    return (
        ", ".join(parts)
        + f" ({summary.total} files in {summary.seconds:.1f} s, {rate:.1f}/s) into {store_path}"
    )
