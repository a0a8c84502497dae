"""Disputed items of layouts B and C: treatment line, both guidelines and the rationale.

Items are anchored on the ``Claims Administrator guideline:`` lines; the treatment is the
paragraph just above, ending in the decision word. Blank lines are not reliable, so the
paragraph's start is found from sentence ends and vertical gaps between lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from imr_desk.domain import normalise_text
from imr_desk.parsing.text import TextStream, flexible, trim_space

CA_LABEL: Final = flexible(r"^Claims Administrator guideline:", re.MULTILINE)
MAX_LABEL: Final = flexible(r"^MAXIMUS guideline:", re.MULTILINE)
RATIONALE_LABEL: Final = flexible(r"^Decision rationale:", re.MULTILINE)
DECISION_LINE: Final = re.compile(
    r":[ \t]*\n?[ \t]*(Upheld|Overturned)[ \t]*$", re.MULTILINE | re.IGNORECASE
)
SENTENCE_END: Final = re.compile(r"""[.!?]["'\u201d)]?$""")
MAX_TREATMENT_LINES: Final = 6
PARAGRAPH_GAP: Final = 0.55  # of a line's height: more white space than this starts a paragraph


PARTIAL_REMAINING: Final = flexible(
    r"^(?P<x>.+?) was the original request\.\s*(?P<y>.+?) was authorized by the Claims"
    r" Administrator\.\s*The remaining IMR eligible portion of the original request,\s*(?P<z>.+?)$",
    re.DOTALL,
)
PARTIAL_WHOLE: Final = flexible(
    r"^(?P<x>.+?) was the original request\.\s*The Claims Administrator authorized (?P<y>.+?),"
    r" leaving the original request IMR eligible\.\s*The original request,\s*(?P<z>.+?)$",
    re.DOTALL,
)
TRAILING_IS: Final = re.compile(r"\s+is$")


@dataclass
class Span:
    """A value's character span in the stream and how sure the rule that found it is."""

    start: int
    end: int
    confidence: float

    def text(self, stream: TextStream) -> str | None:
        return normalise_text(stream.text[self.start : self.end])


@dataclass
class ItemSpans:
    """Where each field of one item lies in the stream (None: not found)."""

    decision: str
    decision_span: Span
    treatment: Span
    block_start: int
    original_request: Span | None = None
    authorized_portion: Span | None = None
    claims_administrator_guideline: Span | None = None
    maximus_guideline: Span | None = None
    rationale: Span | None = None


def find_items(stream: TextStream, start: int, end: int) -> list[ItemSpans]:
    """Every item in the section [start, end) of the stream, in letter order."""
    text = stream.text
    anchors = [m for m in CA_LABEL.finditer(text, start, end)]
    items: list[ItemSpans] = []
    boundary = start
    for anchor in anchors:
        item = _item_before(stream, boundary, anchor.start())
        if item is None:
            continue
        _fill_guidelines(stream, item, anchor.end(), end)
        if items:
            _close_rationale(items[-1], item.block_start)
        items.append(item)
        boundary = item.rationale.start if item.rationale else anchor.end()
    if items:
        _close_rationale(items[-1], trim_space(text, end))
    return items


def _item_before(stream: TextStream, boundary: int, anchor: int) -> ItemSpans | None:
    decision = None
    for match in DECISION_LINE.finditer(stream.text, boundary, anchor):
        decision = match
    if decision is None:
        return None
    colon = decision.start()
    first_line = _paragraph_start(stream, _paragraph_anchor_line(stream, boundary, colon), boundary)
    block_start = max(stream.line_starts[first_line], boundary)
    item = ItemSpans(
        decision=decision.group(1).lower(),
        decision_span=Span(decision.start(1), decision.end(1), 1.0),
        treatment=Span(block_start, colon, 0.95),
        block_start=block_start,
    )
    _split_partial(stream, item)
    return item


def _paragraph_anchor_line(stream: TextStream, boundary: int, colon: int) -> int:
    """The line to walk up from: a partly-authorised paragraph's first sentence, else the colon's.

    Sentences end inside those paragraphs, so they are recognised by their wording instead.
    """
    text = stream.text
    sentence_starts = [m.end() for m in re.finditer(r"[.!?]\s", text[boundary:colon])]
    last_sentence = text[boundary + (sentence_starts[-1] if sentence_starts else 0) : colon]
    if "original request," not in re.sub(r"\s+", " ", last_sentence):
        return stream.line_index(colon)
    opening = max(
        (m.start() for m in re.finditer(r"\swas\s+the\s+original\s+request", text[:colon])),
        default=-1,
    )
    opening = opening if opening >= boundary else -1
    return stream.line_index(opening) if opening >= 0 else stream.line_index(colon)


def _paragraph_start(stream: TextStream, last: int, boundary: int) -> int:
    """First line of the paragraph that holds line ``last`` (never before ``boundary``)."""
    first = last
    text = stream.text
    while first > 0 and last - first < MAX_TREATMENT_LINES:
        previous = first - 1
        if stream.line_span(previous)[1] <= boundary:
            break
        previous_text = text[slice(*stream.line_span(previous))].rstrip()
        if _gap_between(stream, previous, first) or SENTENCE_END.search(previous_text):
            break
        first = previous
    return first


def _gap_between(stream: TextStream, upper: int, lower: int) -> bool:
    above, below = stream.lines[upper], stream.lines[lower]
    if above.page != below.page:
        return False
    height = max(1.0, above.y1 - above.y0)
    return below.y0 - above.y1 > PARAGRAPH_GAP * height


def _split_partial(stream: TextStream, item: ItemSpans) -> None:
    block = stream.text[item.treatment.start : item.treatment.end]
    for pattern in (PARTIAL_REMAINING, PARTIAL_WHOLE):
        match = pattern.match(block)
        if match is None:
            continue
        base = item.treatment.start
        z_end = match.end("z")
        trailing = TRAILING_IS.search(block[:z_end])
        if trailing:
            z_end = trailing.start()
        item.original_request = Span(base + match.start("x"), base + match.end("x"), 0.9)
        item.authorized_portion = Span(base + match.start("y"), base + match.end("y"), 0.9)
        item.treatment = Span(base + match.start("z"), base + z_end, 0.9)
        return
    trailing = TRAILING_IS.search(block)
    if trailing and "original request" in block:
        item.treatment = Span(item.treatment.start, item.treatment.start + trailing.start(), 0.6)


def _fill_guidelines(stream: TextStream, item: ItemSpans, after_ca: int, end: int) -> None:
    text = stream.text
    max_label = MAX_LABEL.search(text, after_ca, end)
    rationale_label = RATIONALE_LABEL.search(text, max_label.end() if max_label else after_ca, end)
    ca_end = (
        max_label.start() if max_label else (rationale_label.start() if rationale_label else end)
    )
    item.claims_administrator_guideline = Span(after_ca, ca_end, 0.95 if max_label else 0.5)
    if max_label:
        max_end = rationale_label.start() if rationale_label else end
        item.maximus_guideline = Span(max_label.end(), max_end, 0.95 if rationale_label else 0.5)
    if rationale_label:
        item.rationale = Span(rationale_label.end(), rationale_label.end(), 0.9)


def _close_rationale(item: ItemSpans, end: int) -> None:
    if item.rationale is not None:
        item.rationale.end = max(item.rationale.start, end)
