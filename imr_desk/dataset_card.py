"""The exported dataset's card (README.md): schema, fields, counts, reviewers, review modes,
agreement between reviewers, correction rates and reasons.

Counts are gathered while the export streams its letters (``CardStats.add``), so the card
always describes exactly the records written next to it. Reviewer, correction and category
counts use verified records only: an unverified letter's fields were never checked (its
categories are the parser's guess), so counting it would make the parser look more accurate
than its reviewers found it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from imr_desk.agreement import AgreementRow, markdown_table
from imr_desk.blind import ITEMS_ROW, BlindTally
from imr_desk.corrections import NOT_GIVEN, reasons_section
from imr_desk.dataset_card_schema import (
    CATEGORY_NOTE,
    FILES_TEXT,
    PROVENANCE_IMPORT,
    PROVENANCE_LICENSE,
    PROVENANCE_PERSONAL,
    PROVENANCE_REVIEW,
    PROVENANCE_SELECTION,
    PROVENANCE_SOURCE,
    all_paths,
    csv_columns_text,
    fields_text,
    front_matter,
    record_keys,
)
from imr_desk.domain import SCHEMA
from imr_desk.reviewer_quality import ReviewerQuality, markdown_section


@dataclass
class CardStats:
    """Running counts over the exported records."""

    letters: int = 0
    items: int = 0
    outcomes: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    layouts: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    verified_letters: int = 0
    verified_items: int = 0
    reviewers: Counter = field(default_factory=Counter)
    review_modes: Counter = field(default_factory=Counter)
    reviewer_corrections: Counter = field(default_factory=Counter)
    corrections: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    removed_items: int = 0
    decision_dates: list[str] = field(default_factory=list)
    verified_dates: list[str] = field(default_factory=list)

    def add(self, record: dict[str, Any], reasons: Iterable[str | None] = ()) -> None:
        """Count one exported record (``reasons``: of its corrections, in corrections.csv)."""
        self.letters += 1
        self.items += len(record["items"])
        self.outcomes[record["letter"]["outcome"] or "(none)"] += 1
        self.layouts[record["source"]["layout"]] += 1
        self.statuses[record["status"]] += 1
        _keep_range(self.decision_dates, record["letter"]["decision_date"])
        if record["status"] == "verified":
            self._add_verified(record)
            self.reasons.update(reason or NOT_GIVEN for reason in reasons)

    def _add_verified(self, record: dict[str, Any]) -> None:
        review = record["review"] or {}
        corrected = review.get("corrected") or []
        self.verified_letters += 1
        self.verified_items += len(record["items"])
        self.categories.update(item["category"] or "(none)" for item in record["items"])
        reviewer = review.get("reviewer") or "(unknown)"
        self.reviewers[reviewer] += 1
        # Records from before double review carry no mode: one reviewer verified them.
        self.review_modes[review.get("mode") or "single"] += 1
        self.reviewer_corrections[reviewer] += len(corrected)
        self.corrections.update(generic_path(p) for p in corrected)
        self.removed_items += review.get("removed_items") or 0
        _keep_range(self.verified_dates, (review.get("verified_at") or "")[:10] or None)


def generic_path(path: str) -> str:
    """``items.3.decision`` -> ``items.*.decision`` (corrections are counted per field)."""
    parts = path.split(".")
    return f"items.*.{parts[2]}" if parts[0] == "items" and len(parts) == 3 else path


def _keep_range(bounds: list[str], value: str | None) -> None:
    """Keep ``[min, max]`` of the values seen in two slots, without storing them all."""
    if not value:
        return
    if not bounds:
        bounds.extend([value, value])
    bounds[0], bounds[1] = min(bounds[0], value), max(bounds[1], value)


TITLES: Final = {
    "verified": "verified records",
    "all": "all records, verified or not (see `status`)",
}


def render_card(
    stats: CardStats,
    *,
    selection: str,
    generated_at: str,
    csv_columns: dict[str, tuple[str, ...]] | None = None,
    agreement: list[AgreementRow] | None = None,
    blind: bool | None = None,
    blind_sample: BlindTally | None = None,
    quality: list[ReviewerQuality] | None = None,
) -> str:
    """The README.md text of an export; ``csv_columns`` (file name -> header) are listed so
    every column a user finds in the files is described here. ``agreement`` (the rows of
    ``agreement.agreement`` over the letters with two verified reviews) adds a section on how
    far reviewers agree, and ``blind`` says there whether second reviews were blind;
    ``blind_sample`` counts the verified letters of the blind sample (``blind.BlindTally``);
    ``quality`` is the reviewer quality report of the whole project (``reviewer_quality``)."""
    parts = [
        front_matter(),
        f"# IMR Final Determination letters: {TITLES[selection]}\n",
        f"Records of California workers' compensation Independent Medical Review (IMR) Final "
        f"Determination Letters, checked field by field by human reviewers in IMR Desk.\n\n"
        f"- Schema: `{SCHEMA}`\n- Exported: {generated_at}\n- Letters included: {selection}\n"
        f"- Letters: {stats.letters}, items (disputed treatments): {stats.items}\n"
        f"- Verified letters: {stats.verified_letters}, items: {stats.verified_items}\n"
        f"- Decision dates: {_range(stats.decision_dates)}\n"
        f"- Verified: {_range(stats.verified_dates)}\n",
        provenance_section(stats, selection, blind_sample or BlindTally(), quality or []),
        FILES_TEXT,
        _counts("Letters by outcome", stats.outcomes, stats.letters),
        _counts("Items by category (verified letters)", stats.categories, stats.verified_items)
        + CATEGORY_NOTE,
        _counts("Letters by layout", stats.layouts, stats.letters),
        _counts("Letters by status", stats.statuses, stats.letters),
        _reviewers(stats),
        *([] if quality is None else [markdown_section(quality)]),
        _review_modes(stats),
        *([] if agreement is None else [_agreement(agreement, blind)]),
        blind_section(blind_sample or BlindTally()),
        _corrections(stats),
        reasons_section(stats.reasons, stats.verified_letters),
        record_keys(),
        csv_columns_text(csv_columns or {}),
        fields_text(),
    ]
    return "\n".join(parts)


_MODE_LINES: Final = {
    "single": "one reviewer verified the letter",
    "double": "two reviewers each reviewed it and agreed on every field",
    "adjudicated": "two reviewers' reviews differed and a lead settled each difference",
}


def provenance_section(
    stats: CardStats, selection: str, blind: BlindTally, quality: list[ReviewerQuality]
) -> str:
    """Where the letters came from, which were taken, what may be done with them and how
    they were checked: what a researcher asks before citing the data. The review part
    names only the modes and checks this export has, and points to the sections that
    measure them, so it never claims a check nobody ran."""
    return "\n".join(
        [
            "## Provenance\n",
            PROVENANCE_SOURCE,
            PROVENANCE_SELECTION[selection] + PROVENANCE_IMPORT,
            PROVENANCE_LICENSE,
            PROVENANCE_PERSONAL,
            _review_text(stats, blind, quality),
        ]
    )


def _review_text(stats: CardStats, blind: BlindTally, quality: list[ReviewerQuality]) -> str:
    if not stats.verified_letters:
        return "**Review.** No letter in this export has been verified yet: none was checked.\n"
    lines = [PROVENANCE_REVIEW, ""]
    for mode, count in _by_count(stats.review_modes):
        lines.append(f"- `{mode}` ({_letters(count)}): {_MODE_LINES.get(mode, 'as recorded')}.")
    where = "Verified letters by review mode counts them"
    if set(stats.review_modes) - {"single"}:
        where += "; Agreement between reviewers measures how far two reviews agree"
    lines.append(f"- {where}.")
    if blind.letters:
        lines.append(
            f"- Blind sample ({_letters(blind.letters)}): the reviewer saw an empty form and "
            "filled every field from the letter; see Parser accuracy measured blind."
        )
    seeded = sum(row.caught + row.missed for row in quality)
    if seeded:
        lines.append(
            f"- Seeded checks ({seeded}): letters shown with one value altered on purpose, "
            "to measure whether reviewers catch errors; see Reviewer quality."
        )
    return "\n".join(lines) + "\n"


def _letters(count: int) -> str:
    return f"{count} letter{'' if count == 1 else 's'}"


def _range(bounds: list[str]) -> str:
    return f"{bounds[0]} to {bounds[1]}" if bounds else "none"


def _by_count(counter: Counter) -> list[tuple[Any, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))


def _counts(title: str, counter: Counter, total: int) -> str:
    if not counter:
        return f"## {title}\n\nNone in this export.\n"
    lines = [f"## {title}\n", "| value | count | share |", "|---|---:|---:|"]
    for value, count in _by_count(counter):
        lines.append(f"| {value} | {count} | {count / total if total else 0:.1%} |")
    return "\n".join(lines) + "\n"


def _reviewers(stats: CardStats) -> str:
    """One row per reviewer: the verified letters they verified last, and the fields in
    them whose value differs from the parser's."""
    title = "## Reviewers\n"
    if not stats.reviewers:
        return f"{title}\nNo letter in this export has been verified yet.\n"
    lines = [
        title,
        "Who verified the letters in this export, and how many fields of those letters "
        "differ from the parser's.\n",
        "| reviewer | verified letters | share | corrected fields |",
        "|---|---:|---:|---:|",
    ]
    total = stats.verified_letters
    for reviewer, count in _by_count(stats.reviewers):
        corrected = stats.reviewer_corrections[reviewer]
        lines.append(f"| {reviewer} | {count} | {count / total:.1%} | {corrected} |")
    return "\n".join(lines) + "\n"


