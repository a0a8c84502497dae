"""Facts stated in prose: credentials, the case summary, and what it says of the patient.

Each function takes the stream and a span to search and returns ``Found`` values (text plus
character span), so the caller can attach provenance boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from imr_desk.domain import normalise_date, normalise_text
from imr_desk.parsing import diagnoses as diagnosis_rule
from imr_desk.parsing.text import TextStream, flexible, skip_space

DATE: Final = r"(?:\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})|[A-Z][a-z]+\.? \d{1,2}, \d{4})"
SUMMARY_OPENING: Final = flexible(
    r"The expert reviewer developed the following clinical case summary.*?medical records:",
    re.DOTALL | re.IGNORECASE,
)
AGE: Final = re.compile(r"\b(\d{1,3})\s*-?\s*(?:year|yr)s?\s*-?\s*old\b", re.IGNORECASE)
SEX: Final = re.compile(r"\b(male|female|man|woman|gentleman|lady)\b", re.IGNORECASE)
SEX_WORDS: Final = {
    "male": "male",
    "man": "male",
    "gentleman": "male",
    "female": "female",
    "woman": "female",
    "lady": "female",
}
INJURY_PROSE: Final = flexible(
    rf"(?:injury date of|date of injury (?:of|on)|date of injury:?|injured on|"
    rf"industrial injury on)\s+({DATE})",
    re.IGNORECASE,
)
UR_PROSE: Final = flexible(
    rf"(?:Utilization Review Denial dated|utilization review determination being challenged is"
    rf" dated)\s+({DATE})",
    re.IGNORECASE,
)
RECORDS_RANGE: Final = flexible(
    rf"(?:Medical records[\s,(]*(?:dated\s+)?|(?:Treatment reports|Medical records|Records)"
    rf" (?:were|was) provided from\s+)({DATE})\s*(?:-|to|through)\s*({DATE})",
)
BOARD: Final = flexible(
    r"Board Certified in (?P<board>(?:(?!,\s*has\s+a\s+subspecialty).)+?)"
    r"(?:,\s*has\s+a\s+subspecialty\s+in\s+(?P<sub>.+?))?"
    r"\s+and\s+is\s+licensed\s+to\s+practice\s+in\s+(?P<states>.+?)\.",
    re.DOTALL,
)


@dataclass(frozen=True)
class Found:
    """A value read from prose, the span it came from, and the rule's confidence."""

    value: object
    start: int
    end: int
    confidence: float


def summary_span(stream: TextStream, start: int, end: int) -> tuple[int, int] | None:
    """The clinical case summary without its fixed opening sentence."""
    opening = SUMMARY_OPENING.search(stream.text, start, end)
    body_start = opening.end() if opening else start
    body_start = skip_space(stream.text, body_start, end)
    return (body_start, end) if body_start < end else None


def patient_age(stream: TextStream, start: int, end: int) -> Found | None:
    """The first age the summary gives ("48 year old", "57-year-old")."""
    match = AGE.search(stream.text, start, end)
    if match is None:
        return None
    return Found(int(match.group(1)), match.start(), match.end(), 0.95)


def patient_sex(stream: TextStream, start: int, end: int) -> Found | None:
    """The first sex word in the summary; ``man``/``woman`` count with less confidence."""
    match = SEX.search(stream.text, start, end)
    if match is None:
        return None
    word = match.group(1).lower()
    confidence = 0.95 if word in ("male", "female") else 0.8
    return Found(SEX_WORDS[word], match.start(1), match.end(1), confidence)


def prose_date(pattern: re.Pattern[str], stream: TextStream, start: int, end: int) -> Found | None:
    """A date introduced by a known phrase, normalised to ISO."""
    match = pattern.search(stream.text, start, end)
    if match is None:
        return None
    iso = normalise_date(match.group(1))
    if iso is None:
        return None
    return Found(iso, match.start(1), match.end(1), 0.8)


def records_range(stream: TextStream, start: int, end: int) -> tuple[Found, Found] | None:
    """The date range of the records reviewed, where the summary states it as a whole."""
    match = RECORDS_RANGE.search(stream.text, start, end)
    if match is None:
        return None
    first, last = normalise_date(match.group(1)), normalise_date(match.group(2))
    if not first or not last:
        return None
    return (
        Found(first, match.start(1), match.end(1), 0.75),
        Found(last, match.start(2), match.end(2), 0.75),
    )


def prose_credentials(stream: TextStream, start: int, end: int) -> tuple[Found, Found] | None:
    """Specialties and licence states from the mailed letter's credentials sentence."""
    match = BOARD.search(stream.text, start, end)
    if match is None:
        return None
    specialties = [normalise_text(match.group("board"))]
    if match.group("sub"):
        specialties.append(normalise_text(match.group("sub")))
    states = re.split(r",\s*|\s+and\s+", normalise_text(match.group("states")) or "")
    last = "sub" if match.group("sub") else "board"
    return (
        Found([s for s in specialties if s], match.start("board"), match.end(last), 0.85),
        Found([s for s in states if s], match.start("states"), match.end("states"), 0.85),
    )


def diagnoses(stream: TextStream, start: int, end: int) -> Found | None:
    """Diagnoses the summary names (``imr_desk.parsing.diagnoses``), as one span from the first
    entry to the last; ``parser`` takes the entries' own boxes from that module instead."""
    found = diagnosis_rule.find(stream.text, start, end)
    if found is None:
        return None
    first, last = found.spans[0][0], found.spans[-1][1]
    return Found(list(found.entries), first, last, found.confidence)
