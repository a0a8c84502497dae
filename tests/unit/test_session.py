"""ReviewSession: edits become store operations, undo/redo history, review navigation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from imr_desk.domain import empty_item, empty_record, get_path, set_path
from imr_desk.session import ReviewSession


@dataclass
class FakeRow:
    sha256: str = "abc"
    status: str = "parsed"
    file_name: str = "a.pdf"
    source_path: str = "/tmp/a.pdf"
    pages: int = 2
    parsed: dict = field(default_factory=dict)
    current: dict = field(default_factory=dict)
    human_fields: frozenset[str] = frozenset()
    item_origins: tuple[int | None, ...] = ()


def _record() -> dict:
    record = empty_record(file_name="a.pdf", sha256="abc", pages=2, layout="B")
    record["letter"].update(case_number="CM16-0213037", outcome="upheld")
    first, second = empty_item(), empty_item()
    first.update(treatment="Naproxen", decision="upheld")
    second.update(treatment="MRI", decision="upheld")
    record["items"] = [first, second]
    record["provenance"] = [
        {
            "field": "letter.case_number",
            "confidence": 1.0,
            "boxes": [{"page": 0, "rect": [1, 2, 3, 4]}],
        },
        {"field": "letter.injury_date", "confidence": 0.3, "boxes": []},
        {"field": "items.1.decision", "confidence": 0.5, "boxes": []},
    ]
    return record


def _session() -> ReviewSession:
    record = _record()
    return ReviewSession.from_row(FakeRow(parsed=record, current=record))


def _apply(session: ReviewSession, ops) -> None:
    """Stand-in for the store: apply set operations to the record."""
    record = session.record
    for op in ops:
        assert op.kind == "set"
        record = set_path(record, op.path, op.value)
    session.update(FakeRow(parsed=session.parsed, current=record, human_fields=frozenset({"x"})))


def test_edit_coerces_the_typed_value_and_remembers_the_old_one() -> None:
    session = _session()
    change = session.edit("letter.injury_date", "10/13/16")
    assert change is not None
    assert change.do[0].value == "2016-10-13"
    assert change.undo[0].value is None


def test_edit_returns_none_when_the_value_does_not_change() -> None:
    assert _session().edit("letter.case_number", "  CM16-0213037 ") is None


def test_edit_rejects_text_that_is_not_the_field_type() -> None:
    with pytest.raises(ValueError, match="not a date"):
        _session().edit("letter.injury_date", "yesterday")


def test_undo_and_redo_move_changes_between_the_stacks() -> None:
    session = _session()
    change = session.edit("letter.claim_number", "X1")
    _apply(session, change.do)
    session.done(change)
    undone = session.take_undo()
    assert undone is change
    _apply(session, undone.undo)
    assert session.value("letter.claim_number") is None
    assert session.take_redo() is change
    assert session.take_redo() is None


def test_a_new_change_drops_the_redo_history() -> None:
    session = _session()
    first = session.edit("letter.claim_number", "X1")
    session.done(first)
    session.take_undo()
    session.done(session.edit("letter.claim_number", "X2"))
    assert session.redo_stack == []


def test_give_back_restores_history_after_a_failed_write() -> None:
    session = _session()
    change = session.edit("letter.claim_number", "X1")
    session.done(change)
    session.take_undo()
    session.give_back(change, was_undo=True)
    assert session.undo_stack == [change] and session.redo_stack == []


def test_item_changes_carry_their_inverse() -> None:
    session = _session()
    removed = session.remove_item(0)
    assert removed.undo[0].kind == "add_item"
    assert removed.undo[0].item["treatment"] == "Naproxen"
    moved = session.move_item(0, 1)
    assert (moved.undo[0].index, moved.undo[0].new_index) == (1, 0)
    assert session.move_item(1, 2) is None
    added = session.add_item()
    assert added.do[0].index == 2 and added.undo[0].kind == "remove_item"


def test_undo_of_an_edit_restores_the_parser_confidence_boxes_and_human_mark() -> None:
    session = _session()
    (restore,) = session.edit("letter.injury_date", "1/2/2003").undo
    assert (restore.value, restore.confidence, restore.human) == (None, 0.3, False)
    (restore,) = session.edit("letter.case_number", "CM16-1").undo
    assert restore.boxes == [{"page": 0, "rect": [1, 2, 3, 4]}] and restore.confidence == 1.0
    (redo,) = session.edit("letter.case_number", "CM16-1").do
    assert (redo.confidence, redo.human) == (None, True)


def test_undo_of_removing_an_item_carries_its_provenance_and_human_marks() -> None:
    session = _session()
    session.human_fields = frozenset({"items.1.treatment", "items.0.treatment"})
    (restore,) = session.remove_item(1).undo
    assert restore.provenance == ({"field": "items.1.decision", "confidence": 0.5, "boxes": []},)
    assert restore.human_paths == {"items.1.treatment"}


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        (
            "a strain of the left hip; a strain of the muscle, fascia, and tendon of the "
            "low back; and sprain of the lumbar spine.",
            [
                "a strain of the left hip",
                "a strain of the muscle, fascia, and tendon of the low back",
                "sprain of the lumbar spine",
            ],
        ),
        ("1. Lumbar sprain, strain 2. Neck pain", ["Lumbar sprain, strain", "Neck pain"]),
        (
            "Sprain of the right wrist, initial encounter",
            ["Sprain of the right wrist, initial encounter"],
        ),
    ],
)
def test_filling_diagnoses_from_the_page_never_splits_at_commas(text, entries) -> None:
    box = [{"page": 0, "rect": [1, 2, 3, 4]}]
    change = _session().fill("letter.diagnoses", text, boxes=box)
    assert change.do[0].value == entries and change.do[0].boxes == box


def test_filling_specialties_from_the_page_splits_at_commas() -> None:
    change = _session().fill(
        "letter.reviewer_specialties", "Family Practice, Pain Management", boxes=[]
    )
    assert change.do[0].value == ["Family Practice", "Pain Management"]


def test_only_item_changes_move_the_cursor_when_done() -> None:
    session = _session()
    assert not session.edit("letter.claim_number", "X1").moves_focus
    assert session.add_item().moves_focus
    assert session.move_item(0, 1).moves_focus


def test_next_needing_review_finds_low_confidence_fields_in_order_and_wraps() -> None:
    session = _session()
    assert session.next_needing_review() == "letter.injury_date"
    assert session.next_needing_review("letter.injury_date") == "items.1.decision"
    assert session.next_needing_review("items.1.decision") == "letter.injury_date"


def test_next_needing_review_skips_fields_a_human_confirmed() -> None:
    record = _record()
    session = ReviewSession.from_row(
        FakeRow(parsed=record, current=record, human_fields=frozenset({"letter.injury_date"}))
    )
    assert session.next_needing_review() == "items.1.decision"


def test_next_needing_review_includes_empty_required_fields() -> None:
    record = _record()
    record["items"][0]["treatment"] = None
    session = ReviewSession.from_row(FakeRow(parsed=record, current=record))
    assert session.next_needing_review("letter.injury_date") == "items.0.treatment"


def test_reading_helpers_expose_provenance() -> None:
    session = _session()
    assert session.confidence("letter.case_number") == 1.0
    assert session.boxes("letter.case_number") == [{"page": 0, "rect": [1, 2, 3, 4]}]
    assert session.confidence("letter.priority") is None
    assert session.value("items.9.decision") is None
    assert get_path(session.record, "items.0.treatment") == "Naproxen"


def test_next_needing_review_can_go_backwards() -> None:
    session = _session()
    assert session.next_needing_review("items.1.decision", backwards=True) == "letter.injury_date"
    assert session.next_needing_review(backwards=True) == "items.1.decision"


def test_a_fix_of_quotes_alone_is_an_edit_not_a_no_op() -> None:
    record = empty_record()
    record["letter"]["case_summary"] = "He said \u201cno\u201d."
    session = ReviewSession.from_row(FakeRow(parsed=record, current=record, item_origins=()))
    change = session.edit("letter.case_summary", 'He said "no".')
    assert change is not None
    assert change.do[0].value == 'He said "no".'


def test_undoing_an_item_removal_puts_back_the_parser_item_it_came_from() -> None:
    record = empty_record()
    record["items"] = [{**empty_item(), "treatment": t, "decision": "upheld"} for t in "ABC"]
    session = ReviewSession.from_row(
        FakeRow(parsed=record, current=record, item_origins=(2, 0, None))
    )
    assert session.remove_item(0).undo[0].origin == 2
    assert session.remove_item(2).undo[0].origin is None