_MODES_NOTE: Final = (
    "\n`single`: one reviewer verified the letter. `double`: two reviewers each reviewed it "
    "and agreed on every field. `adjudicated`: their reviews differed and a lead "
    "settled each difference (`review.disagreements` lists them).\n"
)


def _review_modes(stats: CardStats) -> str:
    title = "Verified letters by review mode"
    return _counts(title, stats.review_modes, stats.verified_letters) + _MODES_NOTE


_ALPHA_NOTE: Final = (
    "How to read it: a unit is a letter for letter fields, an item both reviewers kept for "
    "item fields, and an item either reviewer kept for `items` (the item list). Agreement % is "
    "the share of units where the two reviews hold the same value. Krippendorff's alpha "
    "(nominal, choice fields only, an unset value counting as a category of its own) corrects "
    "that for chance: 1 is perfect agreement, 0 is no better than chance, below 0 is "
    "systematic disagreement. Krippendorff (2004) relies on alpha of 0.800 or more and allows "
    "tentative conclusions from 0.667. The 95% intervals are percentile bootstrap intervals "
    "over whole letters; with few letters they are wide.\n"
)
_BLIND: Final = {
    True: "Second reviews were blind: each reviewer started from the parser's values and never "
    "saw the other's.",
    False: "Second reviews were not blind: the second reviewer started from the first "
    "reviewer's verified values, so these figures overstate what two independent reviewers "
    "would agree on.",
    None: "Whether second reviews were blind is not recorded.",
}


