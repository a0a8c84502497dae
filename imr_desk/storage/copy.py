"""Copying a whole project between places: a SQLite file onto a team server and back.

``imr-desk db copy`` takes a desk's project to the team (and a team's project home again, for a
backup or when leaving the team). Nothing is lost on the way: every letter keeps its id (so the
queue's order), its times, its stage and review summary; the audit log keeps its ids, reviewers
and times; the double reviews, the seeded checks' outcomes and the settings (review policy,
category model, claim time) arrive as they were. Claims do not: a desk of the old place holds
nothing in the new one.

The destination must be empty (a new SQLite file, or a database just set up with ``imr-desk
team init``); anything else is refused untouched, since merging two projects' ids and audit logs
cannot be lossless. The copy is one transaction on the destination, so it arrives whole or not
at all, read from one consistent snapshot of the source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from imr_desk.storage.engine import Conn, Engine, is_server_target
from imr_desk.storage.errors import PermissionRefusedError, StorageError
from imr_desk.storage.pg_schema import CLAIM_KEY
from imr_desk.storage.schema import companions
from imr_desk.storage.store import LetterStore

BATCH: Final = 500
"""Rows read and written at a time: a large project never sits in memory whole."""


@dataclass(frozen=True)
class Table:
    """One table the copy carries: its columns in order and the key it is read in order of."""

    name: str
    columns: tuple[str, ...]
    key: str = "id"

    @property
    def identity(self) -> bool:
        """Whether the server numbers its rows (its sequence must follow the copied ids)."""
        return self.key == "id"


TABLES: Final = (
    Table(
        "letters",
        (
            "id", "sha256", "source_path", "file_name", "pages", "layout", "needs_ocr",
            "status", "case_number", "outcome", "min_confidence", "parser_version", "reviewer",
            "note", "created_at", "updated_at", "verified_at", "parsed_json", "current_json",
            "human_fields", "item_origins", "stage", "review_info",
        ),
    ),
    Table(
        "audit",
        ("id", "sha256", "field", "old_json", "new_json", "reviewer", "at", "review_id"),
    ),
    Table(
        "reviews",
        (
            "id", "sha256", "reviewer", "status", "started_at", "updated_at", "verified_at",
            "note", "current_json",
        ),
    ),
    Table(
        "checks",
        (
            "id", "sha256", "reviewer", "field", "kind", "shown_json", "original_json",
            "outcome", "at",
        ),
    ),
    Table("settings", ("key", "value"), key="key"),
)  # fmt: skip
"""Every table of a project except ``claims`` (cleared by a copy) and the schema's own."""

KEPT_SETTINGS: Final = frozenset({CLAIM_KEY})
"""Settings a freshly created team project may already hold (``team init --claim-minutes``):
the destination still counts as empty, and the source's value, if it has one, wins."""


class DestinationNotEmptyError(StorageError):
    """The destination already holds a project's data; it was left untouched."""


@dataclass(frozen=True)
class CopySummary:
    """What a copy carried: rows per table, and the two places (as messages show them)."""

    source: str
    destination: str
    rows: dict[str, int]


def copy_project(source: str | Path, destination: str | Path) -> CopySummary:
    """Copy the project at ``source`` into the empty project at ``destination`` (a SQLite file,
    created if missing, or a team project created by ``imr-desk team init``; on a server, run
    as the project's owner). StorageError, with nothing changed, when it cannot."""
    if _same_place(source, destination):
        raise StorageError("--from and --to are the same project; nothing was copied")
    new_file = not is_server_target(destination) and not Path(destination).exists()
    try:
        with (
            LetterStore.open(source, create=False) as origin,
            LetterStore.open(destination) as target,
        ):
            rows = _copy(origin._engine, target._engine)
            return CopySummary(origin.location, target.location, rows)
    except BaseException:
        if new_file:
            _remove_sqlite(Path(destination))
        raise


def _same_place(source: str | Path, destination: str | Path) -> bool:
    if is_server_target(source) or is_server_target(destination):
        return str(source).strip() == str(destination).strip()
    return Path(source).resolve() == Path(destination).resolve()


