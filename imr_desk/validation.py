"""Validation rules a letter record must pass before a reviewer may verify it.

Pure functions over a typed ``Letter``, so the same rules run in the app, in tests and in the
core's Verify gate (``edits.SetStatus``), which no client can go around. Each rule returns
``Issue`` values naming the field (``str(FieldRef)``) the reviewer has to fix; blocking issues
stop Verify, warnings are only shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from imr_desk.domain import (
    ITEM_FIELDS,
    LETTER_FIELDS,
    FieldSpec,
    derive_outcome,
    normalise_date,
)
from imr_desk.record import FieldRef, Letter

CASE_NUMBER: Final = re.compile(r"^CM\d{2}-\d{7}$")
DATE_ORDER: Final = ("injury_date", "ur_denial_date", "date_assigned", "decision_date")
"""Dates a letter states in the order events happen: injury, UR denial, assignment, decision."""
AGE_RANGE: Final = (0, 120)


@dataclass(frozen=True)
class Issue:
    """One problem with one field; ``blocking`` issues stop Verify."""

    path: str
    message: str
    blocking: bool = True


def validate(letter: Letter) -> list[Issue]:
    """Every issue of a letter, in field order (letter fields first, then each item)."""
    issues = [
        *_letter_field_issues(letter),
        *_date_order_issues(letter),
        *_item_issues(letter),
        *_outcome_issues(letter),
    ]
    order = {str(ref): n for n, ref in enumerate(letter.refs())}
    return sorted(issues, key=lambda issue: order.get(issue.path, len(order)))


def refusal(issues: list[Issue]) -> str:
    """The sentence that says why a letter cannot be verified (the app's status bar and every
    other client show the same one)."""
    count = len(issues)
    return f"Not verified: {count} issue{'s' * (count != 1)} to fix ({issues[0].message})"


def blocking(issues: list[Issue]) -> list[Issue]:
    """Only the issues that stop Verify."""
    return [issue for issue in issues if issue.blocking]


def issues_by_path(issues: list[Issue]) -> dict[str, list[Issue]]:
    """Issues grouped by field path, for showing them inline next to each editor."""
    grouped: dict[str, list[Issue]] = {}
    for issue in issues:
        grouped.setdefault(issue.path, []).append(issue)
    return grouped


def _letter_values(letter: Letter) -> dict[str, Any]:
    return {spec.name: letter.fields[spec.name].value for spec in LETTER_FIELDS}


def _letter_field_issues(record: Letter) -> Iterator[Issue]:
    letter = _letter_values(record)
    for spec in LETTER_FIELDS:
        yield from field_issues(spec, f"letter.{spec.name}", letter.get(spec.name))
    case_number = letter.get("case_number")
    if case_number and not CASE_NUMBER.match(str(case_number)):
        yield Issue(
            "letter.case_number",
            f"Case number '{case_number}' does not look like CM16-0213037",
            blocking=False,
        )


def _item_issues(letter: Letter) -> Iterator[Issue]:
    if not letter.items:
        yield Issue("letter.outcome", "The letter has no items: add the disputed treatments")
    for item in letter.items:
        for spec in ITEM_FIELDS:
            path = str(FieldRef(spec.name, item.id))
            yield from field_issues(spec, path, item.value(spec.name))


def field_issues(spec: FieldSpec, path: str, value: Any) -> Iterator[Issue]:
    """Issues of one value on its own: required, type, date format, enum choices."""
    if _is_empty(value):
        if spec.required:
            yield Issue(path, f"{spec.label} is required")
        return
    message = _type_problem(spec, value)
    if message:
        yield Issue(path, message)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def _type_problem(spec: FieldSpec, value: Any) -> str | None:
    checks = {
        "date": _date_problem,
        "enum": _enum_problem,
        "int": _int_problem,
        "list": _list_problem,
    }
    check = checks.get(spec.kind)
    return check(spec, value) if check else None


def _date_problem(spec: FieldSpec, value: Any) -> str | None:
    if not isinstance(value, str) or normalise_date(value) != value:
        return f"{spec.label}: '{value}' is not a date in YYYY-MM-DD form"
    return None


def _enum_problem(spec: FieldSpec, value: Any) -> str | None:
    if value not in spec.choices:
        return f"{spec.label}: '{value}' is not one of {', '.join(spec.choices)}"
    return None


def _int_problem(spec: FieldSpec, value: Any) -> str | None:
    low, high = AGE_RANGE
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{spec.label}: '{value}' is not a whole number"
    if not low <= value <= high:
        return f"{spec.label}: {value} is outside {low}-{high}"
    return None


def _list_problem(spec: FieldSpec, value: Any) -> str | None:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        return f"{spec.label}: every entry must be non-empty text"
    return None


def _date_order_issues(record: Letter) -> Iterator[Issue]:
    letter = _letter_values(record)
    labels = {spec.name: spec.label for spec in LETTER_FIELDS}
    stated = [(name, str(letter[name])) for name in DATE_ORDER if _valid_date(letter.get(name))]
    for (first, first_value), (later, later_value) in pairwise(stated):
        if first_value > later_value:
            yield Issue(
                f"letter.{later}",
                f"{labels[later]} ({later_value}) is before {labels[first]} ({first_value})",
            )
    start, end = letter.get("records_from"), letter.get("records_to")
    if _valid_date(start) and _valid_date(end) and str(start) > str(end):
        yield Issue("letter.records_to", f"Records to ({end}) is before Records from ({start})")


def _valid_date(value: Any) -> bool:
    return isinstance(value, str) and normalise_date(value) == value


def _outcome_issues(letter: Letter) -> Iterator[Issue]:
    expected = derive_outcome(letter.decisions())
    outcome = letter.fields["outcome"].value
    if expected and outcome and outcome != expected:
        yield Issue(
            "letter.outcome",
            f"Outcome '{outcome}' disagrees with the items' decisions (they give '{expected}')",
        )
