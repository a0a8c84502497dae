"""Small dialogs driven with real keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from imr_desk.ui import dialogs

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_flag_dialog_is_confirmed_with_ctrl_enter_from_the_note(qtbot, key) -> None:
    dialog = dialogs.FlagDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.note)
    qtbot.keyClicks(dialog.note, "Page 2 missing")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.note, key, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.note.toPlainText() == "Page 2 missing"


def test_enter_alone_starts_a_new_line_in_the_flag_note(qtbot) -> None:
    dialog = dialogs.FlagDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.note)
    qtbot.keyClicks(dialog.note, "one")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.note.toPlainText() == "one\n"
