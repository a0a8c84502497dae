"""How far two independent reviews of the same letters agree, field by field.

A gold set has to report how often two reviewers agree before anyone can trust it. This module
compares two reviews of a letter (``differences``: what adjudication settles), and measures
agreement across all double-reviewed letters (``agreement``: percent agreement for every field,
Krippendorff's alpha for the choice fields, each with a bootstrap interval). Pure.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, values_equal
from imr_desk.record import FieldRef, Letter

CHOICE_FIELDS: Final = frozenset(
    spec.name for spec in (*LETTER_FIELDS, *ITEM_FIELDS) if spec.kind == "enum"
)
"""Fields with a fixed set of answers (decision, outcome, category, priority, patient_sex): the
ones where chance agreement is meaningful, so they get Krippendorff's alpha."""
ITEMS_ROW: Final = "items"
CONFIDENCE: Final = 0.95


# --- differences of two reviews ----------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One disagreement between two reviews of a letter: what adjudication has to settle.

    ``path`` is ``str(FieldRef)`` for a field (``letter.outcome``, ``items.p2.decision``) with
    the two values in ``a`` and ``b``; or ``items.<id>`` for an item only one review has, with
    ``a``/``b`` True where the item is present and False where it is not.
    """

    path: str
    a: Any
    b: Any

    @property
    def ref(self) -> FieldRef | None:
        """The field that differs; None when the difference is an item one review lacks."""
        return None if self.is_item else FieldRef.parse(self.path)

    @property
    def is_item(self) -> bool:
        return self.path.count(".") == 1 and self.path.startswith(f"{ITEMS_ROW}.")


def differences(a: Letter, b: Letter) -> list[Difference]:
    """Every field where reviews ``a`` and ``b`` of one letter differ, in field order.

    Values are compared with ``values_equal``, so whitespace, quote style and empty against
    unset are no disagreement (the same judgement as the export's ``corrected``). Items are
    matched by their stable id, not their position: letter fields first, then the items of
    ``a`` in its order, then the items only ``b`` has. An item only one review has is a single
    difference on the item list; its fields are not compared one by one, since there is
    nothing to compare them with. Raises ValueError for reviews of two different PDFs.
    """
    _check_same_letter(a, b)
    return [
        Difference(path, value_a, value_b)
        for path, ref, value_a, value_b in _compared(a, b)
        if ref is None or not values_equal(value_a, value_b)
    ]


def compared_units(a: Letter, b: Letter) -> int:
    """How many units ``differences`` compares: what a share of agreement is out of."""
    return sum(1 for _ in _compared(a, b))


def _compared(a: Letter, b: Letter) -> Iterator[tuple[str, FieldRef | None, Any, Any]]:
    """What two reviews compare, in field order, as (path, ref, A's, B's): each field both
    have with its two values, and each item only one has (no ref; present or not)."""
    a_ids = {item.id for item in a.items}
    b_ids = {item.id for item in b.items}
    for spec in LETTER_FIELDS:
        ref = FieldRef(spec.name)
        yield str(ref), ref, a.value(ref), b.value(ref)
    for item in [*a.items, *(i for i in b.items if i.id not in a_ids)]:
        if item.id not in a_ids or item.id not in b_ids:
            yield f"{ITEMS_ROW}.{item.id}", None, item.id in a_ids, item.id in b_ids
            continue
        for spec in ITEM_FIELDS:
            ref = FieldRef(spec.name, item.id)
            yield str(ref), ref, a.value(ref), b.value(ref)


def _check_same_letter(a: Letter, b: Letter) -> None:
    if a.source.sha256 and b.source.sha256 and a.source.sha256 != b.source.sha256:
        raise ValueError(
            f"the two reviews are of different letters ({a.source.file_name or a.source.sha256}"
            f" and {b.source.file_name or b.source.sha256})"
        )


def most_disagreement(
    pairs_by_letter: Mapping[str, tuple[Letter, Letter]], limit: int = 10
) -> list[tuple[str, int]]:
    """The letters whose reviews differ most, as (key, number of differences), most first
    (ties by key, so the list is stable). Letters whose reviews agree are left out: they need
    no one's attention."""
    counts = [(key, len(differences(a, b))) for key, (a, b) in pairs_by_letter.items()]
    ranked = sorted((c for c in counts if c[1]), key=lambda c: (-c[1], c[0]))
    return ranked[: max(limit, 0)]


# --- agreement across letters ------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    """Agreement on one field across all double-reviewed letters.

    ``field`` is ``letter.<name>``, ``items.<name>`` (units: the items both reviews have) or
    ``items`` (the item list: units are the items either review has, agreed those both have).
    ``percent`` is agreed / units × 100, NaN when there are no units. ``alpha`` is
    Krippendorff's alpha (nominal) for choice fields, None for the others and None where it is
    undefined: no units, or no variation at all (every value the same, so chance agreement is
    already perfect and nothing is measured). The ``_low``/``_high`` bounds are a 95 %
    percentile bootstrap over letters; ``percent_low``/``percent_high`` are NaN with no units.
    """

    field: str
    units: int
    agreed: int
    percent: float
    alpha: float | None
    alpha_low: float | None
    alpha_high: float | None
    percent_low: float
    percent_high: float

    @property
    def is_choice(self) -> bool:
        return _is_choice(self.field)


@dataclass(frozen=True)
class _Slot:
    """Where a row's counts sit in a letter's count vector: units, agreed, then (choice
    fields) how many of the 2 × units values fall in each category."""

    field: str
    offset: int
    categories: int

    @property
    def width(self) -> int:
        return 2 + self.categories


def agreement(
    pairs: Sequence[tuple[Letter, Letter]], *, resamples: int = 1000, seed: int = 0
) -> list[AgreementRow]:
    """Agreement per field over pairs of reviews (review A, review B) of the same letters.

    Rows: every letter field, then ``items``, then every item field. For choice fields
    (``CHOICE_FIELDS``) unset is a category of its own: both reviewers leaving a field unset
    agree, one setting it and the other not disagree. Every unit has both values, so none drops
    out as unpairable; an item only one review has is no unit of its fields (it counts on the
    ``items`` row). Intervals: ``resamples`` bootstrap samples of whole letters drawn with
    ``random.Random(seed)`` (the same seed gives the same intervals); a sample where a statistic
    is undefined (no units, no variation) is left out of that statistic's interval.
    """
    if resamples < 0:
        raise ValueError(f"resamples must be 0 or more, not {resamples}")
    units = [_letter_units(a, b) for a, b in pairs]
    categories = _categories(units)
    slots = _slots(categories)
    vectors = [_vector(letter, slots, categories) for letter in units]
    width = sum(slot.width for slot in slots)
    totals = _sum(vectors, range(len(vectors)), width)
    samples = _bootstrap(vectors, width, resamples=resamples, seed=seed)
    return [_row(slot, totals, samples) for slot in slots]


def _row_names() -> list[str]:
    names = [f"letter.{spec.name}" for spec in LETTER_FIELDS]
    return [*names, ITEMS_ROW, *(f"items.{spec.name}" for spec in ITEM_FIELDS)]


def _is_choice(row: str) -> bool:
    return row.rsplit(".", 1)[-1] in CHOICE_FIELDS


def _letter_units(a: Letter, b: Letter) -> dict[str, list[tuple[Any, Any]]]:
    """One letter's units per row: the (A, B) value pairs; the ``items`` row gets one pair
    per item either review has, each side True where present."""
    _check_same_letter(a, b)
    units: dict[str, list[tuple[Any, Any]]] = {name: [] for name in _row_names()}
    for _, ref, value_a, value_b in _compared(a, b):
        if ref is not None:
            row = f"letter.{ref.name}" if ref.item is None else f"items.{ref.name}"
            units[row].append((value_a, value_b))
    a_ids = [item.id for item in a.items]
    b_ids = [item.id for item in b.items]
    units[ITEMS_ROW] = [(i in a_ids, i in b_ids) for i in dict.fromkeys([*a_ids, *b_ids])]
    return units


def _categories(units: list[dict[str, list[tuple[Any, Any]]]]) -> dict[str, list[Any]]:
    """Per choice row, one representative value per category seen, unset included (values
    that ``values_equal`` calls the same are one category)."""
    found: dict[str, list[Any]] = {name: [] for name in _row_names() if _is_choice(name)}
    for name, known in found.items():
        for letter in units:
            for value in (v for pair in letter[name] for v in pair):
                _category(known, value)
    return found


def _category(known: list[Any], value: Any) -> int:
    """The index of ``value``'s category among ``known``, added at the end when it is new."""
    for index, seen in enumerate(known):
        if values_equal(seen, value):
            return index
    known.append(value)
    return len(known) - 1


def _slots(categories: Mapping[str, list[Any]]) -> list[_Slot]:
    slots, offset = [], 0
    for name in _row_names():
        slot = _Slot(name, offset, len(categories.get(name, ())))
        slots.append(slot)
        offset += slot.width
    return slots


def _vector(
    letter: Mapping[str, list[tuple[Any, Any]]],
    slots: list[_Slot],
    categories: Mapping[str, list[Any]],
) -> tuple[int, ...]:
    """A letter's counts, one flat vector, so a bootstrap sample is a sum of vectors."""
    vector: list[int] = []
    for slot in slots:
        pairs = letter[slot.field]
        vector += [len(pairs), sum(1 for a, b in pairs if values_equal(a, b))]
        vector += _category_counts(pairs, categories.get(slot.field))
    return tuple(vector)


def _category_counts(pairs: list[tuple[Any, Any]], known: list[Any] | None) -> list[int]:
    """How many of the values fall in each category (nothing for fields that are no choice)."""
    if known is None:
        return []
    counts = [0] * len(known)
    for value in (v for pair in pairs for v in pair):
        counts[_category(known, value)] += 1
    return counts


def _sum(vectors: Sequence[tuple[int, ...]], picks: Iterable[int], width: int) -> list[int]:
    """The counts of the picked letters added up (a letter picked twice counts twice)."""
    chosen = [vectors[i] for i in picks]
    return [sum(column) for column in zip(*chosen, strict=True)] if chosen else [0] * width


def _bootstrap(
    vectors: Sequence[tuple[int, ...]], width: int, *, resamples: int, seed: int
) -> list[list[int]]:
    """Count totals of ``resamples`` samples of whole letters drawn with replacement: whole
    letters, because a letter's fields and items are reviewed together and are not independent."""
    if not vectors:
        return []
    rng = random.Random(seed)
    picks = range(len(vectors))
    return [_sum(vectors, rng.choices(picks, k=len(vectors)), width) for _ in range(resamples)]


def _row(slot: _Slot, totals: Sequence[int], samples: list[list[int]]) -> AgreementRow:
    units, agreed = _counts(slot, totals)[:2]
    percents = [p for p in (_percent(slot, s) for s in samples) if not math.isnan(p)]
    low, high = _interval(percents)
    alpha = alpha_low = alpha_high = None
    if _is_choice(slot.field):
        alpha = _alpha(slot, totals)
        alphas = [a for a in (_alpha(slot, s) for s in samples) if a is not None]
        alpha_low, alpha_high = _interval(alphas) if alphas else (None, None)
    return AgreementRow(
        field=slot.field,
        units=units,
        agreed=agreed,
        percent=_percent(slot, totals),
        alpha=alpha,
        alpha_low=alpha_low,
        alpha_high=alpha_high,
        percent_low=math.nan if low is None else low,
        percent_high=math.nan if high is None else high,
    )


def _counts(slot: _Slot, totals: Sequence[int]) -> Sequence[int]:
    return totals[slot.offset : slot.offset + slot.width]


def _percent(slot: _Slot, totals: Sequence[int]) -> float:
    units, agreed = _counts(slot, totals)[:2]
    return 100.0 * agreed / units if units else math.nan


def _alpha(slot: _Slot, totals: Sequence[int]) -> float | None:
    """Krippendorff's alpha, nominal, two coders, every unit pairable.

    With n = 2 × units values, n_c of them in category c, each disagreeing unit puts 1 in the
    coincidence cells (a, b) and (b, a), so the off-diagonal sum is 2 × (units − agreed) and
    alpha = 1 − (n − 1) × 2 × (units − agreed) / (n² − Σ n_c²). The denominator is n(n − 1)
    times the expected disagreement: 0 when every value is the same, and alpha is undefined.
    """
    units, agreed, *categories = _counts(slot, totals)
    n = 2 * units
    expected = n * n - sum(c * c for c in categories)
    if units == 0 or expected == 0:
        return None
    return 1.0 - (n - 1) * 2 * (units - agreed) / expected


def _interval(values: list[float]) -> tuple[float, float] | tuple[None, None]:
    """The central 95 % of bootstrap values (percentile method)."""
    if not values:
        return None, None
    ordered = sorted(values)
    tail = (1 - CONFIDENCE) / 2
    return _quantile(ordered, tail), _quantile(ordered, 1 - tail)


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default, Hyndman-Fan type 7)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


