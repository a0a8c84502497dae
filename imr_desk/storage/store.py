"""LetterStore: every read and write of the review database, each write one transaction.

A write reads the letter, changes its current record, writes it back and appends its audit
rows under one ``BEGIN IMMEDIATE`` ... ``COMMIT``, so an edit is saved whole or not at all,
and two programs on the same file never overwrite each other's edits.
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlite_utils import Database

from imr_desk.domain import STATUSES, derive_outcome, get_path, letter_confidence, spec_for_path
from imr_desk.storage import records
from imr_desk.storage.errors import NoDatabaseError, translated_errors
from imr_desk.storage.queries import Clock, LetterQueries
from imr_desk.storage.rows import (
    FULL_COLUMNS,
    ROW_COLUMNS,
    LetterRow,
    dumps,
    edited_row,
    iso_utc,
    letter_row,
    new_letter_values,
)
from imr_desk.storage.schema import check_version, connect, create_private_file, default_db_path

REOPENED_BY_EDITS: Final = ("parsed", "verified")
"""Statuses an edit moves to in_progress (see ``LetterStore._save``)."""


def os_user() -> str:
    """The reviewer's default name: the operating-system user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@dataclass
class _Letter:
    """A letter's mutable state inside one write transaction, and its row as read."""

    sha256: str
    status: str
    current: dict
    human: set[str]
    origins: list[int | None]
    row: LetterRow


