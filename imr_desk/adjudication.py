"""Settling two reviews of a letter: the lead's choice for each field they differ on.

Fields the reviews agree on are settled already; for each difference the lead takes review
A's value, review B's, or types a third. The result is the gold record, with one audit row per
choice naming both reviews' values, so the log shows how every disagreement was settled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from imr_desk.agreement import Difference, differences
from imr_desk.domain import coerce
from imr_desk.edits import AuditRow
from imr_desk.record import HUMAN_CONFIDENCE, FieldRef, FieldValue, Letter, freeze, thaw

TAKE_A: Final = "a"
TAKE_B: Final = "b"


@dataclass(frozen=True)
class Typed:
    """A third value the lead typed for a field (coerced like any typed value)."""

    value: Any


Choice = Literal["a", "b"] | Typed


def gold_from(
    a: Letter, b: Letter, choices: Mapping[str, Choice], *, adjudicator: str
) -> tuple[Letter, list[AuditRow]]:
    """The settled record and its audit rows. Every difference needs a choice (ValueError
    names the first one without); an item only one review has is kept or left out by taking
    the review that has it or the one that does not."""
    gold, rows = a, []
    for difference in differences(a, b):
        choice = choices.get(difference.path)
        if choice is None:
            raise ValueError(f"{difference.path}: the reviews differ and nothing was chosen")
        if _is_item(difference.path):
            gold, row = _settle_item(gold, b, difference, choice)
        else:
            gold, row = _settle_field(gold, (a, b), difference, choice, adjudicator)
        rows.append(row)
    return gold, rows


def _is_item(path: str) -> bool:
    """``items.<id>``: the item itself (in one review only), not one of its fields."""
    return path.startswith("items.") and path.count(".") == 1


def _settle_field(
    gold: Letter, reviews: tuple[Letter, Letter], difference: Difference, choice: Choice, who: str
) -> tuple[Letter, AuditRow]:
    a, b = reviews
    ref = FieldRef.parse(difference.path)
    if choice == TAKE_A:
        value = a.field(ref)
    elif choice == TAKE_B:
        value = b.field(ref)
    elif isinstance(choice, Typed):
        typed = freeze(coerce(ref.spec, thaw(choice.value)))
        value = FieldValue(typed, a.field(ref).parsed, HUMAN_CONFIDENCE, (), who)
    else:
        raise ValueError(f"{difference.path}: '{choice}' is not A, B or a typed value")
    both = {"a": thaw(difference.a), "b": thaw(difference.b)}
    return gold.with_field(ref, value), AuditRow(difference.path, both, thaw(value.value))


def _settle_item(
    gold: Letter, b: Letter, difference: Difference, choice: Choice
) -> tuple[Letter, AuditRow]:
    if choice not in (TAKE_A, TAKE_B):
        raise ValueError(f"{difference.path}: an item is kept or left out, not typed")
    keep = bool(difference.a if choice == TAKE_A else difference.b)
    item_id = difference.path.split(".", 1)[1]
    present = any(item.id == item_id for item in gold.items)
    items = gold.items
    if keep and not present:
        index = b.item_index(item_id)
        items = (*items[:index], b.item(item_id), *items[index:])
    elif present and not keep:
        items = tuple(item for item in items if item.id != item_id)
    both = {"a": bool(difference.a), "b": bool(difference.b)}
    return gold.with_items(items), AuditRow(difference.path, both, keep)
