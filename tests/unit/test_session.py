"""ReviewSession: intents become edits, history through a real store, review navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from imr_desk.domain import empty_item, empty_record
from imr_desk.edits import AddItem, MoveItem, RemoveItem, SetField
from imr_desk.record import Box, FieldRef
from imr_desk.session import Change, Direction, ReviewSession
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

SHA = "a" * 64
BOX = {"page": 0, "rect": [1.0, 2.0, 3.0, 4.0]}


def _record() -> dict:
    record = empty_record(file_name="a.pdf", sha256=SHA, pages=2, layout="B")
    record["letter"].update(case_number="CM16-0213037", outcome="upheld")
    first, second = empty_item(), empty_item()
    first.update(treatment="Naproxen", decision="upheld")
    second.update(treatment="MRI", decision="upheld")
    record["items"] = [first, second]
    record["provenance"] = [
        {"field": "letter.case_number", "confidence": 1.0, "boxes": [BOX]},
        {"field": "letter.injury_date", "confidence": 0.3, "boxes": []},
        {"field": "items.1.decision", "confidence": 0.5, "boxes": []},
    ]
    return record


@pytest.fixture
def store(project: EngineProject) -> LetterStore:
    """ann's desk, on each engine (closed by ``project``)."""
    return project.open("ann")


def _open(store: LetterStore, record: dict | None = None) -> ReviewSession:
    record = record or _record()
    assert store.add_letter(record, source_path="/in/a.pdf", parser_version="test")
    return ReviewSession.from_row(store.get(record["source"]["sha256"]))


@pytest.fixture
def session(store: LetterStore) -> ReviewSession:
    return _open(store)


def _write(
    store: LetterStore, session: ReviewSession, change: Change | None, direction: Direction = "do"
) -> None:
    """What the controller does with a change: the store applies it, the session takes the
    stored letter and the inverse the store handed back."""
    assert change is not None
    row, inverse = store.apply(session.sha256, change.edit)
    session.update(row)
    session.written(change, inverse, direction)


def _undo(store: LetterStore, session: ReviewSession) -> Change:
    change = session.take_undo()
    _write(store, session, change, "undo")
    assert change is not None
    return change


def _redo(store: LetterStore, session: ReviewSession) -> Change:
    change = session.take_redo()
    _write(store, session, change, "redo")
    assert change is not None
    return change


# --- reading -----------------------------------------------------------------------------


def test_session_from_row_names_item_fields_by_item_id(session: ReviewSession) -> None:
    assert session.sha256 == SHA and session.status == "parsed"
    assert (session.file_name, session.source_path, session.pages) == ("a.pdf", "/in/a.pdf", 2)
    assert session.item_count() == 2
    assert [session.item_id(0), session.item_id(1)] == ["p1", "p2"]
    assert session.path(1, "decision") == "items.p2.decision"
    assert session.value("items.p1.treatment") == "Naproxen"
    assert session.paths()[0] == "letter.case_number"
    assert session.paths()[-1] == "items.p2.rationale"


def test_session_reading_helpers_expose_confidence_and_evidence(session: ReviewSession) -> None:
    assert session.confidence("letter.case_number") == 1.0
    assert session.boxes("letter.case_number") == [BOX]
    assert session.confidence("letter.priority") is None
    assert session.boxes("letter.priority") == []
    confident = {p: session.confidence(p) for p in session.paths() if session.confidence(p)}
    assert confident == {
        "letter.case_number": 1.0,
        "letter.injury_date": 0.3,
        "items.p2.decision": 0.5,
    }
    assert session.evidence()["letter.case_number"] == [BOX]
    assert set(session.evidence()) == set(session.paths())
    assert not any(session.is_human(path) for path in session.paths())


def test_session_value_is_none_for_a_path_not_in_the_letter(session: ReviewSession) -> None:
    assert session.value("items.p9.decision") is None
    assert session.value("items.0.decision") is None
    assert session.value("letter.nope") is None
    assert session.confidence("items.p9.decision") is None
    assert not session.is_human("items.p9.decision")


# --- edits -------------------------------------------------------------------------------


