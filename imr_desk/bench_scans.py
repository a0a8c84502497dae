"""Benchmark: scanned letters read as well as born-digital ones.

``python -m imr_desk.bench_scans [--dpi 200 300] [--limit N] [--show N]`` writes each real dev
letter again as a scan (every page a greyscale image at the given resolution, no text layer) into
a temporary folder, parses the scans through OCR, scores the records against the gold records
with the shared scorer (``tools/score.py``, run as is) and prints its per-field figures, the
misses left per field, how well the values' confidences match their accuracy (reliability bins
and expected calibration error) and the seconds per page (read, OCR and parse). The scans are
made at run time and deleted afterwards: real letters stay in the shared folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from imr_desk.calibration import reliability, table_lines
from imr_desk.names import storable_record
from imr_desk.parser import parse_file
from imr_desk.pdf_source import write_scan

SHARED = Path(os.environ.get("IMR_DESK_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def scan_and_parse(letters: list[Path], folder: Path, dpi: int) -> tuple[list[dict], int, float]:
    """Records of the scans of ``letters`` at ``dpi``, their pages, and the seconds the parses
    took (making the scans is not counted)."""
    records: list[dict] = []
    pages = 0
    seconds = 0.0
    for letter in letters:
        scan = folder / letter.name
        pages += write_scan(letter, scan, dpi)
        started = time.perf_counter()
        record = parse_file(scan)
        seconds += time.perf_counter() - started
        records.append(storable_record(record))
    return records, pages, seconds


def score(records: list[dict], folder: Path, gold: Path, scorer: Path) -> list[str]:
    """The shared scorer's report lines for ``records``, on those letters only."""
    predictions = folder / "records.jsonl"
    predictions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    cases = folder / "cases.txt"
    cases.write_text("\n".join(Path(r["source"]["file_name"]).stem for r in records) + "\n")
    command = [sys.executable, str(scorer), str(gold), str(predictions), "--cases", str(cases)]
    result = subprocess.run([*command, "--show", "100000"], capture_output=True, text=True)
    return result.stdout.splitlines()


def scored_fields(scorer: Path) -> tuple[list[str], list[str]]:
    """The letter and item fields the scorer counts, read from the scorer itself."""
    spec = importlib.util.spec_from_file_location("shared_score", scorer)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {scorer}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.LETTER), list(module.ITEM)


def confidence_pairs(
    records: list[dict], report: list[str], scorer: Path
) -> list[tuple[float, bool]]:
    """(confidence, right) for every scored value the parser gave: right unless the scorer
    reported it as a miss."""
    letter, item = scored_fields(scorer)
    missed = {tuple(line.split()[1:3]) for line in report if line.startswith("MISS ")}
    pairs = []
    for record in records:
        case = Path(record["source"]["file_name"]).stem
        for entry in record["provenance"]:
            path, confidence = entry["field"], entry["confidence"]
            name = path.split(".")[-1]
            if confidence > 0 and name in (letter if path.startswith("letter.") else item):
                pairs.append((confidence, (case, path) not in missed))
    return pairs


def misses_by_field(report: list[str]) -> Counter[str]:
    """Misses per field (item index left out) from the scorer's ``MISS case field ...`` lines."""
    counts: Counter[str] = Counter()
    for line in report:
        if line.startswith("MISS "):
            field = line.split()[2]
            parts = field.split(".")
            counts[f"{parts[0]}.{parts[-1]}"] += 1
    return counts


def report_dpi(letters: list[Path], dpi: int, args: argparse.Namespace) -> None:
    """Scan, parse, score and print the figures for one resolution."""
    gold, scorer, show, save = args.gold, args.scorer, args.show, args.save
    with tempfile.TemporaryDirectory(prefix=f"imr-scans-{dpi}-") as work:
        folder = Path(work)
        records, pages, seconds = scan_and_parse(letters, folder, dpi)
        report = score(records, folder, gold, scorer)
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            (save / f"records-{dpi}.jsonl").write_text((folder / "records.jsonl").read_text())
            (save / f"report-{dpi}.txt").write_text("\n".join(report) + "\n")
    print(f"== {len(letters)} letters scanned at {dpi} dpi (greyscale, image only) ==")
    shown_misses = 0
    for line in report:
        if line.startswith("MISS ") or line.startswith("DX "):
            if line.startswith("MISS ") and shown_misses < show:
                print(line)
                shown_misses += 1
            continue
        print(line)
    missed = misses_by_field(report)
    print("misses by field: " + (", ".join(f"{f} {n}" for f, n in missed.most_common()) or "none"))
    print("confidence of the values given (scored fields):")
    print("\n".join(table_lines(reliability(confidence_pairs(records, report, scorer)))))
    print(
        f"time: {seconds:.1f} s for {pages} pages: {seconds / pages:.2f} s/page,"
        f" {seconds / len(letters):.2f} s/letter ({os.cpu_count()} cores)"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the figures for each resolution; exit 1 when the letters or the scorer are missing."""
    parser = argparse.ArgumentParser(prog="python -m imr_desk.bench_scans", description=__doc__)
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300], help="scan resolutions")
    parser.add_argument("--limit", type=int, default=None, help="the first N letters only")
    parser.add_argument("--show", type=int, default=0, help="print the first N misses")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder")
    parser.add_argument("--save", type=Path, help="keep the records and reports in this folder")
    args = parser.parse_args(argv)
    letters = sorted((args.shared / "corpus" / "real-dev").glob("CM*.pdf"))[: args.limit]
    args.gold = args.shared / "corpus" / "real-dev-gold"
    args.scorer = args.shared / "tools" / "score.py"
    if not letters or not args.scorer.is_file():
        print(f"no letters or no scorer under {args.shared} (set IMR_DESK_SHARED)")
        return 1
    for dpi in args.dpi:
        report_dpi(letters, dpi, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
