"""Small dialogs, each behind an ``ask()``/``show_*`` function so tests can replace them.

Nothing here runs work: the import dialog only shows progress it is given and reports Cancel.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desk.ui.actions import shortcut_rows

_log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """Tell the reviewer something went wrong (one message, nothing lost). The message is
    logged too, with the traceback when called while handling an exception, since the dialog
    is gone once closed."""
    _log.error("%s: %s", title, text, exc_info=sys.exc_info()[1] is not None)
    QMessageBox.warning(parent, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm_discard_typing(parent: QWidget | None, field: str, reason: str) -> bool:
    """Closing with typing that cannot be stored: True to discard it and quit, False (the
    default, also Esc) to keep editing."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Typing not saved")
    box.setText(f"What you typed in {field} cannot be stored: {reason}")
    box.setInformativeText("Correct it to keep it, or discard it and quit.")
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    discard = box.addButton("Discard typing and quit", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


def choose_folder(parent: QWidget | None, start: str = "") -> str | None:
    """A folder of letters to import, or None."""
    folder = QFileDialog.getExistingDirectory(parent, "Import letters from folder", start)
    return folder or None


class FlagDialog(QDialog):
    """Asks why a letter is flagged (the note is stored with the letter)."""

    def __init__(self, parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Flag letter")
        self.note = QPlainTextEdit(note)
        self.note.setPlaceholderText("What is wrong with this letter? (shown in the export)")
        self.note.setTabChangesFocus(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        flag = buttons.button(QDialogButtonBox.StandardButton.Ok)
        flag.setText("Flag")
        flag.setToolTip("Flag the letter (Ctrl+Enter); Enter starts a new line in the note")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # as Verify & next, from inside the note
            QShortcut(QKeySequence(keys), self, self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Note for this letter:"))
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(420, 200)

    @classmethod
    def ask(cls, parent: QWidget | None, note: str = "") -> str | None:
        """The note typed (may be empty), or None when cancelled."""
        dialog = cls(parent, note)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.note.toPlainText().strip()


@dataclass(frozen=True)
class ExportChoice:
    """Where to export and whether letters not yet verified are included."""

    folder: Path
    include_unverified: bool = False


class ExportDialog(QDialog):
    """Asks for the export folder and scope."""

    def __init__(self, parent: QWidget | None = None, folder: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Export dataset")
        self.folder = QLineEdit(folder)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.include_unverified = QCheckBox("Include letters not yet verified")
        form = QFormLayout()
        form.addRow("Folder:", row)
        form.addRow("", self.include_unverified)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("letters.jsonl, letters.csv, items.csv and a dataset card"))
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 150)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    @classmethod
    def ask(cls, parent: QWidget | None, folder: str = "") -> ExportChoice | None:
        dialog = cls(parent, folder)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.folder.text().strip():
            return None
        return ExportChoice(
            Path(dialog.folder.text().strip()), dialog.include_unverified.isChecked()
        )


class ProgressDialog(QDialog):
    """Shows a background task's progress; Cancel asks the task to stop between files."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.label = QLabel("Starting…")
        self.label.setMinimumWidth(380)
        self.bar = QProgressBar()
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self._on_cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignRight)

    def set_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(text)

    def _on_cancel_clicked(self) -> None:
        self.cancel.setEnabled(False)
        self.label.setText("Stopping after the current letter…")
        self.cancel_requested.emit()

    def reject(self) -> None:
        """Esc or closing the window cancels too, rather than hiding a running task."""
        if self.cancel.isEnabled():
            self._on_cancel_clicked()


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every action and its keys, from the action table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows()
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Group", "Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(
            "On the page: drag to select text, click a highlighted value to go to its field, "
            "Ctrl+wheel to zoom."
        )
        note.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(close)
        self.resize(560, 640)

    def keys_for(self, command: str) -> str | None:
        """The keys listed for a command (for tests)."""
        for row in range(self.table.rowCount()):
            name, keys = self.table.item(row, 1), self.table.item(row, 2)
            if name is not None and keys is not None and name.text() == command:
                return keys.text()
        return None

    @classmethod
    def show_for(cls, parent: QWidget | None) -> None:
        cls(parent).exec()
