"""Benchmark: parse time per letter against bare PyMuPDF word extraction of the same files.

``python -m imr_desk.bench_parse [FOLDER] [--repeat N]`` prints per-letter medians; the parser
should cost at most 3x the bare extraction.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from imr_desk.parser import parse_file
from imr_desk.pdf_source import bare_word_extraction

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-dev"


def _best_time(function: Callable[[Path], object], path: Path, repeat: int) -> float:
    """Fastest of ``repeat`` runs: the least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(path)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when no letters are found."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    paths = sorted(args.folder.glob("*.pdf"))
    if not paths:
        print(f"no PDFs in {args.folder}")
        return 1
    bare = [_best_time(bare_word_extraction, p, args.repeat) for p in paths]
    parsed = [_best_time(parse_file, p, args.repeat) for p in paths]
    ratios = [p / b for p, b in zip(parsed, bare, strict=True)]
    print(f"letters: {len(paths)} from {args.folder}")
    print(f"bare PyMuPDF word extraction: median {statistics.median(bare) * 1000:.1f} ms/letter")
    print(f"imr-desk parse (read + parse): median {statistics.median(parsed) * 1000:.1f} ms/letter")
    print(f"ratio parse/bare: median {statistics.median(ratios):.2f}x, max {max(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
