"""The letter parser: a pure function from a PDF's words to a letter record with evidence.

Layouts are told apart by their headings and labels, never by position; every value carries the
boxes it was read from and a confidence that drops where a fallback rule was used.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, Final

from imr_desk.domain import (
    LETTER_FIELDS,
    PRIORITIES,
    derive_outcome,
    empty_record,
    normalise_date,
    normalise_text,
    split_list,
)
from imr_desk.parsing import diagnoses, layout_a, ocr, states, summary
from imr_desk.parsing.header import HeaderValue, read_header
from imr_desk.parsing.items import find_items
from imr_desk.parsing.record import RecordBuilder, add_item
from imr_desk.parsing.text import TextStream, boxes_of, drop_furniture, flexible, group_lines
from imr_desk.pdf_source import PdfError, PdfText, read_pdf

PARSER_VERSION: Final = "1.0.0"
_log = logging.getLogger(__name__)
DAMAGED: Final = "damaged PDF (truncated or corrupt): no IMR letter could be read from it"
NOT_A_LETTER: Final = (
    "not an IMR determination letter (no case number, IMR headings or items found)"
)

HOW_HEADING: Final = re.compile(r"^HOW THE IMR FINAL DETERMINATION WAS MADE", re.MULTILINE)
SUMMARY_HEADING: Final = re.compile(r"^CLINICAL CASE SUMMARY", re.MULTILINE)
ISSUES_HEADING: Final = re.compile(
    r"^(?:IMR ISSUES,? DECISIONS,? AND RATIONALES?|IMR DECISION\(S\) AND RATIONALE\(S\))",
    re.MULTILINE,
)
ITEMS_INTRO: Final = flexible(
    r"The Final Determination was based on decisions for the disputed items/services set forth"
    r" below:"
)
LICENSURE: Final = re.compile(r"State\(s\) of Licensure:(.*)$", re.MULTILINE)
SPECIALTY: Final = re.compile(
    r"Certification\(s\)/Specialty:(.*?)(?=\n\s*CLINICAL CASE SUMMARY|\Z)", re.DOTALL
)
CASE_NUMBER: Final = re.compile(r"\bCM\d{2}-\d{7}\b")
STATED_OUTCOMES: Final = (
    ("PARTIAL", "partially_overturned"),
    ("OVERTURN", "overturned"),
    ("UPHOLD", "upheld"),
)


def parse_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and parse one letter.

    Raises ``PdfError`` when the file cannot be read or is a readable PDF with nothing of an IMR
    letter in it, so a batch reports and skips it instead of filling the queue with strangers.
    """
    pdf = read_pdf(path)
    record = parse(pdf)
    if not looks_like_letter(record):
        raise PdfError(path, DAMAGED if pdf.repaired else NOT_A_LETTER)
    return record


def looks_like_letter(record: dict[str, Any]) -> bool:
    """Whether a record holds anything of an IMR letter (or is a scan awaiting OCR)."""
    source, letter = record["source"], record["letter"]
    return bool(
        source["layout"] != "unknown"
        or source.get("needs_ocr")
        or letter["case_number"]
        or record["items"]
    )


def parse(pdf: PdfText) -> dict[str, Any]:
    """The record for a PDF's words. Never raises: an unreadable letter gets layout unknown."""
    heights = [h for _, h in pdf.page_sizes] or [792.0] * pdf.pages
    words = ocr.tidy(pdf.words, pdf.ocr_pages)
    lines = drop_furniture(group_lines(words), heights)
    stream = TextStream(lines)
    layout = detect_layout(stream.text)
    record = empty_record(
        file_name=pdf.file_name, sha256=pdf.sha256, pages=pdf.pages, layout=layout
    )
    record["source"]["needs_ocr"] = pdf.needs_ocr
    if pdf.repaired:
        record["source"]["repaired"] = True
    builder = RecordBuilder(record, stream, scanned=pdf.ocr_pages)
    try:
        _read_fields(builder, lines, layout)
    except Exception as exc:  # a parser bug must not cost the reviewer the letter
        _log.exception("the parser failed part-way on %s", pdf.file_name)
        record["source"]["parse_error"] = f"{type(exc).__name__}: {exc}"
    record["provenance"] = builder.provenance()
    return record


def detect_layout(text: str) -> str:
    """A (2013 notice), B (published decision), C (mailed letter) or unknown."""
    if layout_a.is_notice(text):
        return "A"
    if ISSUES_HEADING.search(text) and "Date Assigned:" in text:
        return "B"
    if ISSUES_HEADING.search(text) or (SUMMARY_HEADING.search(text) and HOW_HEADING.search(text)):
        return "C"
    return "unknown"


def _read_fields(builder: RecordBuilder, lines: list, layout: str) -> None:
    stream = builder.stream
    header = read_header(lines)
    final_determination = _read_header(builder, header)
    if layout == "A":
        layout_a.read(builder, stream)
    else:
        _read_credentials(builder, stream)
        _read_summary(builder, stream)
        _read_items(builder, stream)
    _check_states(builder)
    _fallback_case_number(builder, stream)
    _derive_outcome(builder, final_determination)


