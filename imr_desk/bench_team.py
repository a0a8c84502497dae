"""Team-server benchmarks that print figures (issue 9, "Load and speed").

``python -m imr_desk.bench_team [reviewers|queue|import|all] [--reviewers 20 5] [--edits 200]
[--verifications 20] [--pause 0 250] [--letters 100000] [--import 2000] [--rounds 3]
[--db ADMIN_URL] [--work DIR]``

- reviewers: N reviewer processes, each its own login, claim letters with "next letter" and
  make field edits and verifications on one server; checks that no committed edit is lost, no
  letter is held by two desks at once and every audit row bears its maker's login, and prints
  claim-next and durable edit latency (median, p95). Once with edits back to back (every
  process asks as fast as the server answers) and once with a pause before each edit (ms).
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
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations
from pathlib import Path
from typing import Any

from imr_desk.bench import _variant, large_database, sample_letters, sample_records
from imr_desk.edits import Edit, SetField, SetStatus
from imr_desk.importer import import_paths
from imr_desk.record import FieldRef, Letter
from imr_desk.storage import LetterStore, StorageError, pg_bench, team
from imr_desk.storage.codec import dump_letter, dumps

AGE = FieldRef("patient_age")
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


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


# --- projects on the server ----------------------------------------------------------------


def bulk_rows(records: list[dict], count: int, statuses: Sequence[str]) -> Iterator[tuple]:
    """Letter rows (``pg_bench.BULK_COLUMNS``) of ``count`` distinct variants of the records,
    as ``imr_desk.bench.large_database`` writes them to SQLite."""
    for n in range(count):
        record = _variant(records[n % len(records)], n)
        current = dump_letter(Letter.from_parsed(record))
        yield (
            record["source"]["sha256"], "bench", record["source"]["file_name"], 2, "B",
            statuses[n % len(statuses)], record["letter"]["case_number"], "upheld",
            0.5 + (n % 50) / 100, "bench", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 0,
            dumps(record), current,
        )  # fmt: skip


def new_project(admin: str, name: str) -> str:
    """A fresh team project in database ``name`` (dropped first if there); its admin URL."""
    project = pg_bench.recreate_database(admin, name)
    team.init_project(project)
    return project


@dataclass(frozen=True)
class Logins:
    """Reviewer logins with throwaway passwords, written to a pgpass file of their own."""

    names: tuple[str, ...]
    passfile: Path


def reviewer_logins(project: str, count: int, folder: Path) -> Logins:
    """``count`` reviewer logins (``bench01``...) of the project, each with a new random
    password that only ``passfile`` holds."""
    names = tuple(f"bench{n:02d}" for n in range(1, count + 1))
    lines = []
    for login in names:
        team.add_member(project, login)
        password = secrets.token_urlsafe(18)
        pg_bench.set_password(project, login, password)
        lines.append(f"*:*:*:{login}:{password}\n")
    passfile = folder / "reviewers.pgpass"
    fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.writelines(lines)
    return Logins(names, passfile)


@contextmanager
def as_reviewers(logins: Logins) -> Iterator[None]:
    """libpq finds the reviewers' passwords (and no other) while the block runs."""
    saved = {key: os.environ.get(key) for key in ("PGPASSFILE", "PGPASSWORD")}
    os.environ["PGPASSFILE"] = str(logins.passfile)
    os.environ.pop("PGPASSWORD", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- reviewers -----------------------------------------------------------------------------


@dataclass
class ReviewerLog:
    """What one reviewer process did and saw, for the checks and the figures."""

    login: str
    claim_s: list[float] = field(default_factory=list)
    edit_s: list[float] = field(default_factory=list)
    verify_s: list[float] = field(default_factory=list)
    held: list[tuple[str, float, float]] = field(default_factory=list)
    """(letter, from, to): wall-clock times between which the desk held the claim for sure
    (from "next letter" returning to asking for the next one)."""
    edits: list[tuple[str, str, Any]] = field(default_factory=list)
    """(letter, audit field, new value) of every change reported saved, in order."""
    unsaved: list[str] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)
    error: str | None = None


@dataclass(frozen=True)
class Workload:
    """What each reviewer process does: ``edits`` field edits spread over ``verifications``
    letters, each verified after its edits; ``pause`` seconds before each edit stand for the
    reviewer reading and typing (0: edits back to back, the server's worst case)."""

    edits: int = 200
    verifications: int = 20
    pause: float = 0.0


