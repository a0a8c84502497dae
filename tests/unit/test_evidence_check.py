"""The evidence check: a value a person sets is looked for in the letter's text."""

from __future__ import annotations

import pytest

from imr_desk.domain import FIELDS_BY_NAME
from imr_desk.evidence_check import PARTS, found_in_text, letter_text, not_in_letter
from imr_desk.pdf_source import Word

SPEC = FIELDS_BY_NAME
# Lines as a letter's text gives them: a line-end hyphen, ligatures (ﬁ, ﬀ), curly quotes.
TEXT = "\n".join(
    [
        "IMR Case Number: CM16-0213037 Claim Number: 05A-77123",
        "Date Assigned: 01/02/2016 Priority: Expedited",
        "The patient is a 48-year-old woman injured on 10-28-",
        "2016 at work. Records from Feb. 3, 2015 to March 14, 2015 were reviewed,",
        "with a report dated 7/9/14 and one dated 2014-12-31.",
        "She was seen for plantar fasciitis of the left foot; bilateral carpal",
        "tunnel syndrome. Treatment: physio-",
        "therapy, 12 sessions. \u201cConstant\u201d pain. The diﬀuse ﬁndings: UPHELD.",
        "State(s) of Licensure: California, Arizona",
    ]
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("case_number", "CM16-0213037"),
        ("case_number", "cm16-0213037"),  # case blind
        ("claim_number", "05A-77123"),
        ("case_summary", "injured on 10-28-2016 at work"),  # line-end hyphen joins
        ("treatment", "physiotherapy, 12 sessions"),  # a word hyphenated to break the line
        ("treatment", "physio-therapy, 12 sessions"),  # ... or as the spec joins it
        ("rationale", "The diffuse findings"),  # ligatures expanded
        ("rationale", '"Constant" pain'),  # curly and straight quotes alike
        ("case_summary", "bilateral   carpal tunnel\nsyndrome"),  # whitespace runs, line break
        ("patient_age", 48),
        ("priority", "expedited"),
        ("patient_sex", "female"),  # printed as "woman"
        ("decision", "upheld"),
        ("category", "Pharmaceuticals"),  # never printed: never checked
        ("claim_number", None),  # empty: not checked
        ("diagnoses", ()),
    ],
)
def test_a_printed_value_is_found(name: str, value: object) -> None:
    assert found_in_text(SPEC[name], value, TEXT)


@pytest.mark.parametrize(
    "iso",
    [
        "2016-01-02",  # 01/02/2016
        "2016-10-28",  # 10-28- + 2016 across a line break
        "2015-02-03",  # Feb. 3, 2015
        "2015-03-14",  # March 14, 2015
        "2014-07-09",  # 7/9/14
        "2014-12-31",  # ISO as printed
    ],
)
def test_a_date_is_found_in_any_printed_spelling(iso: str) -> None:
    assert found_in_text(SPEC["decision_date"], iso, TEXT)


@pytest.mark.parametrize(
    "printed",
    [
        "01/02/2016",
        "1/2/2016",
        "1/2/16",
        "01/02/16",
        "01-02-2016",
        "1-2-16",
        "01.02.2016",
        "January 2, 2016",
        "Jan. 2, 2016",
        "Jan 2 2016",
        "2016-01-02",
    ],
)
def test_every_date_spelling_the_parser_reads_prints_the_same_date(printed: str) -> None:
    text = f"Decision Date: {printed} and more"
    assert found_in_text(SPEC["decision_date"], "2016-01-02", text)
    assert not found_in_text(SPEC["decision_date"], "2016-01-03", text)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("case_number", "CM16-0213038"),  # one digit off
        ("case_number", "CM16-021303"),  # part of the printed number only
        ("claim_number", "5A-77123"),  # the tail of the printed one
        ("decision_date", "2016-02-01"),  # day and month swapped
        ("patient_age", 4),  # inside 48
        ("patient_age", 49),
        ("priority", "standard"),
        ("patient_sex", "male"),  # "woman" is no "man"
        ("decision", "overturned"),
        ("treatment", "Physical therapy, 12 sessions"),
        ("rationale", "The diffuse finding was"),
    ],
)
def test_a_value_not_printed_is_not_found(name: str, value: object) -> None:
    assert not found_in_text(SPEC[name], value, TEXT)


def test_list_entries_are_looked_for_one_by_one() -> None:
    diagnoses = SPEC["diagnoses"]
    states = SPEC["reviewer_license_states"]
    # Not as one joined string: each entry is printed, apart.
    assert found_in_text(states, ("California", "Arizona"), TEXT)
    assert found_in_text(states, ("Arizona", "California"), TEXT)
    assert found_in_text(
        diagnoses,
        ("plantar fasciitis of the left foot", "bilateral carpal tunnel syndrome"),
        TEXT,
    )
    assert not found_in_text(states, ("California", "Nevada"), TEXT)
    assert not found_in_text(diagnoses, ("plantar fasciitis of the right foot",), TEXT)


def test_a_partial_overturn_is_found_when_both_decisions_are_printed() -> None:
    outcome = SPEC["outcome"]
    assert not found_in_text(outcome, "partially_overturned", "Item 1: UPHELD.")
    assert found_in_text(outcome, "partially_overturned", "Item 1: UPHELD. Item 2: OVERTURNED.")
    assert found_in_text(outcome, "overturned", "Final Determination: OVERTURN.")


def test_a_letter_without_text_checks_nothing() -> None:
    spec = SPEC["case_number"]
    assert not not_in_letter(spec, "CM16-9999999", None)
    assert not not_in_letter(spec, "CM16-9999999", "  \n ")
    assert not_in_letter(spec, "CM16-9999999", TEXT)
    assert not not_in_letter(spec, "CM16-0213037", TEXT)


def _word(page: int, y: float, x: float, text: str) -> Word:
    return Word(page, x, y - 10, x + 6 * len(text), y, text)


def test_letter_text_reads_a_value_broken_by_a_page_break_without_its_footer() -> None:
    words = [
        _word(0, 100, 72, "Treatment:"),
        _word(0, 700, 72, "Physical"),
        _word(0, 760, 300, "Page"),
        _word(0, 760, 330, "1"),
        _word(1, 100, 72, "therapy"),
        _word(1, 760, 300, "Page"),
        _word(1, 760, 330, "2"),
    ]
    text = letter_text(words, [792.0, 792.0])
    assert PARTS in text  # the lines as printed, then without page furniture
    assert found_in_text(SPEC["treatment"], "Physical therapy", text)
    assert found_in_text(SPEC["case_summary"], "Page 1", text)  # furniture kept too
