"""The letter record: the one owner of the field list, its types and its normalisers.

Parser, storage, form, export and evaluation all read the field set from here, so a field
is added or renamed in exactly one place (see shared spec ``fields.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from imr_desk.dates import full_year as full_year
from imr_desk.dates import normalise_date as normalise_date

SCHEMA: Final = "imr-desk.letter/1"

FieldKind = Literal["str", "date", "int", "enum", "list", "text"]
Scope = Literal["letter", "item"]

STATUSES: Final = ("parsed", "in_progress", "verified", "flagged", "skipped")
LAYOUTS: Final = ("A", "B", "C", "unknown")
PRIORITIES: Final = ("standard", "expedited")
SEXES: Final = ("male", "female")
DECISIONS: Final = ("upheld", "overturned")
OUTCOMES: Final = ("upheld", "overturned", "partially_overturned")
CATEGORIES: Final = (
    "Diagnostic Testing",
    "DMEPOS",
    "Evaluation & Management",
    "Home Health",
    "Injection",
    "Pharmaceuticals",
    "Programs",
    "Psych Services",
    "Rehabilitation",
    "Surgery",
    "Therapies",
    "Transportation",
)


@dataclass(frozen=True)
class FieldSpec:
    """One field of the letter record: how it is typed, labelled, validated and shown."""

    name: str
    scope: Scope
    kind: FieldKind
    label: str
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    def path(self, index: int | None = None) -> str:
        """The field path of the record's JSON (provenance and ``corrected`` of ``parse
        --json`` and the export): items by index (``items.0.decision``), as the spec says."""
        if self.scope == "letter":
            return f"letter.{self.name}"
        return f"items.{index}.{self.name}"

    @property
    def empty(self) -> Any:
        """The value a field has when the letter does not state it."""
        return [] if self.kind == "list" else None


def _letter(name: str, kind: FieldKind, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, "letter", kind, label, **kw)


def _item(name: str, kind: FieldKind, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, "item", kind, label, **kw)


# Two lines a field: name, kind, label and options, then the help text the form shows as
# a tooltip and the dataset card as the field's description.
# fmt: off
LETTER_FIELDS: Final[tuple[FieldSpec, ...]] = (
    _letter("case_number", "str", "Case number", required=True,
            help="IMR case number as printed, e.g. CM16-0213037 (CMyy-nnnnnnn)."),
    _letter("claim_number", "str", "Claim number",
            help="Claim number, only where the letter prints one (redacted copies have none)."),
    _letter("date_assigned", "date", "Date assigned",
            help="'Date Assigned:': the date the case was assigned to the reviewer."),
    _letter("decision_date", "date", "Decision date",
            help="'Decision Date:' (in the 2013 notice 'Dated:'): the final determination."),
    _letter("injury_date", "date", "Date of injury",
            help="'Date of Injury:', or the injury date the case summary states."),
    _letter("ur_denial_date", "date", "UR denial date",
            help="Date of the utilization review decision being challenged."),
    _letter("application_received", "date", "Application received",
            help="'Application Received:': the date the IMR application arrived."),
    _letter("priority", "enum", "Priority", choices=PRIORITIES,
            help="standard or expedited."),
    _letter("reviewer_license_states", "list", "Reviewer licensure",
            help="States where the expert reviewer is licensed, one per entry."),
    _letter("reviewer_specialties", "list", "Reviewer specialties",
            help="The reviewer's board certification(s), then any subspecialty."),
    _letter("patient_age", "int", "Patient age",
            help="The first age the case summary gives for the patient."),
    _letter("patient_sex", "enum", "Patient sex", choices=SEXES,
            help="male or female, from the case summary."),
    _letter("diagnoses", "list", "Diagnoses",
            help="Diagnoses the summary lists, one per entry, without numbering."),
    _letter("records_from", "date", "Records from",
            help="Start of the date range of the records reviewed, where stated."),
    _letter("records_to", "date", "Records to",
            help="End of the date range of the records reviewed, where stated."),
    _letter("case_summary", "text", "Case summary",
            help="The clinical case summary, without its fixed opening sentence."),
    _letter("outcome", "enum", "Outcome", choices=OUTCOMES, required=True,
            help="upheld, overturned or partially_overturned: follows the items' decisions."),
)
# fmt: on

# fmt: off
ITEM_FIELDS: Final[tuple[FieldSpec, ...]] = (
    _item("treatment", "text", "Treatment", required=True,
          help="The disputed treatment as printed before the decision word (no final colon)."),
    _item("original_request", "text", "Original request",
          help="The original request, when only part of it was left to IMR."),
    _item("authorized_portion", "text", "Authorized portion",
          help="The part the claims administrator authorized, in that case."),
    _item("decision", "enum", "Decision", choices=DECISIONS, required=True,
          help="upheld (the denial stands) or overturned."),
    _item("category", "enum", "Category", choices=CATEGORIES,
          help="DWC treatment category: not printed in letters, the reviewer decides."),
    _item("claims_administrator_guideline", "text", "Claims Administrator guideline",
          help="The guideline the claims administrator cited."),
    _item("maximus_guideline", "text", "MAXIMUS guideline",
          help="The guideline the IMR reviewer (MAXIMUS) cited."),
    _item("rationale", "text", "Decision rationale",
          help="The decision rationale, up to the next item or the end of the letter."),
)
# fmt: on

FIELDS_BY_NAME: Final = {f.name: f for f in (*LETTER_FIELDS, *ITEM_FIELDS)}
ORDER_SENSITIVE_LISTS: Final = frozenset({"diagnoses"})


# --- normalisers -------------------------------------------------------------------------

LIGATURES: Final = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE_TABLE: Final = str.maketrans(LIGATURES)


def expand_ligatures(text: str) -> str:
    """Replace typographic ligatures (``ﬁ``) by their letters, as the spec requires."""
    return text.translate(_LIGATURE_TABLE)


def normalise_text(text: str | None) -> str | None:
    """Collapse whitespace, join line-end hyphens without a space, trim; empty gives None."""
    if text is None:
        return None
    text = expand_ligatures(text)
    text = re.sub(r"-[ \t]*\n\s*", "-", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def split_list(text: str | None) -> list[str]:
    """Split a comma-separated list as printed, each entry trimmed, empties dropped."""
    if not text:
        return []
    return [part for part in (normalise_text(p) for p in text.split(",")) if part]


# Diagnoses hold commas ("strain of the muscle, fascia, and tendon of the low back"), so they
# split only at semicolons and list numbers, also when run together ("1.A2.B3.C").
_DIAGNOSIS_BREAK: Final = re.compile(r"\s*;\s*(?:and\s+)?|(?<![\d.])\d{1,2}[.)]\s*(?=[A-Za-z])")


def split_entries(spec: FieldSpec, text: str) -> list[str]:
    """Entries of a list field as printed: diagnoses by number or semicolon, others by comma."""
    if spec.name != "diagnoses":
        return split_list(text)
    parts = (normalise_text(part.strip(" .,;\n")) for part in _DIAGNOSIS_BREAK.split(text))
    return [part for part in parts if part]


def coerce(spec: FieldSpec, value: Any) -> Any:
    """Normalise a value typed by a person into the field's stored form.

    Raises ValueError with a message fit for the reviewer when the value cannot be that field.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return spec.empty
    if spec.kind == "list":
        return list(value) if isinstance(value, list | tuple) else split_list(str(value))
    if spec.kind == "int":
        return _coerce_int(spec, value)
    if spec.kind == "date":
        iso = normalise_date(str(value))
        if iso is None:
            raise ValueError(
                f"{spec.label}: '{value}' is not a date (use YYYY-MM-DD or MM/DD/YYYY)"
            )
        return iso
    if spec.kind == "enum":
        text = str(value).strip().lower() if spec.choices != CATEGORIES else str(value).strip()
        if text not in spec.choices:
            raise ValueError(f"{spec.label}: '{value}' is not one of {', '.join(spec.choices)}")
        return text
    return normalise_text(str(value))


