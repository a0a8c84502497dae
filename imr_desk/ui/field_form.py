"""FieldForm: every field of the record, built from the domain's field specs.

The form only mirrors the session's state (``set_state``) and reports intents (commits, focus,
item add/remove/move); it never decides what is stored. Letter fields come first, then one
group per item, each with the item fields in spec order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, FieldSpec
from imr_desk.record import FieldRef, Item, Letter, doubt_confidence
from imr_desk.ui.field_editors import FieldEditor
from imr_desk.ui.icons import icon
from imr_desk.ui.reason_notes import reason_note, reason_tip

EDITOR_MIN_WIDTH: Final = 160
"""The narrowest editor still usable for typing a date or a short value."""
NOT_IN_LETTER_NOTE: Final = "⚠ Not found in the letter's text: check it against the page"
"""Beside a value a person set that the letter does not print (``evidence_check``): a
warning only, Verify still takes the letter."""


@dataclass(frozen=True)
class FormState:
    """Everything the form shows for one letter, as plain values."""

    record: Letter
    """The letter: values, and each field's confidence and who set it."""
    issues: dict[str, list[str]] = field(default_factory=dict)
    notice: str = ""
    """A sentence about the whole letter shown first in the banner (the parser failed on it)."""
    read_only: bool = False
    """Another desk has the letter open: values are shown, nothing can be typed or moved."""


class _FieldRow(QWidget):
    """An editor with its inline issue message and its correction reason underneath."""

    def __init__(self, editor: FieldEditor) -> None:
        super().__init__()
        self.editor = editor
        self.issue = QLabel()
        self.issue.setObjectName("issue")
        self.issue.setWordWrap(True)
        self.issue.hide()
        self.reason = QLabel()
        self.reason.setObjectName("reason")
        self.reason.setToolTip(reason_tip())
        font = self.reason.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.reason.setFont(font)
        self.reason.hide()
        self.evidence = QLabel(NOT_IN_LETTER_NOTE)
        self.evidence.setObjectName("evidence")
        self.evidence.setWordWrap(True)
        self.evidence.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor.widget)
        layout.addWidget(self.issue)
        layout.addWidget(self.reason)
        layout.addWidget(self.evidence)

    def show_issues(self, messages: list[str]) -> None:
        self.issue.setText("\n".join(messages))
        self.issue.setVisible(bool(messages))

    def show_not_in_letter(self, shown: bool) -> None:
        if self.evidence.isHidden() == shown:
            self.evidence.setVisible(shown)

    def show_reason(self, note: str) -> None:
        if note != self.reason.text():
            self.reason.setText(note)
        if self.reason.isHidden() == bool(note):
            self.reason.setVisible(bool(note))


class _ItemGroup(QGroupBox):
    """One disputed treatment: its fields plus move/remove buttons. Groups are reused from
    letter to letter, so a group is bound to an item (``bind``) rather than built for one."""

    def __init__(self, form: FieldForm, index: int) -> None:
        super().__init__()
        self.index = index
        self.item_id = ""
        self.rows: dict[str, _FieldRow] = {}
        self._by_name: dict[str, _FieldRow] = {}
        self.buttons: list[QToolButton] = []  # kept: finding them at each letter took 1-2 ms
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self._form = form
        for name, tip, step in (
            ("arrow-up", "Move item up (Alt+Shift+Up)", -1),
            ("arrow-down", "Move item down (Alt+Shift+Down)", 1),
            ("trash", "Remove item (Alt+Shift+Del)", 0),
        ):
            button = QToolButton()
            button.setIcon(icon(name))
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field: keys instead
            button.setObjectName(f"{name}:{index}")
            button.clicked.connect(lambda _=False, step=step: self.act(step))
            buttons.addWidget(button)
            self.buttons.append(button)
        layout.addLayout(buttons)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        fields.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for spec in ITEM_FIELDS:
            row = form.make_row(spec, "", self)
            fields.addRow(form.make_label(spec, row), row)
            self._by_name[spec.name] = row
        layout.addLayout(fields)

    def act(self, step: int) -> None:
        """Ask to move the item ``step`` places, or to remove it (0): buttons and keys alike."""
        if step:
            self._form.move_item_requested.emit(self.item_id, self.index + step)
        else:
            self._form.remove_item_requested.emit(self.item_id)

    def bind(self, item: Item) -> None:
        """Show ``item`` in this group: its editors take the item's field paths."""
        decision = item.value("decision") or "no decision"
        self.setTitle(f"Item {self.index + 1} · {decision}")
        if item.id == self.item_id:
            return
        self.item_id = item.id
        for name, row in self._by_name.items():
            row.editor.bind(str(FieldRef(name, item.id)))
        self.rows = {row.editor.path: row for row in self._by_name.values()}


