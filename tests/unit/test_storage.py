"""The review database: letters, edits with their audit rows, queue queries, and faults."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fake_letters import fake_record

from imr_desk.edits import AddItem, Edit, MoveItem, RemoveItem, SetField, SetStatus, VerifyRefused
from imr_desk.record import Box, FieldRef, Item
from imr_desk.storage import (
    SCHEMA_VERSION,
    LetterRow,
    LetterStore,
    NoDatabaseError,
    SchemaTooNewError,
    StorageError,
    default_db_path,
    os_user,
)
from imr_desk.storage.queries import is_older_version
from imr_desk.validation import blocking, refusal, validate

if TYPE_CHECKING:
    from tests.conftest import EngineProject

AGE = FieldRef("patient_age")
OUTCOME = FieldRef("outcome")


@pytest.fixture
def store(project: EngineProject) -> LetterStore:
    """ann's desk on an empty project, on each engine (closed by ``project``). The tests of
    the SQLite file itself (its mode, journal, migrations, locks) open one of their own."""
    return project.open("ann")


def add(store: LetterStore, n: int = 1, **kw: object) -> str:
    record = fake_record(n, **kw)
    assert store.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    return record["source"]["sha256"]


def apply(store: LetterStore, sha: str, edit: Edit) -> LetterRow:
    """The row as ``store.apply`` wrote it (its inverse dropped)."""
    return store.apply(sha, edit)[0]


def ids(row: LetterRow) -> list[str]:
    return [item.id for item in row.full.items]


def treatments(row: LetterRow) -> list[str]:
    return [item.value("treatment") for item in row.full.items]


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
    assert row.full.to_json()["letter"] == record["letter"]
    assert ids(row) == ["p1"]  # the parser's id for a record whose items carry none
    assert (row.status, row.source_path, row.case_number) == ("parsed", "/in/a.pdf", "CM16-0000001")
    assert (row.pages, row.layout, row.parser_version, row.min_confidence) == (2, "B", "p1", 0.9)
    assert store.count_letters() == 1
    with pytest.raises(KeyError):
        store.get("0" * 64)


def test_set_field_writes_value_evidence_and_audit_and_starts_the_review(
    store: LetterStore,
) -> None:
    sha = add(store)
    box = Box(1, (10.0, 20.0, 30.0, 40.0))
    row = apply(store, sha, SetField(AGE, 57, boxes=(box,)))
    field = row.full.field(AGE)
    assert (field.value, field.parsed, field.confidence, field.boxes) == (57, 48, 1.0, (box,))
    assert field.set_by == "ann"
    assert row.parsed["letter"]["patient_age"] == 48
    assert row.status == "in_progress"
    assert store.get(sha) == row
    changes = [(a.field, a.old, a.new, a.reviewer) for a in store.audit(sha)]
    assert changes == [
        ("letter.patient_age", 48, 57, "ann"),
        ("status", "parsed", "in_progress", "ann"),
    ]


def test_a_typed_value_has_no_evidence_boxes_and_updates_the_search_column(
    store: LetterStore,
) -> None:
    sha = add(store)
    row = apply(store, sha, SetField(FieldRef("case_number"), "CM16-0000009"))
    assert row.full.field(FieldRef("case_number")).boxes == ()
    assert row.case_number == "CM16-0000009"
    assert store.list_letters(search="0000009")[0].sha256 == sha


def test_outcome_follows_decisions_until_a_person_sets_it(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "upheld"))
    row = apply(store, sha, SetField(FieldRef("decision", "p2"), "overturned"))
    assert row.outcome == "partially_overturned"
    assert not row.full.field(OUTCOME).is_human
    assert store.audit(sha)[1].field == "letter.outcome"
    apply(store, sha, SetField(OUTCOME, "upheld"))
    row = apply(store, sha, SetField(FieldRef("decision", "p1"), "overturned"))
    assert row.outcome == "upheld"


def test_item_add_move_remove_keep_each_items_values_and_marks(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    apply(store, sha, SetField(FieldRef("treatment", "p2"), "Second"))
    row = apply(store, sha, AddItem(index=0))
    new = row.full.items[0].id
    assert new.startswith("n") and ids(row) == [new, "p1", "p2"]
    assert row.full.item(new).value("category") is None  # every field present
    apply(store, sha, SetField(FieldRef("treatment", new), "New"))
    apply(store, sha, SetField(FieldRef("decision", new), "upheld"))
    row = apply(store, sha, MoveItem("p2", 0))
    assert treatments(row) == ["Second", "New", "Treatment 1.0"]
    assert row.full.item("p2")["treatment"].set_by == "ann"
    assert row.full.item("p1")["treatment"].set_by is None
    assert row.full.item("p1")["treatment"].confidence == 0.9
    row = apply(store, sha, RemoveItem("p2"))
    assert treatments(row) == ["New", "Treatment 1.0"]
    assert row.outcome == "upheld"
    items = [a for a in store.audit(sha) if a.field.count(".") == 1 and "items" in a.field]
    assert [a.field for a in items] == [f"items.{new}", "items.p2", "items.p2"]
    assert (items[0].old, items[0].new["id"]) == (None, new)
    assert (items[-1].old["treatment"], items[-1].new) == ("Second", None)


def test_the_inverse_of_set_field_restores_the_parsers_value_evidence_and_mark(
    store: LetterStore,
) -> None:
    sha = add(store, confidence=0.8)
    ref = FieldRef("case_number")
    before = store.get(sha).full.field(ref)
    _, inverse = store.apply(sha, SetField(ref, "CM16-0000099"))
    row = apply(store, sha, inverse)
    assert row.full.field(ref) == before
    assert not row.full.field(ref).is_human
    assert [a.new for a in store.audit(sha) if a.field == str(ref)][-1] == before.value


def test_a_restored_outcome_is_not_re_derived_from_the_items(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    _, inverse = store.apply(sha, SetField(OUTCOME, "upheld"))
    row = apply(store, sha, inverse)
    assert row.outcome == "partially_overturned"
    assert not row.full.field(OUTCOME).is_human


def test_undoing_a_decision_edit_puts_the_derived_outcome_back(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    before = store.get(sha).full
    row, inverse = store.apply(sha, SetField(FieldRef("decision", "p2"), "upheld"))
    assert row.outcome == "upheld"
    row = apply(store, sha, inverse)
    assert row.full.fields == before.fields and row.full.items == before.items


def test_unknown_items_positions_and_fields_change_nothing(store: LetterStore) -> None:
    sha = add(store)
    with pytest.raises(KeyError):
        store.apply(sha, RemoveItem("p5"))
    with pytest.raises(IndexError):
        store.apply(sha, MoveItem("p1", 3))
    with pytest.raises(KeyError):
        store.apply(sha, SetField(FieldRef("no_such_field"), 1))
    with pytest.raises(KeyError):
        store.apply(sha, SetField(FieldRef("decision", "p4"), "upheld"))
    with pytest.raises(KeyError):
        store.apply("0" * 64, SetField(AGE, 50))
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


def test_set_status_refuses_to_verify_an_invalid_letter_and_writes_nothing(
    store: LetterStore,
) -> None:
    record = fake_record(1)
    record["letter"]["case_number"] = None
    store.add_letter(record, source_path="/in/1.pdf", parser_version="p1")
    sha = record["source"]["sha256"]
    before = store.get(sha)
    with pytest.raises(VerifyRefused) as refused:
        store.set_status(sha, "verified", note="looks fine")
    sentence = "Not verified: 1 issue to fix (Case number is required)"
    assert str(refused.value) == refusal(blocking(validate(before.full))) == sentence
    assert [issue.path for issue in refused.value.issues] == ["letter.case_number"]
    assert store.get(sha) == before
    assert store.audit(sha) == []
    apply(store, sha, SetField(FieldRef("case_number"), "CM16-0000001"))
    row = store.set_status(sha, "verified")
    assert row.status == "verified" and row.verified_at
    assert store.get(sha) == row


@pytest.mark.parametrize(
    "edit",
    [SetField(AGE, 57), AddItem(), RemoveItem("p1"), MoveItem("p1", 1)],
    ids=["set_field", "add_item", "remove_item", "move_item"],
)
def test_editing_a_verified_letter_reopens_it_for_review(store: LetterStore, edit: Edit) -> None:
    # Regression: an edit left the letter verified, so unchecked values reached the dataset.
    sha = add(store, decisions=("upheld", "overturned"))
    store.set_status(sha, "verified")
    before = len(store.audit(sha))
    row = apply(store, sha, edit)
    assert (row.status, row.verified_at) == ("in_progress", None)
    status_changes = [(a.old, a.new) for a in store.audit(sha)[before:] if a.field == "status"]
    assert status_changes == [("verified", "in_progress")]
    assert store.count_letters(status="verified") == 0


def test_editing_a_flagged_letter_keeps_the_flag(store: LetterStore) -> None:
    sha = add(store)
    store.set_status(sha, "flagged")
    assert apply(store, sha, SetField(AGE, 57)).status == "flagged"


def test_an_edit_that_changes_nothing_writes_no_audit_row_and_keeps_the_letter_verified(
    store: LetterStore,
) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    apply(store, sha, SetField(AGE, 50))
    verified = store.set_status(sha, "verified")
    logged = len(store.audit(sha))
    for edit in (SetField(AGE, 50), MoveItem("p2", 1), SetStatus("verified")):
        assert apply(store, sha, edit) == verified
    assert store.get(sha) == verified
    assert len(store.audit(sha)) == logged


def test_audit_rows_name_items_by_id_and_the_stores_reviewer(project: EngineProject) -> None:
    with project.open("ann") as ann:
        sha = add(ann, decisions=("upheld", "upheld"))
        ann.apply(sha, SetField(FieldRef("decision", "p2"), "overturned"))
    with project.open("bob") as bob:
        bob.apply(sha, MoveItem("p2", 0))
        log = [(a.field, a.old, a.new, a.reviewer) for a in bob.audit(sha)]
    assert log == [
        ("items.p2.decision", "upheld", "overturned", "ann"),
        ("letter.outcome", "upheld", "partially_overturned", "ann"),
        ("status", "parsed", "in_progress", "ann"),
        ("items.p2", {"position": 1}, {"position": 0}, "bob"),
    ]


def test_item_ids_values_and_marks_survive_a_move_and_an_undone_removal(
    store: LetterStore,
) -> None:
    sha = add(store, decisions=("upheld", "overturned", "upheld"), confidence=0.7)
    box = Box(0, (5.0, 6.0, 7.0, 8.0))
    apply(store, sha, SetField(FieldRef("treatment", "p2"), "Edited", boxes=(box,)))
    before = store.get(sha).full
    row, back = store.apply(sha, MoveItem("p2", 0))
    assert ids(row) == ["p2", "p1", "p3"]
    assert ids(apply(store, sha, back)) == ["p1", "p2", "p3"]
    row, put_back = store.apply(sha, RemoveItem("p2"))
    assert (ids(row), row.outcome) == (["p1", "p3"], "upheld")
    assert apply(store, sha, put_back).full == before
    assert store.get(sha).full == before  # ids, order, values, evidence, set_by, outcome


def test_replace_parsed_keeps_the_item_ids_of_an_untouched_letter(store: LetterStore) -> None:
    sha = add(store, decisions=("upheld", "overturned"))
    record = fake_record(1, decisions=("upheld", "overturned"), confidence=0.95)
    record["items"][1]["treatment"] = "Read again"
    assert store.replace_parsed(record, parser_version="p2")
    row = store.get(sha)
    assert (ids(row), row.full.parser_items) == (["p1", "p2"], ("p1", "p2"))
    assert treatments(row) == ["Treatment 1.0", "Read again"]
    assert (row.parsed, row.parser_version, row.min_confidence) == (record, "p2", 0.95)


REFUSING_TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER refuse BEFORE {when} BEGIN SELECT RAISE(ABORT, 'no'); END",
        "DROP TRIGGER refuse",
    ),
    "postgresql": (
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no'; END $$; "
        "CREATE TRIGGER refuse BEFORE {when} EXECUTE FUNCTION refuse()",
        "DROP TRIGGER refuse ON {table}",
    ),
}
REFUSED_WRITES = {
    ("sqlite", "audit"): "INSERT ON audit WHEN NEW.field = 'status'",
    ("sqlite", "letters"): "UPDATE ON letters",
    ("postgresql", "audit"): "INSERT ON audit FOR EACH ROW WHEN (NEW.field = 'status')",
    ("postgresql", "letters"): "UPDATE ON letters FOR EACH ROW",
}


@pytest.mark.parametrize("table", ["audit", "letters"])
def test_apply_writes_the_letter_and_its_audit_rows_together_or_not_at_all(
    project: EngineProject, store: LetterStore, table: str
) -> None:
    sha = add(store)
    before = store.get(sha)
    # A trigger makes the second audit row (status) or the letter's UPDATE fail inside the
    # edit's transaction, whichever of the two writes comes first.
    create, drop = REFUSING_TRIGGERS[project.kind]
    project.as_owner(create.format(when=REFUSED_WRITES[project.kind, table]))
    with pytest.raises(StorageError):
        store.apply(sha, SetField(AGE, 57))
    assert store.get(sha) == before
    assert store.audit(sha) == []
    project.as_owner(drop.format(table=table))
    assert apply(store, sha, SetField(AGE, 57)).full.value(AGE) == 57


def test_list_letters_filters_pages_and_counts(store: LetterStore) -> None:
    shas = [add(store, n, decisions=("upheld",) if n % 2 else ("overturned",)) for n in range(1, 8)]
    add(store, 8, confidence=0.3, layout="A")
    store.set_status(shas[0], "verified")
    assert [r.sha256 for r in store.list_letters(limit=3, offset=2)] == shas[2:5]
    assert store.list_letters()[0].letter is None  # listings are light
    full = store.list_letters(full=True)[0]
    assert full.full.value(FieldRef("case_number")) == "CM16-0000001"
    assert store.count_letters(status="verified") == 1
    assert store.count_letters(outcome="overturned") == 3
    assert store.count_letters(layout="A") == 1
    assert [r.case_number for r in store.list_letters(low_confidence=True)] == ["CM16-0000008"]
    assert store.count_letters(search="0000003") == 1
    assert store.count_letters(search="cm16-0000003") == 1  # whatever the case typed
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


def test_edits_survive_closing_and_reopening(project: EngineProject) -> None:
    sex = FieldRef("patient_sex")
    with project.open("ann") as first:
        sha = add(first)
        first.apply(sha, SetField(sex, "female"))
    with project.open("bob") as second:
        row = second.get(sha)
        assert row.full.value(sex) == "female"
        assert row.full.field(sex).set_by == "ann"
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


def test_open_waits_for_another_program_creating_the_file_then_migrates_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "letters.db"
    path.touch()
    creator = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    creator.execute("PRAGMA journal_mode=WAL")
    creator.execute("BEGIN IMMEDIATE")  # as if migrating: the write lock is held
    released = threading.Event()

    def finish() -> None:
        creator.execute("ROLLBACK")
        released.set()

    timer = threading.Timer(0.3, finish)
    timer.start()
    try:
        # A busy_timeout shorter than the creator's work: creating waits anyway...
        with LetterStore.open(path, busy_timeout=0.05) as store:
            assert released.is_set()
            add(store)
            # ...and later writes fail fast again on a lock held that long.
            assert store.sqlite_connection().execute("PRAGMA busy_timeout").fetchone()[0] == 50
    finally:
        timer.join()
        creator.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_file_left_by_a_creator_killed_before_the_first_migration_is_migrated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "letters.db"
    conn = sqlite3.connect(path)  # older versions made this table outside any transaction
    conn.execute(
        "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
        "name TEXT, applied_at TEXT)"
    )
    conn.close()
    with LetterStore.open(path) as store:
        add(store)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_another_users_loose_database_keeps_its_mode_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permission bits")
    path = tmp_path / "letters.db"
    LetterStore.open(path).close()
    path.chmod(0o644)
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    with caplog.at_level(logging.WARNING), LetterStore.open(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert f"{path} is readable by others (mode 0644)" in caplog.text


def test_tightening_a_loose_database_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permission bits")
    path = tmp_path / "letters.db"
    LetterStore.open(path).close()
    path.chmod(0o664)
    with caplog.at_level(logging.INFO), LetterStore.open(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"{path} was mode 0664: made owner-only" in caplog.text


def test_a_read_only_open_changes_no_permissions(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    LetterStore.open(path).close()
    path.chmod(0o640)
    LetterStore.open(path, read_only=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


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
        store.apply(sha, SetField(AGE, 60))
    with pytest.raises(StorageError, match="locked"):
        store.add_letter(fake_record(2), source_path="/x", parser_version="p1")
    other.rollback()
    other.close()
    assert store.get(sha).full.value(AGE) == 48
    assert not store.has_letter(fake_record(2)["source"]["sha256"])
    assert apply(store, sha, SetField(AGE, 60)).full.value(AGE) == 60
    store.close()


def test_a_read_only_database_refuses_writes_clearly_and_keeps_its_letters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "letters.db"
    with LetterStore.open(path) as store:
        sha = add(store)
    with LetterStore.open(path, read_only=True) as readonly:
        with pytest.raises(StorageError, match="read-only"):
            readonly.apply(sha, SetField(AGE, 60))
        assert readonly.get(sha).full.value(AGE) == 48


def test_a_full_disk_saves_no_partial_letter_and_keeps_earlier_ones(tmp_path: Path) -> None:
    with LetterStore.open(tmp_path / "letters.db", reviewer="ann") as store:
        sha = add(store, 1)
        pages = store.sqlite_connection().execute("PRAGMA page_count").fetchone()[0]
        # SQLite reports SQLITE_FULL exactly as for a full disk once this page limit is reached.
        store.sqlite_connection().execute(f"PRAGMA max_page_count = {pages}")
        big = fake_record(2)
        big["letter"]["case_summary"] = "x" * 200_000
        with pytest.raises(StorageError, match="disk is full"):
            store.add_letter(big, source_path="/in/big.pdf", parser_version="p1")
        with pytest.raises(StorageError, match="disk is full"):
            store.apply(sha, SetField(FieldRef("case_summary"), "y" * 200_000))
        assert not store.has_letter(big["source"]["sha256"])
        row = store.get(sha)
        assert row.full.value(FieldRef("case_summary")) is None
        assert row.status == "parsed"
        assert store.audit(sha) == []
        assert store.integrity_check() == "ok"


LATER_MIGRATIONS = (
    "m002_search_and_today_indexes",
    "m003_item_origins",
    "m004_item_ids",
    "m005_double_review",
    "m006_seeded_checks",
    "m007_claims",
)


def test_an_older_database_is_migrated_forward_keeping_its_letters(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    with LetterStore.open(path) as store:
        sha = add(store)
        letter = store.get(sha).full
    conn = sqlite3.connect(path)  # make it look like a schema-1 file: the record as JSON
    conn.execute("UPDATE letters SET current_json = parsed_json, human_fields = '[]'")
    conn.execute("DROP INDEX letters_search")
    conn.execute("ALTER TABLE letters DROP COLUMN item_origins")
    conn.execute("DROP INDEX idx_letters_stage")
    for column in ("stage", "review_info"):
        conn.execute(f"ALTER TABLE letters DROP COLUMN {column}")
    conn.execute("ALTER TABLE audit DROP COLUMN review_id")
    conn.execute("DROP TABLE reviews")
    conn.execute("DROP TABLE settings")
    conn.execute("DROP TABLE checks")
    conn.execute("DROP TABLE claims")
    marks = ", ".join("?" * len(LATER_MIGRATIONS))
    conn.execute(f"DELETE FROM _sqlite_migrations WHERE name IN ({marks})", LATER_MIGRATIONS)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with LetterStore.open(path) as store:
        row = store.get(sha)
        assert row.case_number == "CM16-0000001"
        assert row.full == letter
        assert [item["id"] for item in row.parsed["items"]] == ["p1"]
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "letters_search" in names
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
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


def test_edits_return_the_row_as_stored_without_reading_it_again(
    store: LetterStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each committed edit read the letter back with get() after writing it, decoding its
    # JSON again; the row is now built from the record the edit already holds.
    sha = add(store, decisions=("upheld", "overturned"))
    store.set_status(sha, "verified", note="checked")
    added = Item.blank("n0000000a")
    edits = [
        SetField(AGE, 50),
        SetField(AGE, 50),  # no change
        AddItem(added, index=0),
        SetField(FieldRef("decision", added.id), "upheld"),
        MoveItem(added.id, 2),
        MoveItem("p2", 1),  # no move
        RemoveItem(added.id),
        SetField(FieldRef("decision", "p2"), "upheld"),
        SetStatus("flagged", note="ask"),
    ]
    real_get = store.get
    for edit in edits:
        monkeypatch.setattr(store, "get", lambda s: pytest.fail("read back"))
        returned = apply(store, sha, edit)
        monkeypatch.setattr(store, "get", real_get)
        assert returned == store.get(sha)
    assert (returned.outcome, returned.status, returned.note) == ("upheld", "flagged", "ask")
