"""``imr-desk stats [--db DB]``: counts by status, outcome and category; the double-review
pipeline; reviewer pace."""

from __future__ import annotations

import argparse
import sys
from typing import Final

from imr_desk.commands.db_option import add_db_argument
from imr_desk.reviewer_quality import text_lines
from imr_desk.stats import ProjectStats, Throughput, collect
from imr_desk.storage import LetterStore, NoDatabaseError, StorageError

PIPELINE: Final = (
    ("awaiting_second_review", "awaiting a second review"),
    ("awaiting_adjudication", "awaiting adjudication"),
    ("gold", "gold"),
)
"""The stages of double review as ``stats`` and ``agreement`` print them, in pipeline order;
gold counts both letters whose two reviews agreed and letters a lead adjudicated."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The database to describe."""
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print the statistics; exit 2 when there is no database, 1 when it cannot be read."""
    try:
        with LetterStore.open(args.db, create=False) as store:
            stats = collect(store)
    except NoDatabaseError as exc:
        print(f"imr-desk stats: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"imr-desk stats: {exc}", file=sys.stderr)
        return 1
    print(render(stats))
    return 0


def _table(title: str, counts: dict) -> list[str]:
    lines = [f"{title}:"]
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        lines.append(f"  {key if key is not None else '(none)':28s} {count:8d}")
    return lines


def pipeline_lines(pipeline: dict[str, int]) -> list[str]:
    """Double review's pipeline, one stage a line, in the order letters go through it (not
    by count, unlike the other tables: a pipeline reads from start to end)."""
    lines = ["double review:"]
    lines += [f"  {label:28s} {pipeline.get(key, 0):8d}" for key, label in PIPELINE]
    return lines


def _pace(row: Throughput) -> str:
    per_hour = f"{row.per_hour:6.1f}/h" if row.per_hour is not None else "     -/h"
    median = f"{row.median_seconds:7.0f} s" if row.median_seconds is not None else "      - s"
    hours = row.active_seconds / 3600
    return (
        f"  {row.reviewer:20s} {row.verified:6d} verified {per_hour}  "
        f"median {median}/letter  ({hours:.1f} h active)"
    )


def render(stats: ProjectStats) -> str:
    """The printed report."""
    status = {k: v for k, v in stats.by_status.items() if k != "verified_today"}
    lines = [
        f"letters: {sum(status.values())} (verified today: {stats.by_status['verified_today']})"
    ]
    lines += _table("by status", status)
    lines += _table("by outcome", stats.by_outcome)
    lines += _table("items by category", stats.by_category)
    lines += _table("by layout", stats.by_layout)
    lines += pipeline_lines(stats.pipeline)
    lines.append("reviewers (sessions split at 30 min idle):")
    lines += [_pace(row) for row in stats.throughput] or ["  (no reviews yet)"]
    lines.append("reviewer quality (seeded checks, blind letters, double reviews):")
    lines += text_lines(stats.quality)
    return "\n".join(lines)
