"""The form colours exactly the fields F8 stops at (validation aside) with the confidence the
queue counts: one rule, ``record.doubt_confidence``."""

from __future__ import annotations

import pytest

from imr_desk.domain import LOW_CONFIDENCE, empty_item, empty_record
from imr_desk.record import Letter, doubt_confidence
from imr_desk.ui.field_editors import confidence_band
from imr_desk.ui.field_form import FieldForm, FormState

pytestmark = pytest.mark.gui

UNSURE = LOW_CONFIDENCE / 2


def _letter() -> Letter:
    """Found values sure, optional fields unfound (0), one unsure value, one unsure
    suggestion and one field the parser doubts is absent."""
    record = empty_record(file_name="a.pdf", sha256="abc", pages=1)
    record["letter"].update(case_number="CM16-0000001", outcome="upheld", injury_date="2016-01-01")
    record["items"] = [dict(empty_item(), treatment="TENS", decision="upheld", category="DMEPOS")]
    unsure = {"letter.injury_date", "items.0.category", "letter.records_from"}
    found = {"letter.case_number", "letter.outcome", "items.0.treatment", "items.0.decision"}
    empty = {"letter.claim_number", "letter.records_to", "items.0.rationale"}
    record["provenance"] = [
        {"field": path, "confidence": UNSURE if path in unsure else 1.0 * (path in found)}
        for path in unsure | found | empty
    ]
    return Letter.from_parsed(record)


def test_form_colours_only_the_fields_in_doubt_with_the_counted_confidence(qtbot) -> None:
    form = FieldForm()
    qtbot.addWidget(form)
    letter = _letter()
    form.set_state(FormState(record=letter))
    coloured = set()
    for ref in letter.refs():
        band = form.editor(str(ref)).widget.property("confidence") or ""
        assert band == confidence_band(doubt_confidence(ref.spec, letter.field(ref))), ref
        if band in ("low", "medium"):
            coloured.add(ref)
    assert coloured == set(letter.doubts())
    assert {str(ref) for ref in coloured} == {
        "letter.injury_date",
        "letter.records_from",
        "items.p1.category",
    }
    assert not form.editor("letter.claim_number").widget.property("confidence")
    assert letter.confidence() == UNSURE
