"""Hostile files and signals against the import (issue 14, items 3, 5 and 6): a FIFO, a socket
and a device named ``.pdf``, a file the parser never finishes, one that eats memory, the import
killed or terminated with its workers running, and an image-only page of 4000 x 4000 pt.
Every file is built here, at run time."""

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

import pymupdf
import pytest

from imr_desk import pdf_source
from imr_desk.importer import import_paths
from imr_desk.importer_pool import timed_out_reason
from imr_desk.parser import parse_file
from imr_desk.pdf_source import (
    OCR_MAX_PIXELS,
    OUT_OF_MEMORY,
    PdfError,
    ocr_dpi,
    read_pdf,
    render_pixels,
)
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore
from imr_desk.ui.tasks import BackgroundTask

LINUX = sys.platform.startswith("linux")
TIMEOUT = 30  # a safety net: a hang fails the test instead of stalling CI

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
linux_only = pytest.mark.skipif(not LINUX, reason="reads /proc and sets RLIMIT_AS (Linux)")


@pytest.fixture(autouse=True)
def fail_instead_of_hanging() -> Iterator[None]:
    """Each case here once hung its command for good: if one hangs again, it fails (SIGALRM
    interrupts a blocking open or wait) instead of stalling the whole run."""
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


def folder_of(letters: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for letter in letters:
        shutil.copy(letter, folder / letter.name)
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
    folder = folder_of(letters, tmp_path / "in")
    shutil.copy(letters[0], folder / "stuck.pdf")
    (folder / "stuck.pdf").open("ab").write(b"\n% made distinct\n")
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
    folder = folder_of(letters, tmp_path / "in")
    shutil.copy(letters[0], folder / "stuck.pdf")
    (folder / "stuck.pdf").open("ab").write(b"\n% made distinct\n")
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
    folder = folder_of(letters, tmp_path / "in")
    shutil.copy(letters[0], folder / "stuck.pdf")
    (folder / "stuck.pdf").open("ab").write(b"\n% made distinct\n")
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
    folder = folder_of(letters, tmp_path / "in")
    shutil.copy(letters[0], folder / "huge.pdf")
    (folder / "huge.pdf").open("ab").write(b"\n% made distinct\n")
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


# --- item 6: an image-only page of 4000 x 4000 pt --------------------------------------------


def scan_pdf(path: Path, width: float, height: float) -> Path:
    """A one-page PDF holding only a tiny image stretched over the page: a few KB on disk, a
    few hundred megapixels when rendered at 300 dpi."""
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 8, 8), False)
    pixmap.clear_with(255)
    page.insert_image(page.rect, pixmap=pixmap)
    doc.save(path, deflate=True, garbage=3)
    doc.close()
    return path


@pytest.mark.parametrize(
    ("size", "dpi"),
    [((612, 792), 300), ((1224, 1584), 258), ((2000, 2000), 180), ((4000, 4000), None)],
)
def test_the_ocr_render_is_capped_by_pixels_not_points(
    size: tuple[float, float], dpi: int | None
) -> None:
    assert ocr_dpi(*size) == dpi
    if dpi is not None:
        assert render_pixels(*size, dpi) <= OCR_MAX_PIXELS


def test_an_over_size_scan_is_reported_without_being_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = scan_pdf(tmp_path / "bomb.pdf", 4000, 4000)
    assert bomb.stat().st_size < 10_000
    renders: list[Any] = []
    monkeypatch.setattr(pymupdf.Page, "get_pixmap", lambda *a, **kw: renders.append(kw))
    monkeypatch.setattr(pymupdf.Page, "get_textpage_ocr", lambda *a, **kw: renders.append(kw))
    with pytest.raises(PdfError) as raised:
        read_pdf(bomb)
    assert raised.value.reason == (
        "page 1 is a scan of 4000 x 4000 pt, too large to read by OCR"
        " (over 25 megapixels at 150 dpi)"
    )
    assert renders == []
    monkeypatch.undo()  # and for real: before the cap this took 8 s and 3.4 GB
    started = time.monotonic()
    with pytest.raises(PdfError):
        read_pdf(bomb)
    assert time.monotonic() - started < 2


def test_ocr_running_out_of_memory_fails_the_file_with_that_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What MuPDF raised under a worker's memory limit before the render was capped.
    def out_of_memory(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("code=2: malloc (833621026 bytes) failed")

    monkeypatch.setattr(pdf_source, "tesseract_available", lambda: True)
    monkeypatch.setattr(pymupdf.Page, "get_textpage_ocr", out_of_memory)
    with pytest.raises(PdfError) as raised:
        read_pdf(scan_pdf(tmp_path / "scan.pdf", 612, 792))
    assert raised.value.reason == OUT_OF_MEMORY


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract")
def test_a_large_scan_is_ocred_at_a_lowered_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = scan_pdf(tmp_path / "large.pdf", 2000, 2000)
    asked: list[int] = []
    real_ocr = pymupdf.Page.get_textpage_ocr

    def ocr(page: pymupdf.Page, **kw: Any) -> Any:
        asked.append(kw["dpi"])
        return real_ocr(page, **kw)

    monkeypatch.setattr(pymupdf.Page, "get_textpage_ocr", ocr)
    pdf = read_pdf(scan)
    assert (asked, pdf.ocr_pages) == ([180], (0,))
    assert render_pixels(2000, 2000, asked[0]) <= OCR_MAX_PIXELS


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract")
def test_importing_the_4000_pt_scan_fails_it_alone_with_the_reason(
    tmp_path: Path, letters: list[Path]
) -> None:
    folder = folder_of(letters, tmp_path / "in")
    scan_pdf(folder / "bomb.pdf", 4000, 4000)
    with LetterStore.open(tmp_path / "letters.db") as store:
        summary = import_paths(store, [folder], workers=2)
        assert store.count_letters() == len(letters)
    assert list(failures(summary)) == ["bomb.pdf"]
    assert "too large to read by OCR" in failures(summary)["bomb.pdf"]
