"""The embedded engine: one SQLite file per project, opened through sqlite-utils.

Writes take the file's write lock first (``BEGIN IMMEDIATE``), so a busy file fails fast with
a clear message instead of midway through a change, and two programs on the same file never
overwrite each other's edits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from sqlite_utils import Database

from imr_desk.storage.engine import Conn
from imr_desk.storage.errors import translated_errors

CATEGORY_COUNTS: Final = (
    "SELECT json_extract(item.value, '$.fields.category.value'), count(*) FROM letters, "
    "json_each(letters.current_json, '$.items') AS item{where} GROUP BY 1"
)


class SqliteEngine:
    """A project in a SQLite file (see ``storage.schema`` for how it is opened)."""

    kind = "sqlite"
    server_identity = False
    row_lock = ""
    like = "LIKE"
    search_source = "letters"

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path: Path | None = path
        self.target: str | Path = path
        self.location = str(path)

    @property
    def conn(self) -> sqlite3.Connection:
        """The one connection (benchmarks tune it with PRAGMAs)."""
        return self.db.conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with translated_errors(self.location):
            yield self.db.conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        conn = self.db.conn
        with translated_errors(self.location):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite when the last one closes)."""
        self.db.close()

    def integrity_check(self) -> str:
        with self.read() as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])

    def category_counts_sql(self, where: str) -> str:
        return CATEGORY_COUNTS.format(where=where)

    def leads(self, conn: Conn) -> None:
        """A SQLite project's leads are the ones its review policy names."""
        return None

    def changed_letters(self) -> None:
        """A SQLite file announces nothing (desks on one file see changes when they read)."""
        return None
