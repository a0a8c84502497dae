"""What the team-server benchmark (``imr_desk.bench_team``) needs of a server's admin, and the
app never does: throwaway databases, passwords for throwaway logins, letters in bulk.

Kept here because only ``imr_desk.storage`` talks to the database; nothing in the app imports
it. Every function takes the admin's connection string (a role that may create databases and
roles, its password where libpq finds it) and never puts a password in a connection string.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from imr_desk.storage.pg_engine import refuse_password, shown_location, translated_pg_errors

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


def database_exists(admin: str, name: str) -> bool:
    """Whether the server has a database of that name."""
    with _admin(admin) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


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


def letter_count(project: str) -> int | None:
    """How many letters the project holds; None when it has no letters table."""
    with _admin(project) as conn:
        if conn.execute("SELECT to_regclass('letters')").fetchone() == (None,):
            return None
        return int(conn.execute("SELECT count(*) FROM letters").fetchone()[0])  # type: ignore[index]
