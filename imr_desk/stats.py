"""Project statistics: letters by status, outcome and category, the double-review pipeline,
and reviewer throughput.

Throughput comes from the audit timestamps: a reviewer's changes are cut into sessions where
they pause for more than ``IDLE_GAP`` and a letter's time runs from the previous verification
(or the session's first change) to its own verification, so breaks do not count as work.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from imr_desk.reviewer_quality import ReviewerQuality, from_store
from imr_desk.storage import AuditEntry, LetterStore

IDLE_GAP: Final = 30 * 60.0
"""Seconds without a change after which a reviewer is taken to have stopped working."""


@dataclass(frozen=True)
class Throughput:
    """One reviewer's pace: letters verified, time at work, letters per hour, median seconds."""

    reviewer: str
    verified: int
    active_seconds: float
    per_hour: float | None
    median_seconds: float | None


@dataclass(frozen=True)
class ProjectStats:
    """Everything ``imr-desk stats`` prints."""

    by_status: dict[str, int]
    by_outcome: dict[str | None, int]
    by_category: dict[str | None, int]
    by_layout: dict[str | None, int]
    throughput: list[Throughput]
    pipeline: dict[str, int]
    """Double review: letters awaiting a second review, awaiting adjudication, and gold."""
    quality: list[ReviewerQuality] = field(default_factory=list)
    """Per reviewer: checks caught, agreement with the parser and with others (reviewer_quality)."""


def _seconds(at: str) -> float:
    return datetime.fromisoformat(at).timestamp()


def _sessions(times: list[tuple[float, bool]], idle_gap: float) -> list[list[tuple[float, bool]]]:
    sessions: list[list[tuple[float, bool]]] = []
    for moment in times:
        if not sessions or moment[0] - sessions[-1][-1][0] > idle_gap:
            sessions.append([])
        sessions[-1].append(moment)
    return sessions


def reviewer_throughput(
    reviewer: str, times: list[tuple[float, bool]], *, idle_gap: float = IDLE_GAP
) -> Throughput:
    """Pace from one reviewer's (time, is-verification) events, sorted by time."""
    durations: list[float] = []
    active = 0.0
    for session in _sessions(times, idle_gap):
        active += session[-1][0] - session[0][0]
        start = session[0][0]
        for moment, verifies in session:
            if verifies:
                durations.append(moment - start)
                start = moment
    per_hour = len(durations) / (active / 3600) if active > 0 and durations else None
    median = statistics.median(durations) if durations else None
    return Throughput(reviewer, len(durations), active, per_hour, median)


def throughput(entries: Iterable[AuditEntry], *, idle_gap: float = IDLE_GAP) -> list[Throughput]:
    """Every reviewer's pace from the audit log, busiest first."""
    events: dict[str, list[tuple[float, bool]]] = {}
    for entry in entries:
        verifies = entry.field == "status" and entry.new == "verified"
        events.setdefault(entry.reviewer, []).append((_seconds(entry.at), verifies))
    result = [
        reviewer_throughput(name, sorted(times), idle_gap=idle_gap)
        for name, times in events.items()
    ]
    return sorted(result, key=lambda t: (-t.verified, t.reviewer))


def collect(store: LetterStore) -> ProjectStats:
    """Gather the statistics of one database. Read-only."""
    by_status = store.progress()
    return ProjectStats(
        by_status=by_status,
        by_outcome=store.count_by("outcome"),
        by_category=store.category_counts(),
        by_layout=store.count_by("layout"),
        throughput=throughput(store.audit()),
        pipeline=store.pipeline(),
        quality=from_store(store),
    )
