"""Correction reasons: why a person changed a parser value, kept on the field, audited as
``<path>#reason`` rows, taken back exactly, and stored with the letter."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from fake_letters import fake_record

from imr_desk.domain import CORRECTION_REASONS
from imr_desk.edits import (
    Applied,
    AuditRow,
    Edit,
    SetField,
    SetStatus,
    StaleUndo,
    TagReason,
    apply_edit,
)
from imr_desk.record import FieldRef, Letter
from imr_desk.storage.codec import dump_letter, letter_json, load_letter

if TYPE_CHECKING:
    from tests.conftest import EngineProject

REVIEWER = "ann"
AGE = FieldRef("patient_age")
DECISION = FieldRef("decision", "p1")


def apply(letter: Letter, edit: Edit) -> Applied:
    return apply_edit(letter, edit, reviewer=REVIEWER)


def corrected_age() -> Letter:
    """A parsed letter (patient age 48) whose age a reviewer changed to 50."""
    return apply(Letter.from_parsed(fake_record(1)), SetField(AGE, 50)).letter


def test_the_reasons_are_the_six_the_backlog_counts() -> None:
    assert CORRECTION_REASONS == (
        "misread",
        "wrong_boundary",
        "normalisation",
        "missing",
        "letter_wrong",
        "other",
    )


def test_a_reason_tags_a_corrected_field_with_one_audit_row_and_nothing_else() -> None:
    letter = corrected_age()
    done = apply(letter, TagReason(AGE, "misread"))
    assert done.letter.field(AGE) == replace(letter.field(AGE), reason="misread")
    assert done.audit == (AuditRow("letter.patient_age#reason", None, "misread"),)
    assert done.letter.status == letter.status


def test_changing_and_removing_a_reason_are_audited_old_to_new() -> None:
    tagged = apply(corrected_age(), TagReason(AGE, "misread")).letter
    changed = apply(tagged, TagReason(AGE, "letter_wrong"))
    assert changed.audit == (AuditRow("letter.patient_age#reason", "misread", "letter_wrong"),)
    removed = apply(changed.letter, TagReason(AGE, None))
    assert removed.audit == (AuditRow("letter.patient_age#reason", "letter_wrong", None),)
    assert removed.letter.field(AGE).reason is None


def test_the_same_reason_again_changes_nothing() -> None:
    tagged = apply(corrected_age(), TagReason(AGE, "misread")).letter
    again = apply(tagged, TagReason(AGE, "misread"))
    assert (again.letter, again.audit) == (tagged, ())


def test_undo_puts_the_field_back_exactly_and_redo_tags_it_again() -> None:
    letter = corrected_age()
    done = apply(letter, TagReason(AGE, "wrong_boundary"))
    back = apply(done.letter, done.inverse)
    assert back.letter == letter
    assert back.audit == (AuditRow("letter.patient_age#reason", "wrong_boundary", None),)
    again = apply(back.letter, back.inverse)
    assert again.letter == done.letter


def test_a_reason_on_a_verified_letter_leaves_it_verified_and_so_does_its_undo() -> None:
    verified = apply(corrected_age(), SetStatus("verified")).letter
    done = apply(verified, TagReason(AGE, "normalisation"))
    assert done.letter.status == "verified"
    assert apply(done.letter, done.inverse).letter.status == "verified"


def test_undoing_a_reason_after_the_field_changed_again_is_refused() -> None:
    done = apply(corrected_age(), TagReason(AGE, "misread"))
    changed = apply(done.letter, SetField(AGE, 51)).letter
    with pytest.raises(StaleUndo, match="Patient age was changed by ann since"):
        apply(changed, done.inverse)


def test_a_field_still_holding_the_parsers_value_takes_no_reason() -> None:
    letter = Letter.from_parsed(fake_record(1))
    with pytest.raises(ValueError, match="Patient age: only a value changed from the parser"):
        apply(letter, TagReason(AGE, "misread"))
    # Typed again as the parser had it: a person's value, but not a correction.
    retyped = apply(letter, SetField(AGE, 48)).letter
    with pytest.raises(ValueError, match="only a value changed from the parser"):
        apply(retyped, TagReason(AGE, "misread"))


def test_an_unknown_reason_is_refused_naming_the_reasons() -> None:
    with pytest.raises(ValueError, match="'typo' is not a correction reason \\(misread, "):
        apply(corrected_age(), TagReason(AGE, "typo"))


def test_taking_no_reason_away_is_always_allowed() -> None:
    letter = Letter.from_parsed(fake_record(1))
    done = apply(letter, TagReason(AGE, None))
    assert (done.letter, done.audit) == (letter, ())


def test_a_new_value_that_still_differs_keeps_the_reason() -> None:
    tagged = apply(corrected_age(), TagReason(AGE, "misread")).letter
    done = apply(tagged, SetField(AGE, 52))
    assert done.letter.field(AGE).reason == "misread"
    assert done.audit == (AuditRow("letter.patient_age", 50, 52),)


def test_putting_the_parsers_value_back_clears_the_reason_and_undo_restores_it() -> None:
    tagged = apply(corrected_age(), TagReason(AGE, "misread")).letter
    done = apply(tagged, SetField(AGE, 48))
    assert done.letter.field(AGE).reason is None
    assert done.audit == (
        AuditRow("letter.patient_age", 50, 48),
        AuditRow("letter.patient_age#reason", "misread", None),
    )
    back = apply(done.letter, done.inverse)
    assert back.letter.field(AGE) == tagged.field(AGE)
    assert back.audit == (
        AuditRow("letter.patient_age", 48, 50),
        AuditRow("letter.patient_age#reason", None, "misread"),
    )


def test_an_item_field_takes_a_reason_by_its_id() -> None:
    letter = apply(Letter.from_parsed(fake_record(1)), SetField(DECISION, "overturned")).letter
    done = apply(letter, TagReason(DECISION, "misread"))
    assert done.letter.item("p1")["decision"].reason == "misread"
    assert done.audit == (AuditRow("items.p1.decision#reason", None, "misread"),)


def test_a_letter_reads_back_with_its_reasons_stored_only_where_given() -> None:
    letter = apply(corrected_age(), TagReason(AGE, "letter_wrong")).letter
    stored = letter_json(letter)
    assert stored["letter"]["patient_age"]["reason"] == "letter_wrong"
    assert "reason" not in stored["letter"]["case_number"]
    assert load_letter(dump_letter(letter), status=letter.status, note=None) == letter


def test_the_store_keeps_a_reason_and_its_audit_row_across_connections(
    project: EngineProject,
) -> None:
    with project.open(REVIEWER) as store:
        store.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
        sha = store.list_letters()[0].sha256
        store.apply(sha, SetField(AGE, 50))
        row, inverse = store.apply(sha, TagReason(AGE, "missing"))
    assert row.full.field(AGE).reason == "missing"
    with project.open("bob") as store:
        assert store.get(sha).full.field(AGE).reason == "missing"
        last = store.audit(sha)[-1]
        assert (last.field, last.old, last.new, last.reviewer) == (
            "letter.patient_age#reason",
            None,
            "missing",
            REVIEWER,
        )
        undone, _ = store.apply(sha, inverse)
    assert undone.full.field(AGE).reason is None
    assert undone.full.field(AGE).value == 50