def _coerce_int(spec: FieldSpec, value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{spec.label}: '{value}' is not a whole number") from None
    if not 0 <= number <= 120:
        raise ValueError(f"{spec.label}: {number} is outside 0-120")
    return number


# --- records -------------------------------------------------------------------------------


def empty_item() -> dict[str, Any]:
    """Item fields all unset, in field order."""
    return {f.name: f.empty for f in ITEM_FIELDS}


def empty_record(
    *, file_name: str = "", sha256: str = "", pages: int = 0, layout: str = "unknown"
) -> dict[str, Any]:
    """A record with every key present, so exports load as one table."""
    return {
        "schema": SCHEMA,
        "source": {"file_name": file_name, "sha256": sha256, "pages": pages, "layout": layout},
        "status": "parsed",
        "letter": {f.name: f.empty for f in LETTER_FIELDS},
        "items": [],
        "provenance": [],
        "review": None,
    }


def derive_outcome(decisions: Iterable[str | None]) -> str | None:
    """The letter's outcome from its items' decisions: all upheld, all overturned, or mixed."""
    found = {d for d in decisions if d}
    if not found:
        return None
    if found == {"upheld"}:
        return "upheld"
    if found == {"overturned"}:
        return "overturned"
    return "partially_overturned"


_CURLY_QUOTES: Final = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACE_AFTER_HYPHEN: Final = re.compile(r"-\s+")


def values_equal(a: Any, b: Any) -> bool:
    """Whether two field values are the same value. The one definition behind the export's
    ``corrected``, the card's correction rates and the parser evaluation, so they never
    judge differently (and like the shared scorer): runs of whitespace, a space after a
    hyphen, curly against straight quotes, and empty against unset don't count."""
    return _canon(a) == _canon(b)


def _canon(value: Any) -> Any:
    if isinstance(value, str):
        text = normalise_text(value)
        return _SPACE_AFTER_HYPHEN.sub("-", text).translate(_CURLY_QUOTES) if text else None
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value] or None
    return value


LOW_CONFIDENCE: Final = 0.8
"""A value the parser is less sure of than this needs the reviewer's look (amber, F8, the
queue's low-confidence filter)."""
# The parser only suggests these (letters never print a category; diagnoses are best effort):
# they always deserve the reviewer's look, so they never mark a whole letter as doubtful.
SUGGESTED_FIELDS: Final = frozenset({"category", "diagnoses"})

# Why a person changed a parser value: the parser's improvement backlog (``corrections.csv``),
# so each reason names a different fix. Name, label, what it means.
CORRECTION_REASON_TEXT: Final = {
    "misread": ("misread", "the parser read other characters or another choice than printed"),
    "wrong_boundary": ("wrong boundary", "the value ran into the next one or was cut short"),
    "normalisation": ("normalisation", "the right text, in the wrong form or spelling"),
    "missing": ("missing", "the letter states it, the parser found nothing"),
    "letter_wrong": ("letter itself wrong", "the letter misprints it; the true value was typed"),
    "other": ("other", "any other reason"),
}
CORRECTION_REASONS: Final = tuple(CORRECTION_REASON_TEXT)
