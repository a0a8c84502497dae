"""Benchmark: how quickly the app shows a letter, and its memory over a large database.

``python -m imr_desk.bench_app [FOLDER] [--letters 10000]`` imports the letters of FOLDER (the
real-dev corpus by default) into a temporary database, opens the real window at 1440x900, and
times each letter from selecting it in the queue to its first page painted and its form filled,
and how long the selection kept the UI thread busy. In the same run it times the floor: bare
PyMuPDF on the same letters (open, words of every page, first two pages rendered at the zoom the
window shows). Targets: select -> painted median at most 2x the floor's, UI busy at most 1x.
It then builds a database of ``--letters`` letters and reports the resident memory with the
window open on it and after scrolling the queue (target: under 400 MB).
Runs offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imr_desk.app import Desk

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-dev"


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default) in MB (Linux /proc; 0 where
    unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _desk(db: Path, folder: Path) -> Desk:
    from PySide6.QtCore import QSettings

    from imr_desk.app import build_desk

    settings = QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat)
    desk = build_desk(db, settings=settings, reviewer="bench")
    desk.window.resize(1440, 900)
    desk.window.show()
    return desk


def _wait_painted(view: Any, timeout_ms: int = 5000) -> None:
    """Block in Qt's event loop until the view says its visible pages are painted.

    Waiting in a real event loop (not a processEvents spin) matters: the loop then sleeps in
    native code and the render threads get Python's lock, as they do in the running app.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    if view.is_painted():
        return
    loop = QEventLoop()
    view.page_painted.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    view.page_painted.disconnect(loop.quit)


def time_letters(desk: Desk, app: Any) -> tuple[list[float], list[float]]:
    """Seconds from selecting each letter to its page painted and its form filled, and
    seconds the selection kept the UI thread busy (keys typed then would wait that long)."""
    window, review = desk.window, desk.review
    queue, view = window.queue, window.pdf_view
    while queue.model.canFetchMore(queue.table.rootIndex()):
        queue.model.fetchMore(queue.table.rootIndex())
    shas = [sha for n in range(queue.model.rowCount()) if (sha := queue.model.sha_at(n))]
    app.processEvents()
    times, busy = [], []
    for sha in shas:
        start = time.perf_counter()
        queue.select_letter(sha)
        busy.append(time.perf_counter() - start)
        _wait_painted(view)
        view.viewport().repaint()
        window.form.repaint()
        times.append(time.perf_counter() - start)
        assert review.session is not None and review.session.sha256 == sha
    return times, busy


def time_floor(pdfs: list[Path], zoom: float) -> list[float]:
    """Seconds bare PyMuPDF takes per letter to open it, read every page's words and render
    its first two pages at ``zoom``: what no viewer can beat. One untimed pass first, so the
    files are in the OS cache as they are for the app (the import has just read them)."""
    from imr_desk.pdf_source import bare_open_words_render

    for pdf in pdfs:
        bare_open_words_render(pdf, zoom)
    times = []
    for pdf in pdfs:
        start = time.perf_counter()
        bare_open_words_render(pdf, zoom)
        times.append(time.perf_counter() - start)
    return times


def _spread(ms: list[float]) -> str:
    """Median, p90 and max of sorted milliseconds."""
    return (
        f"median {statistics.median(ms):.1f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:.1f} ms, "
        f"max {ms[-1]:.1f} ms"
    )


def print_letter_times(
    times: list[float], busy: list[float], floor: list[float], zoom: float
) -> None:
    """The app's figures beside the floor's, and their ratios against the targets."""
    ms, busy_ms, floor_ms = (sorted(t * 1000 for t in run) for run in (times, busy, floor))
    bare = statistics.median(floor_ms)
    print(f"select -> page painted + form filled, {len(ms)} letters:")
    print(f"  {_spread(ms)}")
    print(f"  of which the UI thread was busy: {_spread(busy_ms)}")
    print(f"floor, bare PyMuPDF (open, words of every page, 2 pages at {zoom:.0%}):")
    print(f"  {_spread(floor_ms)}")
    print(
        f"ratios to the floor's median: select -> painted {statistics.median(ms) / bare:.2f}x "
        f"(target <= 2x), UI busy {statistics.median(busy_ms) / bare:.2f}x (target <= 1x)"
    )


def build_large_db(db: Path, template: dict, source: str, count: int) -> float:
    """A database of ``count`` letters cloned from one parsed record; seconds taken."""
    from imr_desk.storage import LetterStore

    start = time.perf_counter()
    with LetterStore.open(db, reviewer="bench") as store:
        for n in range(count):
            record = copy.deepcopy(template)
            record["source"]["sha256"] = hashlib.sha256(f"bench-{n}".encode()).hexdigest()
            record["letter"]["case_number"] = f"CM16-{n:07d}"
            store.add_letter(record, source_path=source, parser_version="bench")
    return time.perf_counter() - start


def measure_memory(db: Path) -> int:
    """Open the window on a large database, browse it, and print time and resident memory."""
    from imr_desk.app import make_application

    app = make_application()
    before = rss_mb()
    start = time.perf_counter()
    desk = _desk(db, db.parent)
    desk.review.open_first()
    app.processEvents()
    opened = time.perf_counter() - start
    opened_rss = rss_mb()
    window = desk.window
    queue = window.queue
    for _ in range(10):
        queue.model.fetchMore(queue.table.rootIndex())
    queue.table.scrollToBottom()
    for _ in range(20):
        queue.move_selection(1)
        app.processEvents()
    print(f"  window open with the first letter shown in {opened * 1000:.0f} ms")
    print(
        f"  RSS {before:.0f} MB before the window, {opened_rss:.0f} MB with it open, "
        f"{rss_mb():.0f} MB after loading {queue.model.rowCount()} queue rows and opening "
        f"20 letters (target: < 400 MB), and {_render_process_mb():.0f} MB in the process "
        "that renders the pages"
    )
    window.close()
    return 0


def _render_process_mb() -> float:
    """Resident memory of the app's page render process (0 when it is not running)."""
    from imr_desk.ui import render_process

    pid = render_process.shared().pid()
    return rss_mb(pid) if pid is not None else 0.0


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when no letters are found."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--memory-db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.memory_db:
        return measure_memory(args.memory_db)
    pdfs = sorted(args.folder.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs in {args.folder}")
        return 1
    from imr_desk.app import make_application
    from imr_desk.importer import import_paths
    from imr_desk.storage import LetterStore

    app = make_application()
    with tempfile.TemporaryDirectory(prefix="imr-desk-bench-") as tmp:
        folder = Path(tmp)
        db = folder / "real.db"
        with LetterStore.open(db, reviewer="bench") as store:
            import_paths(store, pdfs)
            template = store.get(store.list_letters(limit=1)[0].sha256)
        desk = _desk(db, folder)
        times, busy = time_letters(desk, app)
        scale = desk.window.pdf_view.render_scale()  # the zoom the pages were rendered at
        desk.window.close()
        print_letter_times(times, busy, time_floor(pdfs, scale), scale)
        large = folder / "large.db"
        seconds = build_large_db(large, template.parsed, template.source_path, args.letters)
        print(f"{args.letters} letters (database built in {seconds:.0f} s), in a fresh process:")
        subprocess.run(
            [sys.executable, "-m", "imr_desk.bench_app", "--memory-db", str(large)], check=True
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
