"""``imr-desk [--db DB] [--reviewer NAME] [PATH...]``: open the review app (default command).

PATHs (letters or folders) are imported first, in the app, with its progress dialog.
``--smoke`` starts, opens the first letter, prints one line and quits: the packaged app's check.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from imr_desk import logs
from imr_desk.storage import StorageError

if TYPE_CHECKING:
    from imr_desk.app import Desk
    from imr_desk.ui.controller import ReviewController

_log = logging.getLogger(__name__)


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
    """Build the window over ``db``, import ``paths`` into it, show it and run the event loop.

    An exception no slot caught is logged with its traceback; Qt carries on as before.
    Without a display, one line says so and what to do (exit 1) instead of Qt's abort."""
    problem = display_problem(os.environ, sys.platform)
    if problem is not None:
        _log.error("the app cannot start: %s", problem)
        print(f"imr-desk: {problem}", file=sys.stderr)
        return 1
    with logs.uncaught_exceptions_logged():
        return _launch(db, reviewer, paths, smoke, quit_after_ms)


def _launch(
    db: str | Path | None,
    reviewer: str | None,
    paths: list[str] | None,
    smoke: bool,
    quit_after_ms: int | None,
) -> int:
    from PySide6.QtCore import QTimer

    from imr_desk.app import build_desk, make_application

    app = make_application(sys.argv[:1])
    try:
        # A start-and-quit run leaves the reviewer's saved window layout alone.
        desk = build_desk(
            db, reviewer=reviewer, remember_layout=not smoke and quit_after_ms is None
        )
    except StorageError as exc:
        _log.error("the review database cannot be opened: %s", exc)
        print(f"imr-desk: {exc}", file=sys.stderr)
        return 1
    desk.window.show()
    review = desk.review
    if paths:
        first = _first_file(paths)
        batch = desk.batch
        batch.import_finished.connect(lambda summary: open_file(review, first, summary))
        batch.start_import(paths)
    else:
        QTimer.singleShot(0, review.open_first)
    if smoke:
        QTimer.singleShot(0, lambda: _smoke(desk, app))
    elif quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, desk.window.close)
    return app.exec()


def display_problem(environ: Mapping[str, str], platform: str) -> str | None:
    """Why no window can be shown here, or None. On Linux Qt needs an X or Wayland display
    unless told otherwise (QT_QPA_PLATFORM); without one it aborts with a core dump and a page
    of plug-in advice (a server, an ssh session, a CI machine)."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set; set QT_QPA_PLATFORM=offscreen"
        " to run the app without one (as for --smoke), or use the headless commands"
        " (imr-desk --help)"
    )


def _first_file(paths: list[str]) -> Path | None:
    return next((Path(p) for p in paths if Path(p).is_file()), None)


def open_file(review: ReviewController, path: Path | None, summary: object = None) -> None:
    """After importing the letters given on the command line, show the first file's letter.

    A file the import refused has already been reported by name with its reason (the import's
    summary), so the reviewer is only left on the first letter there is; any other reason the
    file cannot be shown is reported by its name too, never by its SHA-256."""
    from imr_desk.importer import file_sha256
    from imr_desk.ui import dialogs

    window = review.window
    if path is None or _import_failed(path, summary):
        review.open_first()
        return
    try:
        sha = file_sha256(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
    else:
        if window.queue.select_letter(sha):
            return
        if review.store.has_letter(sha):
            review.open_letter(sha)
            return
        reason = "it is not in the review database (the import stopped before it)"
    dialogs.show_error(window, "Cannot open letter", f"{path.name}: {reason}")
    review.open_first()


def _import_failed(path: Path, summary: object) -> bool:
    """Whether the import (its ``ImportSummary``) refused ``path``."""
    failed = getattr(summary, "failed", None) or []
    return any(Path(result.path).resolve() == path.resolve() for result in failed)


def _smoke(desk: Desk, app: object) -> None:
    """Print what opened, then quit once the first page has painted (or after 10 s)."""
    from PySide6.QtCore import QTimer

    def report() -> None:
        window = desk.window
        print(f"smoke ok: {window.queue.model.total()} letters; title: {window.windowTitle()}")
        window.close()

    batch = desk.batch
    if batch.task is not None and batch.task.is_running():
        batch.import_finished.connect(lambda _s: QTimer.singleShot(0, report))
    else:
        QTimer.singleShot(0, report)
