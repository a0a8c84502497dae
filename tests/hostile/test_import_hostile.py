"""Hostile files and signals against the import (issue 14, items 3 and 5): a FIFO, a socket and
a device named ``.pdf``, a file the parser never finishes, one that eats memory, and the import
killed or terminated with its workers running. Every file is built here, at run time. The
over-size scans of item 6 are in ``test_ocr_hostile``."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imr_desk.importer import import_paths
from imr_desk.importer_pool import timed_out_reason
from imr_desk.parser import parse_file
from imr_desk.pdf_source import OUT_OF_MEMORY
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore
from imr_desk.ui.tasks import BackgroundTask

LINUX = sys.platform.startswith("linux")
TIMEOUT = 30  # a safety net: a hang fails the test instead of stalling CI

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
linux_only = pytest.mark.skipif(not LINUX, reason="reads /proc and sets RLIMIT_AS (Linux)")


@pytest.fixture(autouse=True)
def fail_instead_of_hanging() -> Iterator[None]:
    """Several cases here once hung their command for good: if one hangs again, it fails
    (SIGALRM interrupts a blocking open or wait) instead of stalling the whole run."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def hung(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"the test hung for {TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four synthetic letters the real parser reads."""
    return generate_letters(tmp_path_factory.mktemp("letters"), count=4, seed=14)


def folder_of(letters: list[Path], folder: Path, odd_one: str | None = None) -> Path:
    """The letters copied into ``folder``, plus a distinct copy of the first named ``odd_one``
    (a comment after the end of a PDF changes its SHA-256, not its text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for letter in letters:
        shutil.copy(letter, folder / letter.name)
    if odd_one:
        (folder / odd_one).write_bytes(letters[0].read_bytes() + b"\n% made distinct\n")
    return folder


def failures(summary: Any) -> dict[str, str]:
    return {Path(f.path).name: f.reason for f in summary.failed}


# --- item 3: non-regular files, and no file stalls the batch ---------------------------------


@posix_only
@pytest.mark.parametrize("workers", [0, 2])
def test_import_reports_a_fifo_socket_and_device_named_pdf_and_stores_the_letters(
    tmp_path: Path, letters: list[Path], workers: int
) -> None:
    folder = folder_of(letters, tmp_path / "in")
    os.mkfifo(folder / "0-fifo.pdf")  # sorts first: before the fix nothing after it was stored
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "socket.pdf"))
    (folder / "device.pdf").symlink_to(os.devnull)
    (folder / "linked.pdf").symlink_to(letters[0])  # a symlink to a letter is read as usual
    try:
        with LetterStore.open(tmp_path / "letters.db") as store:
            summary = import_paths(store, [folder], workers=workers)
            assert store.count_letters() == len(letters)
    finally:
        server.close()
    assert failures(summary) == {
        "0-fifo.pdf": "not a regular file (a FIFO)",
        "socket.pdf": "not a regular file (a socket)",
        "device.pdf": "not a regular file (a character device)",
    }
    assert (summary.imported, len(summary.duplicates)) == (len(letters), 1)


@posix_only
def test_the_parse_command_on_a_fifo_returns_at_once_with_its_reason(
    tmp_path: Path, letters: list[Path]
) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "imr_desk", "parse", str(fifo), str(letters[0])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 1
    assert f"{fifo}: not a regular file (a FIFO)" in done.stderr
    assert letters[0].name in done.stdout  # the letter after it is still parsed


def parse_forever_if_named_stuck(path: str) -> dict[str, Any]:
    """The real parser, except that it never returns on a file named ``stuck*``."""
    if Path(path).name.startswith("stuck"):
        while True:
            time.sleep(60)
    return parse_file(path)


def test_a_file_the_parser_never_finishes_times_out_alone(
    tmp_path: Path, letters: list[Path]
) -> None:
    folder = folder_of(letters, tmp_path / "in", "stuck.pdf")
    with LetterStore.open(tmp_path / "letters.db") as store:
        summary = import_paths(
            store, [folder], parse_file=parse_forever_if_named_stuck, workers=2, time_limit=1.0
        )
        assert store.count_letters() == len(letters)
    assert failures(summary) == {"stuck.pdf": timed_out_reason(1.0)}
    assert summary.imported == len(letters)


def test_cancelling_while_a_file_hangs_stops_at_once_and_keeps_what_was_stored(
    tmp_path: Path, letters: list[Path]
) -> None:
    # The app's Cancel and its closing: a worker stuck on a file must not hold them up.
    folder = folder_of(letters, tmp_path / "in", "stuck.pdf")
    stored: list[str] = []
    asked_at: list[float] = []

    def should_stop() -> bool:
        if len(stored) < len(letters):
            return False
        asked_at.append(asked_at[0] if asked_at else time.monotonic())
        return True

    with LetterStore.open(tmp_path / "letters.db") as store:
        summary = import_paths(
            store,
            [folder],
            parse_file=parse_forever_if_named_stuck,
            workers=2,
            report=lambda progress: stored.append(progress.last.path),
            should_stop=should_stop,
        )
        ended = time.monotonic()
        assert store.count_letters() == len(letters)
    assert summary.cancelled
    assert ended - asked_at[0] < 5  # the time limit (60 s) did not have to pass


