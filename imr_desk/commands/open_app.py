"""``imr-desk [--db DB] [--reviewer NAME] [PATH...]``: open the review app (default command).

``--db`` is a SQLite file or a team server (``postgresql://LOGIN@HOST/DB``, ``service=NAME``);
on a server the reviewer is the login, whatever ``--reviewer`` says.

PATHs (letters or folders) are imported first, in the app, with its progress dialog.
``--smoke`` starts, opens the first letter, prints one line and quits: the packaged app's check.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from imr_desk import logs
from imr_desk.commands.db_option import add_db_argument, note_ignored_reviewer
from imr_desk.storage import StorageError

if TYPE_CHECKING:
    from imr_desk.app import Desk
    from imr_desk.ui.controller import ReviewController

_log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Database, reviewer, letters to import, and the start-and-quit switches."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="letters or folders to import")
    add_db_argument(parser)
    parser.add_argument(
        "--reviewer",
        help="name recorded in the audit log (default: OS user; on a team server your login)",
    )
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
    Without a display, or without the libraries Qt's X11 platform loads, one line says so and
    what to do (exit 1) instead of Qt's abort."""
    problem = display_problem(os.environ, sys.platform) or xcb_problem(os.environ, sys.platform)
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
    note_ignored_reviewer("imr-desk", reviewer, desk.store)
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


# The system libraries Qt's X11 platform plug-in (PySide6's libqxcb.so and libQt6XcbQpa.so.6)
# links against, each with the Debian/Ubuntu package that holds it; packaging/debian-packages.txt
# and the README's Quick start list the same packages (tests/unit/test_xcb_hint.py checks both).
XCB_LIBRARIES: Final = {
    "libGL.so.1": "libgl1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def xcb_problem(
    environ: Mapping[str, str],
    platform: str,
    loads: Callable[[str], bool] | None = None,
) -> str | None:
    """Why Qt's X11 platform cannot load here, naming the packages to install, or None.

    Qt aborts the process when its platform plug-in cannot load, with a page of advice that
    names neither the missing library nor a package (a fresh Debian desktop lacks
    libxcb-icccm4 and libxcb-keysyms1), so the libraries are tried before Qt is. Qt loads the
    same ones next: trying them first costs 2-3 ms, under 1 ms of it extra. ``loads`` tells
    whether a library loads (a test stands in for the dynamic loader with it)."""
    if not _xcb_wanted(environ, platform):
        return None
    loads = loads or _library_loads
    missing = [name for name in XCB_LIBRARIES if not loads(name)]
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES[name] for name in missing))
    return (
        f"Qt's X11 platform (xcb) cannot load: {', '.join(missing)} not found;"
        f" on Debian/Ubuntu: sudo apt-get install {packages}"
        " (the README's Quick start lists every library the app needs)"
    )


def _xcb_wanted(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt will start its xcb plug-in: on Linux with an X display, when told to (xcb
    first in QT_QPA_PLATFORM) or by default outside a Wayland session (where Qt tries its
    Wayland plug-in first)."""
    if not platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM")
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    return environ.get("XDG_SESSION_TYPE") != "wayland"


def _library_loads(name: str) -> bool:
    """Whether the dynamic loader finds ``name`` and every library it needs."""
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


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
