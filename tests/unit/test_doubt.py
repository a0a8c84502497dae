"""One rule of doubt (``record.doubt_confidence``) behind F8, the form's colours and the
queue's letter confidence, on hand-made letters. Confidences are set relative to
LOW_CONFIDENCE, so the rule is tested, not particular parser numbers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from imr_desk.domain import LOW_CONFIDENCE, empty_item, empty_record
from imr_desk.record import FieldRef, Letter, doubt_confidence, in_doubt
from imr_desk.session import ReviewSession

UNSURE = LOW_CONFIDENCE / 2
SURE = (1 + LOW_CONFIDENCE) / 2


def _letter(**confidences: float) -> Letter:
    """A valid letter, every found value SURE, unfound optional fields at confidence 0 (the
    spec's "could not find"); ``confidences`` override by path (``letter.injury_date``)."""
    record = empty_record(file_name="a.pdf", sha256="abc", pages=1)
    record["letter"].update(case_number="CM16-0000001", outcome="upheld")
    record["letter"].update(injury_date="2016-01-01", diagnoses=["neck strain"])
    record["items"] = [dict(empty_item(), treatment="TENS unit", decision="upheld")]
    record["items"][0]["category"] = "DMEPOS"
    found: dict[str, Any] = {f"letter.{k}": v for k, v in record["letter"].items()}
    found.update(_item_values(record))
    record["provenance"] = [
        {"field": path, "confidence": confidences.get(path, SURE if value else 0.0), "boxes": []}
        for path, value in found.items()
    ]
    return Letter.from_parsed(record)


def _item_values(record: dict) -> dict[str, Any]:
    return {f"items.0.{name}": value for name, value in record["items"][0].items() if name != "id"}


def _full_cycle(session: ReviewSession) -> list[str]:
    """Every field F8 visits from the first, once round."""
    first = session.next_needing_review()
    stops, path = [], first
    while path is not None and path not in stops:
        stops.append(path)
        path = session.next_needing_review(path)
    return stops


def test_a_letter_read_surely_has_no_doubt_and_f8_has_nowhere_to_stop() -> None:
    letter = _letter()
    assert letter.doubts() == [] and letter.confidence() == SURE
    assert ReviewSession(sha256="abc", letter=letter).next_needing_review() is None


def test_confidently_empty_optional_fields_are_skipped_and_uncoloured() -> None:
    letter = _letter()
    claim = letter.field(FieldRef("claim_number"))
    assert claim.value is None and claim.confidence == 0.0
    assert doubt_confidence(FieldRef("claim_number").spec, claim) is None
    never_reported = replace(claim, confidence=None)
    assert doubt_confidence(FieldRef("claim_number").spec, never_reported) is None


def test_an_empty_field_the_parser_doubts_is_absent_is_stopped_at() -> None:
    letter = _letter(**{"letter.claim_number": UNSURE})
    assert letter.doubts() == [FieldRef("claim_number")]
    assert letter.confidence() == UNSURE


def test_an_empty_required_field_counts_zero_even_when_a_person_emptied_it() -> None:
    letter = _letter()
    ref = FieldRef("treatment", "p1")
    emptied = replace(letter.field(ref), value=None, confidence=1.0, set_by="ann")
    letter = letter.with_field(ref, emptied)
    assert doubt_confidence(ref.spec, emptied) == 0.0 and letter.confidence() == 0.0
    assert letter.doubts() == [ref]


def test_a_low_confidence_value_is_stopped_at_and_a_person_confirmed_one_is_not() -> None:
    letter = _letter(**{"letter.injury_date": UNSURE})
    session = ReviewSession(sha256="abc", letter=letter)
    assert _full_cycle(session) == ["letter.injury_date"]

    ref = FieldRef("injury_date")
    confirmed = replace(letter.field(ref), confidence=1.0, set_by="ann")
    session.letter = letter.with_field(ref, confirmed)
    assert not in_doubt(ref.spec, confirmed) and _full_cycle(session) == []
    assert session.letter.confidence() == SURE


def test_suggested_fields_count_like_any_other() -> None:
    letter = _letter(**{"items.0.category": UNSURE, "letter.diagnoses": UNSURE})
    assert letter.doubts() == [FieldRef("diagnoses"), FieldRef("category", "p1")]
    assert letter.confidence() == UNSURE


def test_f8_visits_the_doubts_and_the_fields_with_issues_in_form_order() -> None:
    letter = _letter(**{"items.0.rationale": UNSURE, "letter.injury_date": UNSURE})
    ref = FieldRef("decision_date")  # a decision before the injury is a validation issue
    letter = letter.with_field(ref, replace(letter.field(ref), value="2015-01-01"))
    session = ReviewSession(sha256="abc", letter=letter)
    issues = [issue.path for issue in session.issues()]
    assert issues, "the hand-made letter should have a validation issue"
    expected = [str(r) for r in letter.refs() if in_doubt(r.spec, letter.field(r))]
    expected = [p for p in session.paths() if p in expected or p in issues]
    assert _full_cycle(session) == expected
    assert {"letter.injury_date", "items.p1.rationale"} <= set(expected)


def test_queue_confidence_is_the_least_counted_one_and_low_exactly_when_in_doubt() -> None:
    for confidences in (
        {},
        {"letter.injury_date": UNSURE},
        {"letter.claim_number": UNSURE},
        {"items.0.category": (UNSURE + LOW_CONFIDENCE) / 2},
        {"letter.records_from": 0.0},
    ):
        letter = _letter(**confidences)
        counted = [doubt_confidence(r.spec, letter.field(r)) for r in letter.refs()]
        assert letter.confidence() == min(c for c in counted if c is not None)
        assert (letter.confidence() < LOW_CONFIDENCE) == bool(letter.doubts()), confidences
