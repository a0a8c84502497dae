"""Seeded checks in the database: what each reviewer did with the check they were shown.

Only the outcome is stored (``checks`` table: the letter, the reviewer, the field, the kind,
the value shown and the letter's value, caught or missed, when). The seeded value is never
written to a letter, a review or the audit, so it cannot reach an export, ``eval`` or the
agreement of double reviews. One check a reviewer and letter: the first outcome counts.
"""

from __future__ import annotations

from typing import Final

from imr_desk.seeded_checks import OUTCOMES, Check
from imr_desk.storage.base import StoreBase
from imr_desk.storage.codec import dumps

COUNTS: Final = OUTCOMES


class CheckStore(StoreBase):
    """The seeded-check part of ``LetterStore`` (mixed into it)."""

    def record_check(self, sha256: str, check: Check, outcome: str) -> bool:
        """Store what this reviewer did with a letter's check; False (nothing written) when
        their outcome for that letter is already stored. ValueError for another outcome."""
        if outcome not in OUTCOMES:
            raise ValueError(f"a check is caught or missed, not {outcome!r}")
        with self._write() as conn:
            written = conn.execute(
                "INSERT INTO checks (sha256, reviewer, field, kind, shown_json, original_json, "
                "outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256, reviewer) DO NOTHING",
                (
                    sha256,
                    self.reviewer,
                    check.path,
                    check.kind,
                    dumps(check.shown),
                    dumps(check.original),
                    outcome,
                    self._now(),
                ),
            )
            return written.rowcount == 1

    def has_check(self, sha256: str) -> bool:
        """Whether this reviewer's check of the letter is settled (caught or missed)."""
        with self._engine.read() as conn:
            found = conn.execute(
                "SELECT 1 FROM checks WHERE sha256 = ? AND reviewer = ?", (sha256, self.reviewer)
            ).fetchone()
        return found is not None

    def check_results(self, reviewer: str | None = None) -> dict[str, int]:
        """How many seeded checks were caught and missed: one reviewer's, or everyone's."""
        sql = "SELECT outcome, COUNT(*) FROM checks"
        params: tuple[str, ...] = ()
        if reviewer is not None:
            sql, params = sql + " WHERE reviewer = ?", (reviewer,)
        with self._engine.read() as conn:
            found = dict(conn.execute(sql + " GROUP BY outcome", params).fetchall())
        return {outcome: int(found.get(outcome, 0)) for outcome in COUNTS}

    def check_results_by_reviewer(self) -> dict[str, dict[str, int]]:
        """Caught and missed per reviewer, for the reviewer quality report."""
        with self._engine.read() as conn:
            rows = conn.execute(
                "SELECT reviewer, outcome, COUNT(*) FROM checks GROUP BY reviewer, outcome "
                "ORDER BY reviewer"
            ).fetchall()
        results: dict[str, dict[str, int]] = {}
        for reviewer, outcome, count in rows:
            results.setdefault(reviewer, dict.fromkeys(COUNTS, 0))[outcome] = int(count)
        return results
