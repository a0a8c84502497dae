"""What the team-server benchmark (``imr_desk.bench_team``) needs of a server's admin, and the
app never does: throwaway databases, passwords for throwaway logins, letters in bulk.

Kept here because only ``imr_desk.storage`` talks to the database; nothing in the app imports
it. Every function takes the admin's connection string (a role that may create databases and
roles, its password where libpq finds it) and never puts a password in a connection string.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from typing import Any, Final

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from imr_desk.storage.errors import StorageError
from imr_desk.storage.pg_engine import refuse_password, shown_location, translated_pg_errors
from imr_desk.storage.pg_schema import FUNCTIONS, TABLES, permissions_sql, roles_sql

BULK_COLUMNS: Final = (
    "sha256, source_path, file_name, pages, layout, status, case_number, outcome, "
    "min_confidence, parser_version, created_at, updated_at, needs_ocr, parsed_json, current_json"
)
"""The columns of a row given to ``bulk_letters`` (``imr_desk.bench.large_database``'s)."""


def with_params(conninfo: str, **params: str) -> str:
    """The connection string with some parameters replaced (another database, another
    login), as a ``key=value`` string the store takes for a server."""
    merged: dict[str, Any] = conninfo_to_dict(conninfo)
    merged.pop("password", None)
    merged.update(params)
    first = [key for key in ("host", "service", "dbname", "user") if key in merged]
    ordered = {key: merged[key] for key in [*first, *merged]}
    return make_conninfo("", **ordered)


def _admin(conninfo: str) -> psycopg.Connection[Any]:
    refuse_password(conninfo)
    with translated_pg_errors(shown_location(conninfo)):
        return psycopg.connect(conninfo, autocommit=True, application_name="imr-desk bench")


def recreate_database(admin: str, name: str) -> str:
    """Drop the database (closing its connections) if it is there, create it empty, and
    return its connection string (as the admin)."""
    with _admin(admin) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    return with_params(admin, dbname=name)


def set_password(admin: str, login: str, password: str) -> None:
    """Give a throwaway login a password (the server keeps only its scram hash)."""
    with _admin(admin) as conn:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(login), sql.Literal(password)
            )
        )


def bulk_letters(project: str, rows: Iterable[Sequence[Any]]) -> int:
    """Write letter rows (``BULK_COLUMNS``) with COPY in one transaction, then refresh the
    planner's statistics; how many were written."""
    written = 0
    statement = f"COPY letters ({BULK_COLUMNS}) FROM STDIN"
    with _admin(project) as conn, conn.transaction(), conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    with _admin(project) as conn:
        conn.execute("VACUUM ANALYZE letters")
    return written


def schema_mark(count: int) -> str:
    """What a benchmark project of ``count`` letters built by this version is marked with
    (``mark_built``): any change to the team schema makes it stale, to be built again."""
    scripts = "".join((roles_sql("x"), TABLES, FUNCTIONS, permissions_sql("x"))).encode()
    return f"imr-desk bench: {count} letters, schema {hashlib.sha256(scripts).hexdigest()[:16]}"


def mark_built(project: str, count: int) -> None:
    """Mark the project's database as a finished benchmark project of ``count`` letters."""
    with _admin(project) as conn:
        name = sql.Identifier(conn.info.dbname)
        mark = sql.Literal(schema_mark(count))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, mark))


def built(project: str, count: int) -> bool:
    """Whether the project is a finished benchmark project of ``count`` letters, built on
    the team schema of this version (False when its database is not there)."""
    try:
        with _admin(project) as conn:
            found = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()
    except StorageError:
        return False
    return found is not None and found[0] == schema_mark(count)


def round_trips(conninfo: str, count: int, pause: float) -> list[float]:
    """Seconds of ``count`` bare round trips (``SELECT 1``), ``pause`` seconds apart: what
    every statement of an edit pays before the server does any work. On a virtual machine a
    round trip after an idle pause also pays for waking its processors."""
    times = []
    with _admin(conninfo) as conn:
        for _ in range(count):
            time.sleep(pause)
            start = time.perf_counter()
            conn.execute("SELECT 1").fetchone()
            times.append(time.perf_counter() - start)
    return times