def _copy(origin: Engine, target: Engine) -> dict[str, int]:
    """Every table, from one snapshot of ``origin``, in one transaction on ``target``."""
    with target.write() as out, _snapshot(origin) as source:
        if origin.kind == "postgresql":  # a reviewer's login sees only part of the project
            _require_owner(source, origin.location, "from")
        if target.kind == "postgresql":
            _require_owner(out, target.location, "onto")
        _require_empty(out, target.location)
        rows = {table.name: _copy_table(source, out, table) for table in TABLES}
        if target.kind == "postgresql":
            _follow_identities(out)
    return rows


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Conn]:
    """A read transaction over the whole copy: rows changed meanwhile on the source (other
    desks of a team) are either all in the copy or all out, never half."""
    with engine.read() as conn:
        if engine.kind == "postgresql":
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")


def _require_owner(conn: Conn, location: str, direction: str) -> None:
    """Only the tables' owner (or a superuser) may write letters as verified, audit rows under
    other reviewers' names and the settings (the rules a reviewer's login is held to), or read
    every review and audit row (a reviewer reads their own)."""
    owner, allowed, login = conn.execute(
        "SELECT pg_get_userbyid(c.relowner), pg_has_role(current_user, c.relowner, 'USAGE') "
        "OR r.rolsuper OR r.rolbypassrls, current_user FROM pg_class c, pg_roles r "
        "WHERE c.oid = 'letters'::regclass AND r.rolname = current_user"
    ).fetchone()
    if not allowed:
        raise PermissionRefusedError(
            f"a copy {direction} the team server at {location} runs as the project's owner "
            f"({owner}, "
            f"the login that ran `imr-desk team init`), not as {login}; nothing was changed"
        )


def _require_empty(conn: Conn, location: str) -> None:
    """Refuse a destination that holds any letter, audit row, review, check, claim or
    setting (but the claim time a new team project may have been given)."""
    held = []
    for table in ("letters", "audit", "reviews", "checks", "claims"):
        count = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        if count:
            held.append(f"{table} ({count})")
    settings = [key for (key,) in conn.execute("SELECT key FROM settings ORDER BY key")]
    if any(key not in KEPT_SETTINGS for key in settings):
        held.append("settings")
    if held:
        raise DestinationNotEmptyError(
            f"{location} is not empty (it holds {', '.join(held)}): a copy goes only into a "
            "new SQLite file or a project just created with `imr-desk team init`; nothing "
            "was changed"
        )


def _copy_table(source: Conn, out: Conn, table: Table) -> int:
    """Copy one table in key order, a batch at a time; the number of rows copied."""
    columns = ", ".join(table.columns)
    insert = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(table.columns))})"
    if table.name == "settings":
        insert += " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    copied = 0
    for batch in _batches(source, table, columns):
        out.executemany(insert, batch)
        copied += len(batch)
    return copied


def _batches(source: Conn, table: Table, columns: str) -> Iterator[Sequence[Sequence[Any]]]:
    """The table's rows in key order, ``BATCH`` at a time (each batch one index seek)."""
    position = table.columns.index(table.key)
    last: Any = None
    while True:
        after = "" if last is None else f" WHERE {table.key} > ?"
        found = source.execute(
            f"SELECT {columns} FROM {table.name}{after} ORDER BY {table.key} LIMIT {BATCH}",
            () if last is None else (last,),
        ).fetchall()
        if not found:
            return
        yield [tuple(row) for row in found]
        last = found[-1][position]


def _follow_identities(conn: Conn) -> None:
    """Move each identity's sequence past the copied ids, so the next letter, audit row,
    review or check the server numbers comes after them."""
    for table in TABLES:
        if table.identity:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "
                f"FROM {table.name} HAVING max(id) IS NOT NULL"
            )


def _remove_sqlite(path: Path) -> None:
    """Take away the file a failed copy created (and SQLite's companions): nothing is left
    that looks like a project."""
    for file in (path, *companions(path)):
        with suppress(OSError):
            file.unlink()
