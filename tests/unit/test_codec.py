"""The stored form of a letter (``letters.current_json``) reads back as the same letter."""

from __future__ import annotations

from fake_letters import fake_record

from imr_desk.edits import AddItem, SetField, apply_edit
from imr_desk.record import FieldRef, Item, Letter
from imr_desk.storage.codec import dump_letter, letter_json, load_letter


def test_a_letter_reads_back_equal_with_parser_values_stored_only_where_they_differ() -> None:
    letter = Letter.from_parsed(fake_record(1, decisions=("upheld", "overturned")))
    for edit in (
        SetField(FieldRef("claim_number"), "WC-1"),
        SetField(FieldRef("decision", "p1"), "overturned"),
        AddItem(Item.blank("n1")),
        SetField(FieldRef("treatment", "n1"), "MRI"),
    ):
        letter = apply_edit(letter, edit, reviewer="ann").letter
    stored = letter_json(letter)
    assert load_letter(dump_letter(letter), status=letter.status, note=None) == letter
    assert "parsed" not in stored["letter"]["case_number"]  # untouched: its text once
    assert stored["letter"]["claim_number"]["parsed"] is None  # the parser had none
    assert stored["items"][2]["fields"]["treatment"] == {
        "value": "MRI",
        "parsed": None,
        "confidence": 1.0,
        "set_by": "ann",
    }