class FieldForm(QScrollArea):
    """The record form; signals carry plain values (field path, typed value, item id)."""

    field_committed = Signal(str, object)
    field_focused = Signal(str)
    state_shown = Signal()
    """A letter's values were shown (or the form emptied): the evidence strip follows."""
    add_item_requested = Signal()
    remove_item_requested = Signal(str)
    """The id of the item to remove."""
    move_item_requested = Signal(str, int)
    """The id of the item to move and the position it goes to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setObjectName("fieldForm")
        self._rows: dict[str, _FieldRow] = {}
        self._groups: list[_ItemGroup] = []
        self._shown_items = 0
        self._focused: str | None = None
        self._issue_counts: dict[str, int] = {}
        self._notice = ""
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(10, 8, 10, 10)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self._layout.addWidget(self.summary)
        self._layout.addWidget(self._section("Letter"))
        letter = QFormLayout()
        letter.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        letter.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for spec in LETTER_FIELDS:
            path = str(FieldRef(spec.name))
            row = self.make_row(spec, path, body)
            letter.addRow(self.make_label(spec, row), row)
            self._rows[path] = row
        self._layout.addLayout(letter)
        self._layout.addLayout(self._items_header())
        self._items_box = QVBoxLayout()
        self._layout.addLayout(self._items_box)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.setEnabled(False)
        self.setMinimumWidth(self._usable_width())
        for keys, step in (("Alt+Shift+Up", -1), ("Alt+Shift+Down", 1), ("Alt+Shift+Del", 0)):
            key = QShortcut(keys, self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(lambda step=step: self._item_key(step))

    def _item_key(self, step: int) -> None:
        """Move (or remove) the item whose field has the cursor; the cursor stays with it."""
        path = self._focused or ""
        if not self.add_item_button.isEnabled():
            return  # read-only: another desk has the letter open
        group = next((g for g in self._groups[: self._shown_items] if path in g.rows), None)
        if group is not None:
            group.act(step)
            self.focus_field(path)

    def _usable_width(self) -> int:
        """Room for the longest label beside an editor one can type in: the narrowest the
        form gets, however a saved layout or the reviewer sizes its dock."""
        metrics = self.fontMetrics()
        specs = (*LETTER_FIELDS, *ITEM_FIELDS)
        label = max(metrics.horizontalAdvance(f"{spec.label} *") for spec in specs)
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return label + EDITOR_MIN_WIDTH + scrollbar + 64  # margins, spacing, item frames

    def _section(self, title: str) -> QLabel:
        label = QLabel(title)
        label.setObjectName("section")
        return label

    def _items_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        self.items_title = self._section("Items")
        header.addWidget(self.items_title)
        header.addStretch(1)
        self.add_item_button = QPushButton(icon("plus"), "Add item")
        self.add_item_button.setToolTip("Add a disputed treatment (Ctrl+Shift+N)")
        self.add_item_button.clicked.connect(self.add_item_requested)
        header.addWidget(self.add_item_button)
        return header

    def make_row(self, spec: FieldSpec, path: str, parent: QWidget) -> _FieldRow:
        """A bound editor for one path (used for letter fields and by item groups)."""
        editor = FieldEditor(spec, path, parent)
        editor.committed.connect(self.field_committed)
        editor.focused.connect(self._on_editor_focused)
        return _FieldRow(editor)

    def make_label(self, spec: FieldSpec, row: _FieldRow) -> QLabel:
        label = QLabel(spec.label + (" *" if spec.required else ""))
        label.setBuddy(row.editor.widget)
        label.setToolTip(spec.help or spec.label)
        return label

    # --- state in --------------------------------------------------------------------------

    def set_state(self, state: FormState | None) -> None:
        """Show a letter's values, marks and issues (None empties the form); emits no edit,
        only ``state_shown`` once done."""
        self._fill(state)
        self.state_shown.emit()

    def _fill(self, state: FormState | None) -> None:
        self.setEnabled(state is not None)
        if state is None:
            self._sync_items([])
            for row in self._rows.values():
                row.editor.set_value(None)
                row.editor.set_marks(confidence=None, human=False, invalid=False)
                row.show_issues([])
                row.show_reason("")
                row.show_not_in_letter(False)
            self.summary.setText("No letter open")
            return
        letter = state.record
        self._sync_items(letter.items)
        self._set_read_only(state.read_only)
        fields = {str(ref): letter.field(ref) for ref in letter.refs()}
        for path, row in self.all_rows().items():
            stored = fields[path]
            row.editor.set_value(stored.value)
            messages = state.issues.get(path, [])
            if row.editor.input_error:
                messages = [row.editor.input_error]
            row.editor.set_marks(
                confidence=stored.confidence,
                human=stored.is_human,
                invalid=bool(messages),
                counted=doubt_confidence(row.editor.spec, stored),
            )
            row.show_issues(messages)
            row.show_reason(reason_note(stored))
            row.show_not_in_letter(stored.not_in_letter)
        self._issue_counts = {path: len(found) for path, found in state.issues.items()}
        self._notice = state.notice
        self._show_summary()

    def _set_read_only(self, read_only: bool) -> None:
        """No typing or item moves while another desk has the letter: the store refuses them."""
        for row in self.all_rows().values():
            row.editor.set_read_only(read_only)
        self.add_item_button.setEnabled(not read_only)
        for button in (button for group in self._groups for button in group.buttons):
            button.setEnabled(not read_only)

    def _show_summary(self) -> None:
        """The banner: validation issues plus typing refused but still shown (not stored)."""
        refused = {path for path, row in self.all_rows().items() if row.editor.input_error}
        count = len(refused) + sum(
            n for path, n in self._issue_counts.items() if path not in refused
        )
        self.summary.setProperty("clean", count == 0 and not self._notice)
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        status = "Ready to verify" if count == 0 else f"{count} issue{'s' * (count != 1)} to fix"
        self.summary.setText(f"{self._notice}\n{status}" if self._notice else status)

    def _sync_items(self, items: Sequence[Item]) -> None:
        """Show one group per item. Groups beyond the count are hidden, not destroyed: building
        eight editors per item is the slowest part of opening a letter, so they are reused."""
        while len(self._groups) < len(items):
            group = _ItemGroup(self, len(self._groups))
            self._groups.append(group)
            self._items_box.addWidget(group)
        for index, group in enumerate(self._groups):
            shown = index < len(items)
            if shown:
                group.bind(items[index])
            if group.isHidden() == shown:
                group.setVisible(shown)
        self._shown_items = len(items)
        self.items_title.setText(f"Items ({len(items)})")

    # --- accessors and focus ---------------------------------------------------------------

    def all_rows(self) -> dict[str, _FieldRow]:
        """Rows of the letter fields and of the items the open letter has."""
        rows = dict(self._rows)
        for group in self._groups[: self._shown_items]:
            rows.update(group.rows)
        return rows

    def editor(self, path: str) -> FieldEditor | None:
        row = self.all_rows().get(path)
        return row.editor if row else None

    def value(self, path: str) -> str:
        """The text an editor shows (for tests and the status bar)."""
        editor = self.editor(path)
        return editor.text() if editor else ""

    def reason_text(self, path: str) -> str:
        """The reason note shown under a field ('' when none is shown)."""
        row = self.all_rows().get(path)
        return row.reason.text() if row and not row.reason.isHidden() else ""

    def not_in_letter_shown(self, path: str) -> bool:
        """Whether the field shows the evidence check's warning."""
        row = self.all_rows().get(path)
        return bool(row and not row.evidence.isHidden())

    def issue_text(self, path: str) -> str:
        row = self.all_rows().get(path)
        return row.issue.text() if row and not row.issue.isHidden() else ""

    def set_input_error(self, path: str, message: str) -> None:
        """Show why typed text was not accepted; the typing stays (uncommitted) so it can be
        corrected, and shows through refreshes until it is stored or reverted."""
        row = self.all_rows().get(path)
        if row is not None:
            row.editor.refuse(message)
            row.show_issues([message])
            row.editor.set_marks(confidence=None, human=False, invalid=True)
            self._show_summary()

    def uncommitted_paths(self) -> list[str]:
        """Fields showing typing not stored yet: the focused one first, then any whose typing
        was refused earlier."""
        dirty = [path for path, row in self.all_rows().items() if row.editor.is_dirty()]
        focused = self._focused
        return sorted(dirty, key=lambda path: path != focused)

    def focused_path(self) -> str | None:
        return self._focused

    def focus_field(self, path: str) -> bool:
        """Put the cursor in a field's editor and scroll it into view."""
        row = self.all_rows().get(path)
        if row is None:
            return False
        row.editor.widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._on_editor_focused(path)
        self.ensureWidgetVisible(row, 20, 60)
        return True

    def _on_editor_focused(self, path: str) -> None:
        if path != self._focused:
            self._focused = path
            self.field_focused.emit(path)
