"""``imr-desk eval [--db DB | --gold DIR]``: the current parser's accuracy, field by field."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from imr_desk.calibration import table_lines
from imr_desk.category_eval import cross_validate
from imr_desk.category_eval import report_text as category_report_text
from imr_desk.commands.db_option import DEFAULT_PLACES, add_db_argument
from imr_desk.evaluation import Evaluation, evaluate, gold_from_folder, gold_from_store
from imr_desk.storage import LetterStore, NoDatabaseError, StorageError

_log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the truth comes from, and how much to show."""
    add_db_argument(parser, f"the project whose verified letters are scored: {DEFAULT_PLACES}")
    parser.add_argument("--gold", metavar="DIR", help="folder of <case>.json gold records instead")
    parser.add_argument("--pdfs", metavar="DIR", help="the gold letters' PDFs (default: --gold)")
    parser.add_argument("--show", type=int, default=20, help="letters with misses to list")
    parser.add_argument("--workers", type=int, default=None, help="parser processes")


def run(args: argparse.Namespace) -> int:
    """Score and print the report; exit 1 when nothing could be scored, 2 when there is no
    database."""
    try:
        if args.gold:
            gold = list(gold_from_folder(Path(args.gold), Path(args.pdfs) if args.pdfs else None))
        else:
            with LetterStore.open(args.db, read_only=False, create=False) as store:
                gold = list(gold_from_store(store))
    except NoDatabaseError as exc:
        print(f"imr-desk eval: {exc}", file=sys.stderr)
        return 2
    except (StorageError, OSError, ValueError) as exc:
        _log.exception("the gold records cannot be read")
        print(f"imr-desk eval: {exc}", file=sys.stderr)
        return 1
    if not gold:
        print("imr-desk eval: no verified letters (or gold records) to score", file=sys.stderr)
        return 1
    result = evaluate(gold, workers=args.workers)
    print(report(result, show=args.show))
    print(category_report_text(cross_validate([g.expected for g in gold])))
    return 0 if result.letters else 1


def _short(value: Any, width: int = 70) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def report(result: Evaluation, *, show: int = 20) -> str:
    """The printed report: per-field accuracy, items, skipped letters, misses, overall."""
    lines = [f"{'field':40s} {'right':>6s}/{'total':<6s} accuracy"]
    for name, right, total in result.field_accuracy():
        lines.append(f"{name:40s} {right:6d}/{total:<6d} {right / total:.3f}")
    lines.append(
        f"items (treatment and decision exact): precision {result.precision:.3f} "
        f"recall {result.recall:.3f}"
    )
    for case, reason in result.skipped:
        lines.append(f"not scored: {case}: {reason}")
    grouped = list(result.misses_by_letter().items())
    for case, misses in grouped[:show]:
        lines.append(f"{case}: {len(misses)} wrong: {', '.join(m.path for m in misses)}")
        for miss in misses:
            lines.append(
                f"    {miss.path}: expected {_short(miss.expected)!s} | got {_short(miss.got)}"
            )
    if len(grouped) > show:
        lines.append(f"... and {len(grouped) - show} more letters with misses (--show N)")
    lines += ["reliability of the parser's confidences:", *table_lines(result.reliability())]
    lines.append(f"overall field accuracy {result.accuracy:.4f} on {result.letters} letters")
    return "\n".join(lines)
