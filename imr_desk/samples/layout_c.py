"""Layout C, the mailed final determination letter: a cover page, then prose credentials.

Fixed text (so the parser can anchor on it), page 1, each on its own line unless noted::

    MAXIMUS FEDERAL SERVICES                      (bold, centred)
    Independent Medical Review                    (centred)
    Final Determination Letter                    (bold, centred)
    Dated: 12/15/2014                             -> decision_date
    IMR Case Number:       CM14-0912345           (value at x 200) -> case_number
    Claim Number:          0512345678             (only when the letter has one)
    Date of UR Decision:   09/23/2014             -> ur_denial_date
    MAXIMUS Federal Services has completed the Independent Medical Review (IMR) ...
    Final Determination: UPHOLD. | OVERTURN. | PARTIAL OVERTURN.  + an explanation sentence
    This determination is final and binding ...
    Sincerely, / Medical Director / Independent Medical Review

Page 2 on: ``HOW THE IMR FINAL DETERMINATION WAS MADE`` with the credentials in prose ("The
expert reviewer is Board Certified in X[, has a subspecialty in Y] and is licensed to practice
in California."), ``CLINICAL CASE SUMMARY`` (the summary states the injury date, "The
utilization review determination being challenged is dated ..." and "Treatment reports were
provided from ..."), ``IMR ISSUES, DECISIONS AND RATIONALES`` with items as
``<treatment>:  Upheld`` (two spaces). Every page has a centred footer ``Page N of M`` (10 pt,
y 756), which is page furniture, never part of a value.
"""

from __future__ import annotations

import random
from typing import Any, Final

from imr_desk.pdf_source import PlacedText, text_width
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
from imr_desk.samples.flow import PAGE_WIDTH, Flow, words
from imr_desk.samples.prose import prose_credentials

HOW_MADE_HEAD: Final = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no "
    "affiliation with the employer, employee, providers or the claims administrator."
)
HOW_MADE_TAIL: Final = (
    "He/she has been in active clinical practice for more than five years and is currently "
    "working at least 24 hours a week in active practice. The expert reviewer was selected based "
    "on his/her clinical experience, education, background, and expertise in the same or similar "
    "specialties that evaluate and/or treat the medical condition and disputed items/services. "
    "He/she is familiar with governing laws and regulations, including the strength of evidence "
    "hierarchy that applies to Independent Medical Review determinations."
)
COMPLETED: Final = (
    "MAXIMUS Federal Services has completed the Independent Medical Review (IMR) of the disputed "
    "medical treatment in the above case. This letter gives the IMR Final Determination and "
    "explains how the determination was made."
)
VERDICTS: Final = {
    "upheld": (
        "UPHOLD.",
        "This means we decided that none of the disputed items/services are "
        "medically necessary and appropriate.",
    ),
    "overturned": (
        "OVERTURN.",
        "This means we decided that all of the disputed items/services "
        "are medically necessary and appropriate.",
    ),
    "partially_overturned": (
        "PARTIAL OVERTURN.",
        "This means we decided that some of the "
        "disputed items/services are medically necessary and appropriate.",
    ),
}
BINDING: Final = (
    "This determination is final and binding on all parties to the dispute, subject only to an "
    "appeal to the Workers' Compensation Appeals Board within the time the law allows."
)
COVER_VALUE_X: Final = 200.0
FOOTER_Y: Final = 756.0


def render_c(record: dict[str, Any], rng: random.Random) -> Flow:
    """Lay out a mailed final determination letter, cover page first."""
    flow = Flow()
    _cover(flow, record["letter"])
    flow.new_page()
    flow.heading("HOW THE IMR FINAL DETERMINATION WAS MADE")
    flow.advance(0.5)
    specialties = record["letter"]["reviewer_specialties"]
    plain(flow, f"{HOW_MADE_HEAD} {prose_credentials(specialties)} {HOW_MADE_TAIL}")
    flow.blank()
    flow.heading("CLINICAL CASE SUMMARY")
    plain(flow, SUMMARY_OPENING)
    flow.blank()
    summary(flow, rng, record["letter"]["case_summary"])
    flow.blank()
    flow.heading("IMR ISSUES, DECISIONS AND RATIONALES")
    plain(flow, FINAL_DETERMINATION_INTRO)
    flow.blank()
    for item in record["items"]:
        placed = flow.paragraph(item_request_tokens(item) + words(decision_word(item), gap=2))
        flow.blank()
        guideline_blocks(flow, item, treatment_page=placed.last_page)
        flow.blank()
    _footers(flow)
    return flow


def _cover(flow: Flow, letter: dict[str, Any]) -> None:
    flow.heading("MAXIMUS FEDERAL SERVICES")
    _centred(flow, "Independent Medical Review")
    flow.heading("Final Determination Letter")
    flow.blank()
    plain(flow, f"Dated: {printed_date(letter['decision_date'])}")
    flow.blank()
    rows = [("IMR Case Number:", letter["case_number"])]
    if letter["claim_number"]:
        rows.append(("Claim Number:", letter["claim_number"]))
    rows.append(("Date of UR Decision:", printed_date(letter["ur_denial_date"], "md4")))
    for label, value in rows:
        flow.place(72.0, label, bold=True)
        flow.place(COVER_VALUE_X, value)
        flow.advance()
    flow.blank()
    plain(flow, COMPLETED)
    flow.blank()
    verdict, meaning = VERDICTS[letter["outcome"]]
    flow.paragraph(words("Final Determination:", bold=True) + words(f"{verdict} {meaning}"))
    flow.blank()
    plain(flow, BINDING)
    flow.blank()
    for line in ("Sincerely,", "", "Medical Director", "Independent Medical Review"):
        if line:
            plain(flow, line)
        else:
            flow.blank()


def _centred(flow: Flow, text: str) -> None:
    flow.place((PAGE_WIDTH - text_width(text, size=flow.size)) / 2, text)
    flow.advance()


def _footers(flow: Flow) -> None:
    total = len(flow.pages)
    for index, page in enumerate(flow.pages, 1):
        text = f"Page {index} of {total}"
        x = (PAGE_WIDTH - text_width(text, size=10.0)) / 2
        page.append(PlacedText(x, FOOTER_Y, text, 10.0))
