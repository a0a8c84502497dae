"""The team engine: a project on a PostgreSQL server, reached with psycopg 3 and its pool.

The connection string is libpq's own (a ``postgresql://`` URL or ``service=NAME``); passwords
come only from libpq's own places (``PGPASSWORD``, ``~/.pgpass``, service files), never from the
command line, the database or the app's settings. The pool checks a connection before lending
it, so after the server restarts or the network drops the next operation reconnects; the
operation that was cut off fails as a whole (its transaction never committed) and says so.

A desk also listens for what other desks do (``ChangeListener``: ``LISTEN imr_desk`` on a
connection of its own, in a thread), so its queue follows theirs within a second; the same
listener tells it when the server stops answering and when it is back.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from imr_desk.storage.engine import Announcements, Conn
from imr_desk.storage.errors import (
    NoDatabaseError,
    PermissionRefusedError,
    SchemaTooNewError,
    ServerUnavailableError,
    StorageError,
)
from imr_desk.storage.pg_schema import CHANNEL

WAIT_SECONDS: Final = 5.0
"""How long an operation waits for a connection (or a new one) before saying the server does
not answer: a reviewer is told quickly, and the edit stays unsaved rather than frozen."""
WAIT_ENV: Final = "IMR_DESK_SERVER_WAIT"
"""Seconds to wait instead of ``WAIT_SECONDS`` (a slow link may want more; the tests of a
stopped server less)."""
LISTEN_RETRY_SECONDS: Final = 1.0
"""How soon the listener tries again after the server stopped answering: a desk learns that
the server is back within about a second, and retries its unsaved typing then."""
LISTEN_KEEPALIVE: Final = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
"""TCP keepalives on the listening connection: a network cut that sends nothing (no reset)
is noticed in about 25 s instead of never, since that connection only ever waits."""

LEADS_SECONDS: Final = 30.0
CATEGORY_COUNTS: Final = (
    "SELECT (item.value -> 'fields' -> 'category' ->> 'value'), count(*) FROM letters "
    "CROSS JOIN LATERAL jsonb_array_elements(letters.current_json::jsonb -> 'items') AS item"
    "{where} GROUP BY 1"
)

_log = logging.getLogger(__name__)


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The store's ``?`` parameters as psycopg's ``%s``: a ``?`` inside a quoted literal is
    text, not a parameter, and every literal ``%`` is doubled (psycopg reads ``%`` anywhere
    in a statement that has parameters). Quoted parts alternate with the rest when split on
    ``'`` (a doubled ``''`` inside a literal makes an empty part outside, which holds nothing)."""
    parts = sql.replace("%", "%%").split("'")
    return "'".join(
        part if quoted else part.replace("?", "%s")
        for quoted, part in ((index % 2 == 1, part) for index, part in enumerate(parts))
    )


class PgConn:
    """A psycopg connection that takes the store's ``?``-parameter SQL."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        if not parameters:  # psycopg sends a statement without parameters as it is
            return self.raw.execute(sql, None)
        return self.raw.execute(pg_sql(sql), tuple(parameters))

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(pg_sql(sql), [tuple(p) for p in seq_of_parameters])
        return cursor


def shown_location(conninfo: str) -> str:
    """The connection string as messages show it (never a password)."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "the team server (connection string not understood)"
    params.pop("password", None)
    if "service" in params and len(params) == 1:
        return f"service={params['service']}"
    host, port = params.get("host") or "localhost", params.get("port") or "5432"
    user = f"{params['user']}@" if params.get("user") else ""
    return f"postgresql://{user}{host}:{port}/{params.get('dbname') or ''}"


