"""The category suggestion against the reviewers' categories on the real dev letters' records
(read from ../shared at run time; the records already hold treatments and guidelines)."""

from __future__ import annotations

import json
from pathlib import Path

from imr_desk.category_eval import cross_validate

MIN_AGREEMENT = 0.95


def test_learned_category_agrees_with_reviewers_under_a_two_fold_split(
    real_dev_gold_dir: Path,
) -> None:
    letters = [json.loads(p.read_text()) for p in sorted(real_dev_gold_dir.glob("CM*.json"))]
    result = cross_validate(letters)
    assert result.learned.total >= 150
    assert result.learned.rate >= MIN_AGREEMENT, result
    assert min(fold.rate for fold in result.learned_folds) >= MIN_AGREEMENT, result
    assert result.rules.rate >= MIN_AGREEMENT, result
