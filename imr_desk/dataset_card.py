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
from imr_desk.corrections import NOT_GIVEN, reasons_section
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, SCHEMA, STATUSES, FieldSpec

KIND_NAMES: Final = {
    "str": "string",
    "date": "date (YYYY-MM-DD)",
    "int": "integer",
    "enum": "enum",
    "list": "list of strings",
    "text": "text",
}


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
) -> str:
    """The README.md text of an export; ``csv_columns`` (file name -> header) are listed so
    every column a user finds in the files is described here. ``agreement`` (the rows of
    ``agreement.agreement`` over the letters with two verified reviews) adds a section on how
    far reviewers agree, and ``blind`` says there whether second reviews were blind."""
    parts = [
        _front_matter(),
        f"# IMR Final Determination letters: {TITLES[selection]}\n",
        f"Records of California workers' compensation Independent Medical Review (IMR) Final "
        f"Determination Letters, checked field by field by human reviewers in IMR Desk.\n\n"
        f"- Schema: `{SCHEMA}`\n- Exported: {generated_at}\n- Letters included: {selection}\n"
        f"- Letters: {stats.letters}, items (disputed treatments): {stats.items}\n"
        f"- Verified letters: {stats.verified_letters}, items: {stats.verified_items}\n"
        f"- Decision dates: {_range(stats.decision_dates)}\n"
        f"- Verified: {_range(stats.verified_dates)}\n",
        _FILES,
        _counts("Letters by outcome", stats.outcomes, stats.letters),
        _counts("Items by category (verified letters)", stats.categories, stats.verified_items)
        + _CATEGORY_NOTE,
        _counts("Letters by layout", stats.layouts, stats.letters),
        _counts("Letters by status", stats.statuses, stats.letters),
        _reviewers(stats),
        _review_modes(stats),
        *([] if agreement is None else [_agreement(agreement, blind)]),
        _corrections(stats),
        reasons_section(stats.reasons, stats.verified_letters),
        _record_keys(),
        _csv_columns(csv_columns or {}),
        _fields(),
    ]
    return "\n".join(parts)


def _front_matter() -> str:
    return (
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n"
        "    path: letters.jsonl\nlicense: other\nlanguage:\n- en\n---\n"
    )


_FILES: Final = """## Files

- `letters.jsonl`: one record per line (every key present; `null` or `[]` where the letter
  states nothing). Load with `pandas.read_json(path, lines=True)`, DuckDB `read_json_auto` or
  `datasets.load_dataset("json", data_files="letters.jsonl")`.
- `letters.csv`: one row per letter (lists joined with `; `).
- `items.csv`: one row per disputed treatment, keyed by `sha256` and `item_index` (or
  `sha256` and `item_id`).
- `corrections.csv`: one row per value a reviewer changed from the parser's, with why (see
  Corrections and their reasons).

The CSV files are safe to open in a spreadsheet (OWASP's advice on CSV injection): the text
comes from PDFs, so a text cell whose first character (after any spaces) is `=`, `+`, `-`,
`@`, a tab, a line break or `'` gets one `'` in front, and a spreadsheet shows it as text
instead of running it as a formula. This applies to every text cell, even one that reads as a
negative number; number columns (`pages`, `patient_age`, `item_count`, `removed_items`,
`item_index`) are written as they are. Control characters other than tab and line break (NUL,
ESC, ...) become `\ufffd` (U+FFFD), and line breaks are written as LF. `letters.jsonl` keeps
every value exactly: take exact text from it, or remove one leading `'` from each CSV cell
that has one.

Every item has a stable `id` within its letter: `p1`, `p2`, ... for the items the parser found
(in the order it found them), `n` and 8 hex digits for an item a reviewer added. An item keeps
its id wherever a reviewer moves it, and across exports, so items of two exports (or of two
reviewers' versions of one letter) are matched by `(sha256, id)`, not by position.

Each record's `review` says who verified it and when, the parser version whose output the
reviewer corrected, and `corrected`: the field paths (items by their index in this record)
whose verified value differs from the parser's. Each item is compared with the parser item it
is (same id), wherever it moved; every non-empty field of an item a reviewer added counts as
corrected. `removed_items` counts the parser's items the reviewer removed (not a disputed
treatment of the letter); they are not field paths of the record.
"""


