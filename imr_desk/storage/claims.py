"""Claims: a letter being reviewed on one desk is that desk's until it moves on or goes idle.

"Next letter" claims the letter it hands out, and every change of a letter takes or renews the
changer's claim; a live claim of another reviewer refuses the change (``ClaimLostError``), so
no two desks work on the same letter and nothing is silently overwritten. A claim lasts the
project's idle time (``claim_idle_seconds``, ten minutes by default) after its last renewal, so
a crashed desk holds nothing for long. A letter under double review may be claimed by each of
its reviewers at once: each works on a review of their own.

On a team server the rules are the server's (``imr_claim`` in ``pg_schema``) and its row-level
security refuses another desk's change whatever the client; in a SQLite file (one desk, or a
few on one machine) the same rules run here, inside the file's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from imr_desk.storage.base import StoreBase
from imr_desk.storage.engine import Conn
from imr_desk.storage.errors import ClaimLostError, StorageError
from imr_desk.storage.pg_schema import CLAIM_KEY, CLAIM_SECONDS, DEFAULT_CLAIM_SECONDS
from imr_desk.storage.rows import iso_utc

OPEN_STATUSES: Final = ("parsed", "in_progress")


@dataclass(frozen=True)
class Claim:
    """Who holds a letter, and until when (ISO 8601 UTC) unless renewed."""

    sha256: str
    reviewer: str
    until: str


class ClaimStore(StoreBase):
    """The claims part of ``LetterStore`` (mixed into it)."""

    _held: set[str]
    """The letters this store claimed (``LetterStore`` starts it empty): closing gives them back."""

    def claim(self, sha256: str, *, leaving: str | None = None) -> None:
        """Take or renew this reviewer's claim on a letter; ``ClaimLostError`` when another
        desk's claim is live. ``leaving``: the letter the desk moves on from, given back in
        the same transaction (one commit per letter opened), unless the claim is refused."""
        with self._write() as conn:
            self._take_claim(conn, sha256)
            if leaving is not None and leaving != sha256:
                self._release(conn, leaving)

    def release(self, sha256: str) -> bool:
        """Give the letter back (moving on, closing); False when it was not claimed."""
        with self._write() as conn:
            return self._release(conn, sha256)

    def release_held(self) -> None:
        """Give back every letter this desk claimed (it is closing); best effort: an
        unreachable server lets the claims run out by themselves."""
        held, self._held = self._held, set()
        if not held:
            return
        try:
            with self._write() as conn:
                for sha256 in sorted(held):
                    self._release(conn, sha256)
        except StorageError:
            return

    def live_claims(self) -> dict[str, Claim]:
        """Letters other reviewers hold now, by SHA-256 (the queue shows them)."""
        with self._engine.read() as conn:
            now, at = self._clock_sql()
            found = conn.execute(
                f"SELECT sha256, reviewer, until FROM claims WHERE until > {now} AND reviewer != ?",
                (*at, self.reviewer),
            ).fetchall()
        return {sha: Claim(sha, who, until) for sha, who, until in found}

    def claim_seconds(self) -> int:
        """How long a claim lasts without activity."""
        with self._engine.read() as conn:
            return _claim_seconds(conn)

    def set_claim_seconds(self, seconds: int) -> None:
        """Change the idle time of claims (a lead's setting on a team server)."""
        if seconds not in CLAIM_SECONDS:
            raise ValueError("a claim lasts between a second and a day")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (CLAIM_KEY, str(seconds)),
            )

    def next_letter(
        self, after_sha256: str | None, *, statuses: tuple[str, ...] = OPEN_STATUSES
    ) -> str | None:
        """Claim the next letter to review after this one (wrapping to the start) and give
        back the one left; None when every open letter is done or held by other desks. Two
        desks asking at once never get the same letter."""
        with self._write() as conn:
            after = _letter_id(conn, after_sha256)
            found = self._claim_first(conn, statuses, after or 0)
            if found is None and after:
                found = self._claim_first(conn, statuses, 0)
                found = None if found == after_sha256 and after_sha256 else found
            if after_sha256 is not None and after_sha256 != found:
                self._release(conn, after_sha256)
            return found

    def _clock_sql(self) -> tuple[str, tuple[str, ...]]:
        """Now, as SQL and its parameters: a claim a server wrote is compared with the
        server's clock (desks' clocks differ), a SQLite file's with this desk's."""
        if self._engine.server_identity:
            return "imr_now()", ()
        return "?", (self._now(),)

    # --- in a write transaction --------------------------------------------------------

    def _before_change(self, conn: Conn, sha256: str) -> None:
        self._take_claim(conn, sha256)

    def _take_claim(self, conn: Conn, sha256: str) -> None:
        blocking = self._try_claim(conn, sha256)
        if blocking is not None:
            until = clock_time(blocking.until) or "a while"
            raise ClaimLostError(
                f"{_name(conn, sha256)} is open on {blocking.reviewer}'s desk (held until "
                f"{until} unless they go on working on it); your change was not saved"
            )

    def _try_claim(self, conn: Conn, sha256: str) -> Claim | None:
        """Claim the letter; the other desk's live claim that stopped it, or None."""
        if self._engine.server_identity:
            found = conn.execute("SELECT holder, held_until FROM imr_claim(?)", (sha256,))
            row = found.fetchone()
            if row and not row[0]:
                raise KeyError(sha256)
            blocking = Claim(sha256, row[0], row[1]) if row else None
        else:
            blocking = self._try_claim_here(conn, sha256)
        if blocking is None:
            self._held = {*self._held, sha256}
        return blocking

    def _try_claim_here(self, conn: Conn, sha256: str) -> Claim | None:
        """The server's ``imr_claim`` for a SQLite file (already under its write lock)."""
        stage = conn.execute("SELECT stage FROM letters WHERE sha256 = ?", (sha256,)).fetchone()
        if stage is None:
            raise KeyError(sha256)
        now = self._now()
        if stage[0] is None:
            other = conn.execute(
                "SELECT reviewer, until FROM claims WHERE sha256 = ? AND reviewer != ? "
                "AND until > ? ORDER BY until DESC LIMIT 1",
                (sha256, self.reviewer, now),
            ).fetchone()
            if other is not None:
                return Claim(sha256, other[0], other[1])
        until = iso_utc(self._clock() + timedelta(seconds=_claim_seconds(conn)))
        conn.execute("DELETE FROM claims WHERE sha256 = ? AND until <= ?", (sha256, now))
        conn.execute(
            "INSERT INTO claims (sha256, reviewer, since, until) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (sha256, reviewer) DO UPDATE SET until = excluded.until",
            (sha256, self.reviewer, now, until),
        )
        return None

    def _holds(self, conn: Conn, sha256: str) -> bool:
        """Whether this login holds a live claim on the letter (a desk of theirs has it open)."""
        now, at = self._clock_sql()
        found = conn.execute(
            f"SELECT 1 FROM claims WHERE sha256 = ? AND reviewer = ? AND until > {now}",
            (sha256, self.reviewer, *at),
        )
        return found.fetchone() is not None

    def _release(self, conn: Conn, sha256: str) -> bool:
        self._held = self._held - {sha256}
        if self._engine.server_identity:
            return bool(conn.execute("SELECT imr_release(?)", (sha256,)).fetchone()[0])
        gone = conn.execute(
            "DELETE FROM claims WHERE sha256 = ? AND reviewer = ?", (sha256, self.reviewer)
        )
        return gone.rowcount > 0

    def _claim_first(self, conn: Conn, statuses: tuple[str, ...], after_id: int) -> str | None:
        """The first open letter after ``after_id`` this reviewer may work on and can claim;
        one index seek per status. On a server, a letter another desk is claiming this very
        moment is skipped (``SKIP LOCKED``), not waited for."""
        while True:
            candidates = [self._candidate(conn, status, after_id) for status in statuses]
            found = min((c for c in candidates if c is not None), default=None)
            if found is None:
                return None
            if self._try_claim(conn, found[1]) is None:
                return found[1]
            after_id = found[0]  # taken meanwhile: go on after it

    def _candidate(self, conn: Conn, status: str, after_id: int) -> tuple[int, str] | None:
        sql = (
            "SELECT id, sha256 FROM letters WHERE status = ? AND id > ? AND (stage IS NULL "
            "OR stage = 'gold' OR NOT (EXISTS (SELECT 1 FROM review_places r WHERE r.sha256 = "
            "letters.sha256 AND r.reviewer = ? AND r.status IN ('verified', 'flagged', "
            "'skipped')) OR (SELECT count(*) FROM review_places r WHERE r.sha256 = letters.sha256 "
            "AND r.reviewer != ? AND r.status != 'skipped') >= 2)) AND (stage IS NOT NULL OR "
            "NOT EXISTS (SELECT 1 FROM claims c WHERE c.sha256 = letters.sha256 AND "
            "c.reviewer != ? AND c.until > {now})) ORDER BY id LIMIT 1"
        )
        if self._engine.server_identity:
            sql += " FOR UPDATE OF letters SKIP LOCKED"
        now, at = self._clock_sql()
        who = self.reviewer
        row = conn.execute(sql.format(now=now), (status, after_id, who, who, who, *at)).fetchone()
        return (int(row[0]), str(row[1])) if row else None


def _claim_seconds(conn: Conn) -> int:
    found = conn.execute("SELECT value FROM settings WHERE key = ?", (CLAIM_KEY,)).fetchone()
    try:
        return int(found[0]) if found else DEFAULT_CLAIM_SECONDS
    except ValueError:
        return DEFAULT_CLAIM_SECONDS


def _letter_id(conn: Conn, sha256: str | None) -> int | None:
    if sha256 is None:
        return None
    found = conn.execute("SELECT id FROM letters WHERE sha256 = ?", (sha256,)).fetchone()
    return int(found[0]) if found else None


def _name(conn: Conn, sha256: str) -> str:
    found = conn.execute(
        "SELECT case_number, file_name FROM letters WHERE sha256 = ?", (sha256,)
    ).fetchone()
    return (found[0] or found[1]) if found else sha256[:12]


def clock_time(until: str) -> str:
    """A claim's end (ISO 8601) as the reviewer's local time of day ('' when unreadable)."""
    try:
        return datetime.fromisoformat(until).astimezone().strftime("%H:%M")
    except ValueError:
        return ""
