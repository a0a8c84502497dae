"""The adjudication view: a letter's page beside the fields its two reviews differ on.

Data in (``LetterToSettle``, the page, which choice each field has), intent out (take A, take
B, a typed value, save the gold record); the adjudication controller decides and writes. Keys
on the list: A takes review A's value, B takes review B's, any other character (or F2) starts
typing a value of the lead's own in the row's editor, where Enter keeps it and Esc goes back;
Ctrl+Enter saves. Each review's evidence of the selected field is drawn in its own colour.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imr_desk.ui.page_renderer import PageRenderer
from imr_desk.ui.pdf_view import PdfView

COLOUR_A: Final = QColor(26, 115, 232)
COLOUR_B: Final = QColor(208, 24, 132)
TINT_ALPHA: Final = 60
FIELD, CELL_A, CELL_B, GOLD = range(4)
SIDES: Final = ("a", "b")
HINT: Final = (
    "A: take A's value · B: take B's · type (or F2) for another value, Enter keeps it · "
    "Ctrl+Enter: save the gold record and open the next letter"
)
SETTLE_KEYS: Final = ("Ctrl+Return", "Ctrl+Enter")


@dataclass(frozen=True)
class DifferenceRow:
    """One field the reviews differ on: both values as shown, whether a third value may be
    typed (an item only one review has is kept or left out, nothing else), both evidences."""

    path: str
    label: str
    a_text: str
    b_text: str
    typeable: bool
    a_boxes: tuple[dict, ...] = ()
    b_boxes: tuple[dict, ...] = ()


@dataclass(frozen=True)
class LetterToSettle:
    """What the view shows of a letter waiting for adjudication."""

    sha256: str
    title: str
    reviewer_a: str
    reviewer_b: str
    rows: tuple[DifferenceRow, ...]
    waiting: int
    """Letters in the adjudication queue, this one included."""


def evidence_key(side: str, path: str) -> str:
    """The page view's name for one review's boxes of a field (``A:letter.outcome``)."""
    return f"{side.upper()}:{path}"


class RowEditor(QLineEdit):
    """A row's own value: Enter keeps the typing (``returnPressed``), Esc drops it."""

    cancelled = Signal()
    entered = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.entered.emit()


