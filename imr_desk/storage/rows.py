"""Plain data handed out by the store (no sqlite types), and the SQL that selects it.

``LetterRow`` and ``AuditEntry`` are frozen values: the app and the exporter can keep them
around without holding a cursor or a connection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from imr_desk.domain import LOW_CONFIDENCE, letter_confidence  # LOW_CONFIDENCE: re-exported

"""A letter whose lowest field confidence is below this is listed as low-confidence."""

ROW_COLUMNS: Final = (
    "sha256, source_path, file_name, pages, layout, status, case_number, outcome, "
    "min_confidence, parser_version, reviewer, note, created_at, updated_at, verified_at, "
    "human_fields, needs_ocr"
)
FULL_COLUMNS: Final = f"{ROW_COLUMNS}, parsed_json, current_json, item_origins"


@dataclass(frozen=True)
class LetterRow:
    """One stored letter. ``parsed``/``current`` are empty dicts in listings (``full=False``)."""

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
    parsed: dict = field(default_factory=dict)
    current: dict = field(default_factory=dict)
    human_fields: frozenset[str] = frozenset()
    needs_ocr: bool = False
    item_origins: tuple[int | None, ...] = ()
    """Per current item, the index of the parser item it came from (None: added by a person)."""


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


def dumps(value: Any) -> str:
    """Compact JSON for the record columns (UTF-8 kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iso_utc(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a ``Z``: sortable as text, parseable by fromisoformat."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def letter_row(values: Sequence[Any]) -> LetterRow:
    """Build a row from ``ROW_COLUMNS`` (optionally followed by the rest of ``FULL_COLUMNS``)."""
    parsed: dict = {}
    current: dict = {}
    origins: tuple[int | None, ...] = ()
    if len(values) > 17:
        parsed = json.loads(values[17])
        current = json.loads(values[18])
        current["status"] = values[5]
        stored = json.loads(values[19]) if len(values) > 19 and values[19] else None
        origins = tuple(range(len(current.get("items") or []))) if stored is None else tuple(stored)
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
        parsed=parsed,
        current=current,
        human_fields=frozenset(json.loads(values[15] or "[]")),
        needs_ocr=bool(values[16]),
        item_origins=origins,
    )


def new_letter_values(
    record: dict, current: dict, *, source_path: str, parser_version: str, now: str
) -> tuple[Any, ...]:
    """The values of ``ROW_COLUMNS``, ``parsed_json`` and ``current_json`` of a letter
    just parsed: status parsed, nobody's edits yet."""
    source = record.get("source") or {}
    letter = current["letter"]
    return (
        *(source["sha256"], source_path, source.get("file_name") or Path(source_path).name),
        *(int(source.get("pages") or 0), source.get("layout") or "unknown", "parsed"),
        *(letter.get("case_number"), letter.get("outcome"), letter_confidence(current)),
        *(parser_version, None, None, now, now, None, "[]", int(bool(source.get("needs_ocr")))),
        *(dumps(record), dumps(current)),
    )


def edited_row(
    row: LetterRow,
    current: dict,
    human: set[str],
    origins: list[int | None],
    *,
    confidence: float,
    reviewer: str,
    now: str,
) -> LetterRow:
    """``row`` as an edit that wrote ``current`` (its ``status`` included) left it: the same
    values ``get()`` would read back, built without reading and decoding the row again
    (an edit is committed on every keystroke pause, so this is the reviewer's wait)."""
    status = current["status"]
    return replace(
        row,
        status=status,
        reviewer=reviewer,
        case_number=current["letter"].get("case_number"),
        outcome=current["letter"].get("outcome"),
        min_confidence=confidence,
        updated_at=now,
        verified_at=row.verified_at if status == "verified" else None,
        current=current,
        human_fields=frozenset(human),
        item_origins=tuple(origins),
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
) -> tuple[str, list[Any]]:
    """The WHERE clause (or "") and its parameters for the queue filters."""
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
            "id IN (SELECT id FROM letters WHERE case_number LIKE ? ESCAPE '\\' "
            "OR file_name LIKE ? ESCAPE '\\')"
        )
        params += [pattern, pattern]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
