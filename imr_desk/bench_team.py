"""Team-server benchmarks that print figures (issue 9, "Load and speed").

``python -m imr_desk.bench_team [reviewers|queue|import|all] [--reviewers 20 5] [--edits 200]
[--verifications 20] [--pause 0 250] [--letters 100000] [--import 2000] [--rounds 3]
[--db ADMIN_URL] [--work DIR]``

- reviewers: N reviewer processes, each its own login, claim letters with "next letter" and
  make field edits and verifications on one server; checks that no committed edit is lost, no
  letter is held by two desks at once and every audit row bears its maker's login, and prints
  claim-next and durable edit latency (median, p95). Once with edits back to back (every
  process asks as fast as the server answers) and once with a pause before each edit (ms). The
  processes and their checks: ``imr_desk.bench_team_load``.
- queue: a 100,000-letter project on the server: queue pages, counts and case-number search,
  beside the same on SQLite (``imr_desk.bench``'s database of the same letters).
- import: the same synthetic letters imported into SQLite and into the server (the full
  pipeline, then the store alone), letters/s and the ratio, over alternating rounds.

Without ``--db`` a local server is started from Debian's binaries in ``--work`` (kept there
between runs, default durability: ``imr_desk.bench_team_server``). With ``--db``, give the URL of
a role that may create databases and roles (its password in ``~/.pgpass`` or ``PGPASSWORD``);
the benchmark creates its own databases there (``imr_bench_*``) and logins ``bench01``...
with random passwords, which only its reviewer processes learn (a temporary ``PGPASSFILE``).
Reviewer processes run on the same machine as the server: latencies are loopback figures,
and claim times are compared on the one clock they share.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from imr_desk.bench import large_database, sample_letters, sample_records
from imr_desk.bench_team_load import (
    Logins,
    Workload,
    as_reviewers,
    bulk_rows,
    new_project,
    reviewer_logins,
    simulate,
    timed,
)
from imr_desk.importer import import_paths
from imr_desk.storage import LetterStore, pg_bench

QUEUE_STATUSES = ("parsed", "parsed", "in_progress", "verified", "flagged")


# --- figures -------------------------------------------------------------------------------


def percentile(times: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95) of some durations."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def spread(times: Sequence[float]) -> str:
    """Median and p95 in milliseconds, and how many."""
    if not times:
        return "no samples"
    median, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    return f"median {median:6.2f} ms, p95 {p95:6.2f} ms (n={len(times)})"


def bench_reviewers(admin: str, folder: Path, counts: list[int], work: Workload) -> None:
    """Print the figures of one run per number of reviewer processes."""
    records = sample_records(folder, 20)
    for pause in sorted({0.0, work.pause}):
        trips = pg_bench.round_trips(admin, 40 if pause < 0.5 else 10, pause)
        print(f"bare round trip (SELECT 1), {pause * 1000:.0f} ms apart: {spread(trips)}")
    for count in counts:
        project = pg_bench.recreate_database(admin, f"imr_bench_reviewers_{count}")
        run = simulate(project, records, count, work)
        logs = run.logs
        saved = sum(len(log.edits) for log in logs)
        print(
            f"{count} reviewer processes x ({work.edits} edits + {work.verifications} "
            f"verifications, {work.pause * 1000:.0f} ms pause before each edit) on "
            f"{os.cpu_count()} cores: {run.seconds:.1f} s, {saved / run.seconds:.0f} saved "
            f"changes/s; load average before: {os.getloadavg()[0]:.1f}"
        )
        for name, value in vars(run.checks).items():
            print(f"  {name.replace('_', ' '):18s} {value}")
        print(f"  unsaved            {sum(len(log.unsaved) for log in logs)}")
        for log in logs:
            if log.error or log.unsaved:
                print(f"  {log.login}: {log.error or ''} {log.unsaved[:3]}")
        print(f"  claim next letter  {spread([s for log in logs for s in log.claim_s])}")
        print(f"  durable field edit {spread([s for log in logs for s in log.edit_s])}")
        print(f"  verify             {spread([s for log in logs for s in log.verify_s])}")
        print("  (target p95 <= 20 ms on loopback)")


# --- queue ---------------------------------------------------------------------------------


def queue_project(admin: str, work: Path, count: int) -> str:
    """A project of ``count`` letters on the server, the letters of ``large_database``;
    built once (COPY) and reused."""
    name = f"imr_bench_queue_{count}"
    project = pg_bench.with_params(admin, dbname=name)
    if pg_bench.built(project, count):
        return project
    print(f"building {count} letters in database {name} ...", flush=True)
    project = new_project(admin, name)
    seconds, _ = timed(
        lambda: pg_bench.bulk_letters(
            project, bulk_rows(sample_records(work, 20), count, QUEUE_STATUSES)
        )
    )
    pg_bench.mark_built(project, count)
    print(f"  built in {seconds:.1f} s (not part of any figure)")
    return project


def queue_cases(store: LetterStore) -> dict[str, Callable[[], Any]]:
    """What a desk asks of the queue, by name."""
    return {
        "first page (100), no filter": lambda: store.list_letters(limit=100),
        "page 500 (100), no filter": lambda: store.list_letters(offset=50_000, limit=100),
        "page 200 (100), status=parsed": lambda: store.list_letters(
            status="parsed", offset=20_000, limit=100
        ),
        "first page, status=verified": lambda: store.list_letters(status="verified"),
        "first page, low confidence": lambda: store.list_letters(low_confidence=True),
        "search '1234' (first page)": lambda: store.list_letters(search="1234"),
        "count, no filter": store.count_letters,
        "count, status=parsed": lambda: store.count_letters(status="parsed"),
        "count, low confidence": lambda: store.count_letters(low_confidence=True),
        "count, search '1234'": lambda: store.count_letters(search="1234"),
        "next letter to review (claims)": lambda: store.next_letter(None),
        "open one letter (get)": lambda: store.get(store.list_letters(limit=1)[0].sha256),
    }


def _time_queue(store: LetterStore, label: str, runs: int = 20) -> None:
    print(f"{label}: queue of {store.count_letters()} letters (target median and p95 <= 50 ms)")
    for name, action in queue_cases(store).items():
        action()  # warm: the first run reads the pages from disk
        times = [timed(action)[0] for _ in range(runs)]
        print(f"  {name:32s} {spread(times)}")


def bench_queue(admin: str, work: Path, count: int) -> None:
    """The same queue operations on the server (as a reviewer) and on SQLite."""
    project = queue_project(admin, work, count)
    with tempfile.TemporaryDirectory(prefix="imr-bench-") as folder:
        logins = reviewer_logins(project, 1, Path(folder))
        with as_reviewers(logins):
            url = pg_bench.with_params(project, user=logins.names[0])
            with LetterStore.open(url) as store:
                _time_queue(store, f"PostgreSQL (as {store.reviewer})")
    with LetterStore.open(large_database(work, count)) as store:
        _time_queue(store, "SQLite")


# --- import --------------------------------------------------------------------------------


Measure = Callable[[LetterStore], float]


def _import_into(store: LetterStore, pdfs: list[Path]) -> float:
    seconds, summary = timed(lambda: import_paths(store, pdfs))
    if summary.imported != len(pdfs):
        raise SystemExit(f"imported {summary.imported} of {len(pdfs)} into {store.location}")
    return seconds


def _store_only(store: LetterStore, pdfs: list[Path]) -> float:
    """The storage's share of an import, without parsing: for each letter's expected record,
    the importer's "is it there already?" and ``add_letter``."""
    records = [json.loads(pdf.with_suffix(".json").read_text()) for pdf in pdfs]
    start = time.perf_counter()
    for pdf, record in zip(pdfs, records, strict=True):
        if not store.has_letter(record["source"]["sha256"]):
            store.add_letter(record, source_path=str(pdf), parser_version="bench")
    return time.perf_counter() - start