def _agreement(rows: list[AgreementRow], blind: bool | None) -> str:
    """How far two reviews of the same letters agree, field by field. Every letter field has
    one unit per double-reviewed letter, so any of those rows counts the letters."""
    title = "## Agreement between reviewers\n"
    letters = max((r.units for r in rows if r.field.startswith("letter.")), default=0)
    if not letters:
        return f"{title}\nNo letter has two verified reviews yet: agreement is not measured.\n"
    measured = (
        f"Measured over {letters} double-reviewed letter{'' if letters == 1 else 's'}: each "
        f"reviewed by two reviewers on a record of their own, both verified. {_BLIND[blind]}\n"
    )
    return "\n".join([title, measured, markdown_table(rows), _ALPHA_NOTE])


_BLIND_NOTE: Final = (
    "A share of letters, chosen at random, was reviewed blind: the reviewer saw an empty form "
    "and no evidence, and filled every field from the letter itself. Comparing those values "
    "with the parser's measures the parser without the pull of its suggestions, which makes "
    "reviewers keep a wrong value they were shown: the correction rates below are measured on "
    "letters whose reviewers saw the parser's values, so they count fewer parser errors. "
    "The unit is the letter: a letter field agrees when the reviewer's value is the parser's; "
    "an item field when it is the parser's in every parser item the reviewer kept (letters "
    "where they kept none do not count); `items`, when the reviewer kept exactly the parser's "
    "items. Blind reviewers were shown how many items the parser found (as blank items), so "
    "the `items` row is measured with that count in view.\n"
)


def blind_section(tally: BlindTally) -> str:
    """The parser's accuracy on the blind sample, field by field."""
    title = "## Parser accuracy measured blind\n"
    if not tally.letters:
        return f"{title}\nNo letter of this export was reviewed blind: not measured.\n"
    plural = "" if tally.letters == 1 else "s"
    lines = [
        title,
        f"Parser accuracy measured blind on {tally.letters} letter{plural} (verified).\n",
        "| field | letters | agreed | accuracy |",
        "|---|---:|---:|---:|",
    ]
    for row in tally.rows():
        shown = "`items`" if row.field == ITEMS_ROW else f"`{row.field}`"
        lines.append(f"| {shown} | {row.letters} | {row.agreed} | {row.accuracy:.1%} |")
    return "\n".join([*lines, "", _BLIND_NOTE])


def _corrections(stats: CardStats) -> str:
    lines = [
        "## How often reviewers corrected the parser\n",
        "Share of letters (letter fields) or items (item fields) whose verified value differs "
        "from the parser's: the parser's error rate as measured by its reviewers. Counted over "
        f"the {stats.verified_letters} verified letters ({stats.verified_items} items) only: "
        "the fields of letters not yet verified were never checked. Parser items reviewers "
        f"removed: {stats.removed_items}.\n",
        "| field | corrected | of | rate |",
        "|---|---:|---:|---:|",
    ]
    for spec, path in all_paths():
        total = stats.verified_letters if spec.scope == "letter" else stats.verified_items
        count = stats.corrections[path]
        lines.append(f"| `{path}` | {count} | {total} | {count / total if total else 0:.1%} |")
    return "\n".join(lines) + "\n"
