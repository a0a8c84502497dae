"""The blind sample: letters reviewed with the parser's values hidden, and what they measure.

A reviewer who edits the parser's output is anchored to it, so the share of values reviewers
corrected understates the parser's errors. A letter the review policy chooses for the blind
sample (``ReviewPolicy.chooses_blind``) therefore starts from ``blanked``: every value unset,
no confidence, no evidence boxes; the reviewer fills the form from the page. Each field keeps
the parser's value as ``parsed``, so once the letter is verified ``accuracy`` compares the
reviewer's values with the parser's: the parser's accuracy measured blind.

Items: the blanked letter keeps the parser's items as blank items with their ids. The
reviewer therefore sees how many treatments the parser found (and may remove or add items),
but every item field is compared with the parser item it is, by id, exactly as corrections,
agreement and adjudication compare items. The alternative, no items at all, hides the count
too, but then the reviewer's items can only be matched to the parser's by position (one
missed treatment shifts every later one) and every blind item would count as added in the
correction rates and ``corrections.csv``. The item list is still measured (the ``items`` row:
the reviewer kept exactly the parser's items, removed none and added none), and the card says
that this row is measured with the count shown.

``shown`` is what the reviewer is given of a blind letter: ``parsed`` made equal to the value,
so nothing on the form (the "Why changed?" note under a value that differs from the parser's)
tells where the parser read something or whether the reviewer's value matches it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, FieldSpec
from imr_desk.record import FieldValue, Item, Letter, unset

ITEMS_ROW: Final = "items"
"""The row of the item list itself: the reviewer kept exactly the parser's items."""


def blanked(letter: Letter) -> Letter:
    """The letter as a blind review starts: every value unset, nothing of the parser's shown
    (no confidence, no boxes), the parser's value kept as ``parsed``; the parser's items kept
    as blank items with their ids."""
    fields = {s.name: _blank(s, letter.fields[s.name]) for s in LETTER_FIELDS}
    items = tuple(
        Item(item.id, {s.name: _blank(s, item[s.name]) for s in ITEM_FIELDS})
        for item in letter.items
    )
    return replace(letter, fields=fields, items=items)


def _blank(spec: FieldSpec, value: FieldValue) -> FieldValue:
    return FieldValue(unset(spec), value.parsed, None, (), None)


def shown(letter: Letter) -> Letter:
    """A blind letter as its reviewer may see it: each ``parsed`` replaced by the value, so
    no field reads as differing from the parser's."""
    fields = {name: _hide(value) for name, value in letter.fields.items()}
    items = tuple(
        Item(item.id, {name: _hide(value) for name, value in item.fields.items()})
        for item in letter.items
    )
    return replace(letter, fields=fields, items=items)


def _hide(value: FieldValue) -> FieldValue:
    return replace(value, parsed=value.value)


@dataclass(frozen=True)
class BlindRow:
    """One field of the blind measurement: letters measured, and how many agreed."""

    field: str
    letters: int
    agreed: int

    @property
    def accuracy(self) -> float:
        return self.agreed / self.letters if self.letters else 0.0


@dataclass
class BlindTally:
    """Running counts over verified blind letters (the export streams its letters).

    The unit is the letter: a letter field agrees when the reviewer's value equals the
    parser's; an item field (``items.*.decision``) when it equals the parser's in every parser
    item the reviewer kept (letters where they kept none do not count for it)."""

    letters: int = 0
    measured: Counter = field(default_factory=Counter)
    agreed: Counter = field(default_factory=Counter)

    def add(self, letter: Letter) -> None:
        self.letters += 1
        for spec in LETTER_FIELDS:
            self._count(spec.path(), not letter.fields[spec.name].corrected)
        kept = [item for item in letter.items if item.id in letter.parser_items]
        for spec in ITEM_FIELDS:
            if kept:
                self._count(f"items.*.{spec.name}", not any(i[spec.name].corrected for i in kept))
        same_list = len(kept) == len(letter.items) == len(letter.parser_items)
        self._count(ITEMS_ROW, same_list)

    def _count(self, path: str, agreed: bool) -> None:
        self.measured[path] += 1
        self.agreed[path] += int(agreed)

    def rows(self) -> list[BlindRow]:
        """One row per field in spec order (letter fields, the item list, item fields)."""
        paths = [s.path() for s in LETTER_FIELDS] + [ITEMS_ROW]
        paths += [f"items.*.{s.name}" for s in ITEM_FIELDS]
        return [BlindRow(p, self.measured[p], self.agreed[p]) for p in paths]


def accuracy(letters: Iterable[Letter]) -> list[BlindRow]:
    """The parser's accuracy measured on verified blind letters, field by field."""
    tally = BlindTally()
    for letter in letters:
        tally.add(letter)
    return tally.rows()
