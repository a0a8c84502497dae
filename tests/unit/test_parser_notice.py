"""Layout A (2013 notice) details that printed notices show and generated ones do not."""

from __future__ import annotations

from pathlib import Path

from imr_desk.parser import parse_file
from tests.letter_pdf import text_to_pdf

NOTICE = """MAXIMUS FEDERAL SERVICES, INC.
Notice of Independent Medical Review Determination
Dated: 10/2/2013
IMR Case Number: CM13-0000777
1) MAXIMUS Federal Services, Inc. has determined the request for a 20 day
work conditioning program is notmedically necessary and appropriate.
2) MAXIMUS Federal Services, Inc. has determined the request for a lumbar
support is medically necessary and appropriate.
INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE
An application for Independent Medical Review was filed on 9/10/2013 disputing the
Utilization Review Denial dated 9/3/2013.
Medical Qualifications of the Expert Reviewer:
The physician reviewer is Board Certified in Occupational Medicine and is licensed to
practice in California.
Case Summary:
Disclaimer: The following case summary was taken directly from the utilization review
denial/modification dated September 3, 2013.
The patient is a 51 year-old male with a date of injury of 2/14/2012. He reports low back pain.
1) Regarding the request for a 20 day work conditioning program:
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
MTUS Chronic Pain Medical Treatment Guidelines, Work conditioning, page 125.
Rationale for the Decision:
The records do not show a defined return to work goal. The request is not medically necessary.
2) Regarding the request for a lumbar support:
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
ACOEM Low Back Complaints, page 301.
Rationale for the Decision:
The support is reasonable during the acute flare. The request is medically necessary.
"""


def test_notice_reads_run_together_not_and_drops_the_summary_disclaimer(tmp_path: Path) -> None:
    record = parse_file(text_to_pdf(NOTICE, tmp_path / "notice.pdf"))
    letter, items = record["letter"], record["items"]
    assert record["source"]["layout"] == "A"
    assert letter["decision_date"] == "2013-10-02"
    assert letter["application_received"] == "2013-09-10"
    assert letter["ur_denial_date"] == "2013-09-03"
    assert letter["reviewer_specialties"] == ["Occupational Medicine"]
    assert letter["reviewer_license_states"] == ["California"]
    assert letter["case_summary"].startswith("The patient is a 51 year-old male")
    assert (letter["patient_age"], letter["patient_sex"]) == (51, "male")
    assert letter["injury_date"] == "2012-02-14"
    assert [(i["treatment"], i["decision"]) for i in items] == [
        ("a 20 day work conditioning program", "upheld"),
        ("a lumbar support", "overturned"),
    ]
    assert letter["outcome"] == "partially_overturned"
    assert items[1]["maximus_guideline"] == "ACOEM Low Back Complaints, page 301."
    assert items[0]["rationale"].endswith("The request is not medically necessary.")
    assert items[0]["claims_administrator_guideline"] is None
