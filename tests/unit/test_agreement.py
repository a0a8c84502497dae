"""Agreement of two reviews: differences, percent agreement, Krippendorff's alpha, intervals.

The numbers are checked twice: against a calculation done by hand (below, in the comments of
the worked example) and against the ``krippendorff`` package on random data.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import krippendorff
import pytest
from fake_letters import fake_record

from imr_desk.agreement import (
    CHOICE_FIELDS,
    AgreementRow,
    Difference,
    agreement,
    differences,
    markdown_table,
    most_disagreement,
    render_table,
)
from imr_desk.domain import FIELDS_BY_NAME, ITEM_FIELDS, LETTER_FIELDS
from imr_desk.edits import AddItem, Edit, RemoveItem, SetField, apply_edit
from imr_desk.record import FieldRef, Item, Letter

OUTCOME = FieldRef("outcome")
RESAMPLES = 200


def letter(n: int, *decisions: str) -> Letter:
    """Parsed letter ``n`` with one item per decision (ids p1, p2, ...)."""
    return Letter.from_parsed(fake_record(n, decisions=decisions or ("upheld",)))


def edited(start: Letter, *edits: Edit, reviewer: str = "bea") -> Letter:
    for edit in edits:
        start = apply_edit(start, edit, reviewer=reviewer).letter
    return start


def rows_by_field(rows: list[AgreementRow]) -> dict[str, AgreementRow]:
    return {row.field: row for row in rows}


# --- the worked example --------------------------------------------------------------------
#
# Five letters, one parser item (p1) each, reviewed by A (as parsed) and B:
#
#   letter  items.p1.decision (A / B)    letter.outcome (A / B)     B also
#   L1      upheld / upheld              upheld / upheld
#   L2      upheld / upheld              upheld / upheld            adds an item n1
#   L3      overturned / overturned      overturned / overturned
#   L4      upheld / overturned          upheld / overturned        (outcome follows B's decision)
#   L5      overturned / overturned      overturned / (unset)       clears the outcome
#
# Decision: 5 units (shared items), 4 agree -> 80 %. Coincidence matrix (each unit adds its
# pair both ways; u = upheld, o = overturned):
#
#            u   o  | n_c
#       u    4   1  |  5        L1, L2 give u-u twice each; L4 gives u-o and o-u
#       o    1   4  |  5        L3, L5 give o-o twice each
#                      n = 10
#   D_o = (o_uo + o_ou) / n = 2/10 = 0.2
#   D_e = (n_u n_o + n_o n_u) / (n (n - 1)) = 50/90
#   alpha = 1 - D_o / D_e = 1 - 0.2 * 90/50 = 1 - 0.36 = 0.64
#
# Outcome: 5 units, 3 agree (L1-L3) -> 60 %. Unset (-) is a category of its own:
#
#            u   o   -  | n_c
#       u    4   1   0  |  5    L1, L2: u-u twice each; L4: u-o
#       o    1   2   1  |  4    L3: o-o twice; L5: o-(unset)
#       -    0   1   0  |  1
#                          n = 10
#   D_o = 4/10 = 0.4
#   D_e = (n^2 - sum n_c^2) / (n (n - 1)) = (100 - 25 - 16 - 1) / 90 = 58/90
#   alpha = 1 - 0.4 * 90/58 = 1 - 36/58 = 22/58 = 11/29 = 0.37931...
#
# The item list: L2 has 2 items between the reviews (p1 in both, n1 only in B), the others 1:
# 6 units, 5 in both -> 83.33 %. No alpha: the item list is no choice.
# Priority is unset in every review, sex "male" in every review and category "Pharmaceuticals"
# on every item: 100 % agreement, and alpha undefined (no variation: D_e = 0).


def worked_example() -> dict[str, tuple[Letter, Letter]]:
    decisions = {"L1": "upheld", "L2": "upheld", "L3": "overturned", "L4": "upheld"}
    decisions["L5"] = "overturned"
    parsed = {key: letter(n, d) for n, (key, d) in enumerate(decisions.items(), start=1)}
    b_edits: dict[str, list[Edit]] = {
        "L2": [AddItem(Item.blank("n1"))],
        "L4": [SetField(FieldRef("decision", "p1"), "overturned")],
        "L5": [SetField(OUTCOME, None)],
    }
    return {
        key: (edited(a, reviewer="ann"), edited(a, *b_edits.get(key, []), reviewer="bea"))
        for key, a in parsed.items()
    }


def test_agreement_of_the_worked_example_is_what_the_hand_calculation_says() -> None:
    rows = rows_by_field(agreement(list(worked_example().values()), resamples=RESAMPLES))

    decision, outcome, items = rows["items.decision"], rows["letter.outcome"], rows["items"]
    assert (decision.units, decision.agreed, decision.percent) == (5, 4, 80.0)
    assert decision.alpha == pytest.approx(0.64, abs=1e-12)
    assert (outcome.units, outcome.agreed, outcome.percent) == (5, 3, 60.0)
    assert outcome.alpha == pytest.approx(11 / 29, abs=1e-12)
    assert (items.units, items.agreed) == (6, 5)
    assert items.percent == pytest.approx(500 / 6)
    assert items.alpha is None
    for name in ("letter.priority", "letter.patient_sex", "items.category"):
        assert (rows[name].units, rows[name].percent, rows[name].alpha) == (5, 100.0, None)
        assert (rows[name].alpha_low, rows[name].alpha_high) == (None, None)


def test_worked_example_alphas_equal_the_krippendorff_package() -> None:
    # The same data as coded reliability data: u = 0, o = 1, unset = 2.
    decision = [[0, 0, 1, 0, 1], [0, 0, 1, 1, 1]]
    outcome = [[0, 0, 1, 0, 1], [0, 0, 1, 1, 2]]

    assert package_alpha(decision) == pytest.approx(0.64, abs=1e-12)
    assert package_alpha(outcome) == pytest.approx(11 / 29, abs=1e-12)


def test_differences_of_the_worked_example_name_each_disagreement() -> None:
    pairs = worked_example()

    found = {key: differences(a, b) for key, (a, b) in pairs.items()}

    assert found["L1"] == found["L3"] == []
    assert found["L2"] == [Difference("items.n1", False, True)]
    assert found["L4"] == [
        Difference("letter.outcome", "upheld", "overturned"),
        Difference("items.p1.decision", "upheld", "overturned"),
    ]
    assert found["L5"] == [Difference("letter.outcome", "overturned", None)]
    assert most_disagreement(pairs) == [("L4", 2), ("L2", 1), ("L5", 1)]
    assert most_disagreement(pairs, limit=1) == [("L4", 2)]


# --- differences ---------------------------------------------------------------------------


def test_differences_of_equal_reviews_are_none() -> None:
    a = letter(1, "upheld", "overturned")
    assert differences(a, a) == []
    assert differences(a, edited(a, SetField(FieldRef("decision", "p2"), "overturned"))) == []


def test_differences_name_a_changed_item_decision_by_item_id() -> None:
    a = letter(1, "upheld", "upheld")
    b = edited(a, SetField(OUTCOME, "upheld"), SetField(FieldRef("decision", "p2"), "overturned"))

    found = differences(a, b)

    assert found == [Difference("items.p2.decision", "upheld", "overturned")]
    assert found[0].ref == FieldRef("decision", "p2")
    assert not found[0].is_item


def test_differences_match_items_by_id_not_position() -> None:
    a = letter(1, "upheld", "overturned", "upheld")
    b = edited(a, RemoveItem("p1"))  # p2, p3 move up one place each

    found = differences(a, b)

    assert found == [Difference("items.p1", True, False)]
    assert found[0].is_item and found[0].ref is None


def test_differences_report_an_item_only_b_added_once_after_a_s_items() -> None:
    a = letter(1, "upheld", "upheld")
    b = edited(a, AddItem(Item.blank("n1"), index=0), SetField(FieldRef("treatment", "n1"), "MRI"))
    b = edited(b, SetField(FieldRef("claim_number", None), "X-1"))

    assert differences(a, b) == [
        Difference("letter.claim_number", None, "X-1"),
        Difference("items.n1", False, True),
    ]


def test_differences_ignore_whitespace_and_quote_only_differences() -> None:
    a = letter(1, "upheld")
    treatment = FieldRef("treatment", "p1")
    spaced = a.with_field(treatment, replace(a.field(treatment), value="  Treatment\n 1.0  "))
    b = edited(a, SetField(FieldRef("maximus_guideline", "p1"), "MTUS \u2018Chronic Pain\u2019"))
    a = edited(spaced, SetField(FieldRef("maximus_guideline", "p1"), "MTUS 'Chronic  Pain'"))
    states = FieldRef("reviewer_license_states")
    b = edited(b, SetField(states, ["California "]))

    assert differences(a, b) == []
    assert rows_by_field(agreement([(a, b)], resamples=0))["items.treatment"].agreed == 1


def test_differences_refuse_reviews_of_two_different_letters() -> None:
    with pytest.raises(ValueError, match="different letters"):
        differences(letter(1), letter(2))


# --- alpha against the krippendorff package ------------------------------------------------


def package_alpha(data: list[list[int]]) -> float | None:
    """The package's nominal alpha; None where it refuses (a single value: no variation)."""
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:
        return None