class LetterStore(LetterQueries):
    """The review database of one project of letters."""

    def __init__(self, db: Database, path: Path, reviewer: str, clock: Clock) -> None:
        self._db = db
        self.path = path
        self.reviewer = reviewer
        self._clock = clock

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        reviewer: str | None = None,
        busy_timeout: float = 5.0,
        read_only: bool = False,
        create: bool = True,
        clock: Clock | None = None,
    ) -> LetterStore:
        """Open (creating it owner-only if new) and migrate; refuse a newer schema untouched.

        ``create=False`` is for commands that only read or report on a project: a mistyped
        path raises ``NoDatabaseError`` instead of silently creating an empty database.
        """
        db_path = Path(path) if path is not None else default_db_path()
        if not create and not db_path.is_file():
            raise NoDatabaseError(f"no database at {db_path}")
        if not read_only:
            create_private_file(db_path)
        check_version(db_path)
        db = connect(db_path, busy_timeout=busy_timeout, read_only=read_only)
        return cls(
            db, db_path, reviewer or os_user(), clock or (lambda: datetime.now().astimezone())
        )

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite when the last one closes)."""
        self._db.close()

    def __enter__(self) -> LetterStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: BEGIN IMMEDIATE takes the write lock first, so a busy database
        fails fast with a clear message instead of midway through the change."""
        conn = self._db.conn
        with translated_errors(self.path):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise

    def _now(self) -> str:
        return iso_utc(self._clock())

    def _audit(self, conn: sqlite3.Connection, sha256: str, path: str, old: Any, new: Any) -> None:
        conn.execute(
            "INSERT INTO audit (sha256, field, old_json, new_json, reviewer, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (sha256, path, dumps(old), dumps(new), self.reviewer, self._now()),
        )

    def _load(self, conn: sqlite3.Connection, sha256: str) -> _Letter:
        """The whole row, its JSON decoded once: the edit works on it and the row the edit
        returns is built from it (see ``_save``), never read and decoded again."""
        found = conn.execute(f"SELECT {FULL_COLUMNS} FROM letters WHERE sha256 = ?", (sha256,))
        values = found.fetchone()
        if values is None:
            raise KeyError(sha256)
        row = letter_row(values)
        human, origins = set(row.human_fields), list(row.item_origins)
        return _Letter(sha256, row.status, row.current, human, origins, row)

    def _save(self, conn: sqlite3.Connection, letter: _Letter) -> LetterRow:
        """Write an edited letter back and return its row as now stored. An edit starts the
        review of a parsed letter, and reopens a verified one: what was verified is no
        longer what is stored, so the letter leaves the dataset until a reviewer verifies
        it again (flagged and skipped are a reviewer's own marks and stay)."""
        status = "in_progress" if letter.status in REOPENED_BY_EDITS else letter.status
        current = {**letter.current, "status": status}
        now, confidence = self._now(), letter_confidence(current)
        if status != letter.status:
            self._audit(conn, letter.sha256, "status", letter.status, status)
        conn.execute(
            "UPDATE letters SET current_json = ?, human_fields = ?, status = ?, case_number = ?, "
            "outcome = ?, min_confidence = ?, reviewer = ?, updated_at = ?, item_origins = ?, "
            "verified_at = CASE WHEN ? = 'verified' THEN verified_at END WHERE sha256 = ?",
            (
                dumps(current),
                dumps(sorted(letter.human)),
                status,
                current["letter"].get("case_number"),
                current["letter"].get("outcome"),
                confidence,
                self.reviewer,
                now,
                dumps(letter.origins),
                status,
                letter.sha256,
            ),
        )
        return edited_row(
            letter.row,
            current,
            letter.human,
            letter.origins,
            confidence=confidence,
            reviewer=self.reviewer,
            now=now,
        )

    def _rederive_outcome(self, conn: sqlite3.Connection, letter: _Letter) -> None:
        """Keep the outcome equal to the items' decisions unless a person set it."""
        if records.OUTCOME_PATH in letter.human:
            return
        old = letter.current["letter"].get("outcome")
        new = derive_outcome(item.get("decision") for item in letter.current["items"])
        if old != new:
            self._audit(conn, letter.sha256, records.OUTCOME_PATH, old, new)
            outcome = {**letter.current["letter"], "outcome": new}
            letter.current = {**letter.current, "letter": outcome}

    # --- letters -----------------------------------------------------------------------

    def add_letter(self, record: dict, *, source_path: str, parser_version: str) -> bool:
        """Store a parsed letter; False (nothing written) when its SHA-256 is already there."""
        source = record.get("source") or {}
        sha256 = source.get("sha256")
        if not sha256:
            raise ValueError("the record has no source.sha256")
        current = records.complete(record)
        now = self._now()
        with self._write() as conn:
            if self._exists(sha256):
                return False
            values = new_letter_values(
                record, current, source_path=source_path, parser_version=parser_version, now=now
            )
            conn.execute(
                f"INSERT INTO letters ({ROW_COLUMNS}, parsed_json, current_json) "
                f"VALUES ({', '.join('?' * len(values))})",
                values,
            )
        return True

    def replace_parsed(self, record: dict, *, parser_version: str) -> bool:
        """Re-parse result for a letter nobody has touched; False (unchanged) if anyone has."""
        sha256 = record["source"]["sha256"]
        current = records.complete(record)
        with self._write() as conn:
            if not self._untouched(conn, sha256):
                return False
            conn.execute(
                "UPDATE letters SET parsed_json = ?, current_json = ?, parser_version = ?, "
                "case_number = ?, outcome = ?, min_confidence = ?, layout = ?, pages = ?, "
                "needs_ocr = ?, updated_at = ?, item_origins = NULL WHERE sha256 = ?",
                (
                    dumps(record),
                    dumps(current),
                    parser_version,
                    current["letter"].get("case_number"),
                    current["letter"].get("outcome"),
                    letter_confidence(current),
                    record["source"].get("layout") or "unknown",
                    int(record["source"].get("pages") or 0),
                    int(bool(record["source"].get("needs_ocr"))),
                    self._now(),
                    sha256,
                ),
            )
        return True

    def _untouched(self, conn: sqlite3.Connection, sha256: str) -> bool:
        status = conn.execute("SELECT status FROM letters WHERE sha256 = ?", (sha256,)).fetchone()
        if status is None or status[0] != "parsed":
            return False
        return (
            conn.execute("SELECT 1 FROM audit WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone()
            is None
        )

    # --- edits -------------------------------------------------------------------------

    def set_field(
        self,
        sha256: str,
        path: str,
        value: Any,
        *,
        boxes: list[dict] | None = None,
        confidence: float | None = None,
        human: bool = True,
    ) -> LetterRow:
        """Set one field (value already coerced) and audit it, in one transaction.

        ``boxes`` replace that field's provenance (a typed value: none). The letter moves
        from parsed or verified to in_progress; the outcome follows the items unless a
        person set it. Undo passes what the field had before the edit: its provenance
        ``confidence`` (default: a person's 1.0) and ``human=False`` when no person had set
        it, so the field counts as the parser's again.
        """
        spec_for_path(path)
        with self._write() as conn:
            letter = self._load(conn, sha256)
            old = get_path(letter.current, path)
            restoring = confidence is not None or not human
            if old == value and boxes is None and not restoring and path in letter.human:
                return letter.row
            letter.current = records.set_value(letter.current, path, value, boxes)
            if confidence is not None:
                for entry in letter.current["provenance"]:
                    if entry["field"] == path:
                        entry["confidence"] = confidence
            (letter.human.add if human else letter.human.discard)(path)
            self._audit(conn, sha256, path, old, value)
            if path != records.OUTCOME_PATH:  # a restored outcome stays as it was
                self._rederive_outcome(conn, letter)
            row = self._save(conn, letter)
        return row

    def add_item(
        self,
        sha256: str,
        *,
        index: int | None = None,
        item: dict | None = None,
        provenance: list[dict] | None = None,
        human: Iterable[str] = (),
        origin: int | None = None,
    ) -> LetterRow:
        """Insert an item (empty unless given) at ``index`` (default: the end), audited.

        Putting a removed item back (undo) also passes its ``provenance`` entries and the
        paths a ``human`` had set, both with paths at ``index``; otherwise the new item's
        fields count as a person's (confidence 1, no boxes) without being human-set.
        ``origin`` is the parser item it is (see ``LetterRow.item_origins``); without it, a
        put-back item equal to a parser item no other item comes from is that item again.
        """
        with self._write() as conn:
            letter = self._load(conn, sha256)
            count = len(letter.current["items"])
            at = count if index is None else max(0, min(index, count))
            order = list(range(count))
            order.insert(at, -1)
            if origin is None and item and provenance is not None:
                parsed = letter.row.parsed
                origin = records.matching_parser_item(parsed, letter.origins, item)
            self._reorder(conn, letter, order, {at: item or {}})
            letter.origins[at] = origin
            prefix = f"items.{at}."
            kept = {p["field"]: p for p in provenance or [] if p["field"].startswith(prefix)}
            letter.current["provenance"] = [
                kept.get(p["field"], p) for p in letter.current["provenance"]
            ]
            letter.human |= {path for path in human if path.startswith(prefix)}
            self._audit(conn, sha256, f"items.{at}", None, letter.current["items"][at])
            self._rederive_outcome(conn, letter)
            row = self._save(conn, letter)
        return row

    def remove_item(self, sha256: str, index: int) -> LetterRow:
        """Remove one item (IndexError if there is none at ``index``), audited."""
        with self._write() as conn:
            letter = self._load(conn, sha256)
            removed = letter.current["items"][index]
            order = [i for i in range(len(letter.current["items"])) if i != index]
            self._reorder(conn, letter, order)
            self._audit(conn, sha256, f"items.{index}", removed, None)
            self._rederive_outcome(conn, letter)
            row = self._save(conn, letter)
        return row

    def move_item(self, sha256: str, index: int, new_index: int) -> LetterRow:
        """Move one item to ``new_index`` (letter order), audited as old and new position."""
        with self._write() as conn:
            letter = self._load(conn, sha256)
            count = len(letter.current["items"])
            if not (0 <= index < count and 0 <= new_index < count):
                raise IndexError(f"item {index} -> {new_index} outside 0..{count - 1}")
            if index == new_index:
                return letter.row
            order = list(range(count))
            order.insert(new_index, order.pop(index))
            moved = letter.current["items"][index]
            self._reorder(conn, letter, order)
            self._audit(conn, sha256, f"items.{index}", moved, None)
            self._audit(conn, sha256, f"items.{new_index}", None, moved)
            row = self._save(conn, letter)
        return row

    def _reorder(
        self,
        conn: sqlite3.Connection,
        letter: _Letter,
        order: list[int],
        new_items: dict[int, dict] | None = None,
    ) -> None:
        mapping = records.item_order_mapping(order, len(letter.current["items"]))
        letter.current = records.reorder_items(letter.current, order, new_items)
        letter.human = records.remap_paths(letter.human, mapping)
        letter.origins = records.reorder_origins(letter.origins, order)

    def set_status(self, sha256: str, status: str, *, note: str | None = None) -> LetterRow:
        """Change the review status (verified stamps verified_at) and note, audited."""
        if status not in STATUSES:
            raise ValueError(f"'{status}' is not a status ({', '.join(STATUSES)})")
        now = self._now()
        with self._write() as conn:
            old = conn.execute(
                "SELECT status, note, verified_at FROM letters WHERE sha256 = ?", (sha256,)
            ).fetchone()
            if old is None:
                raise KeyError(sha256)
            if old[0] != status:
                self._audit(conn, sha256, "status", old[0], status)
            if note is not None and note != old[1]:
                self._audit(conn, sha256, "note", old[1], note)
            verified_at = None
            if status == "verified":
                verified_at = old[2] if old[0] == "verified" and old[2] else now
            conn.execute(
                "UPDATE letters SET status = ?, note = ?, verified_at = ?, reviewer = ?, "
                "updated_at = ? WHERE sha256 = ?",
                (status, old[1] if note is None else note, verified_at, self.reviewer, now, sha256),
            )
        return self.get(sha256)
