"""One editor per field kind, behind one small binding so the form treats them alike.

Editors commit when the reviewer leaves them (editingFinished, focus-out, a combo choice), not
on every keystroke: each commit is one audited write and one undo step.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QIntValidator,
    QKeySequence,
    QRegularExpressionValidator,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from imr_desk.domain import FieldSpec

DATE_INPUT: Final = QRegularExpression(r"^[0-9]{0,4}([-/.][0-9]{0,2}){0,2}([-/.][0-9]{0,4})?$")
"""Keystrokes a date field accepts: MM/DD/YYYY, M/D/YY, 10-13-16 or ISO YYYY-MM-DD."""
TEXT_LINES: Final = {"case_summary": 7, "rationale": 7}
"""Visible lines of multi-line editors: long prose gets room, citations and names two lines."""
SHORT_TEXT_LINES: Final = 2
LIST_LINES: Final = 3
CONFIDENCE_BANDS: Final = ((0.5, "low"), (0.8, "medium"))
APP_KEYS: Final = frozenset(("Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+E", "Ctrl+K"))
"""Keys the editors must not swallow: undo/redo and fill-from-selection mean the app's
commands (per letter, audited), not the line edit's own, which would be lost on commit."""


def confidence_band(confidence: float | None) -> str:
    """Name of the colour band for a parser confidence ('' when there is none)."""
    if confidence is None:
        return ""
    return next((name for limit, name in CONFIDENCE_BANDS if confidence < limit), "high")


def display_text(spec: FieldSpec, value: Any) -> str:
    """How a stored value is shown in its editor."""
    if value is None:
        return ""
    if spec.kind == "list":
        return "\n".join(str(v) for v in value)
    return str(value)


def _is_app_key(event: QEvent) -> bool:
    combination = QKeySequence(event.keyCombination())  # type: ignore[attr-defined]
    return combination.toString(QKeySequence.SequenceFormat.PortableText) in APP_KEYS


class _GrowingTextEdit(QPlainTextEdit):
    """A multi-line editor sized to a few lines; Tab moves on instead of inserting a tab."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        height = self.fontMetrics().lineSpacing() * lines + 14
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._restyle()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._restyle()

    def _restyle(self) -> None:
        """Apply the theme's focus frame at its full width: style sheets size a frame when
        the widget is polished, so a wider border for ``:focus`` alone would be cut to 1 px."""
        self.style().unpolish(self)
        self.style().polish(self)
        self.setFrameStyle(self.frameStyle())  # the frame's width is read again

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Scroll this box only once it has the cursor: the wheel passing over an unfocused
        box goes on to the form, which a reviewer scrolling down the fields expects."""
        outer = self.parentWidget()
        while outer is not None and not isinstance(outer, QScrollArea):
            outer = outer.parentWidget()
        if self.hasFocus() or outer is None:
            super().wheelEvent(event)
            return
        # Handed on explicitly: Qt propagates only a wheel that came from the system.
        QApplication.sendEvent(outer.verticalScrollBar(), event)
        event.accept()


