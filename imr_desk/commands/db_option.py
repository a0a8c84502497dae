"""``--db``, as every command takes it: a SQLite file or a team server.

A project lives in a SQLite file (the default one in the user's data folder without ``--db``)
or on a PostgreSQL server (a ``postgresql://`` URL or a libpq ``service=NAME``); the store
decides which from the text, so the commands pass it on as given, never as a ``Path``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from imr_desk.names import shown
from imr_desk.storage import LetterStore

SERVER_FORMS: Final = (
    "postgresql://LOGIN@HOST/DB or service=NAME (password from ~/.pgpass, PGPASSWORD or a "
    "service file, never in the connection string)"
)
PLACES: Final = f"a SQLite file or a team server, {SERVER_FORMS}"
DEFAULT_PLACES: Final = (
    f"a SQLite file (default: one in your user data folder) or a team server, {SERVER_FORMS}"
)
DB_HELP: Final = f"the project: {DEFAULT_PLACES}"
SERVER_HELP: Final = f"the team project on its server: {SERVER_FORMS}"


def add_db_argument(parser: argparse.ArgumentParser, help_text: str = DB_HELP) -> None:
    """The ``--db`` option, its value kept as text (a connection string is not a path)."""
    parser.add_argument("--db", metavar="DB", help=help_text)


def note_ignored_reviewer(prog: str, given: str | None, store: LetterStore) -> None:
    """Say once that ``--reviewer`` does not apply on a team server, where the reviewer is
    the database login: every audit row says who really made the change."""
    if given and store.kind == "postgresql" and given != store.reviewer:
        print(
            f"{prog}: --reviewer {shown(given)} is ignored on a team server: you review as "
            f"your login, {shown(store.reviewer)}",
            file=sys.stderr,
        )
