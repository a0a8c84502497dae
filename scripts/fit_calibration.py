"""Fit imr_desk/parsing/calibration_table.py from synthetic letters.

    python scripts/fit_calibration.py [--count 300] [--seeds 11 12 13]

Generates synthetic letters (with their expected records) in a temporary folder, parses them
with the rules' own confidences, and for every field maps each rule confidence to the share of
such values found right (smoothed towards the rule's value, kept monotone); see
``imr_desk.calibration.fit``. Never fitted on the real letters: they are the test set.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

from imr_desk.calibration import Steps, fit, uncalibrated
from imr_desk.evaluation import evaluate, gold_from_folder
from imr_desk.samples import generate_letters

TABLE_PATH = (
    Path(__file__).resolve().parent.parent / "imr_desk" / "parsing" / "calibration_table.py"
)
HEADER = '''"""Calibrated confidence per field: (rule confidence, share of such values found right).

Generated from {letters} synthetic letters (never the real ones, which are the test set) by

    python scripts/fit_calibration.py {args}

Regenerate it after a parser rule or its confidence changes.
"""

from __future__ import annotations

from typing import Final

TABLE: Final[dict[str, tuple[tuple[float, float], ...]]] = {{
'''


def fitted_table(count: int, seeds: list[int]) -> tuple[dict[str, Steps], int]:
    """The steps of every field, and how many letters were scored."""
    pairs: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    letters = 0
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds:
            out = Path(folder) / str(seed)
            generate_letters(out, count=count, seed=seed)
            with uncalibrated():
                result = evaluate(gold_from_folder(out), workers=0)
            letters += result.letters
            for key, confidence, right in result.confidences:
                pairs[key].append((confidence, right))
    return {key: fit(values) for key, values in sorted(pairs.items())}, letters


def render(table: dict[str, Steps], args: str, letters: int) -> str:
    """The table module's source."""
    rows = [f"    {key!r}: {steps!r},\n" for key, steps in table.items()]
    return HEADER.format(args=args, letters=letters) + "".join(rows) + "}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="letters per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    args = parser.parse_args()
    table, letters = fitted_table(args.count, args.seeds)
    spelled = f"--count {args.count} --seeds {' '.join(map(str, args.seeds))}"
    TABLE_PATH.write_text(render(table, spelled, letters), encoding="utf-8")
    for key, steps in table.items():
        print(f"{key:40s} {steps}")


if __name__ == "__main__":
    main()