def test_session_edit_coerces_the_typed_value_into_a_set_field(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.edit("letter.injury_date", "10/13/16")
    assert change == Change("Edit Date of injury", change.edit, focus="letter.injury_date")
    assert change.edit == SetField(FieldRef("injury_date"), "2016-10-13", None)
    assert not change.moves_focus

    _write(store, session, change)

    assert session.value("letter.injury_date") == "2016-10-13"
    assert session.is_human("letter.injury_date")
    assert session.confidence("letter.injury_date") == 1.0
    assert session.status == "in_progress"


def test_session_edit_returns_none_when_the_value_does_not_change(session: ReviewSession) -> None:
    assert session.edit("letter.case_number", "  CM16-0213037 ") is None
    assert session.edit("items.p1.decision", "Upheld") is None
    assert session.edit("letter.claim_number", "   ") is None


def test_session_edit_with_boxes_is_a_change_even_for_the_same_value(
    session: ReviewSession,
) -> None:
    change = session.edit("letter.case_number", "CM16-0213037", boxes=[BOX])
    assert change is not None
    assert change.edit == SetField(
        FieldRef("case_number"), "CM16-0213037", (Box(0, (1.0, 2.0, 3.0, 4.0)),)
    )


def test_session_edit_rejects_text_that_is_not_the_field_type(session: ReviewSession) -> None:
    with pytest.raises(ValueError, match="not a date"):
        session.edit("letter.injury_date", "yesterday")
    with pytest.raises(ValueError, match="not a field"):
        session.edit("items.0.decision", "upheld")


def test_session_edit_treats_a_fix_of_quotes_alone_as_an_edit(store: LetterStore) -> None:
    record = _record()
    record["letter"]["case_summary"] = "He said \u201cno\u201d."
    session = _open(store, record)

    change = session.edit("letter.case_summary", 'He said "no".')

    assert change is not None
    _write(store, session, change)
    assert session.value("letter.case_summary") == 'He said "no".'


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
def test_session_fill_of_diagnoses_from_the_page_never_splits_at_commas(
    store: LetterStore, session: ReviewSession, text: str, entries: list[str]
) -> None:
    change = session.fill("letter.diagnoses", text, boxes=[BOX])
    assert change is not None
    assert change.edit == SetField(
        FieldRef("diagnoses"), tuple(entries), (Box(0, (1.0, 2.0, 3.0, 4.0)),)
    )

    _write(store, session, change)

    assert session.value("letter.diagnoses") == tuple(entries)
    assert session.boxes("letter.diagnoses") == [BOX]


def test_session_fill_of_specialties_from_the_page_splits_at_commas(
    session: ReviewSession,
) -> None:
    change = session.fill(
        "letter.reviewer_specialties", "Family Practice, Pain Management", boxes=[]
    )
    assert change is not None
    assert change.edit.value == ("Family Practice", "Pain Management")


# --- item changes ------------------------------------------------------------------------


def test_session_add_item_appends_a_blank_item_and_focuses_its_first_field(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.add_item()
    assert isinstance(change.edit, AddItem) and change.edit.index is None
    item_id = change.edit.item.id
    assert change.focus == f"items.{item_id}.treatment" and change.moves_focus

    _write(store, session, change)

    assert [session.item_id(i) for i in range(3)] == ["p1", "p2", item_id]
    assert session.value(change.focus) is None


def test_session_add_item_at_an_index_then_undo_and_redo_keep_its_id(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.add_item(0)
    item_id = change.edit.item.id
    _write(store, session, change)
    assert session.item_id(0) == item_id

    _undo(store, session)
    assert [session.item_id(i) for i in range(session.item_count())] == ["p1", "p2"]

    _redo(store, session)
    assert [session.item_id(i) for i in range(session.item_count())] == [item_id, "p1", "p2"]


def test_session_remove_item_names_it_by_position_and_focuses_it(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.remove_item("p2")
    assert change == Change(
        "Remove item 2", RemoveItem("p2", "Remove item 2"), focus="items.p2.treatment"
    )

    _write(store, session, change)

    assert session.item_count() == 1
    assert session.value("items.p2.treatment") is None
    assert session.letter.removed_items() == 1


def test_session_undo_of_removing_an_item_puts_it_back_whole(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.edit("items.p2.treatment", "MRI lumbar"))
    before = session.letter.items

    _write(store, session, session.remove_item("p2"))
    _undo(store, session)

    assert session.letter.items == before
    assert session.is_human("items.p2.treatment")
    assert session.confidence("items.p2.decision") == 0.5
    assert not session.is_human("items.p2.decision")
    assert session.letter.removed_items() == 0


def test_session_move_item_moves_it_with_its_fields_and_undo_moves_it_back(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.move_item("p1", 1)
    assert change == Change(
        "Move item 1", MoveItem("p1", 1, "Move item 1"), "items.p1.treatment", True
    )

    _write(store, session, change)
    assert [session.item_id(0), session.item_id(1)] == ["p2", "p1"]
    assert session.path(1, "treatment") == "items.p1.treatment"
    assert session.value("items.p1.treatment") == "Naproxen"
    assert session.confidence("items.p2.decision") == 0.5

    _undo(store, session)
    assert [session.item_id(0), session.item_id(1)] == ["p1", "p2"]


def test_session_move_item_is_none_when_it_goes_nowhere(session: ReviewSession) -> None:
    assert session.move_item("p2", 1) is None
    assert session.move_item("p2", 2) is None
    assert session.move_item("p1", -1) is None


def test_session_only_item_changes_move_the_cursor_when_done(session: ReviewSession) -> None:
    edit = session.edit("letter.claim_number", "X1")
    moved = session.move_item("p1", 1)
    assert edit is not None and moved is not None
    assert not edit.moves_focus
    assert session.add_item().moves_focus
    assert moved.moves_focus


# --- history -----------------------------------------------------------------------------


def test_session_undo_and_redo_go_through_the_store_and_move_between_the_stacks(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.edit("letter.claim_number", "X1")
    _write(store, session, change)
    assert len(session.undo_stack) == 1 and session.redo_stack == []

    undone = _undo(store, session)
    assert undone.label == change.label and undone.focus == change.focus
    assert session.value("letter.claim_number") is None
    assert session.undo_stack == [] and len(session.redo_stack) == 1
    assert store.get(SHA).full.value(FieldRef("claim_number")) is None

    _redo(store, session)
    assert session.value("letter.claim_number") == "X1"
    assert session.is_human("letter.claim_number")
    assert len(session.undo_stack) == 1 and session.redo_stack == []
    assert session.take_redo() is None

    audit = [(entry.field, entry.old, entry.new) for entry in store.audit(SHA)]
    assert [row for row in audit if row[0] != "status"] == [
        ("letter.claim_number", None, "X1"),
        ("letter.claim_number", "X1", None),
        ("letter.claim_number", None, "X1"),
    ]


def test_session_undo_of_an_edit_restores_parser_confidence_boxes_and_review_need(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.edit("letter.injury_date", "1/2/2003"))
    _write(store, session, session.edit("letter.case_number", "CM16-0000001"))
    assert session.boxes("letter.case_number") == []
    assert session.next_needing_review() == "items.p2.decision"

    _undo(store, session)
    _undo(store, session)

    assert session.value("letter.case_number") == "CM16-0213037"
    assert session.boxes("letter.case_number") == [BOX]
    assert session.confidence("letter.case_number") == 1.0
    assert session.confidence("letter.injury_date") == 0.3
    assert not any(session.is_human(path) for path in session.paths())
    assert session.next_needing_review() == "letter.injury_date"


def test_session_undo_of_a_decision_restores_the_outcome_but_not_the_status(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.edit("items.p2.decision", "overturned"))
    assert session.value("letter.outcome") == "partially_overturned"

    _undo(store, session)

    assert session.value("letter.outcome") == "upheld"
    assert not session.is_human("letter.outcome")
    assert session.status == "in_progress"


def test_session_new_change_drops_the_redo_history(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.edit("letter.claim_number", "X1"))
    _undo(store, session)
    assert len(session.redo_stack) == 1

    _write(store, session, session.edit("letter.claim_number", "X2"))

    assert session.redo_stack == [] and len(session.undo_stack) == 1


def test_session_update_keeps_the_history(store: LetterStore, session: ReviewSession) -> None:
    _write(store, session, session.edit("letter.claim_number", "X1"))
    history = list(session.undo_stack)

    session.update(store.get(SHA))

    assert session.undo_stack == history


def test_session_give_back_restores_history_after_a_failed_write(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.edit("letter.claim_number", "X1"))
    undo = session.take_undo()
    assert undo is not None
    session.give_back(undo, "undo")
    assert session.undo_stack == [undo] and session.redo_stack == []

    _undo(store, session)
    redo = session.take_redo()
    assert redo is not None
    session.give_back(redo, "redo")
    assert session.redo_stack == [redo] and session.undo_stack == []

    change = session.edit("letter.claim_number", "X3")
    assert change is not None
    session.give_back(change, "do")
    assert session.undo_stack == [] and session.redo_stack == [redo]


# --- review navigation -------------------------------------------------------------------


def test_session_next_needing_review_finds_low_confidence_fields_in_order_and_wraps(
    session: ReviewSession,
) -> None:
    assert session.next_needing_review() == "letter.injury_date"
    assert session.next_needing_review("letter.injury_date") == "items.p2.decision"
    assert session.next_needing_review("items.p2.decision") == "letter.injury_date"


def test_session_next_needing_review_can_go_backwards(session: ReviewSession) -> None:
    assert session.next_needing_review("items.p2.decision", backwards=True) == "letter.injury_date"
    assert session.next_needing_review("letter.injury_date", backwards=True) == "items.p2.decision"
    assert session.next_needing_review(backwards=True) == "items.p2.decision"


def test_session_next_needing_review_skips_fields_a_human_confirmed(
    store: LetterStore, session: ReviewSession
) -> None:
    change = session.edit("letter.injury_date", "1/2/2003")
    _write(store, session, change)
    assert session.next_needing_review() == "items.p2.decision"
    assert not session.needs_review("letter.injury_date")


def test_session_next_needing_review_includes_fields_with_issues(store: LetterStore) -> None:
    record = _record()
    record["items"][0]["treatment"] = None
    session = _open(store, record)
    assert session.needs_review("items.p1.treatment", {"items.p1.treatment"})
    assert session.next_needing_review("letter.injury_date") == "items.p1.treatment"


def test_session_next_needing_review_follows_a_moved_item(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.move_item("p2", 0))
    assert session.next_needing_review("letter.injury_date") == "items.p2.decision"
    assert session.next_needing_review("items.p2.decision") == "letter.injury_date"


def test_session_next_needing_review_is_none_when_nothing_needs_review(
    store: LetterStore, session: ReviewSession
) -> None:
    _write(store, session, session.edit("letter.injury_date", "1/2/2003"))
    _write(store, session, session.edit("items.p2.decision", "upheld", boxes=[]))
    assert session.next_needing_review() is None
