"""``imr-desk agreement [--db DB] [--limit N] [--seed N]``: how far two independent reviewers
of the same letters agree, field by field; the letters they disagree on most; the pipeline.

Agreement counts every letter whose two reviews are both verified, whether the reviews agreed
(gold at once) or a lead still has to settle them: leaving out the disagreements would make
the reviewers look more consistent than they are.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Final

from imr_desk.agreement import agreement, most_disagreement, render_table
from imr_desk.commands.db_option import add_db_argument
from imr_desk.commands.stats import pipeline_lines
from imr_desk.names import shown
from imr_desk.record import Letter
from imr_desk.storage import LetterRow, LetterStore, NoDatabaseError, StorageError

PROG: Final = "imr-desk agreement"
NO_PAIRS: Final = (
    "No letter has two verified reviews yet: agreement is measured once both reviewers of a "
    "double-reviewed letter have verified it."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Database, how many letters to list, the bootstrap's seed."""
    add_db_argument(parser)
    parser.add_argument(
        "--limit",
        type=_count,
        default=10,
        metavar="N",
        help="letters with the most disagreement to list (default 10; 0 for none)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the bootstrap intervals (same seed, same intervals; default 0)",
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 2 without a database, 1 when it cannot be read."""
    try:
        with LetterStore.open(args.db, create=False) as store:
            pairs = {row.sha256: (row, a.letter, b.letter) for row, a, b in store.review_pairs()}
            pipeline = store.pipeline()
    except NoDatabaseError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    print(render(pairs, pipeline, limit=args.limit, seed=args.seed))
    return 0


def render(
    pairs: dict[str, tuple[LetterRow, Letter, Letter]],
    pipeline: dict[str, int],
    *,
    limit: int,
    seed: int,
) -> str:
    """The printed report: the agreement table and the letters that need attention, or a
    plain sentence when nothing is measured yet; the pipeline either way."""
    if not pairs:
        return "\n".join([NO_PAIRS, "", *pipeline_lines(pipeline)])
    rows = agreement([(a, b) for _, a, b in pairs.values()], seed=seed)
    lines = [
        f"Agreement between reviewers over {_letters(len(pairs))} with two verified reviews:",
        "",
        render_table(rows).rstrip("\n"),
        "",
        *_most_disagreement(pairs, limit),
        "",
        *pipeline_lines(pipeline),
    ]
    return "\n".join(lines)


def _most_disagreement(pairs: dict[str, tuple[LetterRow, Letter, Letter]], limit: int) -> list[str]:
    names = _names([row for row, _, _ in pairs.values()])
    ranked = most_disagreement({names[sha]: (a, b) for sha, (_, a, b) in pairs.items()}, limit)
    if not ranked:
        return ["Letters with the most disagreement: none, every pair of reviews agrees."]
    width = max(len(name) for name, _ in ranked)
    lines = ["Letters with the most disagreement (fields or items that differ):"]
    lines += [f"  {name:{width}s}  {count:4d}" for name, count in ranked]
    return lines


def _names(rows: list[LetterRow]) -> dict[str, str]:
    """What each letter is called in the list: its case number (its file name without one),
    with the start of its SHA-256 when two letters would read the same."""
    plain = {row.sha256: shown(row.case_number or row.file_name) for row in rows}
    repeated = Counter(plain.values())
    return {
        sha: name if repeated[name] == 1 else f"{name} ({sha[:12]})" for sha, name in plain.items()
    }


def _letters(count: int) -> str:
    return f"{count} letter" if count == 1 else f"{count} letters"
