"""Validation rules: what blocks Verify and what is only a warning."""

from __future__ import annotations

from imr_desk.domain import empty_item, empty_record
from imr_desk.record import Letter
from imr_desk.validation import blocking, issues_by_path, validate


def _valid_record() -> dict:
    record = empty_record(file_name="a.pdf", sha256="x", pages=2, layout="B")
    record["letter"].update(
        case_number="CM16-0213037",
        injury_date="2016-01-10",
        ur_denial_date="2016-11-03",
        date_assigned="2016-11-09",
        decision_date="2016-12-09",
        outcome="upheld",
    )
    item = empty_item()
    item.update(treatment="Naproxen 550mg #60", decision="upheld")
    record["items"] = [item]
    return record


def _validate(record: dict) -> list:
    """The issues of the letter a parser record gives (its items get ids p1, p2, ...)."""
    return validate(Letter.from_parsed(record))


def test_validate_accepts_a_complete_consistent_record() -> None:
    assert _validate(_valid_record()) == []


def test_validate_blocks_missing_required_fields() -> None:
    record = _valid_record()
    record["letter"]["case_number"] = None
    record["items"][0]["decision"] = None
    paths = {issue.path for issue in blocking(_validate(record))}
    assert {"letter.case_number", "items.p1.decision"} <= paths


def test_validate_names_items_by_their_id_not_their_position() -> None:
    record = _valid_record()
    second = empty_item()
    second.update(id="n0a1b2c3d", treatment=None, decision="upheld")
    record["items"].insert(0, second)
    paths = [issue.path for issue in blocking(_validate(record))]
    assert paths == ["items.n0a1b2c3d.treatment"]


def test_validate_blocks_a_date_not_in_iso_form() -> None:
    record = _valid_record()
    record["letter"]["decision_date"] = "12/09/2016"
    issues = issues_by_path(_validate(record))
    assert "YYYY-MM-DD" in issues["letter.decision_date"][0].message


def test_validate_blocks_dates_out_of_order() -> None:
    record = _valid_record()
    record["letter"]["date_assigned"] = "2017-01-01"
    issues = issues_by_path(_validate(record))
    assert issues["letter.decision_date"][0].blocking
    assert "before Date assigned" in issues["letter.decision_date"][0].message


def test_validate_skips_missing_dates_in_the_order_check() -> None:
    record = _valid_record()
    record["letter"]["ur_denial_date"] = None
    record["letter"]["date_assigned"] = None
    assert _validate(record) == []


def test_validate_blocks_an_outcome_that_disagrees_with_the_items() -> None:
    record = _valid_record()
    second = empty_item()
    second.update(treatment="MRI", decision="overturned")
    record["items"].append(second)
    issues = issues_by_path(_validate(record))
    assert issues["letter.outcome"][0].blocking
    assert "partially_overturned" in issues["letter.outcome"][0].message


def test_validate_blocks_an_enum_value_outside_its_choices() -> None:
    record = _valid_record()
    record["letter"]["priority"] = "urgent"
    assert issues_by_path(_validate(record))["letter.priority"][0].blocking


def test_validate_blocks_a_letter_without_items() -> None:
    record = _valid_record()
    record["items"] = []
    issues = blocking(_validate(record))
    assert [(i.path, "no items" in i.message) for i in issues] == [("letter.outcome", True)]


def test_validate_only_warns_about_an_unusual_case_number() -> None:
    record = _valid_record()
    record["letter"]["case_number"] = "CM16-21"
    issues = _validate(record)
    assert [issue.path for issue in issues] == ["letter.case_number"]
    assert not blocking(issues)


def test_validate_orders_issues_by_field_order() -> None:
    record = _valid_record()
    record["letter"]["case_number"] = None
    record["items"][0]["treatment"] = None
    record["letter"]["patient_age"] = 300
    paths = [issue.path for issue in _validate(record)]
    assert paths == ["letter.case_number", "letter.patient_age", "items.p1.treatment"]
