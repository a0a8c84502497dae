"""Project statistics: counts, and reviewer pace from audit timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_letters import fake_record

from imr_desk.commands.stats import render
from imr_desk.edits import SetField
from imr_desk.record import FieldRef
from imr_desk.stats import collect, reviewer_throughput, throughput
from imr_desk.storage import AuditEntry, LetterStore

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def entry(reviewer: str, seconds: float, field: str = "letter.patient_age", new: object = 1):
    at = (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return AuditEntry(0, "sha", field, None, new, reviewer, at)


def verify(reviewer: str, seconds: float) -> AuditEntry:
    return entry(reviewer, seconds, "status", "verified")


def test_pace_counts_time_between_verifications_within_a_session() -> None:
    log = [entry("ann", 0), verify("ann", 60), entry("ann", 100), verify("ann", 180)]
    log += [entry("ann", 5000), verify("ann", 5120)]  # after a long break: a new session
    (ann,) = throughput(log)
    assert ann.verified == 3
    assert ann.active_seconds == 180 + 120
    assert ann.median_seconds == 120
    assert ann.per_hour == pytest.approx(3 / (300 / 3600))


def test_reviewers_are_counted_apart_busiest_first() -> None:
    log = [verify("bob", 10), entry("ann", 0), verify("ann", 30), verify("ann", 90)]
    assert [(t.reviewer, t.verified) for t in throughput(log)] == [("ann", 2), ("bob", 1)]


def test_a_reviewer_who_verified_nothing_has_no_pace() -> None:
    pace = reviewer_throughput("cy", [(0.0, False), (50.0, False)])
    assert (pace.verified, pace.per_hour, pace.median_seconds) == (0, None, None)


def test_collect_counts_letters_by_status_outcome_and_category(tmp_path: Path) -> None:
    clock = iter(T0 + timedelta(seconds=30 * n) for n in range(1000))
    with LetterStore.open(tmp_path / "db", reviewer="ann", clock=lambda: next(clock)) as store:
        for n, decisions in enumerate([("upheld",), ("overturned", "upheld"), ("upheld",)], 1):
            store.add_letter(
                fake_record(n, decisions=decisions), source_path="x", parser_version="1"
            )
        first, second, _ = (r.sha256 for r in store.list_letters())
        store.apply(first, SetField(FieldRef("category", "p1"), "Surgery"))
        store.set_status(first, "verified")
        store.set_status(second, "flagged")
        stats = collect(store)
    assert {k: v for k, v in stats.by_status.items() if v} == {
        "parsed": 1,
        "verified": 1,
        "flagged": 1,
        "verified_today": 1,  # "today" is the clock's day
    }
    assert stats.by_outcome == {"upheld": 2, "partially_overturned": 1}
    assert stats.by_category == {"Surgery": 1, "Pharmaceuticals": 3}
    assert [(t.reviewer, t.verified) for t in stats.throughput] == [("ann", 1)]
    text = render(stats)
    assert "by outcome:" in text and "partially_overturned" in text
    assert "ann" in text and "1 verified" in text
