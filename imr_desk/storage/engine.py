"""The two database engines a project can live in, seen through one small interface.

A desk's own project is a SQLite file (the embedded default); a team's is a PostgreSQL server
(``--db postgresql://...``). The store's SQL is written once, with ``?`` parameters and the
portable subset both engines share; an engine supplies the connection, the transaction and the
few statements that differ (docs/adr/0010-team-server.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

_CONNINFO_WORD = re.compile(r"^\s*(service|host|dbname|hostaddr|port|user)\s*=", re.IGNORECASE)


class Cursor(Protocol):
    """What the store reads from an executed statement (sqlite3's and psycopg's cursors)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """A connection as the store uses it: statements with ``?`` parameters."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any: ...


@dataclass(frozen=True)
class Announcements:
    """What the team server said since a desk last asked."""

    letters: frozenset[str]
    """SHA-256s of letters whose status, stage or claims changed (any desk's, this one's too)."""
    listening: bool
    """Whether the listener is connected now: the server answers."""
    resumed: bool = False
    """The listener (re)connected since the last call: whatever was announced while it was
    not listening is lost, so a desk reads everything it shows again."""


class Engine(Protocol):
    """One open project: where it is, its connections and transactions, its dialect."""

    kind: str
    """``sqlite`` or ``postgresql``."""
    location: str
    """Where the project is, for messages (a file path, or a server URL without password)."""
    path: Path | None
    """The SQLite file; None on a server."""
    target: str | Path
    """What ``LetterStore.open`` takes to open the project again (the connection string as
    given: ``location`` may drop parts of it, a socket folder or a service's settings)."""
    server_identity: bool
    """True when the database server says who the reviewer is (its login), not the desk."""
    row_lock: str
    """Appended to the SELECT of a letter about to be changed: the server's row lock (the
    SQLite file's write lock already covers the whole transaction)."""
    like: str
    """The pattern match that ignores case, for the queue's search: SQLite's ``LIKE`` does;
    PostgreSQL's ``LIKE`` does not, its ``ILIKE`` does (and uses the trigram index too)."""
    search_source: str
    """Where the queue's search matches case numbers and file names: the letters table, or on
    a server the view ``letter_search`` of those columns (see ``pg_schema``)."""

    def read(self) -> AbstractContextManager[Conn]:
        """A connection for reads; errors become ``StorageError``."""
        ...

    def write(self) -> AbstractContextManager[Conn]:
        """One atomic transaction: committed whole on leaving, rolled back on an error."""
        ...

    def close(self) -> None: ...

    def integrity_check(self) -> str:
        """``ok`` when the database is sound, else what is wrong."""
        ...

    def category_counts_sql(self, where: str) -> str:
        """Item counts by category over current records (JSON functions differ by engine)."""
        ...

    def changed_letters(self) -> Announcements | None:
        """What other desks changed since last asked (None where nothing is announced)."""
        ...

    def leads(self, conn: Conn) -> tuple[str, ...] | None:
        """The leads as the server knows them (its lead logins), or None where the project's
        review policy names them."""
        ...


def is_server_target(target: str | Path | None) -> bool:
    """Whether ``--db`` names a PostgreSQL server (a libpq URL or ``key=value`` connection
    string such as ``service=imr``) rather than a SQLite file."""
    if target is None or isinstance(target, Path):
        return False
    text = str(target)
    return text.startswith(("postgresql://", "postgres://")) or bool(_CONNINFO_WORD.match(text))
