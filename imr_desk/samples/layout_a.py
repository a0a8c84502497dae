"""Layout A, the 2013 notice: a determination list given twice, then per-item sections.

Fixed text (so the parser can anchor on it), in order, each starting a line::

    MAXIMUS FEDERAL SERVICES, INC.                          (bold, centred)
    Independent Medical Review                              (centred)
    Notice of Independent Medical Review Determination      (bold, centred)
    Dated: 9/26/2013                                        -> decision_date
    IMR Case Number:            CM13-0912345     (value at x 240) -> case_number
    Claim Number:               0512345678       (only when the notice has one)
    Date of UR Decision:        8/30/2013        -> ur_denial_date
    Date of Injury:             6/1/2010         -> injury_date
    IMR Application Received:   9/6/2013         -> application_received
    MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) ...
    MAXIMUS Federal Services, Inc. has made the following determination:
    1) MAXIMUS Federal Services, Inc. has determined the request for <treatment> is [not]
       medically necessary and appropriate.      ("not" -> upheld, otherwise overturned)
    This decision is final and binding ...
    INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE       (bold, centred, new page)
    The Final Determination is as follows:
    1) MAXIMUS Federal Services, Inc. has determined ... (the same list again)
    An application for Independent Medical Review was filed on 9/6/2013 disputing the
    Utilization Review Denial dated 8/30/2013. A Notice of Assignment ...
    Medical Qualifications of the Expert Reviewer:          (bold)
    <prose credentials, as in mailed letters>
    Case Summary:                                           (bold) -> case_summary follows
    1) Regarding the request for <treatment>:               (bold)
    Medical Treatment Guideline(s) Relied Upon by the Claims Administrator:   (bold, optional)
    <claims_administrator_guideline>
    Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:        (bold)
    <maximus_guideline>
    Rationale for the Decision:                             (bold)
    <rationale, up to the next "N) Regarding the request for" or the end>

No page header, footer or page number. Items are never partly authorised in this layout.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Final

from imr_desk.pdf_source import text_width
from imr_desk.samples.blocks import plain, printed_date, rationale_parts, summary
from imr_desk.samples.flow import PAGE_WIDTH, Flow
from imr_desk.samples.layout_c import HOW_MADE_TAIL
from imr_desk.samples.prose import prose_credentials

COMPLETED: Final = (
    "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) of the "
    "above workers' compensation case. This letter provides you with the IMR Final "
    "Determination and explains how the determination was made."
)
BINDING: Final = (
    "This decision is final and binding on all parties, as provided in the California Labor Code."
)
VALUE_X: Final = 240.0


def render_a(record: dict[str, Any], rng: random.Random) -> Flow:
    """Lay out a 2013 notice of determination."""
    letter = record["letter"]
    flow = Flow()
    _masthead(flow, letter)
    plain(flow, COMPLETED)
    flow.blank()
    plain(flow, "MAXIMUS Federal Services, Inc. has made the following determination:")
    _determinations(flow, record["items"])
    plain(flow, BINDING)
    flow.new_page()
    flow.heading("INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE")
    flow.blank()
    plain(flow, "The Final Determination is as follows:")
    _determinations(flow, record["items"])
    plain(flow, _filed(letter))
    flow.blank()
    _section(
        flow,
        "Medical Qualifications of the Expert Reviewer:",
        f"{prose_credentials(letter['reviewer_specialties'])} {HOW_MADE_TAIL}",
    )
    plain(flow, "Case Summary:", bold=True)
    summary(flow, rng, letter["case_summary"])
    flow.blank()
    for number, item in enumerate(record["items"], 1):
        _item(flow, number, item)
    return flow


def _masthead(flow: Flow, letter: dict[str, Any]) -> None:
    flow.heading("MAXIMUS FEDERAL SERVICES, INC.")
    text = "Independent Medical Review"
    flow.place((PAGE_WIDTH - text_width(text, size=flow.size)) / 2, text)
    flow.advance(1.5)
    flow.heading("Notice of Independent Medical Review Determination")
    flow.blank()
    plain(flow, f"Dated: {printed_date(letter['decision_date'], 'md4')}")
    flow.blank()
    rows = [("IMR Case Number:", letter["case_number"])]
    if letter["claim_number"]:
        rows.append(("Claim Number:", letter["claim_number"]))
    rows += [
        ("Date of UR Decision:", printed_date(letter["ur_denial_date"], "md4")),
        ("Date of Injury:", printed_date(letter["injury_date"], "md4")),
        ("IMR Application Received:", printed_date(letter["application_received"], "md4")),
    ]
    for label, value in rows:
        flow.place(72.0, label, bold=True)
        flow.place(VALUE_X, value)
        flow.advance()
    flow.blank()


def _determinations(flow: Flow, items: list[dict[str, Any]]) -> None:
    flow.blank()
    for number, item in enumerate(items, 1):
        verdict = "not medically" if item["decision"] == "upheld" else "medically"
        plain(
            flow,
            f"{number}) MAXIMUS Federal Services, Inc. has determined the request for "
            f"{item['treatment']} is {verdict} necessary and appropriate.",
        )
        flow.blank()


def _filed(letter: dict[str, Any]) -> str:
    received = letter["application_received"]
    notice = date.fromisoformat(received) + timedelta(days=6)
    return (
        f"An application for Independent Medical Review was filed on "
        f"{printed_date(received, 'md4')} disputing the Utilization Review Denial dated "
        f"{printed_date(letter['ur_denial_date'], 'md4')}. A Notice of Assignment and Request "
        f"for Information was provided to the above parties on "
        f"{printed_date(notice.isoformat(), 'md4')}. A complete review of the records was provided."
    )


def _section(flow: Flow, heading: str, text: str) -> None:
    plain(flow, heading, bold=True)
    plain(flow, text)
    flow.blank()


def _item(flow: Flow, number: int, item: dict[str, Any]) -> None:
    placed = plain(flow, f"{number}) Regarding the request for {item['treatment']}:", bold=True)
    claims = item["claims_administrator_guideline"]
    if claims is not None:
        plain(
            flow,
            "Medical Treatment Guideline(s) Relied Upon by the Claims Administrator:",
            bold=True,
        )
        plain(flow, claims)
    guide = plain(
        flow, "Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:", bold=True
    )
    if guide.first_page != placed.last_page:
        flow.traps["page_break_before_guidelines"] += 1
    plain(flow, item["maximus_guideline"])
    plain(flow, "Rationale for the Decision:", bold=True)
    for index, part in enumerate(rationale_parts(item["rationale"])):
        if index:
            flow.blank()
        plain(flow, part)
    flow.blank()
