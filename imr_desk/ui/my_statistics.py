"""Help → My statistics: the reviewer quality report (``reviewer_quality``) in the app.

A reviewer sees their own row: how many letters they verified, how fast, the seeded checks
they caught and missed, and how often they agreed with the parser (blind letters) and with
other reviewers (double reviews). A lead, who vouches for the dataset, sees everyone's.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desk.reviewer_quality import HEADERS, NOTE, ReviewerQuality, cells, from_store
from imr_desk.storage import LetterStore, StorageError
from imr_desk.ui import dialogs


def shown_rows(rows: list[ReviewerQuality], reviewer: str, *, lead: bool) -> list[ReviewerQuality]:
    """Everyone's rows for a lead; otherwise the reviewer's own (an empty one if they have
    done nothing yet, so the dialog still says so)."""
    if lead:
        return rows
    return [r for r in rows if r.reviewer == reviewer] or [ReviewerQuality(reviewer)]


class MyStatisticsDialog(QDialog):
    """A read-only table of reviewer quality rows, with what each column means."""

    def __init__(self, parent: QWidget | None, rows: list[ReviewerQuality], *, lead: bool):
        super().__init__(parent)
        self.setWindowTitle("Reviewer statistics" if lead else "My statistics")
        self.table = QTableWidget(len(rows), len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(cells(row)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        note = QLabel(NOTE)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(900, 320)

    def row_texts(self) -> list[list[str]]:
        """The table's text, row by row (what the reviewer reads)."""
        return [
            [self._text(r, c) for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


def build_dialog(parent: QWidget | None, store: LetterStore) -> MyStatisticsDialog:
    """The dialog for the store's reviewer (everyone's rows if they are a lead)."""
    lead = store.policy().is_lead(store.reviewer)
    rows = shown_rows(from_store(store), store.reviewer, lead=lead)
    return MyStatisticsDialog(parent, rows, lead=lead)


def show_my_statistics(parent: QWidget | None, store: LetterStore) -> None:
    """Help → My statistics: compute and show; a database that cannot be read is said so."""
    try:
        dialog = build_dialog(parent, store)
    except StorageError as exc:
        dialogs.show_error(parent, "My statistics", str(exc))
        return
    dialog.exec()
