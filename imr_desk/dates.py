"""Dates as letters print them (``MM/DD/YYYY``, ``10-13-16``, ``August 30, 2013``) made ISO.

Kept apart from ``domain`` (which re-exports ``normalise_date`` and ``full_year``) so the
field list there stays short; the rules are fields.md's "Normalisation".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

_MONTHS: Final = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})\s*$")
_WORDY_DATE = re.compile(r"^\s*([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def full_year(year: int) -> int:
    """Two-digit years 00-49 are 20xx and 50-99 are 19xx (fields.md)."""
    if year >= 100:
        return year
    return 2000 + year if year < 50 else 1900 + year


def normalise_date(text: str | None) -> str | None:
    """Turn any date form letters print into ISO ``YYYY-MM-DD``; None when it is no date."""
    if not text:
        return None
    for pattern, build in ((_NUMERIC_DATE, _numeric), (_WORDY_DATE, _wordy), (_ISO_DATE, _iso)):
        match = pattern.match(text)
        if match:
            return build(*match.groups())
    return None


def _checked(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _numeric(month: str, day: str, year: str) -> str | None:
    return _checked(full_year(int(year)), int(month), int(day))


def _wordy(month: str, day: str, year: str) -> str | None:
    number = _MONTHS.get(month.lower()) or _MONTHS.get(_month_prefix(month.lower()), 0)
    return _checked(int(year), number, int(day)) if number else None


def _month_prefix(abbreviation: str) -> str:
    return next((m for m in _MONTHS if len(abbreviation) >= 3 and m.startswith(abbreviation)), "")


def _iso(year: str, month: str, day: str) -> str | None:
    return _checked(int(year), int(month), int(day))