# --- tables ------------------------------------------------------------------------------------

_HEADERS: Final = ("Field", "Units", "Agreed", "Agreement %", "95% CI", "Alpha", "95% CI")
UNDEFINED_NOTE: Final = (
    "n/a: not defined here (no units, or every value the same, so there is no variation "
    "for alpha to measure)."
)


def _cells(row: AgreementRow) -> tuple[str, ...]:
    percent = _number(row.percent, "{:.1f}")
    percent_ci = _range(row.percent_low, row.percent_high, "{:.1f}")
    alpha = alpha_ci = ""
    if row.is_choice:
        alpha = _number(row.alpha, "{:.3f}")
        alpha_ci = _range(row.alpha_low, row.alpha_high, "{:.3f}")
    return (row.field, str(row.units), str(row.agreed), percent, percent_ci, alpha, alpha_ci)


def _number(value: float | None, form: str) -> str:
    return "n/a" if value is None or math.isnan(value) else form.format(value)


def _range(low: float | None, high: float | None, form: str) -> str:
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "n/a"
    return f"[{form.format(low)}, {form.format(high)}]"


def _note(rows: list[AgreementRow], table: list[str]) -> str:
    undefined = any("n/a" in _cells(row) for row in rows)
    return "\n".join([*table, "", UNDEFINED_NOTE] if undefined else table) + "\n"


def render_table(rows: list[AgreementRow]) -> str:
    """The rows as an aligned plain-text table (ASCII only, so any terminal prints it), with a
    note under it when some value is n/a. Alpha is blank for fields that are not choices."""
    lines = [_HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEADERS))]
    table = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]
    table.insert(1, "  ".join("-" * w for w in widths))
    return _note(rows, table)


def markdown_table(rows: list[AgreementRow]) -> str:
    """The rows as a Markdown table for the dataset card, with the same note as the text."""
    table = [
        "| " + " | ".join(_HEADERS) + " |",
        "|" + "|".join([" --- "] + [" ---: "] * (len(_HEADERS) - 1)) + "|",
        *(f"| `{cells[0]}` | " + " | ".join(cells[1:]) + " |" for cells in map(_cells, rows)),
    ]
    return _note(rows, table)
