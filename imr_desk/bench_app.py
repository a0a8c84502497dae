"""Benchmark: how quickly the app shows a letter, and its memory over a large database.

``python -m imr_desk.bench_app [FOLDER] [--letters 10000]`` imports the letters of FOLDER (the
real-dev corpus by default) into a temporary database, opens the real window, and times each
letter from selecting it in the queue to its first page painted and its form filled (target:
median under 50 ms). It then builds a database of ``--letters`` letters and reports the resident
memory with the window open on it and after scrolling the queue (target: under 400 MB).
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


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
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


def _spread(ms: list[float]) -> str:
    """Median, p90 and max of sorted milliseconds."""
    return (
        f"median {statistics.median(ms):.1f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:.1f} ms, "
        f"max {ms[-1]:.1f} ms"
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
        "20 letters (target: < 400 MB)"
    )
    window.close()
    return 0


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
        desk.window.close()
        ms = sorted(t * 1000 for t in times)
        print(f"select -> page painted + form filled, {len(ms)} letters:")
        print(f"  {_spread(ms)} (target: median < 50 ms)")
        print(f"  of which the UI thread was busy: {_spread(sorted(t * 1000 for t in busy))}")
        large = folder / "large.db"
        seconds = build_large_db(large, template.parsed, template.source_path, args.letters)
        print(f"{args.letters} letters (database built in {seconds:.0f} s), in a fresh process:")
        subprocess.run(
            [sys.executable, "-m", "imr_desk.bench_app", "--memory-db", str(large)], check=True
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
