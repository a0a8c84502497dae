"""The write machinery every part of ``LetterStore`` shares: one transaction per write, the
clock, audit rows, and reading and writing back one letter's row.

The store is put together from parts (letters and edits, double review, seeded checks, the
category model); each inherits this base, so each uses the one definition of a write.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from imr_desk.edits import AuditRow
from imr_desk.record import Letter
from imr_desk.storage.codec import dump_letter, dumps
from imr_desk.storage.engine import Conn
from imr_desk.storage.errors import ClaimLostError
from imr_desk.storage.queries import LetterQueries
from imr_desk.storage.rows import FULL_COLUMNS, LetterRow, edited_row, iso_utc, letter_row


class StoreBase(LetterQueries):
    """The reads of ``LetterQueries`` plus the shared write machinery."""

    # --- transactions ------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[Conn]:
        """One atomic write (the engine's transaction): saved whole or not at all."""
        return self._engine.write()

    def _now(self) -> str:
        return iso_utc(self._clock())

    def _audit(
        self,
        conn: Conn,
        sha256: str,
        rows: tuple[AuditRow, ...],
        now: str,
        *,
        review_id: int | None = None,
    ) -> None:
        """Append audit rows (``review_id``: the double review they changed, if any)."""
        conn.executemany(
            "INSERT INTO audit (sha256, field, old_json, new_json, reviewer, at, review_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (sha256, r.field, dumps(r.old), dumps(r.new), self.reviewer, now, review_id)
                for r in rows
            ],
        )

    def _before_change(self, conn: Conn, sha256: str) -> None:
        """What must hold before this reviewer changes a letter (claims: ``ClaimStore``)."""

    def _load(self, conn: Conn, sha256: str) -> LetterRow:
        """The whole row of a letter about to change, its record decoded once: the edit works
        on it and the row it returns is built from it (see ``_save``), never read and decoded
        again. The letter is claimed for this reviewer first, then locked."""
        self._before_change(conn, sha256)
        found = conn.execute(
            f"SELECT {FULL_COLUMNS} FROM letters WHERE sha256 = ?{self._engine.row_lock}",
            (sha256,),
        )
        values = found.fetchone()
        if values is None:
            raise KeyError(sha256)
        return letter_row(values)

    def _save(self, conn: Conn, row: LetterRow, letter: Letter, now: str) -> LetterRow:
        """Write a changed letter back (record, status, note and the columns the queue
        reads) and return its row as now stored."""
        confidence = letter.confidence()
        saved = edited_row(row, letter, confidence=confidence, reviewer=self.reviewer, now=now)
        written = conn.execute(
            "UPDATE letters SET current_json = ?, status = ?, note = ?, case_number = ?, "
            "outcome = ?, min_confidence = ?, reviewer = ?, updated_at = ?, verified_at = ? "
            "WHERE sha256 = ?",
            (
                dump_letter(letter),
                letter.status,
                letter.note,
                saved.case_number,
                saved.outcome,
                confidence,
                self.reviewer,
                now,
                saved.verified_at,
                row.sha256,
            ),
        )
        if written.rowcount != 1:  # a server's row security hid it: another desk holds it
            raise ClaimLostError(f"{row.case_number or row.file_name} is held by another desk")
        return saved
