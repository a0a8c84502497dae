"""Opening the database file: owner-only permissions, WAL, schema checks, migrations.

The schema version is ``PRAGMA user_version`` (the number of migrations applied), checked
before anything is written, so a database from a newer IMR Desk, or another program's
SQLite file, is refused untouched. Migrations run under the write lock, so two programs
creating the same new file do not race.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from platformdirs import user_data_dir
from sqlite_utils import Database

from imr_desk.storage.errors import (
    ForeignDatabaseError,
    SchemaTooNewError,
    StorageError,
    translated_errors,
)
from imr_desk.storage.migrations import MIGRATIONS

IMR_TABLES: Final = frozenset({"letters", "audit"})
PRIVATE: Final = 0o600
SETUP_WAIT: Final = 60.0
"""Seconds an open waits for another program creating or migrating the same file: creating
takes milliseconds, migrating a large file longer, and failing instead loses an import."""
SYNCHRONOUS: Final = "FULL"
"""WAL + FULL: each commit is fsynced, so an edit the app reported saved survives a power cut."""

_log = logging.getLogger(__name__)


SCHEMA_VERSION: Final = len(MIGRATIONS._migrations)


def default_db_path() -> Path:
    """Where the database lives without ``--db``: the user's data directory."""
    return Path(user_data_dir("imr-desk", appauthor=False)) / "letters.db"


def create_private_file(path: Path) -> None:
    """Create the empty database file readable by its owner only (letters are medical records)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE)
    except FileExistsError:
        return
    except OSError as exc:
        raise StorageError(f"cannot create the database {path}: {exc.strerror}") from None
    os.close(fd)
    os.chmod(path, PRIVATE)


def make_private(path: Path) -> None:
    """Take the group and other bits off the database and its ``-wal``/``-shm`` files.

    A file made by an older IMR Desk, copied in, or created under a loose umask keeps its
    mode (often 0644: every local user can read the medical records), and SQLite gives the
    ``-wal``/``-shm`` files the database's mode. So the owner's writable open tightens them;
    a file of another user is left alone with a warning, since its owner decides.
    """
    if os.name != "posix":
        return
    for file in (path, *companions(path)):
        try:
            mode = file.stat()
        except FileNotFoundError:
            continue
        if stat.S_IMODE(mode.st_mode) & 0o077:
            _tighten(file, mode)


def companions(path: Path) -> tuple[Path, Path]:
    """The WAL files SQLite keeps beside the database while it is open."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _tighten(file: Path, mode: os.stat_result) -> None:
    loose = stat.S_IMODE(mode.st_mode)
    if mode.st_uid != os.geteuid():
        _log.warning("%s is readable by others (mode %04o); its owner can chmod it", file, loose)
        return
    try:
        os.chmod(file, loose & ~0o077)
    except OSError as exc:
        _log.warning("%s stays mode %04o: %s", file, loose, exc.strerror)
    else:
        _log.info("%s was mode %04o: made owner-only", file, loose)


def stored_version(path: Path) -> int:
    """The schema version in the file, read without writing anything. Raises StorageError."""
    with _read_only(path) as conn:
        return _version(conn)


def check_schema(path: Path) -> None:
    """Refuse, before anything is written, another program's database and one written by a
    newer schema. Raises ``ForeignDatabaseError`` or ``SchemaTooNewError``."""
    with _read_only(path) as conn:
        _check(conn, path)


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection inside one read transaction: the version and the tables are
    read from the same snapshot, never from either side of another creator's migration."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with translated_errors(path):
        conn = sqlite3.connect(uri, uri=True)
        try:
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.close()


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check(conn: sqlite3.Connection, path: Path) -> None:
    """Every IMR Desk database with tables has ``letters`` and ``audit`` and a version (the
    first migration sets both in one transaction); anything else with tables is someone
    else's file, which migrating would fill with IMR tables."""
    version = _version(conn)
    tables = _user_tables(conn)
    if tables and (version == 0 or not set(tables) >= IMR_TABLES):
        raise ForeignDatabaseError(
            f"{path} is not an IMR Desk database: it holds another program's tables "
            f"({_listed(tables)}); it was not changed. Give --db a new file or an IMR Desk "
            "database."
        )
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} was written by a newer IMR Desk (database schema {version}, this version "
            f"knows up to {SCHEMA_VERSION}); it was not changed. Update IMR Desk to open it."
        )


def _user_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables and views, without SQLite's own and the migrations table (which an IMR Desk
    killed while creating the file may have left alone)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name != ? ORDER BY name",
        (MIGRATIONS.migrations_table,),
    )
    return [name for (name,) in rows]


def _listed(names: list[str], most: int = 8) -> str:
    shown = ", ".join(repr(name) for name in names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


def connect(path: Path, *, busy_timeout: float, read_only: bool = False) -> Database:
    """Open the file in WAL mode with durable commits and apply pending migrations."""
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    with translated_errors(path):
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout, check_same_thread=False)
        try:
            db = Database(conn, execute_plugins=False)
            if not read_only:
                _set_up(db, path, busy_timeout)
            conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        except BaseException:
            conn.close()
            raise
    return db


def _set_up(db: Database, path: Path, busy_timeout: float) -> None:
    """WAL, then the migrations, waiting up to ``SETUP_WAIT`` for another program that is
    creating or migrating the same file (two imports started at once on a new database)."""
    conn = db.conn
    conn.execute(f"PRAGMA busy_timeout = {round(SETUP_WAIT * 1000)}")
    try:
        _use_wal(conn)
        if _version(conn) != SCHEMA_VERSION:
            _migrate(db, path)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {round(busy_timeout * 1000)}")


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, retrying while another connection holds the lock the switch needs
    (SQLite does not always call the busy handler for it)."""
    deadline = time.monotonic() + SETUP_WAIT
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def _busy(exc: sqlite3.OperationalError) -> bool:
    primary = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # SQLITE_BUSY_SNAPSHOT is BUSY too
    return primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _migrate(db: Database, path: Path) -> None:
    """All pending migrations in one ``BEGIN IMMEDIATE`` transaction: the write lock comes
    first, so a second creator waits for the first to finish, then finds the file migrated
    (checked again under the lock) and applies nothing twice. A migration that fails leaves
    the file as it was."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        _check(conn, path)
        if _version(conn) < SCHEMA_VERSION:
            MIGRATIONS.apply(db)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
