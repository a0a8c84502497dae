"""The fixed parts of the dataset card: the files, the record keys, the CSV columns and the
fields, as the schema states them (``dataset_card`` adds the counts of each export)."""

from __future__ import annotations

from typing import Final

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, STATUSES, FieldSpec

KIND_NAMES: Final = {
    "str": "string",
    "date": "date (YYYY-MM-DD)",
    "int": "integer",
    "enum": "enum",
    "list": "list of strings",
    "text": "text",
}


def front_matter() -> str:
    return (
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n"
        "    path: letters.jsonl\nlicense: other\nlanguage:\n- en\n---\n"
    )


FILES_TEXT: Final = """## Files

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


CATEGORY_NOTE: Final = (
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
    (
        "review.blind",
        "boolean",
        "The letter was in the blind sample: its reviewers filled the form from the letter "
        "without seeing the parser's values.",
    ),
    (
        "review.not_in_letter",
        "list of field paths",
        "Fields whose value a reviewer typed or selected and the letter's text does not print "
        "(checked when set; a warning the reviewer saw, not an error: the letter may misprint "
        "it or print it only as an image).",
    ),
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


def record_keys() -> str:
    lines = ["## Record keys (letters.jsonl)\n", "| key | type | description |", "|---|---|---|"]
    lines += [f"| `{key}` | {kind} | {text} |" for key, kind, text in RECORD_KEYS]
    return "\n".join(lines) + "\n"


def csv_columns_text(csv_columns: dict[str, tuple[str, ...]]) -> str:
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


def fields_text() -> str:
    lines = ["## Fields\n", "| field | type | description |", "|---|---|---|"]
    for spec, path in all_paths():
        kind = KIND_NAMES[spec.kind]
        if spec.choices:
            kind += ": " + ", ".join(spec.choices)
        lines.append(f"| `{path}` | {kind} | {spec.help} |")
    return "\n".join(lines) + "\n"


def all_paths() -> list[tuple[FieldSpec, str]]:
    return [(s, s.path()) for s in LETTER_FIELDS] + [(s, f"items.*.{s.name}") for s in ITEM_FIELDS]


PROVENANCE_SOURCE: Final = (
    "**Source.** The letters are Independent Medical Review (IMR) Final Determination Letters "
    "of the California Division of Workers' Compensation (DWC), issued for DWC by MAXIMUS "
    "Federal Services and published by DWC as PDF files. The records were made from PDF files "
    "imported from a folder, and this card cannot know more about where a file came from than "
    "the import recorded: its file name (`source.file_name`), the SHA-256 of its bytes "
    "(`source.sha256`) and its number of pages (`source.pages`). Where and when the files were "
    "downloaded is not recorded; a letter's SHA-256 confirms it against a copy from DWC.\n"
)
PROVENANCE_SELECTION: Final = {
    "verified": "**Selection.** This export holds every imported letter whose status is "
    "`verified` (export selection `verified`): letters not yet verified are left out, so the "
    "letters here are those reviewers have finished, not a random sample of the imported ones.",
    "all": "**Selection.** This export holds every imported letter (export selection `all`), "
    "verified or not: `status` tells them apart, and only `verified` records were checked by a "
    "reviewer.",
}
PROVENANCE_IMPORT: Final = (
    " Which of DWC's letters were imported (a period, a sample, a hand-picked set) was the "
    "importer's choice and is not recorded: the letters are not a statistical sample of IMR "
    "decisions unless the importer made them one.\n"
)
PROVENANCE_LICENSE: Final = (
    "**License.** The front matter's `license: other` means the dataset is under none of the "
    "standard licenses a dataset hub lists. The letters are public records published by the "
    "State of California: their reuse terms are DWC's, and this card does not grant rights in "
    "them. The license of the dataset itself (the structured records and the reviewers' work) "
    "is the project's to choose and to state here; until it does, ask the project before "
    "redistributing.\n"
)
PROVENANCE_PERSONAL: Final = (
    "**Personal data.** DWC's published copies are redacted, yet they keep the patient's age "
    "and sex (`letter.patient_age`, `letter.patient_sex`), the dates of injury and of "
    "treatment (`letter.injury_date`, `letter.records_from`, `letter.records_to`, the dates "
    "in `letter.case_summary`), diagnoses and the treatments requested. The HIPAA Safe Harbor "
    "method (45 CFR 164.514(b)(2)) removes every element of a date (except the year) directly "
    "related to a person, and ages over 89, so the data is not de-identified in the HIPAA Safe "
    "Harbor sense: joined with other sources, a letter may identify a worker. Handle it as "
    "sensitive health data: do not try to re-identify anyone, do not link it with other data "
    "about the same people, and keep copies where only those who need them can read them.\n"
)
PROVENANCE_REVIEW: Final = (
    "**Review.** Every field of a verified letter was checked against the PDF by a person in "
    "IMR Desk, starting from the parser's value with the place it was read from shown on the "
    "page (unless the letter was in the blind sample); a value the letter does not state was "
    "left empty. How each letter was reviewed "
    "(`review.mode`):"
)
