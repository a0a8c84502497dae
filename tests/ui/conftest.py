"""Fixtures for the app's widget tests: sample letters, an imported database, a live window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from imr_desk.importer import import_paths
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore


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
def window(qtbot, db_path: Path, settings: QSettings, monkeypatch) -> Iterator:
    """The real main window over the sample database, first letter open. Closing it discards
    typing left refused without asking, unless a test replaces that answer."""
    from imr_desk.app import build_main_window
    from imr_desk.ui import dialogs

    main = build_main_window(db_path, settings=settings, reviewer="tester", import_workers=0)
    qtbot.addWidget(main)
    main.resize(1300, 850)
    main.show()
    main.review.open_first()
    qtbot.waitUntil(lambda: main.review.session is not None)
    monkeypatch.setattr(dialogs, "confirm_discard_typing", lambda *_args: True)
    yield main
    main.close()


def reopen(db_path: Path) -> LetterStore:
    """A second connection, to check what really reached the database."""
    return LetterStore.open(db_path, reviewer="checker")