def refuse_password(conninfo: str) -> None:
    """A password in ``--db`` would sit in the shell history and the process list."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise StorageError(f"--db is not a PostgreSQL connection string: {exc}") from None
    if params.get("password"):
        raise StorageError(
            "--db must not contain a password: put it in ~/.pgpass (or PGPASSWORD, or a "
            "service file) where libpq finds it"
        )


class PgEngine:
    """A project on a PostgreSQL server (see ``storage.pg_schema`` for what it enforces)."""

    kind = "postgresql"
    server_identity = True
    row_lock = " FOR UPDATE"
    like = "ILIKE"
    search_source = "letter_search"

    def __init__(self, pool: ConnectionPool[Any], conninfo: str, login: str) -> None:
        self.pool = pool
        self.conninfo = conninfo
        self.path: Path | None = None
        self.target: str | Path = conninfo
        self.location = shown_location(conninfo)
        self.login = login
        self._listener: ChangeListener | None = None
        self._leads: tuple[float, tuple[str, ...]] | None = None

    @classmethod
    def connect(cls, conninfo: str, *, wait: float | None = None) -> PgEngine:
        """Open a pool on the project and check it is an IMR Desk project this version knows.
        ``wait``: seconds an operation waits for the server (default ``wait_seconds()``)."""
        refuse_password(conninfo)
        location = shown_location(conninfo)
        wait = wait_seconds() if wait is None else wait
        first_connection(conninfo, location).close()  # a clear reason when it cannot
        pool: ConnectionPool[Any] = ConnectionPool(
            make_conninfo(conninfo, application_name="imr-desk", connect_timeout=5),
            min_size=1,
            max_size=4,
            timeout=wait,
            reconnect_timeout=0,  # keep trying in the background, for ever
            check=ConnectionPool.check_connection,
            open=False,
            name="imr-desk",
        )
        try:
            with translated_pg_errors(location):
                pool.open(wait=True, timeout=max(wait, WAIT_SECONDS))
                with pool.connection() as conn:
                    login = _checked_project(conn, location)
        except BaseException:
            pool.close()
            raise
        return cls(pool, conninfo, login)

    @contextmanager
    def read(self) -> Iterator[PgConn]:
        with translated_pg_errors(self.location), self.pool.connection() as conn:
            yield PgConn(conn)

    @contextmanager
    def write(self) -> Iterator[PgConn]:
        with (
            translated_pg_errors(self.location, writing=True),
            self.pool.connection() as conn,
            conn.transaction(),
        ):
            yield PgConn(conn)

    def changed_letters(self) -> Announcements:
        """What the server announced since the last call, without waiting: the first call
        starts listening (a connection of its own, outside the pool)."""
        if self._listener is None:
            self._listener = ChangeListener(self.conninfo)
        return self._listener.take()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self.pool.close()

    def integrity_check(self) -> str:
        """The server keeps its own files sound; "ok" once the project answers a query."""
        with self.read() as conn:
            conn.execute("SELECT count(*) FROM letters").fetchone()
        return "ok"

    def category_counts_sql(self, where: str) -> str:
        return CATEGORY_COUNTS.format(where=where)

    def leads(self, conn: Conn) -> tuple[str, ...]:
        """The logins that are leads of the project (members of its lead role), read again
        after ``LEADS_SECONDS``: every edit asks (the review policy's rules), leads change
        seldom, and the server itself enforces what only a lead may do."""
        now = time.monotonic()
        if self._leads is None or now - self._leads[0] > LEADS_SECONDS:
            found = conn.execute(
                "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper "
                "AND pg_has_role(oid, imr_lead_role(), 'MEMBER') ORDER BY rolname"
            )
            self._leads = (now, tuple(name for (name,) in found))
        return self._leads[1]


def wait_seconds() -> float:
    """How long an operation waits for the server: ``IMR_DESK_SERVER_WAIT`` when it is a
    positive number of seconds, else ``WAIT_SECONDS``."""
    try:
        wait = float(os.environ.get(WAIT_ENV, ""))
    except ValueError:
        return WAIT_SECONDS
    return wait if wait > 0 else WAIT_SECONDS


class ChangeListener:
    """Listens on the project's channel (``NOTIFY imr_desk``, payload a letter's SHA-256) on a
    dedicated autocommit connection, in a thread of its own, so a desk asking what changed
    never waits on the network; after the server restarts or the link drops it connects
    again by itself every ``LISTEN_RETRY_SECONDS``."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = make_conninfo(
            conninfo, application_name="imr-desk listener", connect_timeout=5, **LISTEN_KEEPALIVE
        )
        self._heard: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        """Announced SHA-256s; None stands for "(re)connected"."""
        self._listening = False
        self._stop = threading.Event()
        self._wake, self._waker = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name="imr-desk-listener", daemon=True)
        self._thread.start()

    def take(self) -> Announcements:
        """Everything heard since the last call (never blocks)."""
        letters: set[str] = set()
        resumed = False
        while True:
            try:
                heard = self._heard.get_nowait()
            except queue.Empty:
                break
            if heard is None:
                resumed = True
            else:
                letters.add(heard)
        return Announcements(frozenset(letters), self._listening, resumed)

    def close(self) -> None:
        """Stop listening; the thread ends at once (it is woken), its connection closed."""
        self._stop.set()
        with suppress(OSError):
            self._waker.send(b"x")
        self._thread.join(timeout=2.0)
        self._waker.close()
        self._wake.close()

    def _run(self) -> None:
        logged = False  # an outage is logged once, not at every attempt
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening, logged = True, False
                    self._heard.put(None)
                    self._serve(conn)
            except (psycopg.Error, OSError, ValueError) as exc:
                if not logged and not self._stop.is_set():
                    _log.warning("not listening to the team server: %s", exc)
                logged = True
            finally:
                self._listening = False
            self._stop.wait(LISTEN_RETRY_SECONDS)

    def _serve(self, conn: psycopg.Connection[Any]) -> None:
        """Pass on announcements until asked to stop; a dropped connection raises."""
        while not self._stop.is_set():
            wake = self._wake.fileno()
            ready, _, _ = select.select([conn.fileno(), wake], [], [], 30.0)
            if wake in ready:
                return
            if ready:
                for notice in conn.notifies(timeout=0):
                    self._heard.put(notice.payload)


