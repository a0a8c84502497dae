"""The reviewer load of ``imr_desk.bench_team``: reviewer processes on one team server.

Each process logs in as a reviewer of its own (a throwaway password that only a temporary
pgpass file holds), claims letters with "next letter", edits and verifies them, and logs what
it was told was saved, when it held which letter and how long each step took. The checks then
compare those logs with what the server holds: no saved change lost, no letter held by two
desks at once, no audit row under a login other than its maker's. Processes start fresh
interpreters (``spawn``) and wait for one another, so they begin together.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import secrets
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

from imr_desk.bench import _variant
from imr_desk.edits import Edit, SetField, SetStatus
from imr_desk.record import FieldRef, Letter
from imr_desk.storage import LetterStore, StorageError, pg_bench, team
from imr_desk.storage.codec import dump_letter, dumps

AGE = FieldRef("patient_age")


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """How long an action took (seconds) and what it returned."""
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
        seconds, _ = timed(partial(store.apply, sha, edit))
    except (StorageError, ValueError) as exc:
        log.unsaved.append(f"{sha[:12]}: {exc}")
        return False
    into.append(seconds)
    return True


def review_letters(store: LetterStore, log: ReviewerLog, work: Workload) -> None:
    """Claim letters one after another, edit each, verify it, move on (as a desk does)."""
    previous: str | None = None
    for number, count in enumerate(_shares(work.edits, work.verifications)):
        seconds, sha = timed(partial(store.next_letter, previous))
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
    logs = _collected(results, processes)
    for process in processes:
        process.join()
    reported = {log.login for log in logs}
    logs += [
        ReviewerLog(login, error=f"the process ended (exit code {process.exitcode}) unreported")
        for login, process in zip(logins.names, processes, strict=True)
        if login not in reported
    ]
    return sorted(logs, key=lambda log: log.login)


def _collected(results: Any, processes: list[Any]) -> list[ReviewerLog]:
    """The processes' reports, as they come; stops early when every process has ended (one
    that died before reporting never will)."""
    logs: list[ReviewerLog] = []
    while len(logs) < len(processes):
        try:
            logs.append(results.get(timeout=1.0))
        except queue.Empty:
            if not any(process.is_alive() for process in processes) and results.empty():
                break
    return logs


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
