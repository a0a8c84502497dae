"""The field list owner: normalisers and record helpers."""

from __future__ import annotations

import pytest

from imr_desk.dataset_card import CardStats, render_card
from imr_desk.domain import (
    FIELDS_BY_NAME,
    ITEM_FIELDS,
    LETTER_FIELDS,
    coerce,
    derive_outcome,
    normalise_date,
    normalise_text,
    split_entries,
    values_equal,
)


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("11/09/2016", "2016-11-09"),
        ("1/5/2017", "2017-01-05"),
        ("10-13-16", "2016-10-13"),
        ("03/20/14", "2014-03-20"),
        ("12/31/99", "1999-12-31"),
        ("01/01/49", "2049-01-01"),
        ("01/01/50", "1950-01-01"),
        ("August 30, 2013", "2013-08-30"),
        ("Sept. 3, 2013", "2013-09-03"),
        ("2016-11-09", "2016-11-09"),
        ("02/30/2016", None),
        ("soon", None),
    ],
)
def test_dates_normalise_to_iso_with_the_two_digit_year_rule(printed: str, iso: str | None) -> None:
    assert normalise_date(printed) == iso


def test_text_collapses_whitespace_joins_line_end_hyphens_and_expands_ligatures() -> None:
    assert normalise_text("  a\n b\t\tc  ") == "a b c"
    assert normalise_text("10-28-\n2016") == "10-28-2016"
    assert normalise_text("documen-\ntation") == "documen-tation"
    assert normalise_text("\ufb01ndings 98°") == "findings 98°"
    assert normalise_text("   ") is None


def test_values_equal_ignores_whitespace_hyphen_spaces_curly_quotes_and_empties() -> None:
    assert values_equal("Knee  brace\n left", "Knee brace left")
    assert values_equal("10-28- 2016", "10-28-2016")
    assert values_equal("patient\u2019s \u201cpain\u201d", 'patient\'s "pain"')
    assert values_equal("\u2018x\u2019", "'x'")
    assert values_equal("", None) and values_equal([], None) and values_equal("  ", [])
    assert values_equal([" a ", "b\u2019s"], ["a", "b's"])
    assert not values_equal("upheld", "overturned")
    assert not values_equal(["a", "b"], ["b", "a"])


def test_outcome_is_derived_from_the_items() -> None:
    assert derive_outcome(["upheld", "upheld"]) == "upheld"
    assert derive_outcome(["overturned"]) == "overturned"
    assert derive_outcome(["upheld", "overturned"]) == "partially_overturned"
    assert derive_outcome([]) is None


def test_coerce_refuses_values_a_field_cannot_hold_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="Decision date: '31/31/2016' is not a date"):
        coerce(FIELDS_BY_NAME["decision_date"], "31/31/2016")
    with pytest.raises(ValueError, match="Decision"):
        coerce(FIELDS_BY_NAME["decision"], "maybe")
    assert coerce(FIELDS_BY_NAME["decision"], "Upheld") == "upheld"
    assert coerce(FIELDS_BY_NAME["category"], "DMEPOS") == "DMEPOS"
    assert coerce(FIELDS_BY_NAME["reviewer_license_states"], "California,  Texas") == [
        "California",
        "Texas",
    ]
    assert coerce(FIELDS_BY_NAME["patient_age"], " 48 ") == 48


def test_diagnoses_split_at_list_numbers_even_run_together_and_keep_their_commas() -> None:
    spec = FIELDS_BY_NAME["diagnoses"]
    assert split_entries(
        spec, "1.Posttraumatic stress disorder2.RSD lower extremities3.Myofascial"
    ) == [
        "Posttraumatic stress disorder",
        "RSD lower extremities",
        "Myofascial",
    ]
    assert split_entries(
        spec, "strain of the muscle, fascia, and tendon; lumbar\nradiculopathy"
    ) == [
        "strain of the muscle, fascia, and tendon",
        "lumbar radiculopathy",
    ]
    assert split_entries(spec, "1. L4-5 disc bulge of 1.5 mm 2. Type 2 diabetes") == [
        "L4-5 disc bulge of 1.5 mm",
        "Type 2 diabetes",
    ]
    states = FIELDS_BY_NAME["reviewer_license_states"]
    assert split_entries(states, "California,North Carolina") == ["California", "North Carolina"]


def test_every_field_has_a_short_help_text_and_the_card_describes_it_with_that_text() -> None:
    # The form shows help as a tooltip and the dataset card as the description: one text,
    # written once here (the card kept a second copy of the field list).
    card = render_card(CardStats(), selection="verified", generated_at="now")
    for spec in (*LETTER_FIELDS, *ITEM_FIELDS):
        assert spec.help and len(spec.help) <= 90 and spec.help.endswith("."), spec.name
        path = spec.path() if spec.scope == "letter" else f"items.*.{spec.name}"
        assert f"| `{path}` |" in card and f"| {spec.help} |" in card
