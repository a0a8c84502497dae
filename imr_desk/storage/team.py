"""Setting up a team project on a PostgreSQL server: the project, its reviewers, its leads.

Run by the server's admin (a role that may create roles and owns the database): the schema and
the rules in ``pg_schema`` are created in one transaction, so a project is there whole or not
at all; a reviewer is a login in the reviewer role, a lead also in the lead role. Passwords are
never handled here: the admin sets one with psql's ``\\password``, which sends only its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from imr_desk.storage.errors import StorageError
from imr_desk.storage.pg_engine import refuse_password, shown_location, translated_pg_errors
from imr_desk.storage.pg_schema import (
    FUNCTIONS,
    TABLES,
    checked_login,
    permissions_sql,
    roles_sql,
    team_roles,
)
from imr_desk.storage.schema import SCHEMA_VERSION


@dataclass(frozen=True)
class Member:
    """One login of the team."""

    login: str
    lead: bool


def _admin(conninfo: str) -> psycopg.Connection[Any]:
    refuse_password(conninfo)
    with translated_pg_errors(shown_location(conninfo)):
        return psycopg.connect(conninfo, application_name="imr-desk team", connect_timeout=10)


def init_project(conninfo: str, *, claim_seconds: int | None = None) -> bool:
    """Create the project (False, changing nothing, if it is already there at this schema).
    StorageError when the database holds another program's tables or a newer project."""
    location = shown_location(conninfo)
    with _admin(conninfo) as conn, translated_pg_errors(location):
        version = _project_version(conn)
        if version is not None and version > SCHEMA_VERSION:
            raise StorageError(f"{location} holds a project of a newer IMR Desk ({version})")
        if version is None:
            _refuse_foreign(conn, location)
            name = conn.info.dbname
            with conn.transaction():
                for script in (roles_sql(name), TABLES, FUNCTIONS, permissions_sql(name)):
                    conn.execute(script)
                _only_the_team_connects(conn, name)
                conn.execute("INSERT INTO imr_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
    if claim_seconds is not None:  # the store's own setting, as the project's owner
        from imr_desk.storage.store import LetterStore

        with LetterStore.open(conninfo) as store:
            store.set_claim_seconds(claim_seconds)
    return version is None


def _only_the_team_connects(conn: psycopg.Connection[Any], name: str) -> None:
    """Only the project's reviewers connect, and nobody makes temporary tables (which could
    stand in for the project's own in a careless query)."""
    database = sql.Identifier(name)
    conn.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(database))
    conn.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            database, sql.Identifier(team_roles(name)[0])
        )
    )


def add_member(conninfo: str, login: str, *, lead: bool = False) -> bool:
    """Create a reviewer's login (or make an existing login a reviewer, and a lead with
    ``lead``); False when it already had that role. The login has no password until the
    admin gives it one."""
    checked_login(login)
    location = shown_location(conninfo)
    with _admin(conninfo) as conn, translated_pg_errors(location), conn.transaction():
        if _project_version(conn) is None:
            raise StorageError(
                f"no IMR Desk project at {location}: create it first with `imr-desk team init`"
            )
        name = sql.Identifier(login)
        found = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (login,))
        exists = found.fetchone()
        if exists and exists[0]:
            raise StorageError(f"{login} is a superuser of the server: not a reviewer's login")
        before = {m.login: m for m in _members(conn)}.get(login)
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
        reviewer, lead_role = team_roles(conn.info.dbname)
        role = lead_role if lead else reviewer
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), name))
        return before is None or (lead and not before.lead)


def members(conninfo: str) -> list[Member]:
    """Every login of the team, leads marked."""
    with _admin(conninfo) as conn, translated_pg_errors(shown_location(conninfo)):
        return _members(conn)


def _members(conn: psycopg.Connection[Any]) -> list[Member]:
    found = conn.execute(
        "SELECT rolname, pg_has_role(oid, %s, 'MEMBER') FROM pg_roles WHERE rolcanlogin "
        "AND NOT rolsuper AND pg_has_role(oid, %s, 'MEMBER') ORDER BY rolname",
        tuple(reversed(team_roles(conn.info.dbname))),
    )
    return [Member(login, bool(lead)) for login, lead in found]


def _project_version(conn: psycopg.Connection[Any]) -> int | None:
    found = conn.execute("SELECT to_regclass('imr_schema') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute("SELECT max(version) FROM imr_schema").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _refuse_foreign(conn: psycopg.Connection[Any], location: str) -> None:
    """A database that already holds tables is someone else's: never mixed with a project."""
    found = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "ORDER BY table_name LIMIT 5"
    ).fetchall()
    if found:
        names = ", ".join(repr(name) for (name,) in found)
        raise StorageError(
            f"{location} already holds other tables ({names}); it was not changed. "
            "Create the project in a new database (createdb)."
        )


def live_claims_by_login(conninfo: str) -> dict[str, int]:
    """How many letters each login holds now (claims not yet run out), for ``team list``."""
    with _admin(conninfo) as conn, translated_pg_errors(shown_location(conninfo)):
        if _project_version(conn) is None:
            raise StorageError(
                f"no IMR Desk project at {shown_location(conninfo)}: create it first with "
                "`imr-desk team init`"
            )
        found = conn.execute(
            "SELECT reviewer, count(*) FROM claims WHERE until > imr_now() GROUP BY reviewer"
        )
        return {str(login): int(count) for login, count in found}


def member_conninfo(conninfo: str, login: str) -> str:
    """The connection string a member's desk uses: the admin's, with the member's login (a
    ``postgresql://`` URL where it can be one, else libpq's ``key=value`` form)."""
    params = {key: value for key, value in conninfo_to_dict(conninfo).items() if value}
    params.pop("password", None)
    params["user"] = login
    host = str(params.pop("host", ""))
    if "service" in params or "," in host or host.startswith("/"):
        return make_conninfo("", **({"host": host} if host else {}), **params)
    port = f":{params.pop('port')}" if params.get("port") else ""
    dbname, user = params.pop("dbname", ""), str(params.pop("user"))
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in params.items())
    return f"postgresql://{quote(user, safe='')}@{host}{port}/{quote(str(dbname), safe='')}" + (
        f"?{query}" if query else ""
    )


def pgpass_line(conninfo: str) -> str:
    """The ``~/.pgpass`` line (``host:port:database:login:password``) for a member's
    connection string, with ``PASSWORD`` where the password goes; ``*`` matches any value
    the connection string leaves to a service file or libpq's defaults."""
    params = conninfo_to_dict(conninfo)
    fields = [params.get(key) or "*" for key in ("host", "port", "dbname", "user")]
    if "service" not in params:
        fields[0] = params.get("host") or "localhost"
        fields[1] = params.get("port") or "5432"
    return (
        ":".join(field.replace("\\", "\\\\").replace(":", "\\:") for field in map(str, fields))
        + ":PASSWORD"
    )
