"""The blind sample in the database: which letters are blind, and what their reviewer is shown.

A letter is blind from its first edit on when it was untouched (no stage, status parsed, no
review info) and the policy chose it (``ReviewPolicy.chooses_blind``): that first write
stores ``blind.blanked`` of the parser's letter with the edit applied, and marks the letter
``review_info = {"blind": true}`` for good, so the export and the card know it, a policy
changed later cannot make it blind or not blind again, and it is never blanked twice. A
letter chosen for double review too is double-reviewed, each review starting blanked (the
policy's ``blind`` setting for second reviews does not apply to it: neither reviewer sees the
parser's or the other's values); its gold record keeps the mark.

The store hands a blind letter's reviewer ``blind.shown`` of it, without the parser's JSON:
nothing in what the app gets tells the parser's values. The stored letter keeps them as each
field's ``parsed`` (the export compares with them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from imr_desk.blind import shown
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage.codec import dumps
from imr_desk.storage.engine import Conn
from imr_desk.storage.rows import LetterRow

MARK: Final = "blind"


def marked(row: LetterRow) -> bool:
    """Whether the letter was started blind (its mark is stored)."""
    return bool((row.review_info or {}).get(MARK))


def starts_blind(row: LetterRow, chooses: bool) -> bool:
    """Whether the next edit starts a blind review: the letter is untouched and chosen
    (``chooses``: the policy's ``chooses_blind`` of it)."""
    return row.stage is None and row.status == "parsed" and row.review_info is None and chooses


def in_sample(row: LetterRow, policy: ReviewPolicy) -> bool:
    """Whether the letter is blind: marked, or about to start blind."""
    return marked(row) or starts_blind(row, policy.chooses_blind(row.sha256))


def mark(conn: Conn, row: LetterRow) -> LetterRow:
    """Store the blind mark on the letter (in the caller's transaction)."""
    info = {**(row.review_info or {}), MARK: True}
    conn.execute("UPDATE letters SET review_info = ? WHERE sha256 = ?", (dumps(info), row.sha256))
    return replace(row, review_info=info)


def keep_mark(row: LetterRow, info: dict[str, Any]) -> dict[str, Any]:
    """A double-reviewed letter's gold ``review_info`` with the blind mark it had."""
    return {**info, MARK: True} if marked(row) else info


def seen(row: LetterRow) -> LetterRow:
    """A blind letter's row as its reviewer gets it: the values they set (``blind.shown``),
    the queue columns from those values, and no parser JSON."""
    letter = shown(row.full)
    return replace(
        row,
        letter=letter,
        parsed_json="",
        case_number=letter.fields["case_number"].value,
        outcome=letter.fields["outcome"].value,
        min_confidence=letter.confidence(),
    )


def listed(rows: list[LetterRow], policy: ReviewPolicy) -> list[LetterRow]:
    """Queue rows with nothing of the parser's on a blind letter nobody has opened yet: no
    case number or outcome (a started one's columns already hold its reviewer's values)."""
    return [
        replace(row, case_number=None, outcome=None, min_confidence=1.0)
        if starts_blind(row, policy.chooses_blind(row.sha256))
        else row
        for row in rows
    ]