class DifferenceTable(QTableWidget):
    """The differing fields; A, B and the start of typing are handed to the view."""

    take = Signal(str)
    start_typing = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain, text = _plain(event), event.text()
        if plain and event.key() in (Qt.Key.Key_A, Qt.Key.Key_B):
            self.take.emit("a" if event.key() == Qt.Key.Key_A else "b")
        elif plain and event.key() in (Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.start_typing.emit("")
        elif plain and text.isprintable() and text.strip():
            self.start_typing.emit(text)
        else:
            super().keyPressEvent(event)


class AdjudicationView(QWidget):
    """A window of its own (the main window keeps its keys): page left, differences right."""

    take_requested = Signal(str, str)
    typed = Signal(str, str)
    settle_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Adjudication")
        self.renderer = PageRenderer(self)
        self.page = PdfView(self.renderer)
        self.page.evidence_clicked.connect(self._on_page_evidence_clicked)
        self.page_problem = QLabel()
        self.page_problem.setWordWrap(True)
        self.page_problem.hide()
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.table = self._make_table()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("adjudicationMessage")
        self.settle_button = QPushButton("Save gold record && next")
        self.settle_button.setToolTip("Ctrl+Enter")
        self.settle_button.clicked.connect(self._on_settle_keys)
        self._rows: tuple[DifferenceRow, ...] = ()
        self._editors: dict[str, RowEditor] = {}
        for keys in SETTLE_KEYS:
            QShortcut(QKeySequence(keys), self, self._on_settle_keys)
        self._build_layout()
        self.resize(1300, 850)

    def _make_table(self) -> DifferenceTable:
        table = DifferenceTable(0, 4)
        table.setHorizontalHeaderLabels(["Field", "A", "B", "Gold value"])
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = table.horizontalHeader()
        header.setSectionResizeMode(FIELD, QHeaderView.ResizeMode.ResizeToContents)
        for column in (CELL_A, CELL_B, GOLD):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        table.take.connect(self._on_table_take)
        table.start_typing.connect(self._on_table_start_typing)
        table.currentCellChanged.connect(self._on_table_current_changed)
        return table

    def _build_layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.page_problem)
        left_layout.addWidget(self.page, 1)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.settle_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(hint)
        right_layout.addWidget(self.message)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([700, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- data in ---------------------------------------------------------------------------

    def set_letter(self, letter: LetterToSettle) -> None:
        """Show a letter's differences (none chosen yet), the first one selected."""
        self.setWindowTitle(f"Adjudication — {letter.title}")
        self.heading.setText(_heading(letter))
        self._set_column_titles(letter.reviewer_a, letter.reviewer_b)
        self._rows = letter.rows
        self._editors = {}
        self.table.setRowCount(len(letter.rows))
        for index, row in enumerate(letter.rows):
            self._fill_row(index, row)
        self._apply_evidence()
        self.show_message("")
        if letter.rows:
            self.select(letter.rows[0].path)

    def _set_column_titles(self, reviewer_a: str, reviewer_b: str) -> None:
        for column, title, colour in (
            (CELL_A, reviewer_a, COLOUR_A),
            (CELL_B, reviewer_b, COLOUR_B),
        ):
            item = QTableWidgetItem(f"{'AB'[column - CELL_A]} · {title}")
            item.setForeground(QBrush(colour))
            self.table.setHorizontalHeaderItem(column, item)

    def _fill_row(self, index: int, row: DifferenceRow) -> None:
        for column, text in ((FIELD, row.label), (CELL_A, row.a_text), (CELL_B, row.b_text)):
            self._set_cell(index, column, text)
        editor = RowEditor()
        editor.setObjectName(f"gold:{row.path}")
        editor.setEnabled(row.typeable)
        editor.setPlaceholderText("A, B or type a value" if row.typeable else "A or B")
        editor.returnPressed.connect(lambda path=row.path: self._on_editor_return(path))
        editor.cancelled.connect(lambda path=row.path: self._on_editor_cancelled(path))
        editor.entered.connect(lambda i=index: self.table.setCurrentCell(i, FIELD))
        self.table.setCellWidget(index, GOLD, editor)
        self._editors[row.path] = editor

    def set_pages(self, path: str | None, sizes: Sequence[tuple[float, float]]) -> None:
        """The letter's pages (``None``: no page, ``show_page_problem`` says why)."""
        self.page.set_document(path, sizes)
        self.page_problem.setVisible(path is None and bool(self.page_problem.text()))
        self._apply_evidence()  # a new document starts without boxes

    def _apply_evidence(self) -> None:
        """Both reviews' boxes of every differing field; the current field's drawn strongly."""
        self.page.set_evidence(
            {evidence_key(side, row.path): list(boxes) for row in self._rows
             for side, boxes in (("a", row.a_boxes), ("b", row.b_boxes))}
        )  # fmt: skip
        path = self.current_path()
        if path is not None:
            self._show_evidence(path)

    def show_page_problem(self, text: str) -> None:
        self.page_problem.setText(text)
        self.page_problem.setVisible(bool(text))

    def show_choice(self, path: str, side: str, text: str) -> None:
        """Show what a field will be: ``side`` "a", "b", "typed" or "" (none), ``text`` the
        value as the editor shows it."""
        index = self._index(path)
        if index is None:
            return
        row = self._rows[index]
        self._set_cell(index, FIELD, ("✓ " if side else "") + row.label)
        self._set_cell(index, CELL_A, row.a_text, COLOUR_A if side == "a" else None)
        self._set_cell(index, CELL_B, row.b_text, COLOUR_B if side == "b" else None)
        editor = self._editors[path]
        editor.setText(text)  # also clears isModified(): only the lead's typing sets it
        font = editor.font()
        font.setBold(side == "typed")
        editor.setFont(font)

    def _set_cell(self, index: int, column: int, text: str, chosen: QColor | None = None) -> None:
        """A cell's text; a chosen value bold on its review's colour."""
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        if chosen is not None:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            tint = QColor(chosen)
            tint.setAlpha(TINT_ALPHA)
            item.setBackground(QBrush(tint))
        self.table.setItem(index, column, item)

    def select(self, path: str) -> None:
        """Make a field the current one (its evidence highlighted) and give the list focus."""
        index = self._index(path)
        if index is not None:
            self.table.setCurrentCell(index, FIELD)
            self._show_evidence(path)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_message(self, text: str, *, error: bool = True) -> None:
        """A line under the list: why something was refused, or what happened."""
        self.message.setText(text)
        self.message.setStyleSheet("color: #d93025;" if error and text else "")

    # --- state for the controller and tests ------------------------------------------------

    def current_path(self) -> str | None:
        index = self.table.currentRow()
        return self._rows[index].path if 0 <= index < len(self._rows) else None

    def paths(self) -> list[str]:
        return [row.path for row in self._rows]

    def editor(self, path: str) -> RowEditor | None:
        return self._editors.get(path)

    # --- intents ---------------------------------------------------------------------------

    def _on_table_take(self, side: str) -> None:
        path = self.current_path()
        if path is not None:
            self.take_requested.emit(path, side)

    def _on_table_start_typing(self, text: str) -> None:
        path = self.current_path()
        editor = self._editors.get(path or "")
        if editor is None or not editor.isEnabled():
            self.show_message("An item is kept (the review that has it) or left out: A or B.")
            return
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if text:
            editor.setText(text)
            editor.setModified(True)
        else:
            editor.selectAll()

    def _on_editor_return(self, path: str) -> None:
        self.typed.emit(path, self._editors[path].text())

    def _on_editor_cancelled(self, path: str) -> None:
        self.select(path)
        self.show_message("")

    def _on_settle_keys(self) -> None:
        """Ctrl+Enter: typing still in an editor is offered first, so it is not lost."""
        focused = QApplication.focusWidget()
        for path, editor in self._editors.items():
            if editor is focused and editor.isModified():
                self.typed.emit(path, editor.text())
        self.settle_requested.emit()

    def _on_table_current_changed(self, row: int, *_rest: int) -> None:
        if 0 <= row < len(self._rows):
            self._show_evidence(self._rows[row].path)

    def _on_page_evidence_clicked(self, key: str) -> None:
        self.select(key.split(":", 1)[1])

    def _show_evidence(self, path: str) -> None:
        self.page.show_evidence_colours(
            {evidence_key("a", path): COLOUR_A, evidence_key("b", path): COLOUR_B}
        )

    def _index(self, path: str) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.path == path), None)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A and B work wherever the focus is in the window but an editor (the page too)."""
        if _plain(event) and event.key() in (Qt.Key.Key_A, Qt.Key.Key_B):
            self._on_table_take("a" if event.key() == Qt.Key.Key_A else "b")
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.renderer.wait_idle(2000)  # no render lands on a view being deleted
        self.closed.emit()
        super().closeEvent(event)


def _plain(event: QKeyEvent) -> bool:
    """A key pressed alone or with Shift: a letter typed, not a command."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)


def _heading(letter: LetterToSettle) -> str:
    count, waiting = len(letter.rows), letter.waiting
    fields = f"{count} field{'s' if count != 1 else ''} differ"
    queue = f"{waiting} letter{'s' if waiting != 1 else ''} waiting"
    return (
        f"<b>{html.escape(letter.title)}</b> — {fields} · {queue}<br>"
        f"{_legend('A', letter.reviewer_a, COLOUR_A)} &nbsp; "
        f"{_legend('B', letter.reviewer_b, COLOUR_B)}"
    )


def _legend(side: str, reviewer: str, colour: QColor) -> str:
    return f"<span style='color:{colour.name()}'>■ {side}: {html.escape(reviewer)}</span>"