_CATEGORY_NOTE: Final = (
    "\nLetters never print a category: until a reviewer verifies a letter, its items' "
    "categories are only the parser's suggestion, so they are not counted here.\n"
)
RECORD_KEYS: Final = (
    ("schema", "string", "Record schema version."),
    ("source", "object", "Where the record comes from (keys below)."),
    ("source.file_name", "string", "File name of the letter's PDF."),
    ("source.sha256", "string", "SHA-256 of the PDF bytes: the letter's identity."),
    ("source.pages", "integer", "Number of pages of the PDF."),
    (
        "source.layout",
        "enum: A, B, C, unknown",
        "Letter layout (2013 notice, published decision, mailed letter).",
    ),
    (
        "source.needs_ocr",
        "boolean",
        "The PDF has no text layer: its values were typed by a reviewer, not read by the parser.",
    ),
    (
        "source.parse_error",
        "string (only when present)",
        "Why the parser produced no values for this letter: a reviewer typed them all.",
    ),
    (
        "status",
        "enum: " + ", ".join(STATUSES),
        "Review status; `verified` letters were checked field by field.",
    ),
    ("letter", "object", "The letter fields (see Fields)."),
    ("items", "list of objects", "One per disputed treatment, in letter order (see Fields)."),
    (
        "items.id",
        "string",
        "The item's stable id within its letter (`p1`... parser items, `n...` added by a "
        "reviewer).",
    ),
    (
        "provenance",
        "list of objects",
        "Per field path: the parser's `confidence` (0 to 1; 1 "
        "for a value a reviewer typed) and the `boxes` (page from 0, rectangle in PDF points) "
        "where the value was read.",
    ),
    ("review", "object", "Who reviewed the letter and what they changed (keys below)."),
    ("review.reviewer", "string", "Who last verified (or edited) the letter."),
    ("review.verified_at", "ISO 8601 UTC", "When it was verified; null if not verified."),
    ("review.parser_version", "string", "Version of the parser whose output was reviewed."),
    (
        "review.corrected",
        "list of field paths",
        "Fields whose verified value differs from the parser's.",
    ),
    ("review.removed_items", "integer", "Parser items the reviewer removed."),
    ("review.note", "string", "The reviewer's note, if any."),
    (
        "review.mode",
        "enum: single, double, adjudicated",
        "How the letter was reviewed: by one reviewer; by two independent reviewers who "
        "agreed on every field; or by two whose differences a lead settled.",
    ),
    ("review.reviewers", "list of strings", "Who reviewed the letter (two for double review)."),
    ("review.adjudicator", "string", "The lead who settled the two reviews; null otherwise."),
    (
        "review.disagreements",
        "list of field paths",
        "Fields the two reviews differed on, items by index (`items.4`: an item only one "
        "reviewer had; `items.<id>` if the gold record left it out).",
    ),
)
CSV_ONLY: Final = {
    "item_count": "number of items of the letter",
    "item_index": "the item's index in its letter, from 0 (letter order)",
    "item_id": "the item's stable `id` (record key `items.id`)",
    "review_mode": "how the letter was reviewed (record key `review.mode`)",
}


def _record_keys() -> str:
    lines = ["## Record keys (letters.jsonl)\n", "| key | type | description |", "|---|---|---|"]
    lines += [f"| `{key}` | {kind} | {text} |" for key, kind, text in RECORD_KEYS]
    return "\n".join(lines) + "\n"


def _csv_columns(csv_columns: dict[str, tuple[str, ...]]) -> str:
    """Each CSV file's header: the record key of each column (its last name), and the
    columns only the CSV files have."""
    lines = ["## CSV columns\n"]
    for name, columns in csv_columns.items():
        lines.append(f"- `{name}`: " + ", ".join(f"`{c}`" for c in columns) + ".")
    lines.append(
        "\nEach column is the record key (above, or a field below) of the same last name; "
        "`case_number` in `items.csv` is its letter's. Lists are joined with `; `, booleans "
        "are `true`/`false`, empty cells are null. Only in the CSV files: "
        + "; ".join(f"`{k}`: {v}" for k, v in CSV_ONLY.items())
        + ".\n"
    )
    return "\n".join(lines)


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
    for spec, path in _all_paths():
        total = stats.verified_letters if spec.scope == "letter" else stats.verified_items
        count = stats.corrections[path]
        lines.append(f"| `{path}` | {count} | {total} | {count / total if total else 0:.1%} |")
    return "\n".join(lines) + "\n"


def _fields() -> str:
    lines = ["## Fields\n", "| field | type | description |", "|---|---|---|"]
    for spec, path in _all_paths():
        kind = KIND_NAMES[spec.kind]
        if spec.choices:
            kind += ": " + ", ".join(spec.choices)
        lines.append(f"| `{path}` | {kind} | {spec.help} |")
    return "\n".join(lines) + "\n"


def _all_paths() -> list[tuple[FieldSpec, str]]:
    return [(s, s.path()) for s in LETTER_FIELDS] + [(s, f"items.*.{s.name}") for s in ITEM_FIELDS]