def reliability_data(pairs: list[tuple[Letter, Letter]], row: str) -> list[list[int]]:
    """Two coders' values of a choice row coded as integers, unset being a code of its own;
    item fields over the items both reviews have, matched by id."""
    scope, name = row.split(".")
    units: list[tuple[Any, Any]] = []
    for a, b in pairs:
        if scope == "letter":
            units.append((a.value(FieldRef(name)), b.value(FieldRef(name))))
            continue
        shared = [item.id for item in a.items if item.id in {i.id for i in b.items}]
        units += [(a.item(i).value(name), b.item(i).value(name)) for i in shared]
    codes: dict[Any, int] = {}
    return [[codes.setdefault(unit[coder], len(codes)) for unit in units] for coder in (0, 1)]


def random_value(rng: random.Random, name: str) -> str | None:
    choices = FIELDS_BY_NAME[name].choices
    return rng.choice([*choices[:3], None])


def random_review(rng: random.Random, parsed: Letter) -> Letter:
    """A review of ``parsed`` that sets some choices at random, removes or adds items."""
    edits: list[Edit] = [
        SetField(FieldRef(name), random_value(rng, name))
        for name in ("priority", "patient_sex", "outcome")
        if rng.random() < 0.5
    ]
    for item in parsed.items:
        if rng.random() < 0.1:
            edits.append(RemoveItem(item.id))
            continue
        edits += [
            SetField(FieldRef(name, item.id), random_value(rng, name))
            for name in ("decision", "category")
            if rng.random() < 0.4
        ]
    if rng.random() < 0.2:
        edits.append(AddItem(Item.blank(f"n{rng.randrange(2)}")))
    return edited(parsed, *edits, reviewer="ann" if rng.random() < 0.5 else "bea")


