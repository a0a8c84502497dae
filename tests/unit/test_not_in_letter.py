"""The evidence check's mark on a field: set by the edit, undone exactly, stored, exported."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from fake_letters import fake_record

from imr_desk.edits import AddItem, MoveItem, SetField, SetStatus, apply_edit
from imr_desk.export import export_dataset
from imr_desk.record import FieldRef, Item, Letter
from imr_desk.session import ReviewSession
from imr_desk.storage import LetterStore
from imr_desk.storage.codec import letter_json, load_letter

CLAIM = FieldRef("claim_number")


def test_a_parser_value_is_never_marked() -> None:
    letter = Letter.from_parsed(fake_record(1))
    assert letter.not_in_letter() == []


def test_set_field_marks_the_value_and_its_undo_restores_the_field_exactly() -> None:
    letter = Letter.from_parsed(fake_record(1))
    marked = apply_edit(letter, SetField(CLAIM, "WC-1", not_in_letter=True), reviewer="ann")
    assert marked.letter.field(CLAIM).not_in_letter
    assert marked.letter.not_in_letter() == [CLAIM]
    undone = apply_edit(marked.letter, marked.inverse, reviewer="ann").letter
    assert undone.field(CLAIM) == letter.field(CLAIM)
    redone = apply_edit(undone, SetField(CLAIM, "WC-2"), reviewer="ann").letter
    assert not redone.field(CLAIM).not_in_letter  # found this time: the mark goes


def test_the_mark_is_stored_only_when_set_and_reads_back() -> None:
    letter = Letter.from_parsed(fake_record(1))
    letter = apply_edit(letter, SetField(CLAIM, "WC-1", not_in_letter=True), reviewer="ann").letter
    letter = apply_edit(letter, SetField(FieldRef("patient_age"), 50), reviewer="ann").letter
    stored = letter_json(letter)
    assert stored["letter"]["claim_number"]["not_in_letter"] is True
    assert "not_in_letter" not in stored["letter"]["patient_age"]
    assert "not_in_letter" not in stored["letter"]["case_number"]
    back = load_letter(json.dumps(stored), status=letter.status, note=None)
    assert back == letter and back.field(CLAIM).not_in_letter


def test_the_session_checks_a_typed_value_against_the_letter_text() -> None:
    class Row:
        sha256, file_name, source_path, pages = "s", "a.pdf", "/a.pdf", 1
        full = Letter.from_parsed(fake_record(1))

    session = ReviewSession.from_row(Row())
    change = session.edit("letter.claim_number", "WC-1")
    assert change is not None and not change.edit.not_in_letter  # type: ignore[attr-defined]
    session.letter_text = lambda: "Claim Number: WC-1 Case Number: CM16-0000001"
    assert not session.edit("letter.claim_number", "WC-1").edit.not_in_letter  # type: ignore[union-attr]
    assert session.edit("letter.claim_number", "WC-7").edit.not_in_letter  # type: ignore[union-attr]


def test_the_export_marks_values_not_in_the_letter_by_index_path(tmp_path: Path) -> None:
    with LetterStore.open(tmp_path / "letters.db", reviewer="ann") as store:
        record = fake_record(1, decisions=("upheld", "overturned"))
        store.add_letter(record, source_path="/in/1.pdf", parser_version="p1")
        sha = record["source"]["sha256"]
        for edit in (
            SetField(CLAIM, "WC-1", not_in_letter=True),
            AddItem(Item.blank("n1"), index=0),
            SetField(FieldRef("treatment", "n1"), "MRI of the knee", not_in_letter=True),
            SetField(FieldRef("decision", "n1"), "upheld"),
            SetField(FieldRef("treatment", "p2"), "Typed but printed"),
            MoveItem("n1", 2),
            SetStatus("verified"),  # a warning, not a block
        ):
            store.apply(sha, edit)
        export_dataset(store, tmp_path / "out")
    record = json.loads((tmp_path / "out" / "letters.jsonl").read_text())
    assert record["status"] == "verified"
    assert record["review"]["not_in_letter"] == ["letter.claim_number", "items.2.treatment"]
    with (tmp_path / "out" / "letters.csv").open(newline="") as handle:
        (line,) = csv.DictReader(handle)
    assert line["not_in_letter"] == "letter.claim_number; items.2.treatment"
    card = (tmp_path / "out" / "README.md").read_text()
    assert "| `review.not_in_letter` | list of field paths |" in card
