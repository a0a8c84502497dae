"""``imr-desk samples``: write synthetic letters (PDF) with their expected records (JSON)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from imr_desk.domain import LAYOUTS


def _layouts(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = [c for c in chosen if c not in LAYOUTS or c == "unknown"]
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"layouts are a comma list of A, B, C (got {text!r})")
    return chosen


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the samples command."""
    parser.add_argument("--out", required=True, type=Path, help="folder to write letters into")
    parser.add_argument("--count", type=int, default=20, help="how many letters (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same letters)")
    parser.add_argument(
        "--layouts",
        type=_layouts,
        default=("B", "C", "A"),
        help="comma list of layouts to take turns with: B (published), C (mailed), A (2013)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the letters and print what was written."""
    from imr_desk.samples import generate_letters

    if args.count < 1:
        print("--count must be at least 1", file=sys.stderr)
        return 2
    try:
        pdfs = generate_letters(args.out, count=args.count, seed=args.seed, layouts=args.layouts)
    except OSError as exc:
        print(f"cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    by_layout = Counter(args.layouts[i % len(args.layouts)] for i in range(len(pdfs)))
    summary = ", ".join(f"{layout}: {n}" for layout, n in sorted(by_layout.items()))
    print(f"wrote {len(pdfs)} letters with expected records to {args.out} ({summary})")
    return 0
