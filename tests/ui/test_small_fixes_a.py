"""Small review-window fixes a reviewer hits every hour (issue 12, item 5): a refused Verify
says why in the status bar, focus shows on multi-line fields, item keys, the wheel over an
unfocused text box, the page view's horizontal scroll, a legible category drop-down."""

from __future__ import annotations

import pytest
from conftest import type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui

BAD_DATE = "13/45/2016"


def test_a_verify_refused_by_typing_says_why_in_the_status_bar(qtbot, window, review) -> None:
    window.statusBar().clearMessage()
    widget = type_into(qtbot, window, "letter.injury_date", BAD_DATE)
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    message = window.statusBar().currentMessage()
    label = window.form.editor("letter.injury_date").spec.label
    assert message.startswith("Not done")
    assert f"{label}: " in message and BAD_DATE in message and "not a date" in message


def test_opening_a_letter_scrolls_the_page_view_back_to_its_left_edge(qtbot, review) -> None:
    view = review.window.pdf_view
    view.set_zoom(4.0)
    bar = view.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    current = review.current_sha()
    model = review.window.queue.model
    other = next(
        model.sha_at(row) for row in range(model.rowCount()) if model.sha_at(row) != current
    )
    assert review.open_letter(other)
    assert bar.maximum() > 0  # still zoomed in: the reset is not the bar vanishing
    assert bar.value() == bar.minimum()


def _wheel_down(widget) -> None:
    """One notch of the wheel down, over the middle of ``widget``."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_text_box_scrolls_the_form(qtbot, window) -> None:
    form = window.form
    window.resize(1300, 500)  # the form needs a scroll bar
    box = form.editor("letter.case_summary").widget
    bar = form.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    box.setPlainText("\n".join(f"line {n}" for n in range(40)))  # it could scroll itself
    form.focus_field("letter.case_number")
    form.ensureWidgetVisible(box, 0, 0)
    before, inner = bar.value(), box.verticalScrollBar().value()
    assert before < bar.maximum(), (before, bar.maximum())
    _wheel_down(box.viewport())
    assert bar.value() > before
    assert box.verticalScrollBar().value() == inner


def test_a_multi_line_field_with_the_cursor_shows_a_two_pixel_accent_frame(qtbot, window) -> None:
    from PySide6.QtGui import QColor

    from imr_desk.ui.theme import DARK, LIGHT, is_dark

    accent = QColor((DARK if is_dark() else LIGHT).focus)
    window.activateWindow()
    form = window.form
    box = form.editor("letter.case_summary").widget

    def edge() -> list[QColor]:
        """The two outermost pixel columns at the box's left, half-way down."""
        image = box.grab().toImage()
        y = image.height() // 2
        return [image.pixelColor(x, y) for x in (0, 1)]

    form.focus_field("letter.case_number")
    assert accent not in edge()
    form.focus_field("letter.case_summary")
    qtbot.waitUntil(box.hasFocus)
    assert edge() == [accent, accent]


def _in_view(form, widget) -> bool:
    """Whether ``widget`` lies wholly inside the form's visible area."""
    from PySide6.QtCore import QPoint, QRect

    top_left = widget.mapTo(form.viewport(), QPoint(0, 0))
    return form.viewport().rect().contains(QRect(top_left, widget.size()))


def test_a_new_or_restored_item_is_scrolled_into_view(qtbot, window, review) -> None:
    form = window.form
    window.resize(1300, 600)
    for _ in range(4):
        review.add_item()
    form.verticalScrollBar().setValue(0)
    review.add_item()
    new = review.session.shown.items[-1]
    paths = [p for p in form.all_rows() if p.startswith(f"items.{new.id}.")]
    assert paths and _in_view(form, form.editor(paths[0]).widget)
    first_item = review.session.shown.items[0]
    review.remove_item(first_item.id)
    form.verticalScrollBar().setValue(form.verticalScrollBar().maximum())
    review.undo()
    restored = [p for p in form.all_rows() if p.startswith(f"items.{first_item.id}.")]
    assert restored and _in_view(form, form.editor(restored[0]).widget)


def _item_field(review, index: int, name: str = "treatment") -> str:
    return f"items.{review.session.shown.items[index].id}.{name}"


def test_item_buttons_are_out_of_the_tab_order(qtbot, window, review) -> None:
    from PySide6.QtWidgets import QToolButton

    review.add_item()
    buttons = window.form.findChildren(QToolButton)
    assert buttons and all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in buttons)


def test_alt_shift_keys_move_and_remove_the_focused_fields_item(qtbot, window, review) -> None:
    review.add_item()
    review.add_item()
    items = [item.id for item in review.session.shown.items]
    window.activateWindow()
    path = _item_field(review, 0)
    window.form.focus_field(path)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.form.editor(path).widget)
    alt_shift = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down, alt_shift)
    assert [item.id for item in review.session.shown.items] == [items[1], items[0], *items[2:]]
    assert window.form.focused_path() == path  # the cursor went with the item
    assert QApplication.focusWidget() is window.form.editor(path).widget
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up, alt_shift)
    assert [item.id for item in review.session.shown.items] == items
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete, alt_shift)
    assert [item.id for item in review.session.shown.items] == items[1:]
