"""Edits of a letter: the new letter, the exact audit rows, and an inverse that takes it back.

Undo does not restore a status (ADR 0005), so after a content edit the undone letter is
compared with the original apart from its status.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from fake_letters import fake_record
from hypothesis import given, settings
from hypothesis import strategies as st

from imr_desk.edits import (
    AddItem,
    Applied,
    AuditRow,
    Batch,
    Edit,
    MoveItem,
    RemoveItem,
    RestoreField,
    SetField,
    SetStatus,
    StaleUndo,
    VerifyRefused,
    apply_edit,
)
from imr_desk.record import Box, FieldRef, FieldValue, Item, Letter
from imr_desk.validation import blocking, refusal, validate

REVIEWER = "ann"
OUTCOME = FieldRef("outcome")


def parsed(*decisions: str, outcome: str | None = None) -> Letter:
    """A parsed letter with one item per decision (ids p1, p2, ...); ``outcome`` overrides
    the one the items give, as a parser that misread it would."""
    record = fake_record(1, decisions=decisions or ("upheld",))
    if outcome is not None:
        record["letter"]["outcome"] = outcome
    return Letter.from_parsed(record)


def apply(letter: Letter, edit: Edit) -> Applied:
    return apply_edit(letter, edit, reviewer=REVIEWER)


def undone(letter: Letter, edit: Edit) -> tuple[Applied, Applied]:
    """The edit applied, then its inverse applied to the result."""
    done = apply(letter, edit)
    return done, apply(done.letter, done.inverse)


def same_apart_from_status(letter: Letter, original: Letter) -> bool:
    return replace(letter, status=original.status) == original


REOPENED = AuditRow("status", "parsed", "in_progress")


# --- SetField ----------------------------------------------------------------------------


def test_set_field_makes_the_value_the_reviewers_keeping_the_parsed_one() -> None:
    letter = parsed("upheld")
    ref = FieldRef("claim_number")

    done, back = undone(letter, SetField(ref, "X-1"))

    assert done.letter.field(ref) == FieldValue("X-1", None, 1.0, (), REVIEWER)
    assert done.letter == replace(
        letter.with_field(ref, FieldValue("X-1", None, 1.0, (), REVIEWER)), status="in_progress"
    )
    assert done.audit == (AuditRow("letter.claim_number", None, "X-1"), REOPENED)
    assert back.audit == (AuditRow("letter.claim_number", "X-1", None),)
    assert same_apart_from_status(back.letter, letter)
    assert back.letter.status == "in_progress"


def test_set_field_of_a_parser_value_restores_its_confidence_and_boxes_on_undo() -> None:
    letter = parsed("upheld")
    ref = FieldRef("case_number")
    boxes = (Box(1, (10.0, 20.0, 30.0, 40.0)),)

    done, back = undone(letter, SetField(ref, "CM16-0000009", boxes))

    assert done.letter.field(ref) == FieldValue(
        "CM16-0000009", "CM16-0000001", 1.0, boxes, REVIEWER
    )
    assert done.audit == (AuditRow("letter.case_number", "CM16-0000001", "CM16-0000009"), REOPENED)
    assert back.letter.field(ref) == letter.field(ref)
    assert not back.letter.field(ref).is_human
    assert same_apart_from_status(back.letter, letter)


def test_set_field_of_an_item_names_the_item_by_id_in_the_audit() -> None:
    letter = parsed("upheld", "upheld")
    ref = FieldRef("treatment", "p2")

    done, back = undone(letter, SetField(ref, "  MRI of the\nlumbar spine "))

    assert done.letter.value(ref) == "MRI of the lumbar spine"
    assert done.letter.item("p1") == letter.item("p1")
    assert done.audit == (
        AuditRow("items.p2.treatment", "Treatment 1.1", "MRI of the lumbar spine"),
        REOPENED,
    )
    assert same_apart_from_status(back.letter, letter)


def test_set_field_stores_a_typed_date_in_iso_form() -> None:
    ref = FieldRef("injury_date")
    done = apply(parsed("upheld"), SetField(ref, "12/09/2016"))
    assert done.letter.value(ref) == "2016-12-09"
    assert done.audit[0] == AuditRow("letter.injury_date", None, "2016-12-09")


def test_set_field_refuses_a_bad_date_and_changes_nothing() -> None:
    letter = parsed("upheld")
    with pytest.raises(ValueError, match="Date of injury: '31/31/2016' is not a date"):
        apply(letter, SetField(FieldRef("injury_date"), "31/31/2016"))
    with pytest.raises(ValueError, match="Decision"):
        apply(letter, SetField(FieldRef("decision", "p1"), "maybe"))


def test_set_field_splits_a_typed_list_and_audits_it_as_a_json_list() -> None:
    letter = parsed("upheld")
    ref = FieldRef("reviewer_license_states")

    done, back = undone(letter, SetField(ref, "California,  Texas"))

    assert done.letter.value(ref) == ("California", "Texas")
    assert done.audit[0] == AuditRow(
        "letter.reviewer_license_states", ["California"], ["California", "Texas"]
    )
    assert same_apart_from_status(back.letter, letter)


def test_set_field_that_changes_nothing_writes_no_audit_row_and_does_not_reopen() -> None:
    ref = FieldRef("claim_number")
    once = apply(parsed("upheld"), SetField(ref, "X-1")).letter
    verified = replace(once, status="verified")

    again = apply(verified, SetField(ref, "X-1"))

    assert again.audit == ()
    assert again.letter == verified


def test_set_field_of_an_item_not_in_the_letter_raises_key_error() -> None:
    with pytest.raises(KeyError):
        apply(parsed("upheld"), SetField(FieldRef("decision", "p9"), "upheld"))


# --- RestoreField ------------------------------------------------------------------------


def test_restore_field_puts_back_value_confidence_boxes_and_who_set_it() -> None:
    letter = parsed("upheld")
    ref = FieldRef("decision_date")
    given_value = FieldValue(
        "2016-12-10", "2016-12-09", 0.4, (Box(2, (0.0, 0.0, 1.0, 1.0)),), "bob"
    )

    done, back = undone(letter, RestoreField(ref, given_value))

    assert done.letter.field(ref) == given_value
    assert done.audit == (AuditRow("letter.decision_date", "2016-12-09", "2016-12-10"), REOPENED)
    assert back.audit == (AuditRow("letter.decision_date", "2016-12-10", "2016-12-09"),)
    assert same_apart_from_status(back.letter, letter)


def test_restore_field_of_a_field_as_it_is_writes_no_audit_row() -> None:
    letter = parsed("upheld")
    ref = FieldRef("decision", "p1")
    done = apply(letter, RestoreField(ref, letter.field(ref)))
    assert done.audit == ()
    assert done.letter == letter


# --- AddItem -----------------------------------------------------------------------------


def test_add_item_appends_a_blank_item_with_a_new_id() -> None:
    letter = parsed("upheld")

    done, back = undone(letter, AddItem())

    (_, added) = done.letter.items
    assert re.fullmatch(r"n[0-9a-f]{8}", added.id)
    assert added == Item.blank(added.id)
    assert done.audit == (AuditRow(f"items.{added.id}", None, added.values_json()), REOPENED)
    assert back.audit == (AuditRow(f"items.{added.id}", added.values_json(), None),)
    assert same_apart_from_status(back.letter, letter)


def test_add_item_inserts_at_an_index_and_clamps_one_past_the_end() -> None:
    letter = parsed("upheld", "upheld")
    first, last = Item.blank("n00000001"), Item.blank("n00000002")

    front = apply(letter, AddItem(first, 0)).letter
    end = apply(letter, AddItem(last, 99)).letter

    assert [item.id for item in front.items] == ["n00000001", "p1", "p2"]
    assert [item.id for item in end.items] == ["p1", "p2", "n00000002"]


def test_add_item_refuses_an_id_the_letter_already_has() -> None:
    letter = parsed("upheld")
    with pytest.raises(ValueError, match="already has an item p1"):
        apply(letter, AddItem(Item.blank("p1")))


# --- RemoveItem --------------------------------------------------------------------------


def test_remove_item_audits_the_item_and_its_inverse_puts_it_back_whole() -> None:
    letter = parsed("upheld", "overturned", "upheld")
    removed = letter.item("p2")

    done, back = undone(letter, RemoveItem("p2"))

    assert [item.id for item in done.letter.items] == ["p1", "p3"]
    assert done.letter.removed_items() == 1
    assert done.audit == (
        AuditRow("items.p2", removed.values_json(), None),
        AuditRow("letter.outcome", "partially_overturned", "upheld"),
        REOPENED,
    )
    assert back.audit == (
        AuditRow("items.p2", None, removed.values_json()),
        AuditRow("letter.outcome", "upheld", "partially_overturned"),
    )
    assert back.letter.items == letter.items
    assert same_apart_from_status(back.letter, letter)


def test_remove_item_not_in_the_letter_raises_key_error() -> None:
    with pytest.raises(KeyError):
        apply(parsed("upheld"), RemoveItem("p9"))


# --- MoveItem ----------------------------------------------------------------------------


def test_move_item_audits_old_and_new_position_and_moves_back() -> None:
    letter = parsed("upheld", "overturned", "upheld")

    done, back = undone(letter, MoveItem("p1", 2))

    assert [item.id for item in done.letter.items] == ["p2", "p3", "p1"]
    assert done.letter.item("p1") == letter.item("p1")
    assert done.audit == (AuditRow("items.p1", {"position": 0}, {"position": 2}), REOPENED)
    assert back.audit == (AuditRow("items.p1", {"position": 2}, {"position": 0}),)
    assert same_apart_from_status(back.letter, letter)


def test_move_item_to_where_it_is_changes_nothing() -> None:
    letter = parsed("upheld", "upheld")
    done = apply(letter, MoveItem("p2", 1))
    assert done.audit == ()
    assert done.letter == letter


def test_move_item_outside_the_letter_raises_index_error() -> None:
    letter = parsed("upheld", "upheld")
    with pytest.raises(IndexError):
        apply(letter, MoveItem("p1", 2))
    with pytest.raises(IndexError):
        apply(letter, MoveItem("p1", -1))


# --- SetStatus ---------------------------------------------------------------------------


def test_set_status_audits_status_and_note_and_its_inverse_restores_both() -> None:
    letter = parsed("upheld")

    done, back = undone(letter, SetStatus("flagged", "bad scan"))

    assert (done.letter.status, done.letter.note) == ("flagged", "bad scan")
    assert done.audit == (
        AuditRow("status", "parsed", "flagged"),
        AuditRow("note", None, "bad scan"),
    )
    assert back.letter == letter


def test_set_status_without_a_note_keeps_the_note() -> None:
    letter = replace(parsed("upheld"), status="flagged", note="bad scan")

    done, back = undone(letter, SetStatus("skipped"))

    assert (done.letter.status, done.letter.note) == ("skipped", "bad scan")
    assert done.audit == (AuditRow("status", "flagged", "skipped"),)
    assert back.letter == letter


def test_set_status_refuses_a_status_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="'done' is not a status"):
        apply(parsed("upheld"), SetStatus("done"))


def test_set_status_verified_accepts_a_valid_letter() -> None:
    letter = parsed("upheld", "overturned")
    assert blocking(validate(letter)) == []

    done = apply(letter, SetStatus("verified"))

    assert done.letter == replace(letter, status="verified")
    assert done.audit == (AuditRow("status", "parsed", "verified"),)


def test_set_status_verified_refuses_an_invalid_letter_naming_the_fields() -> None:
    letter = parsed("upheld", "overturned")
    letter = letter.with_field(
        FieldRef("case_number"), FieldValue(None, "CM16-0000001", 1.0, (), REVIEWER)
    )
    letter = letter.with_field(FieldRef("treatment", "p2"), FieldValue(None, "Treatment 1.1", 0.9))
    problems = blocking(validate(letter))

    with pytest.raises(VerifyRefused) as refused:
        apply(letter, SetStatus("verified"))

    assert isinstance(refused.value, ValueError)
    assert str(refused.value) == refusal(problems)
    assert str(refused.value).startswith("Not verified: 2 issues to fix (Case number is required")
    assert [issue.path for issue in refused.value.issues] == [
        "letter.case_number",
        "items.p2.treatment",
    ]


# --- Batch -------------------------------------------------------------------------------


def test_batch_applies_in_order_each_with_its_rules_and_is_undone_in_reverse() -> None:
    letter = parsed("upheld", "upheld")
    edit = Batch(
        (
            SetField(FieldRef("claim_number"), "X-1"),
            MoveItem("p2", 0),
            SetField(FieldRef("claim_number"), "X-2"),
        )
    )

    done, back = undone(letter, edit)

    assert done.letter.value(FieldRef("claim_number")) == "X-2"
    assert [item.id for item in done.letter.items] == ["p2", "p1"]
    assert done.audit == (
        AuditRow("letter.claim_number", None, "X-1"),
        REOPENED,  # by the first edit; the letter is in progress for the rest
        AuditRow("items.p2", {"position": 1}, {"position": 0}),
        AuditRow("letter.claim_number", "X-1", "X-2"),
    )
    assert back.audit == (
        AuditRow("letter.claim_number", "X-2", "X-1"),
        AuditRow("items.p2", {"position": 0}, {"position": 1}),
        AuditRow("letter.claim_number", "X-1", None),
    )
    assert same_apart_from_status(back.letter, letter)


def test_a_batch_that_fixes_a_letter_and_then_verifies_it_ends_verified() -> None:
    letter = parsed("upheld")
    broken = apply(letter, SetField(FieldRef("decision", "p1"), None)).letter
    fix_and_verify = Batch((SetField(FieldRef("decision", "p1"), "upheld"), SetStatus("verified")))

    done = apply(broken, fix_and_verify)

    assert done.letter.status == "verified"
    assert done.audit[-1] == AuditRow("status", "in_progress", "verified")
    with pytest.raises(VerifyRefused):  # the gate holds inside a batch too
        apply(broken, Batch((SetField(FieldRef("claim_number"), "X"), SetStatus("verified"))))


def test_batch_of_nothing_changes_nothing() -> None:
    letter = parsed("upheld")
    done = apply(letter, Batch(()))
    assert done.audit == ()
    assert done.letter == letter


# --- undo after someone else's change ------------------------------------------------------


def test_undo_of_a_field_changed_since_by_someone_else_is_refused_and_keeps_their_value() -> None:
    letter = parsed("upheld")
    ref = FieldRef("treatment", "p1")
    mine = apply(letter, SetField(ref, "Mine"))
    theirs = apply_edit(mine.letter, SetField(ref, "Theirs"), reviewer="bob")

    with pytest.raises(StaleUndo, match="changed by bob since"):
        apply(theirs.letter, mine.inverse)


def test_undo_of_adding_an_item_someone_filled_in_since_is_refused() -> None:
    added = apply(parsed("upheld"), AddItem(Item.blank("n0")))
    filled = apply(added.letter, SetField(FieldRef("treatment", "n0"), "MRI"))

    with pytest.raises(StaleUndo):
        apply(filled.letter, added.inverse)
    assert apply(added.letter, added.inverse).letter.items == added.letter.items[:1]


def test_undo_of_a_decision_after_another_decision_changed_lets_the_outcome_follow() -> None:
    letter = parsed("upheld", "upheld")
    mine = apply(letter, SetField(FieldRef("decision", "p1"), "overturned"))
    theirs = apply_edit(
        mine.letter, SetField(FieldRef("decision", "p2"), "overturned"), reviewer="bob"
    )
    assert theirs.letter.value(OUTCOME) == "overturned"

    back = apply(theirs.letter, mine.inverse)

    assert back.letter.decisions() == ["upheld", "overturned"]
    assert back.letter.value(OUTCOME) == "partially_overturned"  # what the decisions give
    assert not blocking(validate(back.letter))


# --- the outcome rule --------------------------------------------------------------------


def test_flipping_a_decision_re_derives_the_parser_outcome_and_undo_restores_it() -> None:
    letter = parsed("upheld", "upheld")
    ref = FieldRef("decision", "p2")

    done, back = undone(letter, SetField(ref, "overturned"))

    assert done.letter.field(OUTCOME) == replace(
        letter.field(OUTCOME), value="partially_overturned"
    )
    assert done.audit == (
        AuditRow("items.p2.decision", "upheld", "overturned"),
        AuditRow("letter.outcome", "upheld", "partially_overturned"),
        REOPENED,
    )
    assert back.audit[0] == AuditRow("items.p2.decision", "overturned", "upheld")
    assert back.letter.field(OUTCOME) == letter.field(OUTCOME)
    assert same_apart_from_status(back.letter, letter)


@pytest.mark.parametrize(
    ("decisions", "outcome", "item", "decision"),
    [
        # The parser read "overturned" though both items are upheld; a flip re-derives it.
        (("upheld", "upheld"), "overturned", "p1", "overturned"),
        # The parser read "upheld" for a mixed letter; the flip agrees with it, so it stays.
        (("upheld", "overturned"), "upheld", "p2", "upheld"),
    ],
)
def test_undo_of_a_decision_restores_the_parser_outcome_exactly_even_when_it_disagreed(
    decisions: tuple[str, ...], outcome: str, item: str, decision: str
) -> None:
    letter = parsed(*decisions, outcome=outcome)

    _, back = undone(letter, SetField(FieldRef("decision", item), decision))

    assert back.letter.field(OUTCOME) == letter.field(OUTCOME)
    assert same_apart_from_status(back.letter, letter)


def test_undo_of_removing_an_item_restores_the_parser_outcome_exactly_even_when_it_disagreed() -> (
    None
):
    letter = parsed("upheld", "overturned", outcome="upheld")

    done, back = undone(letter, RemoveItem("p1"))

    assert done.letter.value(OUTCOME) == "overturned"
    assert back.letter.field(OUTCOME) == letter.field(OUTCOME)
    assert same_apart_from_status(back.letter, letter)


def test_removing_an_item_that_changes_nothing_the_decisions_give_keeps_the_outcome() -> None:
    # The items still give 'upheld': the parser's disagreeing outcome stays for the reviewer
    # to see (validation flags it), as it does for any edit that is not about decisions.
    letter = parsed("upheld", "upheld", outcome="overturned")

    done = apply(letter, RemoveItem("p1"))

    assert done.letter.value(OUTCOME) == "overturned"
    assert [row.field for row in done.audit] == ["items.p1", "status"]


def test_moving_an_item_never_changes_the_outcome() -> None:
    # Moving changes no decision, only the order: a parser outcome that disagrees with the
    # items stays for the reviewer to see, as it does for any edit that is not a decision.
    letter = parsed("upheld", "overturned", outcome="upheld")

    done = apply(letter, MoveItem("p2", 0))

    assert done.letter.field(OUTCOME) == letter.field(OUTCOME)
    assert done.audit == (AuditRow("items.p2", {"position": 1}, {"position": 0}), REOPENED)


def test_an_edit_that_is_not_a_decision_leaves_a_disagreeing_parser_outcome() -> None:
    letter = parsed("upheld", "upheld", outcome="overturned")
    done = apply(letter, SetField(FieldRef("treatment", "p1"), "MRI"))
    assert done.letter.field(OUTCOME) == letter.field(OUTCOME)
    assert [row.field for row in done.audit] == ["items.p1.treatment", "status"]


def test_a_person_set_outcome_is_never_re_derived() -> None:
    letter = apply(parsed("upheld", "upheld"), SetField(OUTCOME, "overturned")).letter
    person_set = letter.field(OUTCOME)
    assert person_set.set_by == REVIEWER

    for edit in (
        SetField(FieldRef("decision", "p1"), "overturned"),
        RemoveItem("p2"),
        AddItem(Item.blank("n00000001")),
        Batch((SetField(FieldRef("decision", "p2"), None), MoveItem("p2", 0))),
    ):
        done, back = undone(letter, edit)
        assert done.letter.field(OUTCOME) == person_set, edit
        assert all(row.field != "letter.outcome" for row in done.audit + back.audit), edit
        assert back.letter == letter, edit


# --- the reopen rule ---------------------------------------------------------------------

CONTENT_EDITS = [
    SetField(FieldRef("claim_number"), "X-1"),
    RestoreField(FieldRef("claim_number"), FieldValue("X-1", None, 0.5)),
    AddItem(Item.blank("n00000001")),
    RemoveItem("p2"),
    MoveItem("p2", 0),
    Batch((SetField(FieldRef("treatment", "p1"), "MRI"),)),
]


@pytest.mark.parametrize("edit", CONTENT_EDITS)
@pytest.mark.parametrize("status", ["parsed", "verified"])
def test_a_content_edit_reopens_a_parsed_or_verified_letter(edit: Edit, status: str) -> None:
    letter = replace(parsed("upheld", "upheld"), status=status)

    done = apply(letter, edit)

    assert done.letter.status == "in_progress"
    assert done.audit[-1] == AuditRow("status", status, "in_progress")
    assert [row.field for row in done.audit].count("status") == 1


@pytest.mark.parametrize("edit", CONTENT_EDITS)
@pytest.mark.parametrize("status", ["flagged", "skipped", "in_progress"])
def test_a_content_edit_keeps_a_flagged_skipped_or_in_progress_status(
    edit: Edit, status: str
) -> None:
    letter = replace(parsed("upheld", "upheld"), status=status, note="see page 2")

    done = apply(letter, edit)

    assert (done.letter.status, done.letter.note) == (status, "see page 2")
    assert all(row.field not in ("status", "note") for row in done.audit)


# --- stable ids under any sequence of edits ----------------------------------------------

LETTER_VALUES = {
    "claim_number": ["X-1", "  X 2 ", None],
    "injury_date": ["2015-03-04", "3/4/15", None],
    "patient_age": ["48", 61, None],
    "reviewer_specialties": ["Orthopedic Surgery, Pain Management", [], ["Psychiatry"]],
    "outcome": ["upheld", "overturned", "partially_overturned"],
}
TREATMENTS = ["MRI", "  Knee\nbrace ", None, "Naproxen 550mg #60"]
DECISIONS = ["upheld", "overturned", None]


@st.composite
def an_edit(draw: st.DrawFn, letter: Letter, serial: int) -> Edit:
    """One edit that can be applied to ``letter``; ``serial`` makes added items' ids."""
    ids = [item.id for item in letter.items]
    kinds = ["letter", "add"] + (["decision", "treatment", "remove", "move"] if ids else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "letter":
        name = draw(st.sampled_from(sorted(LETTER_VALUES)))
        return SetField(FieldRef(name), draw(st.sampled_from(LETTER_VALUES[name])))
    if kind == "add":
        index = draw(st.none() | st.integers(0, len(ids)))
        return AddItem(Item.blank(f"n{serial:08x}"), index)
    item_id = draw(st.sampled_from(ids))
    if kind == "decision":
        return SetField(FieldRef("decision", item_id), draw(st.sampled_from(DECISIONS)))
    if kind == "treatment":
        return SetField(FieldRef("treatment", item_id), draw(st.sampled_from(TREATMENTS)))
    if kind == "remove":
        return RemoveItem(item_id)
    return MoveItem(item_id, draw(st.integers(0, len(ids) - 1)))


def assert_ids_kept(before: Letter, after: Letter, edit: Edit) -> None:
    """Ids are unique; an item keeps its id, and only the item an edit names changes."""
    ids = [item.id for item in after.items]
    assert len(ids) == len(set(ids)), ids
    old = {item.id: item for item in before.items}
    new = {item.id: item for item in after.items}
    if isinstance(edit, AddItem):
        assert set(new) - set(old) == {edit.item.id} and set(old) <= set(new)
    elif isinstance(edit, RemoveItem):
        assert set(old) - set(new) == {edit.item_id} and set(new) <= set(old)
    else:
        assert set(new) == set(old)
    named = getattr(getattr(edit, "ref", None), "item", None)
    for item_id in set(old) & set(new):
        if item_id != named:
            assert new[item_id] == old[item_id], item_id
        else:
            assert new[item_id].fields.keys() == old[item_id].fields.keys()


@settings(max_examples=60, deadline=None)
@given(
    decisions=st.lists(st.sampled_from(["upheld", "overturned"]), min_size=1, max_size=4),
    data=st.data(),
)
def test_edits_keep_item_ids_and_their_inverses_in_reverse_restore_the_letter(
    decisions: list[str], data: st.DataObject
) -> None:
    original = parsed(*decisions)
    letter = original
    inverses: list[Edit] = []
    for serial in range(data.draw(st.integers(1, 12), label="edits")):
        edit = data.draw(an_edit(letter, serial), label=f"edit {serial}")
        done = apply(letter, edit)
        assert_ids_kept(letter, done.letter, edit)
        assert bool(done.audit) == (done.letter != letter)
        inverses.append(done.inverse)
        letter = done.letter

    for inverse in reversed(inverses):
        back = apply(letter, inverse)
        ids = [item.id for item in back.letter.items]
        assert len(ids) == len(set(ids)), ids
        letter = back.letter

    assert letter.fields == original.fields
    assert letter.items == original.items
    assert letter.parser_items == original.parser_items
    assert same_apart_from_status(letter, original)
    assert letter.to_json() == {**original.to_json(), "status": letter.status}