def _read_header(builder: RecordBuilder, header: dict[str, HeaderValue]) -> str | None:
    """Each label's value, accepted only in its field's format: a date that exists, a priority
    word, a case number's pattern. The value is taken from the first words that have it, so
    a stray mark before it (a table rule read by OCR) is passed over, never read as the value."""
    for name, value in header.items():
        spec_kind = next((f.kind for f in LETTER_FIELDS if f.name == name), None)
        if spec_kind == "date":
            builder.put(name, *_header_date(value))
        elif name == "priority":
            words = [w for w in value.words if w.text.lower() in PRIORITIES]
            priority = words[0].text.lower() if words else None
            builder.put(name, priority, 1.0, boxes_of(words[:1]))
        elif name in ("case_number", "claim_number"):
            words = [w for w in value.words if name != "case_number" or CASE_NUMBER.match(w.text)]
            first = words[:1] or value.words[:1]
            builder.put(name, first[0].text, 1.0, boxes_of(first))
    determination = header.get("final_determination")
    return stated_outcome(determination.text) if determination else None


def _header_date(value: HeaderValue) -> tuple[str | None, float, list[dict[str, object]]]:
    """The date a header value holds: all its words (``August 30, 2013``), else the first word
    that is a date on its own."""
    whole = normalise_date(value.text)
    if whole is not None:
        return whole, 1.0, boxes_of(value.words)
    for word in value.words:
        if found := normalise_date(word.text):
            return found, 1.0, boxes_of([word])
    return None, 1.0, []


def stated_outcome(text: str) -> str | None:
    """The outcome a letter's own "Final Determination:" line states (UPHOLD, OVERTURN, ...)."""
    upper = text.upper()
    return next((outcome for word, outcome in STATED_OUTCOMES if word in upper), None)


def _section(
    stream: TextStream, heading: re.Pattern[str], *ends: re.Pattern[str]
) -> tuple[int, int] | None:
    match = heading.search(stream.text)
    if match is None:
        return None
    stops = [m.start() for e in ends if (m := e.search(stream.text, match.end()))]
    return match.end(), min(stops, default=len(stream.text))


def _read_credentials(builder: RecordBuilder, stream: TextStream) -> None:
    for name, pattern in (
        ("reviewer_license_states", LICENSURE),
        ("reviewer_specialties", SPECIALTY),
    ):
        match = pattern.search(stream.text)
        if match:
            boxes = stream.boxes(match.start(1), match.end(1))
            builder.put(name, split_list(match.group(1)), 0.95, boxes)
    span = _section(stream, HOW_HEADING, SUMMARY_HEADING) or (0, len(stream.text))
    found = summary.prose_credentials(stream, *span)
    if found:
        builder.put_span("reviewer_specialties", found[0])
        builder.put_span("reviewer_license_states", found[1])


def _check_states(builder: RecordBuilder) -> None:
    """Licence states read by OCR put right against the states that exist (``states``)."""
    value = builder.record["letter"]["reviewer_license_states"]
    boxes = builder.evidence.get("letter.reviewer_license_states", (0.0, []))[1]
    if not (value and builder.scanned):
        return
    if all(w.confidence >= 1.0 for w in builder.stream.words_under(boxes)):
        return
    corrected, factor = states.known_states(value)
    builder.record["letter"]["reviewer_license_states"] = corrected
    builder.doubt("reviewer_license_states", factor)


def _read_summary(builder: RecordBuilder, stream: TextStream) -> None:
    section = _section(stream, SUMMARY_HEADING, ISSUES_HEADING)
    if section is None:
        return
    body = summary.summary_span(stream, *section)
    if body is None:
        return
    start, end = body
    builder.put(
        "case_summary", normalise_text(stream.text[start:end]), 0.95, stream.boxes(start, end)
    )
    builder.put_span("patient_age", summary.patient_age(stream, start, end))
    builder.put_span("patient_sex", summary.patient_sex(stream, start, end))
    builder.put_span("injury_date", summary.prose_date(summary.INJURY_PROSE, stream, start, end))
    builder.put_span("ur_denial_date", summary.prose_date(summary.UR_PROSE, stream, start, end))
    if found := diagnoses.find(stream.text, start, end):
        builder.put("diagnoses", list(found.entries), found.confidence, found.boxes(stream))
    records = summary.records_range(stream, start, end)
    if records:
        builder.put_span("records_from", records[0])
        builder.put_span("records_to", records[1])


def _read_items(builder: RecordBuilder, stream: TextStream) -> None:
    section = _section(stream, ISSUES_HEADING)
    if section is None:
        return
    intro = ITEMS_INTRO.search(stream.text, section[0])
    start = intro.end() if intro else section[0]
    for spans in find_items(stream, start, section[1]):
        add_item(builder, spans)


def _fallback_case_number(builder: RecordBuilder, stream: TextStream) -> None:
    match = CASE_NUMBER.search(stream.text)
    if match:
        builder.put("case_number", match.group(0), 0.7, stream.boxes(match.start(), match.end()))


def _derive_outcome(builder: RecordBuilder, stated: str | None) -> None:
    """Outcome from the items; a disagreeing "Final Determination:" line lowers confidence."""
    items = builder.record["items"]
    outcome = derive_outcome(item["decision"] for item in items)
    if outcome is None:
        return
    paths = [f"items.{i}.decision" for i in range(len(items))]
    boxes = [box for path in paths for box in builder.evidence.get(path, (0, []))[1]]
    confidence = min(builder.evidence.get(p, (0.0, []))[0] for p in paths)
    agrees = stated is None or stated == outcome
    builder.put("outcome", outcome, confidence if agrees else 0.3, boxes)
