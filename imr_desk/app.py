"""Composition root: the one place the app's objects are built and wired together.

``build_desk`` is used by ``imr-desk``, ``imr-desk demo``, the tests and the benchmark, so they
all run exactly the same app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from imr_desk.storage import LetterStore
from imr_desk.storage.engine import is_server_target
from imr_desk.ui.adjudication import AdjudicationController
from imr_desk.ui.batch import BatchController
from imr_desk.ui.controller import ReviewController
from imr_desk.ui.letter_queue import LetterQueueModel
from imr_desk.ui.main_window import MainWindow
from imr_desk.ui.my_statistics import show_my_statistics
from imr_desk.ui.theme import apply_theme

ORGANISATION: Final = "IMR Desk"
APPLICATION: Final = "IMR Desk"


@dataclass(frozen=True)
class Desk:
    """The built app: its window and what drives it (the window itself knows neither)."""

    window: MainWindow
    review: ReviewController
    batch: BatchController
    store: LetterStore
    adjudication: AdjudicationController


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), themed for the system's light or dark scheme."""
    # Qt's raster engine hands every fill taller than 96 pixels (a page, a scroll bar, a
    # panel's background) to a thread pool in slices and waits for them: on a two-core
    # machine the hand-offs cost more than the fills, about 10 ms of every letter shown.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    app = QApplication.instance() or QApplication(argv or ["imr-desk"])
    if not isinstance(app, QApplication):
        raise RuntimeError("a QCoreApplication is already running; the app needs a QApplication")
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    # No display name: Qt would append it to every window title ("IMR Desk — CM… — IMR Desk").
    app.setDesktopFileName("imr-desk")  # lets Wayland docks match the .desktop entry and icon
    apply_theme(app)
    return app


def build_desk(
    db_path: str | os.PathLike[str] | None,
    *,
    settings: QSettings | None = None,
    reviewer: str | None = None,
    import_workers: int | None = None,
    remember_layout: bool = True,
) -> Desk:
    """Open the project (a SQLite file, or a team server's connection string) and build the
    window with its controllers (not shown yet).

    The store is closed when the window closes. ``settings`` defaults to the user's QSettings
    (tests pass an ini file in a temporary folder); ``remember_layout=False`` leaves them
    untouched on close.
    """
    make_application()
    store = LetterStore.open(_target(db_path), reviewer=reviewer)
    model = LetterQueueModel(store.list_letters, store.count_letters)
    window = MainWindow(model, settings or QSettings(), remember_layout=remember_layout)
    review = ReviewController(store, window)
    batch = BatchController(review, workers=import_workers)
    review.letter_opened.connect(window.queue.follow_letter)
    window.resume_last_letter(review.letter_opened)
    adjudication = AdjudicationController(store, window)
    adjudication.settled.connect(lambda _sha: review.reload_queue())
    window.action_set.my_statistics.triggered.connect(lambda: show_my_statistics(window, store))
    window.closing.connect(store.close)
    model.reload()
    return Desk(window, review, batch, store, adjudication)


def _target(db: str | os.PathLike[str] | None) -> str | Path | None:
    """``--db`` as the store opens it: a team server's connection string stays text (a
    ``Path`` would fold its ``//``), anything else names a file."""
    if db is None or db == "":
        return None
    return db if isinstance(db, str) and is_server_target(db) else Path(db)
