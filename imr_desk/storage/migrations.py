"""The schema migrations of the review database, in order; ``PRAGMA user_version`` counts them.

``schema`` runs the pending ones under the write lock when a database is opened.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from imr_desk.storage import legacy
from imr_desk.storage.codec import dump_letter, dumps

MIGRATIONS: Final = Migrations("imr_desk")


@MIGRATIONS()
def m001_letters_and_audit(db: Database) -> None:
    """Letters (parser's and human-corrected records) and the append-only audit log."""
    db.table("letters").create(
        {
            "id": int,
            "sha256": str,
            "source_path": str,
            "file_name": str,
            "pages": int,
            "layout": str,
            "needs_ocr": int,
            "status": str,
            "case_number": str,
            "outcome": str,
            "min_confidence": float,
            "parser_version": str,
            "reviewer": str,
            "note": str,
            "created_at": str,
            "updated_at": str,
            "verified_at": str,
            "parsed_json": str,
            "current_json": str,
            "human_fields": str,
        },
        pk="id",
        not_null=["sha256", "status", "parsed_json", "current_json", "created_at"],
        if_not_exists=True,
    )
    letters = db.table("letters")
    letters.create_index(["sha256"], unique=True, if_not_exists=True)
    letters.create_index(["status"], if_not_exists=True)
    letters.create_index(["case_number"], if_not_exists=True)
    letters.create_index(["outcome"], if_not_exists=True)
    letters.create_index(["min_confidence"], if_not_exists=True)
    db.table("audit").create(
        {
            "id": int,
            "sha256": str,
            "field": str,
            "old_json": str,
            "new_json": str,
            "reviewer": str,
            "at": str,
        },
        pk="id",
        not_null=["sha256", "field", "reviewer", "at"],
        if_not_exists=True,
    )
    audit = db.table("audit")
    audit.create_index(["sha256", "id"], if_not_exists=True)
    audit.create_index(["at"], if_not_exists=True)
    db.execute("PRAGMA user_version = 1")


@MIGRATIONS()
def m002_search_and_today_indexes(db: Database) -> None:
    """Covering indexes: case-number/file-name search scans the index, not the records, and
    today's verifications are counted from (status, verified_at)."""
    letters = db.table("letters")
    letters.create_index(["case_number", "file_name"], "letters_search", if_not_exists=True)
    letters.create_index(["status", "verified_at"], "letters_status_verified", if_not_exists=True)
    db.execute("PRAGMA user_version = 2")


@MIGRATIONS()
def m003_item_origins(db: Database) -> None:
    """``item_origins``: which parser item each current item came from (JSON list, null for
    an added item), so an item that only moved is not counted as corrected. NULL means each
    item is its own parser item, which is what rows stored before this column have."""
    db.table("letters").add_column("item_origins", str)
    db.execute("PRAGMA user_version = 3")


@MIGRATIONS()
def m004_item_ids(db: Database) -> None:
    """Stable item ids: every letter becomes the typed record (``storage.codec``), its parser
    record gets the parser's item ids, and its audit rows name items by id (``storage.legacy``).
    ``human_fields`` and ``item_origins`` are folded into the record and left NULL."""
    conn = db.conn
    last = 0
    while True:
        batch = conn.execute(
            "SELECT id, sha256, parsed_json, current_json, human_fields, item_origins, reviewer, "
            "status, note FROM letters WHERE id > ? ORDER BY id LIMIT 200",
            (last,),
        ).fetchall()
        if not batch:
            break
        for values in batch:
            _convert_letter(conn, *values[1:])
        last = batch[-1][0]
    db.execute("PRAGMA user_version = 4")


def _convert_letter(conn: sqlite3.Connection, sha256: str, *columns: Any) -> None:
    parsed_json, current_json, human_json, origins_json, reviewer, status, note = columns
    audit = [
        legacy.OldAudit(row_id, field, _json(old), _json(new), who)
        for row_id, field, old, new, who in conn.execute(
            "SELECT id, field, old_json, new_json, reviewer FROM audit WHERE sha256 = ? "
            "ORDER BY id",
            (sha256,),
        )
    ]
    converted = legacy.convert(
        json.loads(parsed_json),
        json.loads(current_json),
        human=json.loads(human_json or "[]"),
        origins=_json(origins_json),
        audit=audit,
        status=status,
        note=note,
        reviewer=reviewer,
    )
    conn.execute(
        "UPDATE letters SET parsed_json = ?, current_json = ?, human_fields = NULL, "
        "item_origins = NULL WHERE sha256 = ?",
        (dumps(converted.parsed), dump_letter(converted.letter), sha256),
    )
    conn.executemany(
        "UPDATE audit SET field = ? WHERE id = ?",
        [(field, row_id) for row_id, field in converted.audit_fields.items()],
    )


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@MIGRATIONS()
def m005_double_review(db: Database) -> None:
    """Double review: the project's settings (the review policy), each reviewer's own review
    of a letter under double review, the audit row's review, and on the letter its review
    stage (NULL: single review; ``review``, ``adjudication``, ``gold``) and how it was reviewed
    (``review_info``: mode, reviewers, adjudicator, fields in disagreement)."""
    db.table("settings").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db.table("reviews").create(
        {
            "id": int,
            "sha256": str,
            "reviewer": str,
            "status": str,
            "started_at": str,
            "updated_at": str,
            "verified_at": str,
            "note": str,
            "current_json": str,
        },
        pk="id",
        not_null=["sha256", "reviewer", "status", "started_at", "updated_at", "current_json"],
        if_not_exists=True,
    )
    db.table("reviews").create_index(["sha256", "reviewer"], unique=True, if_not_exists=True)
    db.table("audit").add_column("review_id", int)
    letters = db.table("letters")
    letters.add_column("stage", str)
    letters.add_column("review_info", str)
    letters.create_index(["stage"], if_not_exists=True)
    db.execute("PRAGMA user_version = 5")


@MIGRATIONS()
def m006_seeded_checks(db: Database) -> None:
    """Seeded checks: what each reviewer did with the altered value a letter showed them
    (caught or missed), one row a letter and reviewer. The values are JSON."""
    db.table("checks").create(
        {
            "id": int,
            "sha256": str,
            "reviewer": str,
            "field": str,
            "kind": str,
            "shown_json": str,
            "original_json": str,
            "outcome": str,
            "at": str,
        },
        pk="id",
        not_null=["sha256", "reviewer", "field", "kind", "outcome", "at"],
        if_not_exists=True,
    )
    checks = db.table("checks")
    checks.create_index(["sha256", "reviewer"], unique=True, if_not_exists=True)
    checks.create_index(["reviewer", "outcome"], if_not_exists=True)
    db.execute("PRAGMA user_version = 6")


@MIGRATIONS()
def m007_claims(db: Database) -> None:
    """Claims: which reviewer is working on a letter, since and until when (ISO UTC). A
    letter under double review may have one a reviewer; any other letter one live claim.
    ``review_places``: who reviews a letter and how far, without the values (on a team server
    the reviews table shows a reviewer only their own review)."""
    db.table("claims").create(
        {"sha256": str, "reviewer": str, "since": str, "until": str},
        pk=("sha256", "reviewer"),
        not_null=["since", "until"],
        if_not_exists=True,
    )
    db.table("claims").create_index(["reviewer"], if_not_exists=True)
    db.execute(
        "CREATE VIEW IF NOT EXISTS review_places AS SELECT sha256, reviewer, status FROM reviews"
    )
    db.execute("PRAGMA user_version = 7")
