"""F8 stops per letter on real letters, before and after the one rule of doubt (issue 12).

Parses every ``<case>.pdf`` of the real dev corpus with the current parser, scores it against
``real-dev-gold/<case>.json`` (``evaluation.Evaluation``, the ``eval`` command's comparison)
and counts the fields F8 visits in one full cycle of a freshly parsed letter: with the rule
the session uses now (``record.in_doubt`` plus validation issues) and with the rule before it
(any parser confidence below LOW_CONFIDENCE, so every unfound field stopped). The target is
an average of at most 1 stop on letters whose parse is right. Real letters are read from the
shared folder at run time, never copied into the project.

    python scripts/f8_stops.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from imr_desk.domain import LOW_CONFIDENCE
from imr_desk.evaluation import Evaluation
from imr_desk.parser import parse_file
from imr_desk.record import FieldRef, Letter
from imr_desk.session import ReviewSession

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.0
Rule = Callable[[ReviewSession, str, set[str]], bool]


def rule_before(session: ReviewSession, path: str, issues: set[str]) -> bool:
    """F8's rule before issue 12: an issue, or a parser confidence below the bound."""
    if path in issues:
        return True
    confidence = session.confidence(path)
    return not session.is_human(path) and confidence is not None and confidence < LOW_CONFIDENCE


def rule_now(session: ReviewSession, path: str, issues: set[str]) -> bool:
    return session.needs_review(path, issues)


def stops(letter: Letter, rule: Rule) -> list[str]:
    """The fields F8 visits once round (it stops at each field the rule picks, in form order)."""
    session = ReviewSession(sha256=letter.source.sha256, letter=letter)
    issues = {issue.path for issue in session.issues()}
    return [path for path in session.paths() if rule(session, path, issues)]


def field_of(path: str) -> str:
    return FieldRef.parse(path).name


def measure(corpus: Path, gold: Path) -> int:
    right_letters = 0
    totals = {"before": 0, "after": 0}
    everyone = {"before": 0, "after": 0}
    by_field: Counter[str] = Counter()
    pdfs = sorted(corpus.glob("*.pdf"))
    for pdf in pdfs:
        record = parse_file(pdf)
        expected = json.loads((gold / f"{pdf.stem}.json").read_text(encoding="utf-8"))
        scored = Evaluation()
        scored.score(pdf.stem, expected, record)
        letter = Letter.from_parsed(record)
        before, after = stops(letter, rule_before), stops(letter, rule_now)
        everyone["before"] += len(before)
        everyone["after"] += len(after)
        if scored.misses:
            continue
        right_letters += 1
        totals["before"] += len(before)
        totals["after"] += len(after)
        by_field.update(field_of(path) for path in after)
    return _report(len(pdfs), right_letters, totals, everyone, by_field)


def _report(
    letters: int,
    right: int,
    totals: dict[str, int],
    everyone: dict[str, int],
    by_field: Counter[str],
) -> int:
    if not right:
        print(f"none of {letters} letters parsed right: nothing to measure", file=sys.stderr)
        return 1
    print(f"letters: {letters}, parsed right (every field equals the gold): {right}")
    for name in ("before", "after"):
        print(
            f"F8 stops per right letter {name}: {totals[name] / right:.2f}"
            f"   (all letters: {everyone[name] / letters:.2f})"
        )
    print("after, stops on right letters by field:")
    for name, count in by_field.most_common():
        print(f"  {name:<32} {count:>4}  ({count / right:.2f} per letter)")
    met = totals["after"] / right <= TARGET
    print(f"target <= {TARGET:.0f} per right letter: {'met' if met else 'NOT met'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("IMR_DESK_SHARED", str(ROOT.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=Path(default))
    args = parser.parse_args()
    corpus, gold = args.shared / "corpus" / "real-dev", args.shared / "corpus" / "real-dev-gold"
    if not corpus.is_dir() or not gold.is_dir():
        print(f"real letters not found under {args.shared}/corpus", file=sys.stderr)
        return 2
    return measure(corpus, gold)


if __name__ == "__main__":
    sys.exit(main())
