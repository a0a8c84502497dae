"""Double review in the database: the policy, each reviewer's own review, gold or adjudication.

A letter the policy chooses is reviewed twice, each reviewer on a record of their own (the
``reviews`` table); the store hands every reviewer their own review, so neither sees the
other's values or status (on SQLite the reviewer is the name the desk gives). When both have
verified, two reviews that agree make the gold record; two that differ wait for a lead's
adjudication. The letter's own status says only where it is in that pipeline: in progress
until it is gold, then verified.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from imr_desk.adjudication import Choice, gold_from
from imr_desk.agreement import differences
from imr_desk.blind import blanked
from imr_desk.edits import Edit, SetStatus, apply_edit
from imr_desk.record import Letter
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import blind_sample
from imr_desk.storage.base import StoreBase
from imr_desk.storage.codec import dump_letter, dumps, load_letter
from imr_desk.storage.engine import Conn
from imr_desk.storage.errors import PermissionRefusedError
from imr_desk.storage.rows import LetterRow, edited_row

POLICY_KEY: Final = "review_policy"
UNDER_REVIEW: Final = ("review", "adjudication")


class NotAllowedError(PermissionRefusedError):
    """The reviewer may not do this (not a lead, or the letter already has its reviews)."""


@dataclass(frozen=True)
class Review:
    """One reviewer's own review of a letter under double review."""

    id: int
    sha256: str
    reviewer: str
    status: str
    started_at: str
    verified_at: str | None
    letter: Letter


def read_policy(conn: Conn) -> ReviewPolicy:
    found = conn.execute("SELECT value FROM settings WHERE key = ?", (POLICY_KEY,)).fetchone()
    return ReviewPolicy.from_json(json.loads(found[0])) if found else ReviewPolicy()


def load_reviews(conn: Conn, sha256: str) -> list[Review]:
    """The letter's reviews, first started first."""
    found = conn.execute(
        "SELECT id, reviewer, status, started_at, verified_at, note, current_json FROM reviews "
        "WHERE sha256 = ? ORDER BY id",
        (sha256,),
    ).fetchall()
    return [
        Review(
            i, sha256, who, status, started, verified, load_letter(text, status=status, note=note)
        )
        for i, who, status, started, verified, note, text in found
    ]


def places_taken(conn: Conn, sha256: str) -> int:
    """How many reviews hold a place on the letter (a skipped one gives its place up), read
    from ``review_places``: who reviews and how far, never the values (which a team server
    shows a reviewer only of their own review)."""
    found = conn.execute(
        "SELECT count(*) FROM review_places WHERE sha256 = ? AND status != 'skipped'", (sha256,)
    )
    return int(found.fetchone()[0])


