"""Schema 3 -> 4: a database made by the release before item ids migrates without loss.

``tests/data/legacy-v3`` holds a database written by that release (``make_legacy_v3.py``:
field edits, a decision flip, an added item moved to the front, a removal undone, a removal
undone and redone, a verified letter reopened by another reviewer, a hand-set outcome) and
the export that release wrote from it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3
from pathlib import Path

import pytest

from imr_desk.export import export_dataset
from imr_desk.record import FieldRef
from imr_desk.storage import SCHEMA_VERSION, LetterStore

DATA = Path(__file__).resolve().parents[1] / "data" / "legacy-v3"


@pytest.fixture
def legacy_db(tmp_path: Path) -> Path:
    """The schema-3 database, restored from its SQL dump."""
    db = tmp_path / "legacy.db"
    conn = sqlite3.connect(db)
    conn.executescript(gzip.decompress((DATA / "db.sql.gz").read_bytes()).decode())
    conn.close()
    return db


def _legacy(name: str) -> str:
    return gzip.decompress((DATA / f"export-all-{name}.gz").read_bytes()).decode()  # CRLF kept


NEW_REVIEW_KEYS = ("mode", "reviewers", "adjudicator", "disagreements", "blind", "not_in_letter")
NEW_CSV_COLUMNS = (
    "review_mode",
    "reviewers",
    "adjudicator",
    "disagreements",
    "blind",
    "not_in_letter",
)


def _without_ids(record: dict) -> dict:
    """A record as the old release wrote it: no item ids, no review-mode keys (single review
    for every migrated letter: checked apart)."""
    review = {k: v for k, v in record["review"].items() if k not in NEW_REVIEW_KEYS}
    items = [{k: v for k, v in i.items() if k != "id"} for i in record["items"]]
    return {**record, "items": items, "review": review}


def _without_columns(text: str, dropped: tuple[str, ...]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    keep = [i for i, name in enumerate(rows[0]) if name not in dropped]
    return [[row[i] for i in keep] for row in rows]


def _export(db: Path, out: Path) -> LetterStore:
    store = LetterStore.open(db, reviewer="carol")
    export_dataset(store, out, selection="all")
    return store


def test_migrated_export_equals_the_old_export_apart_from_item_ids(
    legacy_db: Path, tmp_path: Path
) -> None:
    store = _export(legacy_db, tmp_path / "out")
    store.close()
    old = [json.loads(line) for line in _legacy("letters.jsonl").splitlines()]
    new_lines = (tmp_path / "out" / "letters.jsonl").read_text().splitlines()
    new = [json.loads(line) for line in new_lines]
    assert len(new) == len(old) == 10
    assert [_without_ids(record) for record in new] == old
    assert {record["review"]["mode"] for record in new} == {"single"}
    with (tmp_path / "out" / "letters.csv").open(newline="") as handle:
        assert _without_columns(handle.read(), NEW_CSV_COLUMNS) == _without_columns(
            _legacy("letters.csv"), ()
        )


def test_migrated_items_csv_gains_only_the_item_id_column(legacy_db: Path, tmp_path: Path) -> None:
    _export(legacy_db, tmp_path / "out").close()
    old = list(csv.reader(io.StringIO(_legacy("items.csv"))))
    with (tmp_path / "out" / "items.csv").open(newline="") as handle:
        new = list(csv.reader(handle))
    at = new[0].index("item_id")
    assert [row[:at] + row[at + 1 :] for row in new] == old
    assert all(row[at] for row in new[1:])


def test_migration_keeps_parser_item_ids_through_moves_and_undone_removals(
    legacy_db: Path, tmp_path: Path
) -> None:
    with LetterStore.open(legacy_db) as store:
        letters = {row.sha256: row.full for row in store.iter_letters()}
    ids = {sha: [item.id for item in letter.items] for sha, letter in letters.items()}
    # The letter whose added item was moved to the front: a new id first, parser ids after,
    # each parser id once, and the undone removal brought the same parser item back.
    moved = next(items for items in ids.values() if not items[0].startswith("p"))
    assert all(item.startswith("p") for item in moved[1:])
    assert len(set(moved)) == len(moved)
    # The letter whose first item was removed (undone, then redone): p1 is gone, and counted.
    removed = [letter for letter in letters.values() if letter.removed_items() == 1]
    assert len(removed) == 1 and "p1" not in [item.id for item in removed[0].items]


def test_migrated_audit_rows_name_items_by_id_and_still_read(legacy_db: Path) -> None:
    with LetterStore.open(legacy_db) as store:
        audit = store.audit()
        letters = {row.sha256: row.full for row in store.iter_letters()}
    assert len(audit) == 34
    item_rows = [entry for entry in audit if entry.field.startswith("items.")]
    assert item_rows and not any(entry.field.split(".")[1].isdigit() for entry in item_rows)
    for entry in item_rows:
        item_id = entry.field.split(".")[1]
        letter = letters[entry.sha256]
        known = {item.id for item in letter.items} | set(letter.parser_items)
        assert item_id in known or item_id.startswith("n"), entry
    # Who set a field survives: bob reopened and edited a verified letter.
    edited_by_bob = [e for e in audit if e.reviewer == "bob" and e.field.endswith(".rationale")]
    assert edited_by_bob
    ref = FieldRef.parse(edited_by_bob[-1].field)
    assert letters[edited_by_bob[-1].sha256].field(ref).set_by == "bob"


def test_migration_runs_once_and_leaves_the_current_schema(legacy_db: Path) -> None:
    LetterStore.open(legacy_db).close()
    LetterStore.open(legacy_db).close()
    conn = sqlite3.connect(legacy_db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute(
        "SELECT count(*) FROM letters WHERE human_fields IS NOT NULL"
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM letters WHERE item_origins IS NOT NULL"
    ).fetchone() == (0,)


def test_a_stored_letter_missing_a_field_reads_it_as_unset_and_drops_unknown_ones() -> None:
    from imr_desk.domain import empty_record
    from imr_desk.record import Letter
    from imr_desk.storage.codec import letter_json, load_letter

    record = empty_record(file_name="a.pdf", sha256="a" * 64, pages=1)
    record["letter"]["case_number"] = "CM16-0213037"
    record["items"] = [{"treatment": "MRI", "decision": "upheld"}]
    stored = letter_json(Letter.from_parsed(record))
    del stored["letter"]["diagnoses"], stored["items"][0]["fields"]["category"]
    stored["letter"]["retired_field"] = {"value": "x", "parsed": "x"}
    letter = load_letter(json.dumps(stored), status="parsed", note=None)
    assert list(letter.fields) == list(Letter.from_parsed(record).fields)
    assert letter.fields["diagnoses"].value == () and letter.items[0].value("category") is None
    assert letter.fields["case_number"].value == "CM16-0213037"


def _last_audited_values_match(store: LetterStore) -> int:
    """Every item field's last audit row says the value the migrated item holds now; how many
    item fields were checked."""
    letters = {row.sha256: row.full for row in store.iter_letters()}
    last: dict[tuple[str, str], object] = {}
    for entry in store.audit():
        if entry.field.startswith("items.") and entry.field.count(".") == 2:
            last[(entry.sha256, entry.field)] = entry.new
    checked = 0
    for (sha, path), value in last.items():
        ref = FieldRef.parse(path)
        letter = letters[sha]
        if ref.item in {item.id for item in letter.items}:
            now = letter.value(ref)
            assert (list(now) if isinstance(now, tuple) else now) == value, (sha, path)
            checked += 1
    return checked


def test_migrated_audit_rows_name_the_item_that_holds_their_value(legacy_db: Path) -> None:
    with LetterStore.open(legacy_db) as store:
        assert _last_audited_values_match(store) >= 5


def test_letters_edited_before_item_origins_take_their_ids_from_the_history(
    legacy_db: Path,
) -> None:
    conn = sqlite3.connect(legacy_db)
    conn.execute("UPDATE letters SET item_origins = NULL")  # as schema 2 left every letter
    conn.commit()
    conn.close()
    with LetterStore.open(legacy_db) as store:
        assert _last_audited_values_match(store) >= 5
        letters = [row.full for row in store.iter_letters()]
    moved = next(letter for letter in letters if not letter.items[0].id.startswith("p"))
    assert moved.items[0].value("treatment") == "Acupuncture x6"
    for letter in letters:
        ids = [item.id for item in letter.items]
        assert len(set(ids)) == len(ids)


def test_every_copy_of_a_database_migrates_to_the_same_item_ids(
    legacy_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(legacy_db.read_bytes())
    ids = []
    for db in (legacy_db, copy):
        with LetterStore.open(db) as store:
            ids.append([[i.id for i in row.full.items] for row in store.iter_letters()])
            ids.append([entry.field for entry in store.audit()])
    assert ids[0] == ids[2] and ids[1] == ids[3]
