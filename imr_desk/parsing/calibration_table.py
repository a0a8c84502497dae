"""Calibrated confidence per field: (rule confidence, share of such values found right).

Generated from 900 synthetic letters (never the real ones, which are the test set) by

    python scripts/fit_calibration.py --count 300 --seeds 11 12 13

Regenerate it after a parser rule or its confidence changes.
"""

from __future__ import annotations

from typing import Final

TABLE: Final[dict[str, tuple[tuple[float, float], ...]]] = {
    "items.authorized_portion": ((0.9, 0.999),),
    "items.category": ((0.5, 1.0),),
    "items.claims_administrator_guideline": ((0.9, 1.0), (0.95, 1.0)),
    "items.decision": ((1.0, 1.0),),
    "items.maximus_guideline": ((0.9, 1.0), (0.95, 1.0)),
    "items.original_request": ((0.9, 0.999),),
    "items.rationale": ((0.9, 1.0),),
    "items.treatment": ((0.9, 1.0), (0.95, 1.0)),
    "letter.application_received": ((1.0, 1.0),),
    "letter.case_number": ((1.0, 1.0),),
    "letter.case_summary": ((0.9, 0.999), (0.95, 1.0)),
    "letter.claim_number": ((1.0, 1.0),),
    "letter.date_assigned": ((1.0, 1.0),),
    "letter.decision_date": ((1.0, 1.0),),
    "letter.diagnoses": ((0.8, 0.989), (0.85, 0.998), (0.95, 1.0)),
    "letter.injury_date": ((0.8, 0.999), (1.0, 1.0)),
    "letter.outcome": ((1.0, 1.0),),
    "letter.patient_age": ((0.95, 1.0),),
    "letter.patient_sex": ((0.95, 1.0),),
    "letter.priority": ((1.0, 1.0),),
    "letter.records_from": ((0.75, 0.999),),
    "letter.records_to": ((0.75, 0.999),),
    "letter.reviewer_license_states": ((0.85, 1.0), (0.95, 1.0)),
    "letter.reviewer_specialties": ((0.85, 1.0), (0.95, 1.0)),
    "letter.ur_denial_date": ((1.0, 1.0),),
}