@pytest.mark.gui
def test_the_apps_import_ends_at_once_on_closing_while_a_file_hangs(
    qapp: Any, tmp_path: Path, letters: list[Path]
) -> None:
    # Closing the app cancels its import and waits for it (up to 30 s): it used to wait all
    # that time with a FIFO in the folder.
    folder = folder_of(letters, tmp_path / "in", "stuck.pdf")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.pdf")
    done: list[int] = []

    def work(_report: Any, should_stop: Any) -> Any:
        with LetterStore.open(tmp_path / "letters.db") as store:
            return import_paths(
                store,
                [folder],
                parse_file=parse_forever_if_named_stuck,
                workers=2,
                report=lambda progress: done.append(progress.done),
                should_stop=should_stop,
            )

    task = BackgroundTask(work)
    task.start()
    deadline = time.monotonic() + TIMEOUT
    while len(done) < len(letters):
        assert task.is_running() and time.monotonic() < deadline
        time.sleep(0.02)
    closing = time.monotonic()
    task.cancel()
    assert task.wait(TIMEOUT)
    assert time.monotonic() - closing < 5
    with LetterStore.open(tmp_path / "letters.db") as store:
        assert store.count_letters() == len(letters)


def allocate_if_named_huge(path: str) -> dict[str, Any]:
    """The real parser, except that a file named ``huge*`` asks for 4 GB."""
    if Path(path).name.startswith("huge"):
        return {"memory": bytearray(4 << 30)}
    return parse_file(path)


@linux_only
def test_a_file_that_needs_too_much_memory_fails_alone_with_the_reason(
    tmp_path: Path, letters: list[Path]
) -> None:
    folder = folder_of(letters, tmp_path / "in", "huge.pdf")
    with LetterStore.open(tmp_path / "letters.db") as store:
        summary = import_paths(
            store, [folder], parse_file=allocate_if_named_huge, workers=1, memory_limit=1 << 30
        )
        assert store.count_letters() == len(letters)
    assert failures(summary) == {"huge.pdf": OUT_OF_MEMORY}


# --- item 5: no orphans when the import is killed or terminated ------------------------------


def many_letters(letters: list[Path], folder: Path, count: int) -> Path:
    """``count`` distinct files (a comment after the end of each PDF), enough to keep two
    workers busy for a few seconds."""
    folder.mkdir(parents=True)
    blobs = [letter.read_bytes() for letter in letters]
    for n in range(count):
        (folder / f"letter-{n:04d}.pdf").write_bytes(blobs[n % len(blobs)] + b"\n%%%d\n" % n)
    return folder


def stored(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM letters").fetchone()[0]
    except sqlite3.OperationalError:  # no schema yet
        return 0
    finally:
        conn.close()


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (from /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent to collect it."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def busy_import(tmp_path: Path, letters: list[Path]) -> Iterator[tuple[subprocess.Popen, Path]]:
    """``imr-desk import`` with two workers, once it has stored a few letters."""
    folder, db = many_letters(letters, tmp_path / "in", 800), tmp_path / "letters.db"
    command = [sys.executable, "-m", "imr_desk", "import", str(folder), "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--workers", "2", "--no-progress"],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + TIMEOUT
    while not (db.exists() and stored(db) >= 5 and len(children(process.pid)) >= 2):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.02)
    yield process, db
    with contextlib.suppress(ProcessLookupError):  # leftovers of a failed test hold the pipes
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=TIMEOUT)


def assert_gone(pids: set[int], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if alive(pid)], "processes outlived the import"


@linux_only
@pytest.mark.slow
def test_workers_and_the_resource_tracker_die_with_a_killed_import(
    busy_import: tuple[subprocess.Popen, Path],
) -> None:
    process, db = busy_import
    workers = children(process.pid)
    process.kill()  # the parent alone, as the OOM killer or `kill -9 PID` would
    process.wait(TIMEOUT)
    assert_gone(workers)
    with LetterStore.open(db) as store:
        assert store.integrity_check() == "ok"


@linux_only
@pytest.mark.slow
def test_sigterm_stops_the_import_like_ctrl_c_with_exit_143(
    busy_import: tuple[subprocess.Popen, Path],
) -> None:
    process, db = busy_import
    workers = children(process.pid)
    process.terminate()
    out, _ = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 143
    assert "interrupted" in out
    assert_gone(workers)
    with LetterStore.open(db) as store:
        assert store.integrity_check() == "ok"
        count = store.count_letters()
    assert 5 <= count < 800
    assert f"imported {count}," in out  # every letter reported as imported is there
