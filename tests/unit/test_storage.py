"""The review database: letters, edits with their audit rows, queue queries, and faults."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest
from fake_letters import fake_record

from imr_desk.domain import get_path, set_path
from imr_desk.storage import (
    SCHEMA_VERSION,
    LetterStore,
    NoDatabaseError,
    SchemaTooNewError,
    StorageError,
    default_db_path,
    os_user,
    records,
)
from imr_desk.storage.queries import is_older_version


@pytest.fixture
def store(tmp_path: Path) -> LetterStore:
    opened = LetterStore.open(tmp_path / "letters.db", reviewer="ann")
    yield opened
    opened.close()


def add(store: LetterStore, n: int = 1, **kw: object) -> str:
    record = fake_record(n, **kw)
    assert store.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    return record["source"]["sha256"]


def test_open_creates_an_owner_only_wal_database_at_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "letters.db"
    LetterStore.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    LetterStore.open(path).close()  # re-opening applies nothing twice


def test_open_without_create_refuses_a_missing_file_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "letters.db"
    with pytest.raises(NoDatabaseError, match=f"no database at {path}"):
        LetterStore.open(path, create=False)
    assert list(tmp_path.iterdir()) == []
    LetterStore.open(path).close()
    LetterStore.open(path, create=False).close()


def test_default_path_is_in_the_user_data_directory_and_reviewer_is_the_os_user(
    tmp_path: Path,
) -> None:
    assert default_db_path().name == "letters.db"
    assert "imr-desk" in str(default_db_path())
    with LetterStore.open(tmp_path / "a.db") as opened:
        assert opened.reviewer == os_user()


def test_add_letter_keeps_the_parser_record_and_refuses_the_same_sha256(
    store: LetterStore,
) -> None:
    record = fake_record(1)
    assert store.add_letter(record, source_path="/in/a.pdf", parser_version="p1")
    assert not store.add_letter(record, source_path="/in/copy.pdf", parser_version="p1")
    row = store.get(record["source"]["sha256"])
    assert row.parsed == record
    assert row.current["letter"] == record["letter"]
    assert (row.status, row.source_path, row.case_number) == ("parsed", "/in/a.pdf", "CM16-0000001")
    assert (row.pages, row.layout, row.parser_version, row.min_confidence) == (2, "B", "p1", 0.9)
    assert store.count_letters() == 1
    with pytest.raises(KeyError):
        store.get("0" * 64)


def test_set_field_writes_value_provenance_and_audit_and_starts_the_review(
    store: LetterStore,
) -> None:
    sha = add(store)
    box = [{"page": 1, "rect": [10.0, 20.0, 30.0, 40.0]}]
    row = store.set_field(sha, "letter.patient_age", 57, boxes=box)
    assert row.current["letter"]["patient_age"] == 57
    assert row.parsed["letter"]["patient_age"] == 48
    assert row.status == "in_progress"
    assert row.human_fields == {"letter.patient_age"}
    entry = next(p for p in row.current["provenance"] if p["field"] == "letter.patient_age")
    assert entry == {"field": "letter.patient_age", "confidence": 1.0, "boxes": box}
    changes = [(a.field, a.old, a.new, a.reviewer) for a in store.audit(sha)]
    assert changes == [
        ("letter.patient_age", 48, 57, "ann"),
        ("status", "parsed", "in_progress", "ann"),
    ]


def test_a_typed_value_without_boxes_has_an_empty_provenance(store: LetterStore) -> None:
    sha = add(store)
    row = store.set_field(sha, "letter.case_number", "CM16-0000009")
    entry = next(p for p in row.current["provenance"] if p["field"] == "letter.case_number")
    assert entry["boxes"] == []
    assert row.case_number == "CM16-0000009"
    assert store.list_letters(search="0000009")[0].sha256 == sha


def test_outcome_follows_decisions_until_a_person_sets_it(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "upheld"))
    row = store.set_field(sha, "items.1.decision", "overturned")
    assert row.outcome == "partially_overturned"
    assert "letter.outcome" not in row.human_fields
    assert store.audit(sha)[1].field == "letter.outcome"
    store.set_field(sha, "letter.outcome", "upheld")
    row = store.set_field(sha, "items.0.decision", "overturned")
    assert row.outcome == "upheld"


def test_item_add_move_remove_renumber_human_fields_and_provenance(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    store.set_field(sha, "items.1.treatment", "Second")
    row = store.add_item(sha, index=0, item={"treatment": "New", "decision": "upheld"})
    assert [i["treatment"] for i in row.current["items"]] == ["New", "Treatment 1.0", "Second"]
    assert row.human_fields == {"items.2.treatment"}
    assert row.current["items"][0]["category"] is None  # every key present
    row = store.move_item(sha, 2, 0)
    assert [i["treatment"] for i in row.current["items"]] == ["Second", "New", "Treatment 1.0"]
    assert row.human_fields == {"items.0.treatment"}
    treatment_boxes = [p["field"] for p in row.current["provenance"] if "treatment" in p["field"]]
    assert treatment_boxes == ["items.0.treatment", "items.1.treatment", "items.2.treatment"]
    row = store.remove_item(sha, 0)
    assert [i["treatment"] for i in row.current["items"]] == ["New", "Treatment 1.0"]
    assert row.human_fields == frozenset()
    assert row.outcome == "upheld"
    fields = [a.field for a in store.audit(sha) if a.field.count(".") == 1 and "items" in a.field]
    assert fields == ["items.0", "items.2", "items.0", "items.0"]
    last = store.audit(sha)[-2]  # the removal; the outcome change follows it
    assert (last.field, last.old["treatment"], last.new) == ("items.0", "Second", None)


def test_set_field_can_restore_the_parser_confidence_and_unmark_the_field(
    store: LetterStore,
) -> None:
    sha = add(store, confidence=0.8)
    path = "letter.case_number"
    before = next(p for p in store.get(sha).current["provenance"] if p["field"] == path)
    old = get_path(store.get(sha).current, path)
    store.set_field(sha, path, "CM16-0000099")
    row = store.set_field(
        sha, path, old, boxes=before["boxes"], confidence=before["confidence"], human=False
    )
    assert get_path(row.current, path) == old
    assert next(p for p in row.current["provenance"] if p["field"] == path) == before
    assert path not in row.human_fields
    assert [a.new for a in store.audit(sha) if a.field == path][-1] == old


def test_a_restored_outcome_is_not_re_derived_from_the_items(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    store.set_field(sha, "letter.outcome", "upheld")
    row = store.set_field(sha, "letter.outcome", "partially_overturned", human=False)
    assert row.outcome == "partially_overturned" and "letter.outcome" not in row.human_fields


def test_add_item_can_put_back_a_removed_item_with_its_provenance(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"), confidence=0.7)
    store.set_field(sha, "items.0.treatment", "Edited")
    row = store.get(sha)
    item = row.current["items"][0]
    entries = [p for p in row.current["provenance"] if p["field"].startswith("items.0.")]
    store.remove_item(sha, 0)
    row = store.add_item(
        sha, index=0, item=item, provenance=entries, human={"items.0.treatment", "letter.x"}
    )
    assert row.current["items"][0] == item
    assert [p for p in row.current["provenance"] if p["field"].startswith("items.0.")] == entries
    assert row.human_fields == {"items.0.treatment"}
    assert {p["confidence"] for p in entries} == {0.7, 1.0}


def test_invalid_item_indexes_and_fields_change_nothing(store: LetterStore) -> None:
    sha = add(store)
    with pytest.raises(IndexError):
        store.remove_item(sha, 5)
    with pytest.raises(IndexError):
        store.move_item(sha, 0, 3)
    with pytest.raises(KeyError):
        store.set_field(sha, "letter.no_such_field", 1)
    with pytest.raises(IndexError):
        store.set_field(sha, "items.4.decision", "upheld")
    assert store.audit(sha) == []
    assert store.get(sha).status == "parsed"


def test_set_status_verified_stamps_time_and_note_and_can_be_reopened(store: LetterStore) -> None:
    sha = add(store)
    row = store.set_status(sha, "verified", note="checked twice")
    assert (row.status, row.note, row.reviewer) == ("verified", "checked twice", "ann")
    assert row.verified_at and row.verified_at.endswith("Z")
    assert store.set_status(sha, "in_progress").verified_at is None
    with pytest.raises(ValueError, match="not a status"):
        store.set_status(sha, "done")
    assert [a.field for a in store.audit(sha)] == ["status", "note", "status"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda store, sha: store.set_field(sha, "letter.patient_age", 57),
        lambda store, sha: store.add_item(sha),
        lambda store, sha: store.remove_item(sha, 0),
        lambda store, sha: store.move_item(sha, 0, 1),
    ],
    ids=["set_field", "add_item", "remove_item", "move_item"],
)
def test_editing_a_verified_letter_reopens_it_for_review(store: LetterStore, edit) -> None:
    # Regression: an edit left the letter verified, so unchecked values reached the dataset.
    sha = add(store, decisions=("upheld", "overturned"))
    store.set_status(sha, "verified")
    before = len(store.audit(sha))
    row = edit(store, sha)
    assert (row.status, row.verified_at) == ("in_progress", None)
    status_changes = [(a.old, a.new) for a in store.audit(sha)[before:] if a.field == "status"]
    assert status_changes == [("verified", "in_progress")]
    assert store.count_letters(status="verified") == 0


def test_editing_a_flagged_letter_keeps_the_flag(store: LetterStore) -> None:
    sha = add(store)
    store.set_status(sha, "flagged")
    assert store.set_field(sha, "letter.patient_age", 57).status == "flagged"


def test_list_letters_filters_pages_and_counts(store: LetterStore) -> None:
    shas = [add(store, n, decisions=("upheld",) if n % 2 else ("overturned",)) for n in range(1, 8)]
    add(store, 8, confidence=0.3, layout="A")
    store.set_status(shas[0], "verified")
    assert [r.sha256 for r in store.list_letters(limit=3, offset=2)] == shas[2:5]
    assert store.list_letters()[0].current == {}  # listings are light
    assert store.list_letters(full=True)[0].current["letter"]["case_number"] == "CM16-0000001"
    assert store.count_letters(status="verified") == 1
    assert store.count_letters(outcome="overturned") == 3
    assert store.count_letters(layout="A") == 1
    assert [r.case_number for r in store.list_letters(low_confidence=True)] == ["CM16-0000008"]
    assert store.count_letters(search="0000003") == 1
    assert store.count_letters(search="%") == 0  # a wildcard is searched as text


def test_next_letter_walks_the_queue_in_import_order_and_wraps(store: LetterStore) -> None:
    a, b, c = (add(store, n) for n in (1, 2, 3))
    store.set_status(b, "skipped")
    assert store.next_letter(None) == a
    assert store.next_letter(a) == c
    assert store.next_letter(c) == a
    store.set_status(a, "verified")
    store.set_status(c, "verified")
    assert store.next_letter(c) is None


def test_progress_counts_every_status_and_todays_verifications(store: LetterStore) -> None:
    a = add(store, 1)
    add(store, 2)
    store.set_status(a, "verified")
    assert store.progress() == {
        "parsed": 1,
        "in_progress": 0,
        "verified": 1,
        "flagged": 0,
        "skipped": 0,
        "verified_today": 1,
    }


def test_edits_survive_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    with LetterStore.open(path, reviewer="ann") as first:
        sha = add(first)
        first.set_field(sha, "letter.patient_sex", "female")
    with LetterStore.open(path) as second:
        row = second.get(sha)
        assert row.current["letter"]["patient_sex"] == "female"
        assert row.reviewer == "ann"


# --- faults --------------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    with LetterStore.open(path) as store:
        add(store)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(SchemaTooNewError, match="newer IMR Desk"):
        LetterStore.open(path)
    assert digest(path) == before


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not an IMR Desk database"):
        LetterStore.open(path)


def test_a_locked_database_gives_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    store = LetterStore.open(path, busy_timeout=0.1)
    sha = add(store)
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(StorageError, match="locked by another program"):
        store.set_field(sha, "letter.patient_age", 60)
    with pytest.raises(StorageError, match="locked"):
        store.add_letter(fake_record(2), source_path="/x", parser_version="p1")
    other.rollback()
    other.close()
    assert store.get(sha).current["letter"]["patient_age"] == 48
    assert not store.has_letter(fake_record(2)["source"]["sha256"])
    assert store.set_field(sha, "letter.patient_age", 60).current["letter"]["patient_age"] == 60
    store.close()


def test_a_read_only_database_refuses_writes_clearly_and_keeps_its_letters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "letters.db"
    with LetterStore.open(path) as store:
        sha = add(store)
    with LetterStore.open(path, read_only=True) as readonly:
        with pytest.raises(StorageError, match="read-only"):
            readonly.set_field(sha, "letter.patient_age", 60)
        assert readonly.get(sha).current["letter"]["patient_age"] == 48


def test_a_full_disk_saves_no_partial_letter_and_keeps_earlier_ones(store: LetterStore) -> None:
    sha = add(store, 1)
    pages = store._db.conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite reports SQLITE_FULL exactly as for a full disk once this page limit is reached.
    store._db.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = fake_record(2)
    big["letter"]["case_summary"] = "x" * 200_000
    with pytest.raises(StorageError, match="disk is full"):
        store.add_letter(big, source_path="/in/big.pdf", parser_version="p1")
    with pytest.raises(StorageError, match="disk is full"):
        store.set_field(sha, "letter.case_summary", "y" * 200_000)
    assert not store.has_letter(big["source"]["sha256"])
    row = store.get(sha)
    assert row.current["letter"]["case_summary"] is None
    assert row.status == "parsed"
    assert store.audit(sha) == []
    assert store.integrity_check() == "ok"


LATER_MIGRATIONS = ("m002_search_and_today_indexes", "m003_item_origins")


def test_an_older_database_is_migrated_forward_keeping_its_letters(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    with LetterStore.open(path) as store:
        sha = add(store)
    conn = sqlite3.connect(path)  # make it look like a schema-1 file
    conn.execute("DROP INDEX letters_search")
    conn.execute("ALTER TABLE letters DROP COLUMN item_origins")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN (?, ?)", LATER_MIGRATIONS)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with LetterStore.open(path) as store:
        assert store.get(sha).case_number == "CM16-0000001"
        assert store.get(sha).item_origins == (0,)
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "letters_search" in names
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()


@pytest.mark.parametrize(
    ("stored", "current", "older"),
    [
        ("1.2.9", "1.2.10", True),
        ("1.2.10", "1.2.9", False),  # as text "1.2.10" < "1.2.9": the old bug's direction
        ("1.9.3", "1.10.0", True),
        ("1.2.10", "1.2.10", False),
        ("1.2", "1.2.0", False),
        ("v1", "v2", True),
        (None, "1.0.0", True),  # no version recorded: the oldest
        ("unknown", "1.0.0", True),
        ("1.0.0", "unknown", False),  # an unversioned parser is not newer than anything
    ],
)
def test_is_older_version_compares_numbers_not_text(
    stored: str | None, current: str, older: bool
) -> None:
    assert is_older_version(stored, current) is older


def test_reparse_candidates_are_letters_of_strictly_older_parsers(store: LetterStore) -> None:
    # Regression: every other version was a candidate, so --reparse with an older parser
    # overwrote the results of a newer one.
    versions = {"1.2.9": 1, "1.2.10": 2, "1.10.0": 3}
    shas = {}
    for version, n in versions.items():
        record = fake_record(n)
        store.add_letter(record, source_path=f"/in/{n}.pdf", parser_version=version)
        shas[version] = record["source"]["sha256"]
    assert store.reparse_candidates("1.2.10") == [(shas["1.2.9"], "/in/1.pdf")]
    assert store.reparse_candidates("1.2.9") == []
    assert [sha for sha, _ in store.reparse_candidates("1.11")] == list(shas.values())


def test_set_value_is_the_domain_set_path_plus_the_reviewers_provenance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One implementation of "set a field in a record": storage builds on domain.set_path.
    record = fake_record(1, decisions=("upheld", "upheld"))
    calls = []

    def spy(*args: object) -> dict:
        calls.append(args[1:])
        return set_path(*args)

    monkeypatch.setattr(records, "set_path", spy)
    changed = records.set_value(record, "items.1.decision", "overturned", None)
    assert calls == [("items.1.decision", "overturned")]
    expected = set_path(record, "items.1.decision", "overturned")
    assert {**changed, "provenance": []} == {**expected, "provenance": []}
    assert {"field": "items.1.decision", "confidence": 1.0, "boxes": []} in changed["provenance"]
    assert record == fake_record(1, decisions=("upheld", "upheld"))  # the input is untouched


def test_edits_return_the_row_as_stored_without_reading_it_again(
    store: LetterStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each committed edit read the letter back with get() after writing it, decoding its
    # JSON again; the row is now built from the record the edit already holds.
    sha = add(store, decisions=("upheld", "overturned"))
    store.set_status(sha, "verified", note="checked")
    edits = [
        lambda: store.set_field(sha, "letter.patient_age", 50),
        lambda: store.set_field(sha, "letter.patient_age", 50),  # no change
        lambda: store.add_item(sha, index=0, item={"treatment": "X", "decision": "upheld"}),
        lambda: store.move_item(sha, 0, 2),
        lambda: store.move_item(sha, 1, 1),  # no move
        lambda: store.remove_item(sha, 0),
        lambda: store.set_field(sha, "items.0.decision", "upheld"),
    ]
    real_get = store.get
    for edit in edits:
        monkeypatch.setattr(store, "get", lambda s: pytest.fail("read back"))
        returned = edit()
        monkeypatch.setattr(store, "get", real_get)
        assert returned == store.get(sha)
    assert returned.outcome == "upheld" and returned.status == "in_progress"
