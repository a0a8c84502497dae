"""Plain data handed out by the store (no sqlite types), and the SQL that selects it.

``LetterRow`` and ``AuditEntry`` are frozen values: the app and the exporter can keep them
around without holding a cursor or a connection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from imr_desk.domain import LOW_CONFIDENCE  # re-exported: the queue's low-confidence bound
from imr_desk.record import Letter
from imr_desk.storage.codec import dump_letter, dumps, load_letter

ROW_COLUMNS: Final = (
    "sha256, source_path, file_name, pages, layout, status, case_number, outcome, "
    "min_confidence, parser_version, reviewer, note, created_at, updated_at, verified_at, "
    "needs_ocr, stage, review_info"
)
FULL_COLUMNS: Final = f"{ROW_COLUMNS}, parsed_json, current_json"


@dataclass(frozen=True)
class LetterRow:
    """One stored letter. ``letter`` (the typed record under review) is None and ``parsed``
    (the parser's JSON record) empty in listings (``full=False``); ``get()`` fills them."""

    sha256: str
    source_path: str
    file_name: str
    pages: int
    layout: str
    status: str
    case_number: str | None
    outcome: str | None
    min_confidence: float
    parser_version: str
    reviewer: str | None
    note: str | None
    created_at: str
    updated_at: str
    verified_at: str | None
    needs_ocr: bool = False
    stage: str | None = None
    """Double review only: ``review`` (reviewers at work), ``adjudication``, ``gold``."""
    review_info: dict[str, Any] | None = None
    """How a double-reviewed letter became gold: mode, reviewers, adjudicator, disagreements."""
    parsed_json: str = ""
    """The parser's record as stored: decoded only when asked for (no edit needs it)."""
    letter: Letter | None = None

    @property
    def parsed(self) -> dict[str, Any]:
        """The parser's JSON record (empty in listings)."""
        return json.loads(self.parsed_json) if self.parsed_json else {}

    @property
    def full(self) -> Letter:
        """The letter of a full row (``get()``); a listing row has none."""
        if self.letter is None:
            raise ValueError(f"the row of {self.sha256} was listed without its record")
        return self.letter


@dataclass(frozen=True)
class AuditEntry:
    """One change: which letter, which field path, old and new value, who, when (UTC)."""

    id: int
    sha256: str
    field: str
    old: Any
    new: Any
    reviewer: str
    at: str


def iso_utc(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a ``Z``: sortable as text, parseable by fromisoformat."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def letter_row(values: Sequence[Any]) -> LetterRow:
    """Build a row from ``ROW_COLUMNS`` (optionally followed by the rest of ``FULL_COLUMNS``)."""
    parsed_json = ""
    letter: Letter | None = None
    if len(values) > 18:
        parsed_json = values[18]
        letter = load_letter(values[19], status=values[5], note=values[11])
    return LetterRow(
        sha256=values[0],
        source_path=values[1] or "",
        file_name=values[2] or "",
        pages=int(values[3] or 0),
        layout=values[4] or "unknown",
        status=values[5],
        case_number=values[6],
        outcome=values[7],
        min_confidence=float(values[8] or 0.0),
        parser_version=values[9] or "",
        reviewer=values[10],
        note=values[11],
        created_at=values[12],
        updated_at=values[13] or values[12],
        verified_at=values[14],
        needs_ocr=bool(values[15]),
        stage=values[16],
        review_info=json.loads(values[17]) if values[17] else None,
        parsed_json=parsed_json,
        letter=letter,
    )


def new_letter_values(
    record: dict, letter: Letter, *, source_path: str, parser_version: str, now: str
) -> tuple[Any, ...]:
    """The values of ``ROW_COLUMNS``, ``parsed_json`` and ``current_json`` of a letter
    just parsed: status parsed, nobody's edits yet."""
    source = letter.source
    return (
        *(source.sha256, source_path, source.file_name, source.pages, source.layout, "parsed"),
        *(letter.fields["case_number"].value, letter.fields["outcome"].value),
        *(letter.confidence(), parser_version, None, None, now, now, None),
        *(int(source.needs_ocr), None, None, dumps(record), dump_letter(letter)),
    )


def edited_row(
    row: LetterRow, letter: Letter, *, confidence: float, reviewer: str, now: str
) -> LetterRow:
    """``row`` as an edit that wrote ``letter`` left it: the same values ``get()`` would read
    back, built without reading and decoding the row again (an edit is committed on every
    keystroke pause, so this is the reviewer's wait)."""
    verified_at = None
    if letter.status == "verified":
        verified_at = row.verified_at if row.status == "verified" and row.verified_at else now
    return replace(
        row,
        status=letter.status,
        note=letter.note,
        reviewer=reviewer,
        case_number=letter.fields["case_number"].value,
        outcome=letter.fields["outcome"].value,
        min_confidence=confidence,
        updated_at=now,
        verified_at=verified_at,
        letter=letter,
    )


def audit_entry(values: Sequence[Any]) -> AuditEntry:
    """Build an audit entry from ``id, sha256, field, old_json, new_json, reviewer, at``."""
    return AuditEntry(
        id=int(values[0]),
        sha256=values[1],
        field=values[2],
        old=json.loads(values[3]) if values[3] is not None else None,
        new=json.loads(values[4]) if values[4] is not None else None,
        reviewer=values[5],
        at=values[6],
    )


def filter_sql(
    *,
    status: str | None = None,
    outcome: str | None = None,
    layout: str | None = None,
    low_confidence: bool = False,
    search: str | None = None,
    like: str = "LIKE",
    source: str = "letters",
) -> tuple[str, list[Any]]:
    """The WHERE clause (or "") and its parameters for the queue filters; ``like`` is the
    engine's case-blind pattern match (``Engine.like``), so a search ignores case on both,
    and ``source`` where it searches (``Engine.search_source``)."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("status", status), ("outcome", outcome), ("layout", layout)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if low_confidence:
        clauses.append("min_confidence < ?")
        params.append(LOW_CONFIDENCE)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # A subquery the planner answers from the covering index letters_search, so a
        # substring search scans small index entries instead of the stored records.
        clauses.append(
            f"id IN (SELECT id FROM {source} WHERE case_number {like} ? ESCAPE '\\' "
            f"OR file_name {like} ? ESCAPE '\\')"
        )
        params += [pattern, pattern]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