def _checked_project(conn: psycopg.Connection[Any], location: str) -> str:
    """The login, once the database is known to hold a project of a schema this version
    knows (never created here: ``imr-desk team init`` does that, as the server's admin)."""
    from imr_desk.storage.schema import SCHEMA_VERSION

    try:
        found = conn.execute("SELECT version, current_user FROM imr_schema").fetchone()
    except pg_errors.UndefinedTable:
        raise NoDatabaseError(
            f"no IMR Desk project at {location}: the team's admin creates it with "
            f"`imr-desk team init --db {location}`"
        ) from None
    finally:
        conn.rollback()
    if found is None:
        raise NoDatabaseError(f"the IMR Desk project at {location} was not fully created")
    version, login = found
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the project at {location} was written by a newer IMR Desk (database schema "
            f"{version}, this version knows up to {SCHEMA_VERSION}). Update IMR Desk."
        )
    return str(login)


def first_connection(conninfo: str, location: str) -> psycopg.Connection[Any]:
    """One connection made directly, so a desk that cannot connect is told why (refused,
    no such host, wrong or missing password), not only that the server does not answer."""
    try:
        return psycopg.connect(
            make_conninfo(conninfo, application_name="imr-desk", connect_timeout=5)
        )
    except psycopg.OperationalError as exc:
        raise ServerUnavailableError(
            f"cannot connect to the team server at {location}: {_connect_reason(exc)}"
        ) from None


def _connect_reason(exc: psycopg.OperationalError) -> str:
    text = " ".join(str(exc).split())
    reason = text.rsplit(" failed: ", 1)[-1].split(" Is the server running", 1)[0].rstrip(".")
    if "no password supplied" in text or "password authentication failed" in text:
        return (
            f"{reason} (the login's password goes in ~/.pgpass, PGPASSWORD or a service "
            "file; the team's admin sets it)"
        )
    return reason


@contextmanager
def translated_pg_errors(location: str, *, writing: bool = False) -> Iterator[None]:
    """psycopg's errors as sentences a reviewer can act on; a write that failed says that
    nothing of it was saved (its transaction never committed)."""
    unsaved = " Nothing of this change was saved." if writing else ""
    try:
        yield
    except PoolTimeout:
        raise ServerUnavailableError(
            f"the team server at {location} does not answer (it is restarting, or the network "
            f"is down); IMR Desk reconnects as soon as it answers.{unsaved}"
        ) from None
    except pg_errors.InsufficientPrivilege as exc:
        raise PermissionRefusedError(f"the team server refused: {_primary(exc)}.") from exc
    except psycopg.OperationalError as exc:
        raise ServerUnavailableError(
            f"lost the connection to the team server at {location} ({_primary(exc)}); "
            f"IMR Desk reconnects by itself.{unsaved}"
        ) from exc
    except psycopg.Error as exc:
        raise StorageError(f"team server error: {_primary(exc)} [{location}]") from exc


def _primary(exc: psycopg.Error) -> str:
    message = exc.diag.message_primary if exc.diag else None
    return (message or str(exc).strip().splitlines()[0] if str(exc).strip() else "").rstrip(".")
