"""Benchmarks that print figures: ``python -m imr_desk.bench import|edit|export|queue``.

- import: N synthetic letters, import letters/s and the ratio to bare PyMuPDF word extraction.
- edit: durable field edits (median, p95) with synchronous FULL and NORMAL.
- export: a database of verified letters exported to a folder.
- queue: listing a page of the queue in a 100,000-letter database.
Data is generated once into ``--work`` (default: the temp folder) and reused.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from imr_desk.edits import SetField
from imr_desk.export import export_dataset
from imr_desk.importer import import_paths
from imr_desk.pdf_source import bare_word_extraction
from imr_desk.record import FieldRef, Letter
from imr_desk.storage import LetterStore
from imr_desk.storage.codec import dump_letter, dumps


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _generate(folder: str, count: int, seed: int) -> int:
    from imr_desk.samples import generate_letters

    generate_letters(folder, count=count, seed=seed)
    return count


def sample_letters(work: Path, count: int) -> list[Path]:
    """``count`` synthetic letters (two generator processes), made once and reused."""
    folder = work / f"letters-{count}"
    pdfs = sorted(folder.rglob("*.pdf"))
    if len(pdfs) >= count:
        return pdfs[:count]
    half = count // 2
    print(f"generating {count} synthetic letters into {folder} ...", flush=True)
    seconds, _ = _timed(
        lambda: list(
            ProcessPoolExecutor(2).map(
                _generate, [str(folder / "a"), str(folder / "b")], [half, count - half], [1, 2]
            )
        )
    )
    print(f"  generated in {seconds:.1f} s (not part of any figure)")
    return sorted(folder.rglob("*.pdf"))[:count]


def sample_records(work: Path, count: int = 50) -> list[dict]:
    """Expected records of some synthetic letters: realistic record sizes for the store."""
    sample_letters(work, max(count, 2))
    files = sorted((work / f"letters-{max(count, 2)}").rglob("*.json"))[:count]
    return [json.loads(p.read_text()) for p in files]


def _variant(record: dict, n: int) -> dict:
    """A copy with a distinct identity and case number (for large databases)."""
    copied = copy.deepcopy(record)
    copied["source"]["sha256"] = hashlib.sha256(f"bench {n}".encode()).hexdigest()
    copied["source"]["file_name"] = f"CM17-{n:07d}.pdf"
    copied["letter"]["case_number"] = f"CM17-{n:07d}"
    return copied


# --- import --------------------------------------------------------------------------------


def bench_import(work: Path, count: int, workers: int | None) -> None:
    """Import throughput against bare PyMuPDF text extraction of the same files."""
    pdfs = sample_letters(work, count)
    bare, words = _timed(lambda: sum(bare_word_extraction(p) for p in pdfs))
    db = work / "import-bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with LetterStore.open(db) as store:
        seconds, summary = _timed(lambda: import_paths(store, pdfs, workers=workers))
    print(f"letters: {count} on {os.cpu_count()} cores ({words} words)")
    print(f"bare PyMuPDF extraction, 1 process: {bare:.2f} s  ({count / bare:.1f} letters/s)")
    print(
        f"import ({workers or os.cpu_count()} parser processes, parse + store): {seconds:.2f} s"
        f"  ({count / seconds:.1f} letters/s), imported {summary.imported}, "
        f"failed {len(summary.failed)}"
    )
    print(f"ratio import / bare extraction: {seconds / bare:.2f}x (target <= 4x)")


# --- edit ----------------------------------------------------------------------------------


def bench_edit(work: Path, edits: int) -> None:
    """Median and p95 time of one committed field edit, with both synchronous settings."""
    records = sample_records(work, 20)
    for mode in ("FULL", "NORMAL"):
        db = work / f"edit-{mode}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        with LetterStore.open(db, reviewer="bench") as store:
            store.sqlite_connection().execute(f"PRAGMA synchronous={mode}")
            for record in records:
                store.add_letter(record, source_path="bench", parser_version="bench")
            shas = [r["source"]["sha256"] for r in records]
            times = []
            for n in range(edits):
                sha = shas[n % len(shas)]
                edit = SetField(FieldRef("patient_age"), 20 + n % 60)
                seconds, _ = _timed(partial(store.apply, sha, edit))
                times.append(seconds)
        times.sort()
        print(
            f"field edit, WAL + synchronous={mode}: median {_ms(statistics.median(times))}, "
            f"p95 {_ms(times[int(len(times) * 0.95)])} over {edits} edits (target median < 5 ms)"
        )


# --- export --------------------------------------------------------------------------------


def verified_database(work: Path, count: int) -> Path:
    """A database of ``count`` verified letters with realistic records, built once."""
    db = work / f"verified-{count}.db"
    if db.exists():
        return db
    records = sample_records(work, 50)
    print(f"building {db} ...", flush=True)
    building = db.with_suffix(".building")
    with LetterStore.open(building, reviewer="bench") as store:
        store.sqlite_connection().execute("PRAGMA synchronous=OFF")  # building test data only
        for n in range(count):
            record = _variant(records[n % len(records)], n)
            store.add_letter(record, source_path="bench", parser_version="bench")
            if n % 7 == 0:
                store.apply(record["source"]["sha256"], SetField(FieldRef("patient_age"), 40))
            store.set_status(record["source"]["sha256"], "verified")
    building.rename(db)
    return db


def bench_export(work: Path, count: int) -> None:
    """Time to export ``count`` verified letters."""
    db = verified_database(work, count)
    with LetterStore.open(db) as store, tempfile.TemporaryDirectory(dir=work) as out:
        seconds, summary = _timed(lambda: export_dataset(store, out))
        size = sum(p.stat().st_size for p in Path(out).iterdir()) / 1e6
    print(
        f"export of {summary.letters} verified letters ({summary.items} items, {size:.0f} MB): "
        f"{seconds:.2f} s (target < 10 s)"
    )


# --- queue ---------------------------------------------------------------------------------


def large_database(work: Path, count: int) -> Path:
    """A database of ``count`` letters written in bulk (realistic records), built once."""
    db = work / f"queue-{count}.db"
    if db.exists():
        return db
    records = sample_records(work, 20)
    print(f"building {db} ...", flush=True)
    building = db.with_suffix(".building")
    with LetterStore.open(building) as store:
        conn = store.sqlite_connection()
        conn.execute("PRAGMA synchronous=OFF")  # building test data only
        statuses = ("parsed", "parsed", "in_progress", "verified", "flagged")
        rows = []
        for n in range(count):
            record = _variant(records[n % len(records)], n)
            current = dump_letter(Letter.from_parsed(record))
            rows.append(
                (record["source"]["sha256"], "bench", record["source"]["file_name"], 2, "B",
                 statuses[n % 5], record["letter"]["case_number"], "upheld", 0.5 + (n % 50) / 100,
                 "bench", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 0, dumps(record),
                 current)
            )  # fmt: skip
        with conn:
            conn.executemany(
                "INSERT INTO letters (sha256, source_path, file_name, pages, layout, status, "
                "case_number, outcome, min_confidence, parser_version, created_at, updated_at, "
                "needs_ocr, parsed_json, current_json) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
    building.rename(db)
    return db


def bench_queue(work: Path, count: int) -> None:
    """Median time of queue operations in a large database."""
    db = large_database(work, count)
    with LetterStore.open(db) as store:
        cases = {
            "first page (100), no filter": lambda: store.list_letters(limit=100),
            "page 500 (100), status=parsed": lambda: store.list_letters(
                status="parsed", offset=50_000, limit=100
            ),
            "first page, status=verified": lambda: store.list_letters(status="verified"),
            "first page, low confidence": lambda: store.list_letters(low_confidence=True),
            "search case number substring": lambda: store.list_letters(search="0012345"),
            "count, status=parsed": lambda: store.count_letters(status="parsed"),
            "next letter to review": lambda: store.next_letter(None),
            "progress counts": store.progress,
            "open one letter (get)": lambda: store.get(store.list_letters(limit=1)[0].sha256),
        }
        print(f"queue of {store.count_letters()} letters ({db.stat().st_size / 1e6:.0f} MB):")
        for name, action in cases.items():
            times = sorted(_timed(action)[0] for _ in range(20))
            print(f"  {name:34s} median {_ms(statistics.median(times))} (target < 50 ms)")


def main(argv: list[str] | None = None) -> int:
    """Run one benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m imr_desk.bench", description=__doc__)
    parser.add_argument("which", choices=("import", "edit", "export", "queue"))
    parser.add_argument("--count", type=int, help="letters (defaults 2000/500/10000/100000)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "imr-desk-bench"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.which == "import":
        bench_import(work, args.count or 2000, args.workers)
    elif args.which == "edit":
        bench_edit(work, args.count or 500)
    elif args.which == "export":
        bench_export(work, args.count or 10_000)
    else:
        bench_queue(work, args.count or 100_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
