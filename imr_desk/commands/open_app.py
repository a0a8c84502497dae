"""``imr-desk [--db DB] [--reviewer NAME] [PATH...]``: open the review app (default command).

PATHs (letters or folders) are imported first, in the app, with its progress dialog.
``--smoke`` starts, opens the first letter, prints one line and quits: the packaged app's check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imr_desk.storage import StorageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Database, reviewer, letters to import, and the start-and-quit switches."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="letters or folders to import")
    parser.add_argument("--db", help="review database (default: one in your user data folder)")
    parser.add_argument("--reviewer", help="name recorded in the audit log (default: OS user)")
    add_start_arguments(parser)


def add_start_arguments(parser: argparse.ArgumentParser) -> None:
    """Switches shared with ``imr-desk demo`` for tests and packaging checks."""
    parser.add_argument(
        "--smoke", action="store_true", help="open the first letter, print a line and quit"
    )
    parser.add_argument(
        "--quit-after-ms", type=int, default=None, metavar="MS", help="quit after MS ms"
    )


def run(args: argparse.Namespace) -> int:
    """Start the app; exit code 0 on a normal close, 1 when the database cannot be opened."""
    return launch(
        args.db,
        reviewer=args.reviewer,
        paths=list(args.paths),
        smoke=args.smoke,
        quit_after_ms=args.quit_after_ms,
    )


def launch(
    db: str | Path | None,
    *,
    reviewer: str | None = None,
    paths: list[str] | None = None,
    smoke: bool = False,
    quit_after_ms: int | None = None,
) -> int:
    """Build the window over ``db``, import ``paths`` into it, show it and run the event loop."""
    from PySide6.QtCore import QTimer

    from imr_desk.app import build_main_window, make_application

    app = make_application(sys.argv[:1])
    try:
        window = build_main_window(db, reviewer=reviewer)
    except StorageError as exc:
        print(f"imr-desk: {exc}", file=sys.stderr)
        return 1
    window.show()
    review = window.review  # type: ignore[attr-defined]
    if paths:
        first = _first_file(paths)
        batch = window.batch  # type: ignore[attr-defined]
        batch.import_finished.connect(lambda _summary: _open_file(review, first))
        batch.start_import(paths)
    else:
        QTimer.singleShot(0, review.open_first)
    if smoke:
        QTimer.singleShot(0, lambda: _smoke(window, app))
    elif quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    return app.exec()


def _first_file(paths: list[str]) -> Path | None:
    return next((Path(p) for p in paths if Path(p).is_file()), None)


def _open_file(review: object, path: Path | None) -> None:
    """After importing a single letter given on the command line, show it."""
    from imr_desk.importer import file_sha256

    if path is None:
        review.open_first()  # type: ignore[attr-defined]
        return
    try:
        sha = file_sha256(path)
    except OSError:
        return
    queue = review.window.queue  # type: ignore[attr-defined]
    if not queue.select_letter(sha):
        review.open_letter(sha)  # type: ignore[attr-defined]


def _smoke(window: object, app: object) -> None:
    """Print what opened, then quit once the first page has painted (or after 10 s)."""
    from PySide6.QtCore import QTimer

    def report() -> None:
        model = window.queue.model  # type: ignore[attr-defined]
        print(f"smoke ok: {model.total()} letters; title: {window.windowTitle()}")  # type: ignore[attr-defined]
        window.close()  # type: ignore[attr-defined]

    batch = window.batch  # type: ignore[attr-defined]
    if batch.task is not None and batch.task.is_running():
        batch.import_finished.connect(lambda _s: QTimer.singleShot(0, report))
    else:
        QTimer.singleShot(0, report)
