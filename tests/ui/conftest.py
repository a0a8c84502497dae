"""Fixtures for the app's widget tests: sample letters, an imported database, a live window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings

from imr_desk.importer import import_paths
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from imr_desk.app import Desk
    from imr_desk.ui.controller import ReviewController
    from imr_desk.ui.main_window import MainWindow


@pytest.fixture(scope="session")
def sample_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four generated letters (layouts B, C, A, B), made once per test run."""
    folder = tmp_path_factory.mktemp("letters")
    generate_letters(folder, count=4, seed=7)
    return folder


@pytest.fixture
def db_path(tmp_path: Path, sample_letters: Path) -> Path:
    """A fresh review database holding the sample letters, parsed."""
    path = tmp_path / "review.db"
    with LetterStore.open(path, reviewer="tester") as store:
        import_paths(store, [sample_letters], workers=0)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Window layout settings isolated in the test's folder."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def desk(qtbot, make_desk, db_path: Path, settings: QSettings, monkeypatch) -> Desk:
    """The real app over the sample database, first letter open. Closing its window discards
    typing left refused without asking, unless a test replaces that answer."""
    from imr_desk.ui import dialogs

    desk = make_desk(db_path, settings=settings, reviewer="tester", import_workers=0)
    desk.window.resize(1300, 850)
    desk.window.show()
    desk.review.open_first()
    qtbot.waitUntil(lambda: desk.review.session is not None)
    monkeypatch.setattr(dialogs, "confirm_discard_typing", lambda *_args: True)
    return desk


@pytest.fixture
def window(desk: Desk) -> MainWindow:
    """The desk's main window."""
    return desk.window


@pytest.fixture
def review(desk: Desk) -> ReviewController:
    """The desk's review controller: the open letter and what is done to it."""
    return desk.review


def reopen(db_path: Path) -> LetterStore:
    """A second connection, to check what really reached the database."""
    return LetterStore.open(db_path, reviewer="checker")


def type_into(qtbot, window, path: str, text: str):
    """Click into a field, select what it shows and type over it, without leaving it (real
    keys, as a reviewer types)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    widget = window.form.editor(path).widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)
    return widget