def _shares(total: int, parts: int) -> list[int]:
    """``total`` edits spread over ``parts`` letters (at least one letter)."""
    parts = max(parts, 1)
    return [total // parts + (n < total % parts) for n in range(parts)]


def _next_age(age: Any) -> int:
    """A valid age different from the current one, so every edit writes an audit row."""
    return 20 + ((age if isinstance(age, int) else 19) - 19) % 60


def _saved(store: LetterStore, log: ReviewerLog, sha: str, edit: Edit, into: list[float]) -> bool:
    """Apply one edit, timing it; a refusal is logged as unsaved, never counted as saved."""
    try:
        seconds, _ = _timed(partial(store.apply, sha, edit))
    except (StorageError, ValueError) as exc:
        log.unsaved.append(f"{sha[:12]}: {exc}")
        return False
    into.append(seconds)
    return True


def review_letters(store: LetterStore, log: ReviewerLog, work: Workload) -> None:
    """Claim letters one after another, edit each, verify it, move on (as a desk does)."""
    previous: str | None = None
    for number, count in enumerate(_shares(work.edits, work.verifications)):
        seconds, sha = _timed(partial(store.next_letter, previous))
        log.claim_s.append(seconds)
        if sha is None:
            log.unsaved.append("no letter left to claim")
            return
        since = time.time()
        age = store.get(sha).full.field(AGE).value
        for _ in range(count):
            time.sleep(work.pause)
            age = _next_age(age)
            if _saved(store, log, sha, SetField(AGE, age), log.edit_s):
                log.edits.append((sha, str(AGE), age))
        if number < work.verifications and _saved(
            store, log, sha, SetStatus("verified"), log.verify_s
        ):
            log.edits.append((sha, "status", "verified"))
        log.held.append((sha, since, time.time()))
        previous = sha


def _reviewer(job: tuple[str, str, str, Workload], barrier: Any, results: Any) -> None:
    """One reviewer process: its own login, its own connection; starts with the others."""
    url, login, passfile, work = job
    os.environ["PGPASSFILE"] = passfile
    os.environ.pop("PGPASSWORD", None)
    log = ReviewerLog(login)
    try:
        with LetterStore.open(url) as store:
            barrier.wait(timeout=120)
            started = time.time()
            review_letters(store, log, work)
            log.window = (started, time.time())
    except Exception as exc:  # reported by the parent, whatever it was
        log.error = f"{type(exc).__name__}: {exc}"
    results.put(log)


def run_reviewers(project: str, logins: Logins, work: Workload) -> list[ReviewerLog]:
    """Run one reviewer process per login at once (fresh interpreters: ``spawn``)."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(logins.names)), context.Queue()
    jobs = [
        (pg_bench.with_params(project, user=login), login, str(logins.passfile), work)
        for login in logins.names
    ]
    processes = [context.Process(target=_reviewer, args=(job, barrier, results)) for job in jobs]
    for process in processes:
        process.start()
    logs = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    return sorted(logs, key=lambda log: log.login)


# --- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checks:
    """What must be 0 after a run (``unsaved`` and ``errors`` are reported, not failures of
    the server: a refused change is reported unsaved to its reviewer)."""

    lost_edits: int
    """Changes a process was told were saved that the audit or the final record lacks."""
    unreported_rows: int
    """Audit rows of changes no process was told were saved."""
    double_claims: int
    """Letters two desks held at the same time."""
    shared_letters: int
    """Letters whose single-review audit rows come from more than one login."""
    wrong_names: int
    """Audit rows (or a letter's last reviewer) naming a login other than the one that made them."""
    claims_left: int
    """Claims still on the server after every desk closed."""


def _overlaps(logs: list[ReviewerLog]) -> int:
    held: dict[str, list[tuple[float, float, str]]] = {}
    for log in logs:
        for sha, since, until in log.held:
            held.setdefault(sha, []).append((since, until, log.login))
    double = 0
    for spans in held.values():
        double += any(
            a[0] < b[1] and b[0] < a[1] and a[2] != b[2] for a, b in combinations(spans, 2)
        )
    return double


def check_run(project: str, logs: list[ReviewerLog]) -> Checks:
    """Compare what the processes were told with what the server holds (read as the admin)."""
    holders: dict[str, set[str]] = {}
    for log in logs:
        for sha, _, _ in log.held:
            holders.setdefault(sha, set()).add(log.login)
    told = Counter((*edit, log.login) for log in logs for edit in log.edits)
    with LetterStore.open(project) as store:
        audit = store.audit()
        final = {row.sha256: row for row in store.iter_letters() if row.sha256 in holders}
        claims_left = len(store.live_claims())
    stored = Counter(
        (row.sha256, row.field, row.new, row.reviewer)
        for row in audit
        if row.field == str(AGE) or (row.field, row.new) == ("status", "verified")
    )
    last = {(sha, name): value for sha, name, value, _ in told}
    stale = sum(
        (final[sha].full.field(AGE).value if name == str(AGE) else final[sha].status) != value
        for (sha, name), value in last.items()
    )
    by_letter: dict[str, set[str]] = {}
    for row in audit:
        by_letter.setdefault(row.sha256, set()).add(row.reviewer)
    return Checks(
        lost_edits=sum((told - stored).values()) + stale,
        unreported_rows=sum((stored - told).values()),
        double_claims=_overlaps(logs),
        shared_letters=sum(len(who) > 1 for who in by_letter.values()),
        wrong_names=sum(row.reviewer not in holders.get(row.sha256, ()) for row in audit)
        + sum(row.reviewer not in holders[sha] for sha, row in final.items() if row.reviewer),
        claims_left=claims_left,
    )


@dataclass(frozen=True)
class Simulation:
    """One run of the reviewer processes: their logs and the checks."""

    logs: list[ReviewerLog]
    checks: Checks
    seconds: float


def simulate(project: str, records: list[dict], reviewers: int, work: Workload) -> Simulation:
    """Create a project in the empty database ``project`` (an admin URL), with twice the
    letters the reviewers need, and run the reviewers on it."""
    team.init_project(project)
    letters = 2 * reviewers * max(work.verifications, 1)
    pg_bench.bulk_letters(project, bulk_rows(records, letters, ("parsed",)))
    with tempfile.TemporaryDirectory(prefix="imr-bench-") as folder:
        logins = reviewer_logins(project, reviewers, Path(folder))
        logs = run_reviewers(project, logins, work)
    windows = [log.window for log in logs if log.error is None]
    seconds = max(w[1] for w in windows) - min(w[0] for w in windows) if windows else 0.0
    return Simulation(logs, check_run(project, logs), seconds)


def bench_reviewers(admin: str, folder: Path, counts: list[int], work: Workload) -> None:
    """Print the figures of one run per number of reviewer processes."""
    records = sample_records(folder, 20)
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
    if pg_bench.database_exists(admin, name) and pg_bench.letter_count(project) == count:
        return project
    print(f"building {count} letters in database {name} ...", flush=True)
    project = new_project(admin, name)
    seconds, _ = _timed(
        lambda: pg_bench.bulk_letters(
            project, bulk_rows(sample_records(work, 20), count, QUEUE_STATUSES)
        )
    )
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
        times = [_timed(action)[0] for _ in range(runs)]
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
    seconds, summary = _timed(lambda: import_paths(store, pdfs))
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
        for label, measure in (
            ("import (parse + store)", partial(_import_into, pdfs=pdfs)),
            ("store only (no parsing)", partial(_store_only, pdfs=pdfs)),
        ):
            print(f"{label}, {count} letters on {os.cpu_count()} cores:")
            ratios = []
            for number in range(rounds):
                order = ("sqlite", "postgresql")[:: 1 if number % 2 == 0 else -1]
                took = {kind: _timed_into(kind, admin, work, logins, measure) for kind in order}
                ratios.append(took["postgresql"] / took["sqlite"])
                print(
                    f"  SQLite {count / took['sqlite']:6.1f} letters/s, PostgreSQL "
                    f"{count / took['postgresql']:6.1f} letters/s: {ratios[-1]:.2f}x the time "
                    f"(load average {os.getloadavg()[0]:.1f})"
                )
            print(
                f"  median: PostgreSQL takes {statistics.median(ratios):.2f}x SQLite's time "
                "(target <= 1.3x)"
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
