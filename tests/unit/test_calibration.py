"""Reliability bins, calibration error and the fitted table that makes confidences honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desk.calibration import (
    apply_steps,
    calibrated,
    ece,
    fit,
    reliability,
    table_lines,
    uncalibrated,
)
from imr_desk.evaluation import evaluate, gold_from_folder
from imr_desk.parsing.calibration_table import TABLE

MAX_ECE = 0.05


def test_bins_hold_count_mean_confidence_and_accuracy() -> None:
    pairs = [(0.95, True), (0.95, True), (0.91, False), (0.25, True), (1.0, True)]
    table = reliability(pairs)
    assert [(b.low, b.count) for b in table] == [(0.2, 1), (0.9, 4)]
    top = table[-1]
    assert top.mean_confidence == pytest.approx((0.95 + 0.95 + 0.91 + 1.0) / 4)
    assert top.accuracy == 0.75
    assert table[0].accuracy == 1.0 and table[0].mean_confidence == 0.25


def test_ece_is_the_count_weighted_gap() -> None:
    honest = [(0.8, True)] * 8 + [(0.8, False)] * 2
    assert ece(honest) == pytest.approx(0.0)
    shy = [(0.5, True)] * 10 + [(1.0, True)] * 30  # 10 of 40 values under-confident by 0.5
    assert ece(shy) == pytest.approx(0.125)
    assert ece([]) == 0.0
    assert "expected calibration error 0.1250" in table_lines(reliability(shy))[-1]


def test_a_confidence_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence lies in"):
        reliability([(1.2, True)])


def test_fit_smooths_each_level_towards_the_rule() -> None:
    steps = dict(fit([(0.5, True)] * 18 + [(0.9, True)] * 8, prior_weight=2))
    assert steps[0.5] == pytest.approx((18 + 2 * 0.5) / 20)
    assert steps[0.9] == pytest.approx((8 + 2 * 0.9) / 10)


def test_fit_pools_a_level_that_did_worse_than_a_lower_one() -> None:
    pairs = [(0.5, True)] * 18 + [(0.9, True)] * 6 + [(0.9, False)] * 4
    steps = dict(fit(pairs, prior_weight=2))
    pooled = (18 + 1.0 + 6 + 1.8) / 32
    assert steps[0.5] == steps[0.9] == pytest.approx(pooled, abs=1e-3)
    assert apply_steps(tuple(steps.items()), 0.3) == 0.3  # below every level: the rule's own
    assert apply_steps(tuple(steps.items()), 0.7) == steps[0.5]


@pytest.mark.parametrize("field", sorted(TABLE))
def test_the_table_applied_to_rule_confidences_is_monotone(field: str) -> None:
    raw = [i / 100 for i in range(101)]
    values = [calibrated(f"{field.replace('items.', 'items.0.')}", r) for r in raw]
    assert values == sorted(values), field
    assert all(0.0 <= v <= 1.0 for v in values)
    assert calibrated(field, 0.0) == 0.0  # nothing found stays nothing


def test_a_disagreeing_outcome_keeps_its_doubt() -> None:
    assert calibrated("letter.outcome", 0.3) == 0.3
    with uncalibrated():
        assert calibrated("items.2.category", 0.5) == 0.5


def test_real_letters_confidences_are_calibrated_by_the_table(
    real_dev_dir: Path, real_dev_gold_dir: Path
) -> None:
    with uncalibrated():  # in this process: the rules' own confidences, then the table's
        result = evaluate(gold_from_folder(real_dev_gold_dir, real_dev_dir), workers=0)
    assert result.letters == len(list(real_dev_gold_dir.glob("*.json")))
    raw = [(c, right) for _, c, right in result.confidences]
    pairs = [(calibrated(key, c), right) for key, c, right in result.confidences]
    assert len(pairs) > 20 * result.letters
    assert ece(raw) > MAX_ECE  # the rules alone are under-confident on real letters
    assert ece(pairs) <= MAX_ECE, "\n".join(table_lines(reliability(pairs)))