def random_pairs(seed: int, letters: int) -> list[tuple[Letter, Letter]]:
    rng = random.Random(seed)
    pairs = []
    for n in range(letters):
        decisions = tuple(rng.choice(["upheld", "overturned"]) for _ in range(rng.randint(1, 3)))
        parsed = letter(n, *decisions)
        pairs.append((random_review(rng, parsed), random_review(rng, parsed)))
    return pairs


@pytest.mark.parametrize("seed", range(12))
def test_alpha_equals_the_krippendorff_package_on_random_reviews(seed: int) -> None:
    pairs = random_pairs(seed, letters=4 + seed)

    rows = rows_by_field(agreement(pairs, resamples=0))

    choice_rows = [row for row in rows if row.rsplit(".", 1)[-1] in CHOICE_FIELDS]
    letter_choices = ["letter.priority", "letter.patient_sex", "letter.outcome"]
    assert choice_rows == [*letter_choices, "items.decision", "items.category"]
    for name in choice_rows:
        data = reliability_data(pairs, name)
        expected = package_alpha(data)
        if expected is None:
            assert rows[name].alpha is None, name
        else:
            assert rows[name].alpha == pytest.approx(expected, abs=1e-9), name
        agreed = sum(x == y for x, y in zip(*data, strict=True))
        assert (rows[name].units, rows[name].agreed) == (len(data[0]), agreed), name
    either = [{i.id for i in a.items} | {i.id for i in b.items} for a, b in pairs]
    both = [{i.id for i in a.items} & {i.id for i in b.items} for a, b in pairs]
    assert rows["items"].units == sum(map(len, either))
    assert rows["items"].agreed == sum(map(len, both))