class ReviewStore(StoreBase):
    """The double-review part of ``LetterStore`` (mixed into it)."""

    # --- policy --------------------------------------------------------------------------

    def _policy(self, conn: Conn) -> ReviewPolicy:
        """The stored policy; on a team server its leads are the server's lead logins."""
        policy = read_policy(conn)
        leads = self._engine.leads(conn)
        return policy if leads is None else replace(policy, leads=leads)

    def policy(self) -> ReviewPolicy:
        """The project's review policy (no double review until a lead sets one). Read-only."""
        with self._engine.read() as conn:
            return self._policy(conn)

    def set_policy(self, policy: ReviewPolicy) -> None:
        """Change the policy: only a lead may, once the project has any (the first lead
        names themself). Letters already started keep the review they began with."""
        with self._write() as conn:
            current = self._policy(conn)
            if current.leads and not current.is_lead(self.reviewer):
                raise NotAllowedError(
                    f"only a lead may change the review policy ({self.reviewer} is not one)"
                )
            if not policy.leads and not self._engine.server_identity:
                raise ValueError("a review policy names at least one lead")
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (POLICY_KEY, dumps(policy.to_json())),
            )

    # --- routing -------------------------------------------------------------------------

    def _double(self, row: LetterRow, policy: ReviewPolicy) -> bool:
        """Whether an edit of this letter goes to the reviewer's own review: it is under
        double review, or untouched and chosen by the policy. A gold record two reviews
        made is a lead's to change (a reviewer's undo left over from their review is not
        let through to it)."""
        if row.stage == "gold" and not policy.is_lead(self.reviewer):
            raise NotAllowedError(
                f"{row.case_number or row.file_name} is gold, settled by double review: "
                "only a lead may change it"
            )
        if row.stage in UNDER_REVIEW:
            return True
        return row.stage is None and row.status == "parsed" and policy.chooses(row.sha256)

    def _review_view(self, conn: Conn, row: LetterRow) -> LetterRow:
        """The letter as this reviewer sees it while it is under double review: their own
        review, or what a review of theirs would start from; someone who cannot review it
        (two others have) sees only where it is in the pipeline."""
        mine = _own(load_reviews(conn, row.sha256), self.reviewer)
        if mine is not None:
            return _as_review(row, mine.letter, mine.verified_at)
        if places_taken(conn, row.sha256) >= 2:
            return replace(row, note=None)
        return _as_review(row, self._start(conn, row), None)

    def _start(self, conn: Conn, row: LetterRow) -> Letter:
        """What a new review starts from: the parser's record, or with a policy that is not
        blind, the first verified review (a second look)."""
        parsed = Letter.from_parsed({**row.parsed, "status": "parsed"})
        if blind_sample.in_sample(row, self._policy(conn)):  # every review blanked
            return blanked(parsed)
        if self._policy(conn).blind:
            return parsed
        verified = [r for r in load_reviews(conn, row.sha256) if r.status == "verified"]
        return replace(verified[0].letter, status="parsed", note=None) if verified else parsed

    def _apply_review(self, conn: Conn, row: LetterRow, edit: Edit) -> tuple[LetterRow, Edit]:
        mine = _own(load_reviews(conn, row.sha256), self.reviewer)
        name = row.case_number or row.file_name
        if row.stage == "adjudication":  # both reviews are in: they stay as the lead saw them
            raise NotAllowedError(f"{name} is waiting for a lead to settle its two reviews")
        if mine is None and places_taken(conn, row.sha256) >= 2:
            raise NotAllowedError(
                f"{name} already has its two reviews; {self.reviewer} cannot start a third"
            )
        letter = mine.letter if mine else self._start(conn, row)
        applied = apply_edit(letter, edit, reviewer=self.reviewer)
        if not applied.audit:
            return _as_review(row, letter, mine.verified_at if mine else None), applied.inverse
        now = self._now()
        review_id = self._save_review(conn, row.sha256, mine, applied.letter, now)
        self._audit(conn, row.sha256, applied.audit, now, review_id=review_id)
        self._settle(conn, row, now)
        verified_at = now if applied.letter.status == "verified" else None
        return _as_review(row, applied.letter, verified_at), applied.inverse

    def _save_review(
        self,
        conn: Conn,
        sha: str,
        mine: Review | None,
        letter: Letter,
        now: str,
    ) -> int:
        text, verified_at = dump_letter(letter), (now if letter.status == "verified" else None)
        if mine is None:
            found = conn.execute(
                "INSERT INTO reviews (sha256, reviewer, status, started_at, updated_at, "
                "verified_at, note, current_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (sha, self.reviewer, letter.status, now, now, verified_at, letter.note, text),
            )
            return int(found.fetchone()[0])
        conn.execute(
            "UPDATE reviews SET status = ?, updated_at = ?, verified_at = ?, note = ?, "
            "current_json = ? WHERE id = ?",
            (letter.status, now, verified_at, letter.note, text, mine.id),
        )
        return mine.id

    def _settle(self, conn: Conn, row: LetterRow, now: str) -> None:
        """The letter's pipeline after a review changed: gold when two verified reviews
        agree, adjudication when they differ, else still under review."""
        done = [r for r in load_reviews(conn, row.sha256) if r.status == "verified"]
        if len(done) == 2 and not differences(done[0].letter, done[1].letter):
            info = _info("double", done, None, [])
            self._write_gold(conn, row, replace(done[0].letter, note=row.note), info, now)
            return
        # The letter says only that it is under review: a flag (and its note) stays with the
        # review it belongs to, for the lead, so the other reviewer is not shown it.
        conn.execute(
            "UPDATE letters SET stage = ?, status = 'in_progress', updated_at = ?, "
            "verified_at = NULL WHERE sha256 = ?",
            ("adjudication" if len(done) == 2 else "review", now, row.sha256),
        )

    def _write_gold(
        self,
        conn: Conn,
        row: LetterRow,
        gold: Letter,
        info: dict[str, Any],
        now: str,
    ) -> LetterRow:
        gold, info = replace(gold, status="verified"), blind_sample.keep_mark(row, info)
        saved = self._save(conn, row, gold, now)
        conn.execute(
            "UPDATE letters SET stage = 'gold', review_info = ? WHERE sha256 = ?",
            (dumps(info), row.sha256),
        )
        return replace(saved, stage="gold", review_info=info)

    # --- adjudication --------------------------------------------------------------------

    def reviews_of(self, sha256: str) -> list[Review]:
        """Both reviews of a letter, for a lead adjudicating it (a reviewer never reads
        another's review). Read-only."""
        with self._engine.read() as conn:
            self._require_lead(conn, "read other reviewers' reviews")
            return load_reviews(conn, sha256)

    def adjudication_queue(self) -> list[str]:
        """Letters whose two reviews differ, oldest first. Read-only."""
        with self._engine.read() as conn:
            found = conn.execute(
                "SELECT sha256 FROM letters WHERE stage = 'adjudication' ORDER BY id"
            )
            return [sha for (sha,) in found]

    def adjudicate(self, sha256: str, choices: Mapping[str, Choice]) -> LetterRow:
        """Settle a letter's two reviews with a lead's choices: the gold record, verified
        (the core's Verify gate still applies), with one audit row per choice."""
        with self._write() as conn:
            self._require_lead(conn, "adjudicate")
            row = self._load(conn, sha256)
            if row.stage != "adjudication":
                raise NotAllowedError(
                    f"{row.case_number or sha256} is not waiting for adjudication"
                )
            first, second = [r for r in load_reviews(conn, sha256) if r.status == "verified"][:2]
            gold, rows = gold_from(first.letter, second.letter, choices, adjudicator=self.reviewer)
            gold = apply_edit(gold, SetStatus("verified"), reviewer=self.reviewer).letter
            now = self._now()
            self._audit(conn, sha256, tuple(rows), now)
            disagreed = [d.path for d in differences(first.letter, second.letter)]
            info = _info("adjudicated", [first, second], self.reviewer, disagreed)
            saved = self._write_gold(conn, row, replace(gold, note=row.note), info, now)
        return saved

    def _require_lead(self, conn: Conn, what: str) -> None:
        if not self._policy(conn).is_lead(self.reviewer):
            raise NotAllowedError(f"only a lead may {what} ({self.reviewer} is not one)")

    def review_pairs(self) -> Iterator[tuple[LetterRow, Review, Review]]:
        """Every letter with two verified reviews (gold or waiting for adjudication) and
        those reviews, for measuring agreement. Read-only."""
        with self._engine.read() as conn:
            shas = [
                s
                for (s,) in conn.execute(
                    "SELECT sha256 FROM letters WHERE stage IN ('adjudication', 'gold') ORDER BY id"
                )
            ]
        for sha in shas:
            with self._engine.read() as conn:
                done = [r for r in load_reviews(conn, sha) if r.status == "verified"]
            if len(done) == 2:
                yield self.get(sha), done[0], done[1]

    def pipeline(self) -> dict[str, int]:
        """Double review's pipeline: letters awaiting a second review, awaiting
        adjudication, and gold (double-reviewed or adjudicated). Read-only."""
        sql = (
            "SELECT "
            "(SELECT count(*) FROM letters WHERE stage = 'review' AND "
            " (SELECT count(*) FROM review_places r WHERE r.sha256 = letters.sha256 "
            "  AND r.status = 'verified') = 1), "
            "(SELECT count(*) FROM letters WHERE stage = 'adjudication'), "
            "(SELECT count(*) FROM letters WHERE stage = 'gold' AND status = 'verified')"
        )
        with self._engine.read() as conn:
            second, adjudication, gold = conn.execute(sql).fetchone()
        return {
            "awaiting_second_review": second,
            "awaiting_adjudication": adjudication,
            "gold": gold,
        }


def _own(reviews: list[Review], reviewer: str) -> Review | None:
    return next((r for r in reviews if r.reviewer == reviewer), None)


def _as_review(row: LetterRow, letter: Letter, verified_at: str | None) -> LetterRow:
    """The row as one reviewer sees it: their review's values, status and note."""
    row = replace(row, note=letter.note)
    return replace(
        edited_row(
            row,
            letter,
            confidence=letter.confidence(),
            reviewer=row.reviewer or "",
            now=row.updated_at,
        ),
        verified_at=verified_at,
        reviewer=row.reviewer,
    )


def _info(
    mode: str, reviews: list[Review], adjudicator: str | None, disagreed: list[str]
) -> dict[str, Any]:
    return {
        "mode": mode,
        "reviewers": [r.reviewer for r in reviews],
        "adjudicator": adjudicator,
        "disagreements": disagreed,
    }
