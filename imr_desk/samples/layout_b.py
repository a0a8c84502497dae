"""Layout B, the DWC published decision: header table, credentials list, items.

No cover page, claim number, page header, footer or page number. Geometry follows the
published letters: Helvetica 11 pt header table (labels at x 72 and 329, values at 179 and
427, ``Application`` over ``Received:``), Times 12 pt body between 72 and 540 pt.
"""

from __future__ import annotations

import random
from typing import Any, Final

from imr_desk.samples.blocks import (
    FINAL_DETERMINATION_INTRO,
    SUMMARY_OPENING,
    decision_word,
    guideline_blocks,
    item_request_tokens,
    plain,
    printed_date,
    summary,
)
from imr_desk.samples.flow import BREAK, Flow, words

HOW_MADE: Final = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no "
    "affiliation with the employer, employee, providers or the claims administrator. He/she has "
    "been in active clinical practice for more than five years and is currently working at least "
    "24 hours a week in active practice. The expert reviewer was selected based on his/her "
    "clinical experience, education, background, and expertise in the same or similar "
    "specialties that evaluate and/or treat the medical condition and disputed items/Service. "
    "He/she is familiar with governing laws and regulations, including the strength of evidence "
    "hierarchy that applies to Independent Medical Review determinations."
)
HEADER_SIZE: Final = 11.0
HEADER_PITCH: Final = 13.1
COLUMNS: Final = (72.0, 179.4, 328.9, 426.8)


def render_b(record: dict[str, Any], rng: random.Random) -> Flow:
    """Lay out a published decision letter."""
    flow = Flow()
    _header(flow, record["letter"])
    flow.heading("HOW THE IMR FINAL DETERMINATION WAS MADE")
    flow.advance(0.5)
    plain(flow, HOW_MADE)
    flow.blank()
    _credentials(flow, rng, record["letter"])
    flow.blank()
    flow.heading("CLINICAL CASE SUMMARY")
    flow.advance(0.5)
    plain(flow, SUMMARY_OPENING)
    flow.blank()
    summary(flow, rng, record["letter"]["case_summary"])
    flow.blank()
    flow.heading("IMR ISSUES, DECISIONS AND RATIONALES")
    plain(flow, FINAL_DETERMINATION_INTRO)
    flow.blank()
    for item in record["items"]:
        _item(flow, rng, item)
    return flow


def _header(flow: Flow, letter: dict[str, Any]) -> None:
    flow.y = 102.5
    rows = (
        ("Case Number:", letter["case_number"], None, None),
        (
            "Date Assigned:",
            printed_date(letter["date_assigned"]),
            "Date of Injury:",
            printed_date(letter["injury_date"]),
        ),
        (
            "Decision Date:",
            printed_date(letter["decision_date"]),
            "UR Denial Date:",
            printed_date(letter["ur_denial_date"]),
        ),
        (
            "Priority:",
            (letter["priority"] or "").title(),
            "Application",
            printed_date(letter["application_received"]),
        ),
    )
    for left, left_value, right, right_value in rows:
        _cell(flow, 0, left, left_value)
        if right:
            _cell(flow, 2, right, right_value)
        flow.y += HEADER_PITCH
    flow.place(COLUMNS[2], "Received:", bold=True, sans=True, size=HEADER_SIZE)
    flow.y += 2.2 * flow.pitch


def _cell(flow: Flow, column: int, label: str, value: str | None) -> None:
    flow.place(COLUMNS[column], label, bold=True, sans=True, size=HEADER_SIZE)
    if value:
        flow.place(COLUMNS[column + 1], value, sans=True, size=HEADER_SIZE)


def _joined(rng: random.Random, values: list[str]) -> str:
    """A comma list with the spacing after each comma left to chance, as letters print it."""
    text = values[0] if values else ""
    for value in values[1:]:
        text += rng.choice((",", ", ", ", ", ",  ")) + value
    return text


def _credentials(flow: Flow, rng: random.Random, letter: dict[str, Any]) -> None:
    plain(flow, "The Expert Reviewer has the following credentials:")
    plain(flow, "State(s) of Licensure: " + _joined(rng, letter["reviewer_license_states"]))
    specialties = _joined(rng, letter["reviewer_specialties"])
    if plain(flow, "Certification(s)/Specialty: " + specialties).lines > 1:
        flow.traps["specialty_wrapped"] += 1


def _item(flow: Flow, rng: random.Random, item: dict[str, Any]) -> None:
    tokens = item_request_tokens(item)
    if item["original_request"] is None and rng.random() < 0.15:
        tokens.append(BREAK)
        flow.traps["decision_own_line"] += 1
    placed = flow.paragraph(tokens + words(decision_word(item)))
    flow.blank()
    guideline_blocks(flow, item, treatment_page=placed.last_page)
    if rng.random() < 0.85:
        flow.blank()
    else:
        flow.traps["no_blank_before_item"] += 1
