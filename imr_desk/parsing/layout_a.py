"""Layout A, the 2013 "Notice of Independent Medical Review Determination".

The decisions come from the numbered determination list ("... the request for X is [not]
medically necessary and appropriate"); per-item guidelines and rationale follow under
"N) Regarding the request for X:" with fixed sub-headings.
"""

from __future__ import annotations

import re
from typing import Final

from imr_desk.domain import normalise_text
from imr_desk.parsing import summary
from imr_desk.parsing.items import ItemSpans, Span
from imr_desk.parsing.record import RecordBuilder, add_item
from imr_desk.parsing.text import TextStream, flexible, skip_space, trim_space

NOTICE_TITLE: Final = flexible(r"Notice of Independent Medical Review Determination", re.IGNORECASE)
DETERMINATION: Final = flexible(
    r"(?P<n>\d+)\) MAXIMUS Federal Services, Inc\. has determined the request for (?P<t>.+?)"
    r" is (?P<not>not\s*)?medically necessary and appropriate\.",
    re.DOTALL,
)
REGARDING: Final = flexible(
    r"^(?P<n>\d+)\) Regarding the request for (?P<t>.+?):\s*$", re.MULTILINE | re.DOTALL
)
CA_HEADING: Final = flexible(
    r"^Medical Treatment Guideline\(s\) Relied Upon by the Claims Administrator:", re.MULTILINE
)
MAX_HEADING: Final = flexible(
    r"^Medical Treatment Guideline\(s\) Relied Upon by the Expert Reviewer:", re.MULTILINE
)
RATIONALE_HEADING: Final = flexible(r"^Rationale for the Decision:", re.MULTILINE)
QUALIFICATIONS: Final = flexible(r"^Medical Qualifications of the Expert Reviewer:", re.MULTILINE)
CASE_SUMMARY: Final = flexible(r"^Case Summary:", re.MULTILINE)
# Notices open the summary with a fixed note on where it came from; it is not the summary.
SUMMARY_DISCLAIMER: Final = flexible(
    r"Disclaimer: The following case summary was taken directly from the utilization review"
    r" \S+ dated [^.]*?\d{4}\.\s*",
    re.IGNORECASE,
)
FILED_ON: Final = flexible(
    rf"application for Independent Medical Review was filed on ({summary.DATE})", re.IGNORECASE
)


def is_notice(text: str) -> bool:
    """Whether the text is a 2013 notice."""
    return bool(NOTICE_TITLE.search(text))


def read(builder: RecordBuilder, stream: TextStream) -> None:
    """Read the notice's prose fields and items into the builder."""
    text = stream.text
    _read_prose(builder, stream)
    sections = list(REGARDING.finditer(text))
    for index, decision in enumerate(_determinations(text)):
        add_item(builder, _item(stream, decision, sections, index))


def _read_prose(builder: RecordBuilder, stream: TextStream) -> None:
    text = stream.text
    builder.put_span("application_received", summary.prose_date(FILED_ON, stream, 0, len(text)))
    builder.put_span("ur_denial_date", summary.prose_date(summary.UR_PROSE, stream, 0, len(text)))
    qualifications = QUALIFICATIONS.search(text)
    case_summary = CASE_SUMMARY.search(text)
    if qualifications:
        stop = case_summary.start() if case_summary else len(text)
        found = summary.prose_credentials(stream, qualifications.end(), stop)
        if found:
            builder.put_span("reviewer_specialties", found[0])
            builder.put_span("reviewer_license_states", found[1])
    if case_summary:
        first = REGARDING.search(text, case_summary.end())
        end = trim_space(text, first.start() if first else len(text))
        start = skip_space(text, case_summary.end())
        disclaimer = SUMMARY_DISCLAIMER.match(text, start)
        start = disclaimer.end() if disclaimer else start
        builder.put("case_summary", normalise_text(text[start:end]), 0.9, stream.boxes(start, end))
        builder.put_span("patient_age", summary.patient_age(stream, start, end))
        builder.put_span("patient_sex", summary.patient_sex(stream, start, end))
        builder.put_span(
            "injury_date", summary.prose_date(summary.INJURY_PROSE, stream, start, end)
        )
        builder.put_span("diagnoses", summary.diagnoses(stream, start, end))
        records = summary.records_range(stream, start, end)
        if records:
            builder.put_span("records_from", records[0])
            builder.put_span("records_to", records[1])


def _determinations(text: str) -> list[re.Match[str]]:
    """The first numbered determination list (the notice prints it twice)."""
    found: list[re.Match[str]] = []
    for match in DETERMINATION.finditer(text):
        if int(match.group("n")) != len(found) + 1:
            break
        found.append(match)
    return found


def _item(
    stream: TextStream, decision: re.Match[str], sections: list[re.Match[str]], index: int
) -> ItemSpans:
    word = "upheld" if decision.group("not") else "overturned"
    tail = decision.start("not") if decision.group("not") else decision.end("t") + 4
    spans = ItemSpans(
        decision=word,
        decision_span=Span(decision.end("t") + 1, max(tail, decision.end() - 1), 0.95),
        treatment=Span(decision.start("t"), decision.end("t"), 0.9),
        block_start=decision.start(),
    )
    if index < len(sections):
        _fill_section(stream, spans, sections, index)
    return spans


def _fill_section(
    stream: TextStream, spans: ItemSpans, sections: list[re.Match[str]], index: int
) -> None:
    text = stream.text
    start = sections[index].end()
    end = sections[index + 1].start() if index + 1 < len(sections) else len(text)
    ca = CA_HEADING.search(text, start, end)
    mx = MAX_HEADING.search(text, start, end)
    rationale = RATIONALE_HEADING.search(text, start, end)
    if ca:
        stop = mx.start() if mx else (rationale.start() if rationale else end)
        spans.claims_administrator_guideline = Span(ca.end(), stop, 0.9)
    if mx:
        spans.maximus_guideline = Span(mx.end(), rationale.start() if rationale else end, 0.9)
    if rationale:
        spans.rationale = Span(rationale.end(), trim_space(text, end), 0.9)
