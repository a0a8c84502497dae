"""What a GUI test must leave behind: no window alive. Used by the fixtures in tests/conftest.py
(imported there only by tests marked ``gui``, so the unit tests never load Qt)."""

from __future__ import annotations

import gc

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget


def run_deferred_deletes() -> None:
    """Carry out the pending ``deleteLater()`` calls now, then collect Python's garbage.

    Qt carries out a delete posted outside any event loop only when a later
    ``QEventLoop.exec()`` starts (``processEvents()`` never does), and that is how both
    pytest-qt's ``deleteLater()`` at teardown and a closed MainWindow's own are posted.
    """
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def live_windows() -> list[QWidget]:
    """Parentless top-level widgets still alive once the pending deletes have run (a
    window's menus and popups are top-level too, but go with it)."""
    if QApplication.instance() is None:
        return []
    run_deferred_deletes()
    return [w for w in QApplication.topLevelWidgets() if w.parentWidget() is None]


def close_shown(windows: list[QWidget]) -> None:
    """Close the windows still shown; one the test closed may have been freed already."""
    for window in windows:
        if shiboken6.isValid(window) and window.isVisible():
            window.close()


def fail_if_windows_left() -> None:
    """Fail the test if a window outlived it, after deleting the leftovers so that the next
    test starts with none (a leak then fails the test that made it, not every later one)."""
    left = live_windows()
    if not left:
        return
    names = ", ".join(f"{type(w).__name__}({w.windowTitle() or w.objectName()!r})" for w in left)
    for widget in left:
        widget.deleteLater()
    run_deferred_deletes()
    pytest.fail(f"windows left alive after the test: {names}", pytrace=False)