def _sqlite_file(work: Path, name: str) -> Path:
    db = work / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def _timed_into(kind: str, admin: str, work: Path, logins: Logins, measure: Measure) -> float:
    """One measurement into a fresh SQLite file or a fresh project on the server (as a
    reviewer's login, as a team imports)."""
    if kind == "sqlite":
        with LetterStore.open(_sqlite_file(work, "import-team-bench.db")) as store:
            return measure(store)
    project = new_project(admin, "imr_bench_import")
    with (
        as_reviewers(logins),
        LetterStore.open(pg_bench.with_params(project, user=logins.names[0])) as store,
    ):
        return measure(store)


def bench_import(admin: str, work: Path, count: int, rounds: int) -> None:
    """Import the same letters into SQLite and into the server, ``rounds`` times each,
    alternating which goes first (other work on the machine changes the pace: pairs taken
    close together and their median ratio are what compare)."""
    pdfs = sample_letters(work, count)
    with tempfile.TemporaryDirectory(prefix="imr-bench-") as folder:
        logins = reviewer_logins(new_project(admin, "imr_bench_import"), 1, Path(folder))
        for label, measure, target in (
            ("import (parse + store)", partial(_import_into, pdfs=pdfs), " (target <= 1.3x)"),
            ("store only (no parsing)", partial(_store_only, pdfs=pdfs), ": what the server adds"),
        ):
            print(f"{label}, {count} letters on {os.cpu_count()} cores:")
            ratios = []
            for number in range(rounds):
                order = ("sqlite", "postgresql")[:: 1 if number % 2 == 0 else -1]
                took = {kind: _timed_into(kind, admin, work, logins, measure) for kind in order}
                ratios.append(took["postgresql"] / took["sqlite"])
                print(
                    f"  SQLite {count / took['sqlite']:6.1f} letters/s "
                    f"({took['sqlite'] / count * 1000:.2f} ms each), PostgreSQL "
                    f"{count / took['postgresql']:6.1f} letters/s "
                    f"({took['postgresql'] / count * 1000:.2f} ms each): {ratios[-1]:.2f}x the "
                    f"time (load average {os.getloadavg()[0]:.1f})"
                )
            print(
                f"  median: PostgreSQL takes {statistics.median(ratios):.2f}x SQLite's time{target}"
            )


# --- command -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks asked for and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m imr_desk.bench_team", description=__doc__)
    parser.add_argument(
        "which", nargs="?", default="all", choices=("reviewers", "queue", "import", "all")
    )
    parser.add_argument("--reviewers", type=int, nargs="+", default=[20, 5])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--verifications", type=int, default=20)
    parser.add_argument(
        "--pause", type=float, nargs="+", default=[0.0, 250.0], help="ms before each edit"
    )
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--import", dest="import_count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="import rounds per engine")
    parser.add_argument("--db", help="admin URL of a server (default: start one in --work)")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "imr-desk-bench"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    server = None
    if args.db is None:
        from imr_desk.bench_team_server import LocalServer

        server = LocalServer(work / "pg")
        args.db = server.start()
        print(f"local server (default durability) at {args.db}")
    try:
        if args.which in ("reviewers", "all"):
            for pause in args.pause:
                load = Workload(args.edits, args.verifications, pause / 1000)
                bench_reviewers(args.db, work, args.reviewers, load)
        if args.which in ("queue", "all"):
            bench_queue(args.db, work, args.letters)
        if args.which in ("import", "all"):
            bench_import(args.db, work, args.import_count, args.rounds)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
