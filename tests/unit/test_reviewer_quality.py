"""The reviewer quality report: letters, median time, seeded checks, blind letters and agreement
per reviewer, from a project built by hand with a controlled clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_letters import fake_record

from imr_desk.commands.stats import render
from imr_desk.edits import Batch, SetField
from imr_desk.export import export_dataset
from imr_desk.record import FieldRef
from imr_desk.review_policy import ReviewPolicy
from imr_desk.reviewer_quality import ReviewerQuality, from_store, report, text_lines
from imr_desk.seeded_checks import Check
from imr_desk.stats import collect
from imr_desk.storage import AuditEntry, LetterStore

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
CLAIM = FieldRef("claim_number")
AGE = FieldRef("patient_age")
UNITS = 17 + 2 * 8
"""A fake letter with two items: 17 letter fields and 8 fields in each item."""


class Clock:
    """The stores' clock, set by the test to a number of seconds after T0."""

    def __init__(self) -> None:
        self.now = T0

    def at(self, seconds: float) -> None:
        self.now = T0 + timedelta(seconds=seconds)

    def __call__(self) -> datetime:
        return self.now


def fill_blind(store: LetterStore, sha: str, **changed: object) -> None:
    """Fill a blind letter from the page: the parser's values but ``changed``."""
    truth = next(row.full for row in store.iter_letters() if row.sha256 == sha)
    edits = []
    for ref in truth.refs():
        value = changed.get(str(ref), truth.field(ref).parsed)
        if value not in (None, (), ""):
            edits.append(SetField(ref, value))
    store.apply(sha, Batch(tuple(edits)))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[LetterStore]:
    """ann and bob review five letters; lea, the lead, sets the policy between them.

    1 ann: change at 0 s, verified at 100 s (seeded check caught)     -> 100 s
    2 ann: verified unchanged at 200 s                                 -> 0 s
    3 bob, blind: filled at 300 s with one age wrong, verified at 360 s -> 60 s (check missed)
    4 double: ann changes at 400 s, verifies at 430 s                  -> 30 s
              bob changes at 500 s (and the age), verifies at 580 s    -> 80 s; one difference
    5 ann: changed at 600 s, never verified
    """
    clock, path = Clock(), tmp_path / "letters.db"
    desks = {n: LetterStore.open(path, reviewer=n, clock=clock) for n in ("ann", "bob", "lea")}
    ann, bob, lea = desks["ann"], desks["bob"], desks["lea"]
    for n in range(1, 6):
        record = fake_record(n, decisions=("upheld", "overturned"))
        lea.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    shas = [row.sha256 for row in lea.list_letters()]
    lea.set_policy(ReviewPolicy(leads=("lea",)))
    check = Check(AGE, "age", 48, 51)
    clock.at(0), ann.apply(shas[0], SetField(CLAIM, "WC-1"))
    clock.at(100), ann.set_status(shas[0], "verified"), ann.record_check(shas[0], check, "caught")
    clock.at(200), ann.set_status(shas[1], "verified")
    lea.set_policy(ReviewPolicy(leads=("lea",), blind_share=1.0))
    clock.at(300), fill_blind(bob, shas[2], **{"letter.patient_age": 49})
    clock.at(360), bob.set_status(shas[2], "verified"), bob.record_check(shas[2], check, "missed")
    lea.set_policy(ReviewPolicy(leads=("lea",), double_share=1.0))
    clock.at(400), ann.apply(shas[3], SetField(CLAIM, "WC-4"))
    clock.at(430), ann.set_status(shas[3], "verified")
    clock.at(500), bob.apply(shas[3], Batch((SetField(CLAIM, "WC-4"), SetField(AGE, 50))))
    clock.at(580), bob.set_status(shas[3], "verified")
    clock.at(600), ann.apply(shas[4], SetField(CLAIM, "WC-5"))
    yield lea
    for store in desks.values():
        store.close()


def test_each_reviewer_gets_the_figures_worked_out_by_hand(project: LetterStore) -> None:
    ann, bob = from_store(project)
    assert ann == ReviewerQuality(
        "ann", letters=3, median_seconds=30.0, caught=1, missed=0,
        double_letters=1, compared_fields=UNITS, agreed_fields=UNITS - 1,
    )  # fmt: skip
    assert bob == ReviewerQuality(
        "bob", letters=2, median_seconds=70.0, caught=0, missed=1,
        blind_letters=1, blind_fields=UNITS, blind_agreed=UNITS - 1,
        double_letters=1, compared_fields=UNITS, agreed_fields=UNITS - 1,
    )  # fmt: skip
    assert bob.blind_share == pytest.approx(32 / 33)
    assert ann.blind_share is None


def test_stats_prints_the_reviewers_table(project: LetterStore) -> None:
    text = render(collect(project))
    assert "reviewer quality" in text
    table = text.split("reviewer quality", 1)[1]
    bob_line = next(line for line in table.splitlines() if line.strip().startswith("bob "))
    assert bob_line.split()[1:6] == ["2", "70", "0", "1", "1"]
    assert "97.0% (32/33)" in bob_line


def test_the_dataset_card_has_the_reviewer_quality_table(
    project: LetterStore, tmp_path: Path
) -> None:
    export_dataset(project, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    section = card.split("## Reviewer quality", 1)[1].split("\n## ", 1)[0]
    assert "| ann | 3 | 30 | 1 | 0 | 0 | - | 1 | 97.0% (32/33) |" in section
    assert "| bob | 2 | 70 | 0 | 1 | 1 | 97.0% (32/33) | 1 | 97.0% (32/33) |" in section


def entry(reviewer: str, sha: str, seconds: float, field: str = "letter.x", new: object = 1):
    at = (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return AuditEntry(0, sha, field, None, new, reviewer, at)


def test_a_letter_verified_twice_counts_once_timed_to_its_first_verification() -> None:
    log = [
        entry("cy", "a", 0),
        entry("cy", "a", 40, "status", "verified"),
        entry("cy", "a", 900),  # reopened much later
        entry("cy", "a", 960, "status", "verified"),
    ]
    (cy,) = report(log, {})
    assert (cy.letters, cy.median_seconds) == (1, 40.0)


def test_a_reviewer_with_only_checks_or_nothing_verified_has_no_median() -> None:
    rows = report([entry("cy", "a", 0)], {"dee": {"caught": 2, "missed": 0}})
    assert [(r.reviewer, r.letters, r.median_seconds, r.caught) for r in rows] == [
        ("cy", 0, None, 0),
        ("dee", 0, None, 2),
    ]
    assert text_lines([]) == ["  (no reviews yet)"]
