"""Read-only queries of the review database: single letters, queue pages, counts, audit.

Nothing here writes; ``LetterStore`` adds the writes on top. Listings select only the small
indexed columns unless asked for the full records, so a queue page stays fast at 100,000 letters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, time
from typing import Any

from imr_desk.domain import STATUSES
from imr_desk.storage.engine import Conn, Engine
from imr_desk.storage.rows import (
    FULL_COLUMNS,
    ROW_COLUMNS,
    AuditEntry,
    LetterRow,
    audit_entry,
    filter_sql,
    iso_utc,
    letter_row,
)

Clock = Callable[[], datetime]


def version_key(version: str | None) -> tuple[int, ...] | None:
    """``"1.2.10"`` (or ``"v1.2.10"``) -> ``(1, 2, 10)``, compared number by number (as text,
    "1.10" would sort before "1.9"); trailing zeros dropped, so "1.2" equals "1.2.0"; None
    for anything else."""
    parts = (version or "").strip().removeprefix("v").split(".")
    if not all(part.isdigit() for part in parts):
        return None
    numbers = [int(part) for part in parts]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def is_older_version(stored: str | None, current: str) -> bool:
    """Whether a letter parsed by ``stored`` should be re-parsed by ``current``: only when
    ``current`` is strictly newer. A stored version that is not a version number (no
    version recorded) counts as the oldest; a current one that is not cannot claim to be
    newer than anything."""
    current_key = version_key(current)
    if current_key is None:
        return False
    stored_key = version_key(stored)
    return stored_key is None or stored_key < current_key


class LetterQueries:
    """The read side of ``LetterStore``."""

    _engine: Engine
    reviewer: str
    _clock: Clock

    def _exists(self, conn: Conn, sha256: str) -> bool:
        found = conn.execute("SELECT 1 FROM letters WHERE sha256 = ?", (sha256,))
        return found.fetchone() is not None

    def has_letter(self, sha256: str) -> bool:
        """Whether a letter with this SHA-256 is stored. Read-only."""
        with self._engine.read() as conn:
            return self._exists(conn, sha256)

    def get(self, sha256: str) -> LetterRow:
        """The full letter (parser's and current records); KeyError if absent. Read-only."""
        with self._engine.read() as conn:
            found = conn.execute(
                f"SELECT {FULL_COLUMNS} FROM letters WHERE sha256 = ?", (sha256,)
            ).fetchone()
        if found is None:
            raise KeyError(sha256)
        return letter_row(found)

    # --- queries -----------------------------------------------------------------------

    def list_letters(
        self, *, offset: int = 0, limit: int = 100, full: bool = False, **filters: Any
    ) -> list[LetterRow]:
        """A page of letters in import order. Without ``full`` the rows' ``parsed`` and
        ``current`` are empty (a queue page stays fast); ``get()`` fills them. Read-only."""
        where, params = filter_sql(**self._filters(filters))
        columns = FULL_COLUMNS if full else ROW_COLUMNS
        sql = f"SELECT {columns} FROM letters{where} ORDER BY id LIMIT ? OFFSET ?"
        with self._engine.read() as conn:
            found = conn.execute(sql, [*params, limit, offset]).fetchall()
            return self._as_seen(conn, [letter_row(values) for values in found])

    def _as_seen(self, conn: Conn, rows: list[LetterRow]) -> list[LetterRow]:
        """Rows as this reviewer sees them: a letter under double review shows the status of
        their own review, or ``parsed`` while it is still open to them: never how the other
        reviewer is getting on."""
        shared = [row.sha256 for row in rows if row.stage in ("review", "adjudication")]
        if not shared:
            return rows
        marks = ", ".join("?" * len(shared))
        found = conn.execute(
            f"SELECT sha256, reviewer, status FROM review_places WHERE sha256 IN ({marks})",
            shared,
        ).fetchall()
        own = {sha: status for sha, who, status in found if who == self.reviewer}
        taken = Counter(
            sha for sha, who, status in found if who != self.reviewer and status != "skipped"
        )
        return [_seen(row, own, taken) for row in rows]

    def _filters(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The queue filters with the engine's way of searching."""
        return {**filters, "like": self._engine.like, "source": self._engine.search_source}

    def count_letters(self, **filters: Any) -> int:
        """How many letters match the queue filters. Read-only."""
        where, params = filter_sql(**self._filters(filters))
        with self._engine.read() as conn:
            return int(conn.execute(f"SELECT count(*) FROM letters{where}", params).fetchone()[0])

    def iter_letters(self, *, status: str | None = None, batch: int = 500) -> Iterator[LetterRow]:
        """Every letter (full rows) in import order, fetched in batches. Read-only."""
        last = 0
        clause = "AND status = ?" if status else ""
        while True:
            params: list[Any] = [last, *([status] if status else []), batch]
            with self._engine.read() as conn:
                found = conn.execute(
                    f"SELECT id, {FULL_COLUMNS} FROM letters WHERE id > ? {clause} "
                    "ORDER BY id LIMIT ?",
                    params,
                ).fetchall()
            if not found:
                return
            last = found[-1][0]
            yield from (letter_row(values[1:]) for values in found)

    def audit(self, sha256: str | None = None) -> list[AuditEntry]:
        """The audit log, oldest first, of one letter or of all. Read-only."""
        sql = "SELECT id, sha256, field, old_json, new_json, reviewer, at FROM audit"
        params: tuple[Any, ...] = ()
        if sha256 is not None:
            sql += " WHERE sha256 = ?"
            params = (sha256,)
        with self._engine.read() as conn:
            found = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [audit_entry(values) for values in found]

    def count_by(self, column: str, *, status: str | None = None) -> dict[str | None, int]:
        """Letter counts grouped by ``status``, ``outcome`` or ``layout``. Read-only."""
        if column not in ("status", "outcome", "layout"):
            raise ValueError(column)
        where, params = filter_sql(status=status)
        sql = f"SELECT {column}, count(*) FROM letters{where} GROUP BY {column}"
        with self._engine.read() as conn:
            return dict(conn.execute(sql, params).fetchall())

    def category_counts(self, *, status: str | None = None) -> dict[str | None, int]:
        """Item counts by treatment category, over the current records. Read-only."""
        where, params = filter_sql(status=status)
        sql = self._engine.category_counts_sql(where)
        with self._engine.read() as conn:
            return dict(conn.execute(sql, params).fetchall())

    def progress(self) -> dict[str, int]:
        """Counts by status (every status present) plus ``verified_today`` (local day)."""
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({k: v for k, v in self.count_by("status").items() if k})
        midnight = datetime.combine(self._clock().date(), time(), self._clock().tzinfo)
        with self._engine.read() as conn:
            counts["verified_today"] = conn.execute(
                "SELECT count(*) FROM letters WHERE status = 'verified' AND verified_at >= ?",
                (iso_utc(midnight),),
            ).fetchone()[0]
        return counts

    def reparse_candidates(self, parser_version: str) -> list[tuple[str, str]]:
        """(sha256, source path) of untouched letters parsed by an older parser version than
        ``parser_version`` (see ``is_older_version``): an older parser never overwrites a
        newer one's results. Read-only."""
        sql = (
            "SELECT sha256, source_path, parser_version FROM letters WHERE status = 'parsed' "
            "AND sha256 NOT IN (SELECT sha256 FROM audit) ORDER BY id"
        )
        with self._engine.read() as conn:
            found = conn.execute(sql).fetchall()
        return [(sha, source) for sha, source, v in found if is_older_version(v, parser_version)]

    def integrity_check(self) -> str:
        """ "ok" when the database is sound (SQLite's ``PRAGMA integrity_check``), else what
        is wrong."""
        return self._engine.integrity_check()


def _seen(row: LetterRow, own: dict[str, str], taken: Counter[str]) -> LetterRow:
    if row.stage not in ("review", "adjudication"):
        return row
    if row.sha256 in own:
        return replace(row, status=own[row.sha256], note=None)
    open_to_me = row.stage == "review" and taken[row.sha256] < 2
    return replace(row, status="parsed" if open_to_me else row.status, note=None)