class FieldEditor(QObject):
    """Binds one field path to its widget: shows values, reports commits and focus."""

    committed = Signal(str, object)
    focused = Signal(str)

    def __init__(self, spec: FieldSpec, path: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.path = path
        self.widget: QWidget = self._make_widget()
        self.widget.setObjectName(f"editor:{path}")
        self.widget.setAccessibleName(spec.label)
        self.widget.installEventFilter(self)
        self._shown = ""
        self._stored = ""
        self.input_error = ""
        """Why the typing on screen was refused ('' when none); it stays uncommitted."""
        self._band = ""
        self._human = False
        self._invalid = False

    def bind(self, path: str) -> None:
        """Edit another field of the same kind (a reused item group showing another item):
        whatever was typed for the previous one is not this one's."""
        self.path = path
        self.widget.setObjectName(f"editor:{path}")
        self.input_error = ""

    def _make_widget(self) -> QWidget:
        kind = self.spec.kind
        if kind == "enum":
            combo = QComboBox()
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.addItem("", None)
            for choice in self.spec.choices:
                combo.addItem(choice.replace("_", " "), choice)
            combo.activated.connect(self._on_combo_activated)
            return combo
        if kind in ("text", "list"):
            lines = TEXT_LINES.get(self.spec.name, SHORT_TEXT_LINES)
            edit = _GrowingTextEdit(lines if kind == "text" else LIST_LINES)
            edit.setUndoRedoEnabled(False)
            if kind == "list":
                edit.setPlaceholderText("one entry per line")
            return edit
        line = QLineEdit()
        if kind == "date":
            line.setValidator(QRegularExpressionValidator(DATE_INPUT, line))
            line.setPlaceholderText("YYYY-MM-DD or MM/DD/YYYY")
        elif kind == "int":
            line.setValidator(QIntValidator(0, 120, line))
        line.editingFinished.connect(self._commit_if_changed)
        return line

    # --- value in / out --------------------------------------------------------------------

    def set_value(self, value: Any) -> None:
        """Show a stored value; never reports a commit. Refused typing stays on screen while
        the stored value is unchanged, so a refresh never throws away what was typed."""
        text = display_text(self.spec, value)
        if self.input_error and text == self._stored:
            return
        self.input_error = ""
        self._stored = self._shown = text
        widget = self.widget
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QPlainTextEdit):
            if widget.toPlainText() != text:
                widget.setPlainText(text)
        elif isinstance(widget, QLineEdit) and widget.text() != text:
            widget.setText(text)
            widget.setCursorPosition(0)

    def text(self) -> str:
        """What the editor shows now (list entries one per line)."""
        widget = self.widget
        if isinstance(widget, QComboBox):
            return widget.currentData() or ""
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.text() if isinstance(widget, QLineEdit) else ""

    def raw_value(self) -> Any:
        """The typed value as the session expects it (lists as a list of lines)."""
        if self.spec.kind == "list":
            return [line.strip() for line in self.text().splitlines() if line.strip()]
        return self.text()

    def is_dirty(self) -> bool:
        """Whether the editor shows typing that has not been committed yet."""
        return self.text() != self._shown

    def refuse(self, message: str) -> None:
        """The typed text cannot be stored: keep it on screen, still counted as uncommitted."""
        self.input_error = message
        self._shown = self._stored

    def accept(self) -> None:
        """The typed text was taken (stored, or equal to what is stored): no input error."""
        self.input_error = ""

    def revert(self) -> None:
        """Show the stored value again (after a rejected edit)."""
        self.input_error = ""
        self._shown = self._stored
        if isinstance(self.widget, QLineEdit):
            self.widget.setText(self._shown)
        elif isinstance(self.widget, QPlainTextEdit):
            self.widget.setPlainText(self._shown)

    def set_read_only(self, read_only: bool) -> None:
        """Show the value without taking typing (another desk has the letter open); the text
        can still be selected and copied."""
        widget = self.widget
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            if widget.isReadOnly() != read_only:
                widget.setReadOnly(read_only)
        elif widget.isEnabled() == read_only:
            widget.setEnabled(not read_only)

    def _commit_if_changed(self) -> None:
        # Refused typing corrected back to the stored value is committed too, so its input
        # error goes.
        if self.text() != self._shown or self.input_error:
            self._shown = self.text()
            self.committed.emit(self.path, self.raw_value())

    def _on_combo_activated(self, _index: int) -> None:
        self._commit_if_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and _is_app_key(event):
            return True
        if event.type() == QEvent.Type.FocusIn:
            self.focused.emit(self.path)
        elif event.type() == QEvent.Type.FocusOut and isinstance(self.widget, QPlainTextEdit):
            self._commit_if_changed()
        return False

    # --- look ------------------------------------------------------------------------------

    def set_marks(
        self,
        *,
        confidence: float | None,
        human: bool,
        invalid: bool,
        counted: float | None = None,
    ) -> None:
        """Colour by the confidence the field counts with, mark human edits and invalid values
        (via QSS); the tooltip gives the parser's own confidence.

        ``counted`` is ``record.doubt_confidence``, the number F8 and the queue use too: None
        (a person's value, a confidently empty field) colours nothing, so the colours show
        only the fields that really need a look."""
        band = confidence_band(counted)
        if (band, human, invalid) == (self._band, self._human, self._invalid):
            return
        self._band, self._human, self._invalid = band, human, invalid
        widget = self.widget
        widget.setProperty("confidence", band)
        widget.setProperty("human", human)
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        tip = [self.spec.help] if self.spec.help else []
        if confidence is not None:
            tip.append(f"Parser confidence {confidence:.0%}")
        if human:
            tip.append("Set by a reviewer")
        widget.setToolTip("\n".join(tip))
