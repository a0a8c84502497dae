"""Seeded checks, the pure part: which value a letter shows altered, and how.

Properties over many synthetic letters (hand-built records with varied decisions, and the
sample generator's records) and every kind of check: the plan is the same for the same key,
and it changes exactly one field the parser filled in to another valid value of its type.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from typing import Any

from fake_letters import fake_record
from hypothesis import given, settings
from hypothesis import strategies as st

from imr_desk.domain import CATEGORIES, DECISIONS, coerce
from imr_desk.record import FieldRef, Letter, freeze, thaw
from imr_desk.samples import generate_record
from imr_desk.seeded_checks import (
    KINDS,
    Check,
    check_key,
    describe,
    missed_message,
    plan_check,
    shown_letter,
)

WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=6)


@st.composite
def fake_records(draw: st.DrawFn) -> dict[str, Any]:
    """A hand-built record: one to four items with any decisions, and any of the fields a
    check can alter present or empty (an age at the bounds too)."""
    decisions = tuple(draw(st.lists(st.sampled_from(DECISIONS), min_size=1, max_size=4)))
    record = fake_record(draw(st.integers(1, 10**6)), decisions=decisions)
    letter = record["letter"]
    letter["patient_age"] = draw(st.one_of(st.none(), st.integers(0, 120)))
    for name in ("decision_date", "injury_date", "date_assigned"):
        day = draw(st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31))))
        letter[name] = None if day is None else day.isoformat()
    for item in record["items"]:
        item["category"] = draw(st.one_of(st.none(), st.sampled_from(CATEGORIES)))
        item["treatment"] = " ".join(draw(st.lists(WORDS, min_size=0, max_size=5))) or None
    return record


@st.composite
def sample_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record of the sample generator, as its letter states it."""
    seed, layout = draw(st.integers(0, 10**6)), draw(st.sampled_from("ABC"))
    return generate_record(random.Random(seed), layout)


RECORDS = st.one_of(fake_records(), sample_records())
KEYS = st.text(max_size=20)


def changed_refs(before: Letter, after: Letter) -> list[FieldRef]:
    return [ref for ref in before.refs() if before.value(ref) != after.value(ref)]


def assert_plausible(check: Check) -> None:
    """The shown value is another value of the field's type, altered as its kind says."""
    original, shown = check.original, check.shown
    assert shown != original
    assert freeze(coerce(check.ref.spec, thaw(shown))) == shown  # a valid value of the field
    if check.kind == "date":
        assert check.ref.spec.kind == "date"
        assert 1 <= abs((date.fromisoformat(shown) - date.fromisoformat(original)).days) <= 30
    elif check.kind == "decision":
        assert {original, shown} == set(DECISIONS)
    elif check.kind == "category":
        assert shown in CATEGORIES
    elif check.kind == "treatment":
        words, kept = original.split(), shown.split()
        assert len(words) >= 2 and len(kept) == len(words) - 1
        assert any(words[:i] + words[i + 1 :] == kept for i in range(len(words)))
    else:
        assert check.kind == "age" and check.ref.name == "patient_age"
        assert 0 <= shown <= 120 and 1 <= abs(shown - original) <= 9


@settings(max_examples=300, deadline=None)
@given(record=RECORDS, key=KEYS)
def test_a_check_changes_exactly_one_prefilled_field_to_another_valid_value(
    record: dict[str, Any], key: str
) -> None:
    letter = Letter.from_parsed(record)
    check = plan_check(letter, key)
    assert check == plan_check(Letter.from_parsed(record), key)  # the same key, the same check
    if check is None:
        return
    shown = shown_letter(letter, check)
    assert changed_refs(letter, shown) == [check.ref]
    assert check.original == letter.value(check.ref)
    assert shown.value(check.ref) == check.shown
    assert not shown.field(check.ref).corrected  # nothing marks it as changed
    assert check.kind in KINDS
    assert_plausible(check)


def only(letter: Letter, ref: FieldRef) -> Letter:
    """The letter with every other field marked as a person's, so only ``ref`` can be checked."""
    for other in letter.refs():
        if other != ref:
            letter = letter.with_field(other, replace(letter.field(other), set_by="ann"))
    return letter


KIND_FIELDS = {
    "date": FieldRef("decision_date"),
    "decision": FieldRef("decision", "p1"),
    "category": FieldRef("category", "p1"),
    "treatment": FieldRef("treatment", "p1"),
    "age": FieldRef("patient_age"),
}


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(KINDS), key=KEYS, age=st.sampled_from([0, 1, 48, 119, 120]))
def test_every_kind_of_check_alters_its_field_plausibly(kind: str, key: str, age: int) -> None:
    record = fake_record(3, decisions=("overturned", "upheld"))
    record["letter"]["patient_age"] = age
    record["items"][0]["treatment"] = "Lumbar epidural steroid injection"
    letter = only(Letter.from_parsed(record), KIND_FIELDS[kind])
    check = plan_check(letter, key)
    assert check is not None and check.kind == kind and check.ref == KIND_FIELDS[kind]
    assert changed_refs(letter, shown_letter(letter, check)) == [check.ref]
    assert_plausible(check)


def test_no_check_without_a_value_the_parser_filled_in() -> None:
    letter = Letter.from_parsed(fake_record(1))
    assert plan_check(only(letter, FieldRef("case_number")), "k") is None


def test_the_key_draws_the_check_and_different_letters_get_different_checks() -> None:
    letter = Letter.from_parsed(generate_record(random.Random(5), "B"))
    checks = {plan_check(letter, check_key(0, f"{n:064x}")) for n in range(40)}
    assert len({check.kind for check in checks if check}) >= 3


def test_the_missed_message_names_the_field_the_shown_value_and_the_letters() -> None:
    letter = Letter.from_parsed(fake_record(1, decisions=("upheld", "overturned")))
    ref = FieldRef("decision", "p2")
    check = Check(ref, "decision", "overturned", "upheld")
    assert describe(check, letter) == "Decision of item 2"
    message = missed_message(check, letter)
    assert "Decision of item 2" in message and "'upheld'" in message
    assert "'overturned'" in message
