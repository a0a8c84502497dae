"""Pieces every sample layout prints: labelled paragraphs, summaries, item rationales."""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Any, Final

from imr_desk.samples.flow import Flow, Placed, Token, words
from imr_desk.samples.prose import WEANING
from imr_desk.samples.vocabulary import spell_date

SUMMARY_OPENING: Final = (
    "The expert reviewer developed the following clinical case summary based on a review of the "
    "case file, including all medical records:"
)
FINAL_DETERMINATION_INTRO: Final = (
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:"
)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)]\.) (?=[A-Z])")


def printed_date(iso: str | None, style: str = "mdy4") -> str:
    """An ISO date from the record as the layout prints it."""
    if iso is None:
        return ""
    return spell_date(date.fromisoformat(iso), style)


def labelled(flow: Flow, label: str, value: str, *, gap: int = 1) -> Placed:
    """A bold label followed by its value on the same line, wrapping as one paragraph."""
    return flow.paragraph(words(label, bold=True) + words(value, gap=gap))


def plain(flow: Flow, text: str, *, bold: bool = False) -> Placed:
    """One paragraph of running text."""
    return flow.paragraph(words(text, bold=bold))


def split_paragraphs(rng: random.Random, text: str, *, most: int = 3) -> list[str]:
    """Cut a text into one to ``most`` paragraphs at sentence ends (whitespace is not a value)."""
    cuts = [m.start() for m in _SENTENCE_END.finditer(text)]
    chosen = sorted(rng.sample(cuts, min(len(cuts), rng.randint(0, most - 1))))
    parts, start = [], 0
    for cut in chosen:
        parts.append(text[start:cut])
        start = cut + 1
    parts.append(text[start:])
    return [p for p in parts if p]


def summary(flow: Flow, rng: random.Random, text: str | None) -> None:
    """The case summary as one or more paragraphs separated by blank lines."""
    for index, part in enumerate(split_paragraphs(rng, text or "")):
        if index:
            flow.blank()
        plain(flow, part)


def rationale_parts(text: str | None) -> list[str]:
    """A rationale and its trailing opioid-weaning paragraph, printed apart."""
    text = text or ""
    if text.endswith(WEANING):
        head = text[: -len(WEANING)].strip()
        return [head, WEANING] if head else [WEANING]
    return [text]


def decision_word(item: dict[str, Any]) -> str:
    """``Upheld`` or ``Overturned`` as item lines print it."""
    return "Upheld" if item["decision"] == "upheld" else "Overturned"


def item_request_tokens(item: dict[str, Any]) -> list[Token]:
    """The bold request text before the decision word, in its plain or partly-authorised form.

    Form 1 (part authorised): ``X was the original request. Y was authorized by the Claims
    Administrator. The remaining IMR eligible portion of the original request, Z is:``.
    Form 2 (part authorised, whole request disputed): ``X was the original request. The Claims
    Administrator authorized Y, leaving the original request IMR eligible. The original
    request, X is:``.
    """
    original, authorised = item["original_request"], item["authorized_portion"]
    if original is None:
        return words(f"{item['treatment']}:", bold=True)
    if item["treatment"] == original:
        text = (
            f"{original} was the original request. The Claims Administrator authorized "
            f"{authorised}, leaving the original request IMR eligible. The original request, "
            f"{original} is:"
        )
    else:
        text = (
            f"{original} was the original request. {authorised} was authorized by the Claims "
            "Administrator. The remaining IMR eligible portion of the original request, "
            f"{item['treatment']} is:"
        )
    return words(text, bold=True)


def guideline_blocks(flow: Flow, item: dict[str, Any], *, treatment_page: int) -> None:
    """``Claims Administrator guideline:``, ``MAXIMUS guideline:``, ``Decision rationale:``."""
    placed = labelled(
        flow, "Claims Administrator guideline:", item["claims_administrator_guideline"]
    )
    if placed.first_page != treatment_page:
        flow.traps["page_break_before_guidelines"] += 1
    flow.blank()
    labelled(flow, "MAXIMUS guideline:", item["maximus_guideline"])
    flow.blank()
    parts = rationale_parts(item["rationale"])
    labelled(flow, "Decision rationale:", parts[0])
    for part in parts[1:]:
        flow.blank()
        plain(flow, part)
