"""``imr-desk export --out DIR [--db DB] [--status verified|all]``: write the dataset files."""

from __future__ import annotations

import argparse
import logging
import sys

from imr_desk.commands.db_option import add_db_argument
from imr_desk.export import FILES, SELECTIONS, ExportError, export_dataset
from imr_desk.storage import LetterStore, NoDatabaseError, StorageError

_log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Database, output folder, which letters."""
    add_db_argument(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the dataset files")
    parser.add_argument(
        "--status",
        choices=SELECTIONS,
        default="verified",
        help="verified letters only (default) or all letters",
    )


def run(args: argparse.Namespace) -> int:
    """Export; on failure the folder keeps its earlier export and the exit code is 1
    (2 when there is no database at all)."""
    try:
        with LetterStore.open(args.db, read_only=False, create=False) as store:
            summary = export_dataset(store, args.out, selection=args.status)
    except NoDatabaseError as exc:
        print(f"imr-desk export: {exc}", file=sys.stderr)
        return 2
    except (StorageError, ExportError) as exc:
        _log.exception("the export to %s failed", args.out)
        print(f"imr-desk export: {exc}", file=sys.stderr)
        print("Any earlier export in that folder is unchanged.", file=sys.stderr)
        return 1
    print(
        f"exported {summary.letters} letters, {summary.items} items to {summary.out_dir} "
        f"({', '.join(FILES)})"
    )
    return 0
