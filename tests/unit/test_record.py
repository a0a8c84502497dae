"""The typed letter record: parser JSON in and out, stable item ids, and what it says of itself."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from fake_letters import fake_record

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, SCHEMA, empty_item, empty_record
from imr_desk.record import (
    Box,
    FieldRef,
    FieldValue,
    Item,
    Letter,
    export_paths,
    parser_item_id,
)


def _with_item_confidences(record: dict) -> dict:
    """The record with a different confidence and box for each item, so a test can tell
    whose provenance entry ends up at which index."""
    for entry in record["provenance"]:
        if entry["field"].startswith("items."):
            index = int(entry["field"].split(".")[1])
            entry["confidence"] = 0.5 + index / 10
            entry["boxes"] = [{"page": index, "rect": [float(index), 0.0, 1.0, 1.0]}]
    return record


def test_letter_from_parsed_to_json_keeps_the_parser_record_and_adds_item_ids() -> None:
    record = fake_record(3, decisions=("upheld", "overturned", "upheld"))
    expected = copy.deepcopy(record)
    for index, item in enumerate(expected["items"]):
        item["id"] = f"p{index + 1}"

    assert Letter.from_parsed(record).to_json() == expected


def test_letter_from_parsed_to_json_round_trips_lists_evidence_and_the_review() -> None:
    record = fake_record(1)
    record["letter"]["diagnoses"] = ["Lumbar sprain, strain", "Neck pain"]
    record["provenance"].append(
        {
            "field": "letter.diagnoses",
            "confidence": 0.4,
            "boxes": [{"page": 1, "rect": [1, 2, 3, 4]}],
        }
    )
    letter = Letter.from_parsed(record)

    assert letter.fields["diagnoses"].value == ("Lumbar sprain, strain", "Neck pain")
    out = letter.to_json(review={"reviewer": "ann"})
    assert out["letter"]["diagnoses"] == ["Lumbar sprain, strain", "Neck pain"]
    assert out["review"] == {"reviewer": "ann"}
    assert Letter.from_parsed(out) == letter


def test_letter_from_parsed_completes_missing_keys_with_empty_values() -> None:
    record = {
        "source": {"sha256": "abc"},
        "letter": {"case_number": "CM16-0213037"},
        "items": [{"treatment": "MRI"}],
    }

    out = Letter.from_parsed(record).to_json()

    assert out["schema"] == SCHEMA and out["status"] == "parsed" and out["review"] is None
    assert out["source"] == {
        "file_name": "",
        "sha256": "abc",
        "pages": 0,
        "layout": "unknown",
        "needs_ocr": False,
    }
    assert out["letter"] == {**empty_record()["letter"], "case_number": "CM16-0213037"}
    assert out["items"] == [{"id": "p1", **empty_item(), "treatment": "MRI"}]
    assert out["provenance"] == []


def test_letter_from_parsed_gives_items_the_parser_ids_p1_onwards_unless_they_have_one() -> None:
    letter = Letter.from_parsed(fake_record(1, decisions=("upheld", "overturned", "upheld")))
    assert [item.id for item in letter.items] == ["p1", "p2", "p3"]
    assert letter.parser_items == ("p1", "p2", "p3")
    assert parser_item_id(0) == "p1"

    record = fake_record(1, decisions=("upheld", "upheld"))
    record["items"][1]["id"] = "n1a2b3c4d"
    assert [item.id for item in Letter.from_parsed(record).items] == ["p1", "n1a2b3c4d"]


def test_letter_from_parsed_keeps_confidence_and_boxes_and_none_for_unstated_fields() -> None:
    record = _with_item_confidences(fake_record(1, decisions=("upheld", "overturned")))
    record["provenance"] = [p for p in record["provenance"] if p["field"] != "letter.priority"]
    letter = Letter.from_parsed(record)

    assert letter.field(FieldRef("case_number")) == FieldValue(
        "CM16-0000001", "CM16-0000001", 0.9, (Box(0, (1.0, 2.0, 3.0, 4.0)),)
    )
    assert letter.field(FieldRef("decision", "p2")) == FieldValue(
        "overturned", "overturned", 0.6, (Box(1, (1.0, 0.0, 1.0, 1.0)),)
    )
    assert letter.field(FieldRef("priority")) == FieldValue(None, None, None, ())
    assert all(p["field"] != "letter.priority" for p in letter.to_json()["provenance"])


def test_letter_to_json_writes_provenance_paths_by_the_items_current_index() -> None:
    record = _with_item_confidences(fake_record(1, decisions=("upheld", "overturned")))
    letter = Letter.from_parsed(record)
    swapped = letter.with_items((letter.item("p2"), letter.item("p1")))

    provenance = {p["field"]: p for p in swapped.to_json()["provenance"]}

    assert provenance["items.0.decision"]["confidence"] == 0.6
    assert provenance["items.0.decision"]["boxes"] == [{"page": 1, "rect": [1.0, 0.0, 1.0, 1.0]}]
    assert provenance["items.1.decision"]["confidence"] == 0.5
    assert [item["id"] for item in swapped.to_json()["items"]] == ["p2", "p1"]
    assert export_paths(swapped, [FieldRef("outcome"), FieldRef("decision", "p1")]) == [
        "letter.outcome",
        "items.1.decision",
    ]


def test_letter_corrected_lists_fields_whose_value_differs_from_the_parsers() -> None:
    letter = Letter.from_parsed(fake_record(1, decisions=("upheld", "upheld")))
    case = FieldRef("case_number")
    decision = FieldRef("decision", "p2")
    treatment = FieldRef("treatment", "p1")
    letter = letter.with_field(case, replace(letter.field(case), value="CM16-0000002"))
    letter = letter.with_field(decision, replace(letter.field(decision), value="overturned"))
    # The same text up to whitespace is not a correction (domain.values_equal).
    letter = letter.with_field(treatment, replace(letter.field(treatment), value="Treatment  1.0 "))

    assert letter.corrected() == [case, decision]


def test_letter_corrected_counts_every_non_empty_field_of_an_added_item() -> None:
    letter = Letter.from_parsed(fake_record(1))
    added = Item.blank("n00000001")
    added = added.with_field("treatment", replace(added["treatment"], value="MRI"))
    letter = letter.with_items((*letter.items, added))

    assert letter.corrected() == [FieldRef("treatment", "n00000001")]


def test_letter_removed_items_counts_parser_items_no_longer_in_the_letter() -> None:
    letter = Letter.from_parsed(fake_record(1, decisions=("upheld", "upheld", "upheld")))
    assert letter.removed_items() == 0

    kept = (letter.item("p3"), Item.blank("n00000001"))
    assert letter.with_items(kept).removed_items() == 2
    assert letter.with_items(tuple(reversed(letter.items))).removed_items() == 0


def _confidence_record() -> dict:
    record = empty_record()
    record["letter"].update(case_number="CM16-0000001", outcome="upheld", injury_date="2016-01-01")
    record["items"] = [
        {**empty_item(), "treatment": "TENS unit", "decision": "upheld", "category": "DMEPOS"}
    ]
    record["provenance"] = [
        {"field": "letter.case_number", "confidence": 1.0, "boxes": []},
        {"field": "letter.outcome", "confidence": 0.95, "boxes": []},
        {"field": "letter.injury_date", "confidence": 0.9, "boxes": []},
        {"field": "letter.claim_number", "confidence": 0.0, "boxes": []},
        {"field": "items.0.treatment", "confidence": 0.95, "boxes": []},
        {"field": "items.0.decision", "confidence": 1.0, "boxes": []},
        {"field": "items.0.category", "confidence": 0.5, "boxes": []},
    ]
    return record


def test_letter_confidence_ignores_unstated_fields_but_not_suggested_or_empty_required_ones() -> (
    None
):
    record = _confidence_record()
    assert Letter.from_parsed(record).confidence() == 0.5  # the category, as the form colours it

    record["provenance"][-1]["confidence"] = 0.95
    assert Letter.from_parsed(record).confidence() == 0.9

    record["letter"]["case_number"] = None
    assert Letter.from_parsed(record).confidence() == 0.0


def test_letter_confidence_is_zero_for_an_empty_required_item_field() -> None:
    record = _confidence_record()
    record["items"][0]["decision"] = None
    assert Letter.from_parsed(record).confidence() == 0.0


def test_letter_confidence_is_one_when_the_parser_stated_nothing() -> None:
    record = _confidence_record()
    record["provenance"] = []
    assert Letter.from_parsed(record).confidence() == 1.0


def test_letter_confidence_counts_a_persons_value_as_sure() -> None:
    record = _confidence_record()
    record["provenance"][-1]["confidence"] = 0.95  # the category: sure too
    letter = Letter.from_parsed(record)
    ref = FieldRef("injury_date")
    confirmed = letter.with_field(ref, replace(letter.field(ref), confidence=1.0, set_by="ann"))
    assert confirmed.confidence() == 0.95


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("letter.case_number", FieldRef("case_number")),
        ("letter.outcome", FieldRef("outcome")),
        ("items.p2.decision", FieldRef("decision", "p2")),
        ("items.n1a2b3c4d.rationale", FieldRef("rationale", "n1a2b3c4d")),
    ],
)
def test_field_ref_parse_reads_the_spelling_str_writes(text: str, ref: FieldRef) -> None:
    assert FieldRef.parse(text) == ref
    assert str(ref) == text


def test_field_ref_parse_reads_back_every_field_of_a_letter() -> None:
    letter = Letter.from_parsed(fake_record(1, decisions=("upheld", "overturned")))
    refs = list(letter.refs())
    assert len(refs) == len(LETTER_FIELDS) + 2 * len(ITEM_FIELDS)
    assert [FieldRef.parse(str(ref)) for ref in refs] == refs


@pytest.mark.parametrize(
    "text",
    [
        "items.0x.nope",
        "items.0.decision",
        "items.p1.nope",
        "letter.decision",
        "items.p1.case_number",
        "letter.nope",
        "letter.",
        "letter",
        "items.p1",
        "items..decision",
        "letter.case_number.x",
        "source.sha256",
        " letter.case_number",
        "letter.case_number ",
        "letter.case_number\n",
        "",
        "garbage",
    ],
)
def test_field_ref_parse_refuses_what_is_not_a_field_of_the_record(text: str) -> None:
    with pytest.raises(ValueError, match="not a field"):
        FieldRef.parse(text)
