"""``imr-desk db copy --from SRC --to DST``: a whole project from one place to another.

A desk's SQLite project onto a team server, a team's project into a SQLite file (a backup, or
leaving the team), or file to file. Lossless (``storage.copy``): letters, audit, reviews,
seeded checks and settings arrive as they were; claims are cleared. The destination must be
empty (a new file, or a database just set up with ``imr-desk team init``), and a copy onto a
server runs as the project's owner, the login that ran ``team init``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from imr_desk.commands.db_option import PLACES
from imr_desk.names import shown
from imr_desk.storage import NoDatabaseError, StorageError

PROG: Final = "imr-desk db"
WORDS: Final = (
    ("letters", "letter"),
    ("audit", "audit row"),
    ("reviews", "review"),
    ("checks", "seeded check"),
    ("settings", "setting"),
)
"""What the summary calls the rows of each table copied."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One sub-command so far: copy."""
    from imr_desk.cli import add_log_level

    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    copy = actions.add_parser(
        "copy", help="copy a whole project into an empty one (file to server and back)"
    )
    copy.add_argument(
        "--from", dest="source", required=True, metavar="SRC", help=f"the project to copy: {PLACES}"
    )
    copy.add_argument(
        "--to",
        dest="destination",
        required=True,
        metavar="DST",
        help="an empty project: a new SQLite file, or a team server's project just created "
        "with `imr-desk team init` (copied as its owner)",
    )
    add_log_level(copy, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Copy; 2 when the source is not there, 1 when the copy is refused or fails (the
    destination is then as it was)."""
    from imr_desk.storage.copy import copy_project

    try:
        summary = copy_project(args.source, args.destination)
    except NoDatabaseError as exc:
        print(f"{PROG} copy: {shown(str(exc))}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"{PROG} copy: {shown(str(exc))}", file=sys.stderr)
        return 1
    rows = summary.rows
    counts = [_counted(rows[table], word) for table, word in WORDS]
    print(
        f"copied {', '.join(counts[:-1])} and {counts[-1]} from {shown(summary.source)} to "
        f"{shown(summary.destination)} (no letter is held there: claims are not copied)"
    )
    return 0


def _counted(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
