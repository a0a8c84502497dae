"""Records in the fields.md shape, built in code for storage, export and stats tests."""

from __future__ import annotations

import hashlib
from typing import Any

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, empty_item, empty_record

BOX = {"page": 0, "rect": [1.0, 2.0, 3.0, 4.0]}


def fake_record(
    n: int = 1,
    *,
    decisions: tuple[str, ...] = ("upheld",),
    confidence: float = 0.9,
    layout: str = "B",
) -> dict[str, Any]:
    """A parsed-looking record for case ``CM16-000000n`` with one item per decision."""
    sha = hashlib.sha256(f"letter {n}".encode()).hexdigest()
    record = empty_record(file_name=f"CM16-{n:07d}.pdf", sha256=sha, pages=2, layout=layout)
    record["source"]["needs_ocr"] = False
    record["letter"].update(
        case_number=f"CM16-{n:07d}",
        decision_date="2016-12-09",
        patient_age=48,
        patient_sex="male",
        reviewer_license_states=["California"],
    )
    for i, decision in enumerate(decisions):
        item = empty_item()
        item.update(treatment=f"Treatment {n}.{i}", decision=decision, category="Pharmaceuticals")
        record["items"].append(item)
    outcomes = {"upheld": "upheld", "overturned": "overturned"}
    record["letter"]["outcome"] = (
        outcomes[decisions[0]] if len(set(decisions)) == 1 else "partially_overturned"
    )
    record["provenance"] = [
        {
            "field": spec.path(),
            "confidence": confidence,
            "boxes": [{"page": 0, "rect": [1, 2, 3, 4]}],
        }
        for spec in LETTER_FIELDS
    ] + [
        {"field": spec.path(i), "confidence": confidence, "boxes": []}
        for i in range(len(decisions))
        for spec in ITEM_FIELDS
    ]
    return record
