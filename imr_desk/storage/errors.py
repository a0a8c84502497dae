"""Storage errors, and the translation of SQLite's errors into sentences a reviewer can act on.

Every public store operation runs inside ``translated_errors`` so the app shows one clear
message (locked, read-only, disk full, damaged) instead of a ``sqlite3`` traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final


class StorageError(Exception):
    """A database problem, worded for the reviewer; nothing already saved was lost."""


class NoDatabaseError(StorageError):
    """No database file at the path given (a mistyped ``--db``); nothing was created."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer IMR Desk; it is left untouched."""


class ForeignDatabaseError(StorageError):
    """The file is another program's SQLite database (tables, none of IMR Desk's); it is left
    untouched rather than given IMR tables."""


_MESSAGES: Final = (
    ("locked", "the database is locked by another program (another IMR Desk or import?)"),
    ("busy", "the database is locked by another program (another IMR Desk or import?)"),
    ("readonly", "the database file is read-only: it cannot be changed"),
    ("read-only", "the database file is read-only: it cannot be changed"),
    ("disk is full", "the disk is full: free some space and try again"),
    ("disk i/o", "the disk reported an input/output error"),
    ("not a database", "the file is not an IMR Desk database (or it is encrypted)"),
    ("malformed", "the database file is damaged (run a backup restore)"),
    ("unable to open", "the database file cannot be opened (missing folder or no permission)"),
)


def describe(exc: sqlite3.Error, path: Path | str) -> str:
    """The reviewer-facing sentence for one SQLite error."""
    text = str(exc).lower()
    for needle, message in _MESSAGES:
        if needle in text:
            return f"{message} [{path}]"
    return f"database error: {exc} [{path}]"


@contextmanager
def translated_errors(path: Path | str) -> Iterator[None]:
    """Re-raise ``sqlite3`` errors as ``StorageError`` with a clear message."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(describe(exc, path)) from exc


class PermissionRefusedError(StorageError):
    """The team server refused the change: the login may not make it (another desk holds the
    letter, another reviewer's name, a gold letter, the schema). Nothing was written."""


class ServerUnavailableError(StorageError):
    """The team server cannot be reached or the connection dropped; what was being written
    was not saved, and the next operation reconnects."""


class ClaimLostError(PermissionRefusedError):
    """Another desk holds the letter (its claim is live); the change was not saved."""