# --- rows, intervals, tables ---------------------------------------------------------------


def test_agreement_has_a_row_for_every_field_and_the_item_list_in_field_order() -> None:
    rows = agreement(random_pairs(1, letters=3), resamples=0)

    assert [row.field for row in rows] == [
        *(f"letter.{spec.name}" for spec in LETTER_FIELDS),
        "items",
        *(f"items.{spec.name}" for spec in ITEM_FIELDS),
    ]
    assert all(row.alpha is None for row in rows if not row.is_choice)


def test_bootstrap_intervals_hold_the_estimate_and_repeat_with_the_seed() -> None:
    pairs = random_pairs(7, letters=30)

    rows = agreement(pairs, resamples=RESAMPLES, seed=3)

    assert agreement(pairs, resamples=RESAMPLES, seed=3) == rows
    assert agreement(pairs, resamples=RESAMPLES, seed=4) != rows
    for row in rows:
        assert row.percent_low <= row.percent <= row.percent_high, row
        assert 0.0 <= row.percent_low <= row.percent_high <= 100.0, row
        if row.alpha is not None:
            assert row.alpha_low is not None and row.alpha_high is not None
            assert row.alpha_low <= row.alpha <= row.alpha_high, row
    assert sum(row.alpha is not None for row in rows) == 5


def test_bootstrap_of_full_agreement_is_a_point() -> None:
    pairs = [(a, a) for a in (letter(1, "upheld"), letter(2, "overturned"), letter(3))]

    rows = rows_by_field(agreement(pairs, resamples=RESAMPLES))

    decision = rows["items.decision"]
    assert (decision.percent, decision.percent_low, decision.percent_high) == (100.0,) * 3
    assert (decision.alpha, decision.alpha_low, decision.alpha_high) == (1.0, 1.0, 1.0)


def test_agreement_without_letters_has_no_units_and_no_numbers() -> None:
    rows = agreement([], resamples=RESAMPLES)

    assert len(rows) == len(LETTER_FIELDS) + 1 + len(ITEM_FIELDS)
    for row in rows:
        assert (row.units, row.agreed, row.alpha, row.alpha_low) == (0, 0, None, None)
        assert math.isnan(row.percent) and math.isnan(row.percent_low)
    assert "n/a" in render_table(rows)


def test_agreement_refuses_a_negative_number_of_resamples() -> None:
    with pytest.raises(ValueError, match="resamples"):
        agreement([], resamples=-1)


def test_tables_show_every_row_once_with_its_numbers() -> None:
    rows = agreement(list(worked_example().values()), resamples=RESAMPLES)

    text, markdown = render_table(rows), markdown_table(rows)

    for table, name_of in ((text, str), (markdown, lambda field: f"`{field}`")):
        lines = table.splitlines()
        for row in rows:
            matching = [line for line in lines if f" {name_of(row.field)} " in f" {line} "]
            assert len(matching) == 1, (row.field, matching)
        assert len(lines) == 2 + len(rows) + 2  # header, rule, rows, blank, note on n/a
    outcome = next(line for line in text.splitlines() if line.startswith("letter.outcome "))
    assert outcome.split()[1:4] == ["5", "3", "60.0"]
    assert "0.379" in outcome
    assert "| `items.decision` | 5 | 4 | 80.0 |" in markdown
    assert "0.640" in markdown
    assert text.isascii()


def test_compared_units_count_what_differences_compares() -> None:
    from fake_letters import fake_record

    from imr_desk.agreement import compared_units
    from imr_desk.edits import AddItem, apply_edit
    from imr_desk.record import Item, Letter

    a = Letter.from_parsed(fake_record(1, decisions=("upheld", "overturned")))
    b = apply_edit(a, AddItem(Item.blank("n1")), reviewer="bob").letter
    # every letter field, both items' fields, and the item only b has
    assert compared_units(a, b) == len(LETTER_FIELDS) + 2 * len(ITEM_FIELDS) + 1
    assert compared_units(a, a) == len(LETTER_FIELDS) + 2 * len(ITEM_FIELDS)
