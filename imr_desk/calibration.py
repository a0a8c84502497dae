"""Whether the parser's confidences mean what they say: reliability bins and calibration error.

A confidence c is honest when, among the values given about c, a share of about c is right. The
reliability table groups scored values into equal-width confidence bins and sets each bin's mean
confidence beside its accuracy; the expected calibration error (ECE) is the count-weighted mean
gap between the two. Pure: the evaluation collects (confidence, right) pairs and reports these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

BINS: Final = 10


@dataclass(frozen=True)
class Bin:
    """One confidence range ``[low, high)`` (the last one closed) and what fell into it."""

    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float

    @property
    def gap(self) -> float:
        """How far the bin's confidence is from its accuracy (positive: over-confident)."""
        return self.mean_confidence - self.accuracy


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = BINS) -> list[Bin]:
    """The non-empty bins of equal width over [0, 1], lowest first."""
    if bins < 1:
        raise ValueError(f"a reliability table needs at least one bin, not {bins}")
    sums: list[list[float]] = [[0, 0.0, 0] for _ in range(bins)]
    for confidence, right in pairs:
        if not 0.0 <= confidence <= 1.0:
            raise ValueError(f"a confidence lies in [0, 1], not {confidence}")
        slot = sums[min(int(confidence * bins), bins - 1)]
        slot[0] += 1
        slot[1] += confidence
        slot[2] += bool(right)
    return [
        Bin(i / bins, (i + 1) / bins, int(n), total / n, hits / n)
        for i, (n, total, hits) in enumerate(sums)
        if n
    ]


def expected_calibration_error(table: list[Bin]) -> float:
    """The count-weighted mean of |mean confidence - accuracy| over the bins (0 when empty)."""
    count = sum(b.count for b in table)
    return sum(b.count * abs(b.gap) for b in table) / count if count else 0.0


def ece(pairs: Iterable[tuple[float, bool]], bins: int = BINS) -> float:
    """The expected calibration error of (confidence, right) pairs."""
    return expected_calibration_error(reliability(pairs, bins))


def table_lines(table: list[Bin]) -> list[str]:
    """The reliability table as printed by ``imr-desk eval``, ending with the ECE."""
    lines = [f"{'confidence':12s} {'count':>6s} {'mean conf':>10s} {'accuracy':>9s}"]
    for b in table:
        lines.append(
            f"{b.low:.1f}-{b.high:.1f}{'':5s} {b.count:6d} {b.mean_confidence:10.3f} "
            f"{b.accuracy:9.3f}"
        )
    lines.append(f"expected calibration error {expected_calibration_error(table):.4f}")
    return lines


# --- the mapping from a rule's confidence to a calibrated one -----------------------------

Steps = tuple[tuple[float, float], ...]
PRIOR_WEIGHT: Final = 2.0
_raw_only = False


def field_key(path: str) -> str:
    """``items.3.decision`` -> ``items.decision``: one table row serves every item."""
    return re.sub(r"^items\.\d+\.", "items.", path)


def fit(pairs: Iterable[tuple[float, bool]], prior_weight: float = PRIOR_WEIGHT) -> Steps:
    """Steps ``(rule confidence, calibrated)`` for one field, from its (rule confidence, right)
    pairs: each level's accuracy smoothed towards the rule's own value (as if ``prior_weight``
    values had been right at that rate), then made non-decreasing (pool adjacent violators),
    so a rule the parser trusts more never ends up below one it trusts less."""
    levels: dict[float, list[int]] = {}
    for confidence, right in pairs:
        counts = levels.setdefault(confidence, [0, 0])
        counts[0] += 1
        counts[1] += bool(right)
    blocks: list[tuple[list[float], float, float]] = []  # (levels, weight, smoothed accuracy)
    for level in sorted(levels):
        n, hits = levels[level]
        weight = n + prior_weight
        block = ([level], weight, (hits + prior_weight * level) / weight)
        while blocks and blocks[-1][2] > block[2]:
            before = blocks.pop()
            weight = before[1] + block[1]
            mean = (before[1] * before[2] + block[1] * block[2]) / weight
            block = (before[0] + block[0], weight, mean)
        blocks.append(block)
    return tuple((level, round(mean, 3)) for group, _, mean in blocks for level in group)


def apply_steps(steps: Steps, raw: float) -> float:
    """The calibrated value of the highest fitted level at or below ``raw``; below every level
    (a rule never seen while fitting, such as a disagreeing outcome) the rule's own value,
    capped by the lowest step so the mapping stays monotone."""
    if raw <= 0 or not steps:
        return raw
    below = [value for level, value in steps if level <= raw]
    return below[-1] if below else min(raw, steps[0][1])


def calibrated(path: str, raw: float) -> float:
    """The confidence the parser reports for a field's value, given its rule's confidence."""
    from imr_desk.parsing.calibration_table import TABLE

    steps = TABLE.get(field_key(path))
    return raw if _raw_only or steps is None else apply_steps(steps, raw)


@contextmanager
def uncalibrated() -> Iterator[None]:
    """Parse with the rules' own confidences (what the table is fitted on)."""
    global _raw_only
    _raw_only = True
    try:
        yield
    finally:
        _raw_only = False
