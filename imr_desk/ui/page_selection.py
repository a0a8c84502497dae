"""Selecting a letter's text on the page view with the mouse, as in a text editor.

Press-drag-release selects the words between the two points in reading order (drawn live while
dragging), a double-click a word, a triple-click its line, Shift+click extends the selection,
Ctrl+C copies it. Which words lie between two points is decided Qt-free in ``text_selection``;
this base of ``PdfView`` only maps mouse events to scene points and draws the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsView, QWidget

from imr_desk.pdf_source import Word
from imr_desk.ui.page_items import NO_PEN, SELECTION_BRUSH, PageItem
from imr_desk.ui.text_selection import (
    EMPTY_SELECTION,
    Caret,
    Selection,
    caret_at,
    line_of,
    selection_of,
    word_at,
    words_between,
    words_in_rect,
)

CLICK_SLOP: Final = 4


class SelectingView(QGraphicsView):
    """A view of stacked pages (scene units are PDF points) whose words can be selected."""

    selection_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[PageItem] = []
        self._words: Callable[[int], Sequence[Word]] = lambda _page: ()
        self._selection_items: list[QGraphicsRectItem] = []
        self._selection: Selection = EMPTY_SELECTION
        self._press: QPointF | None = None
        self._anchor: Caret | None = None
        self._extending = False
        self._double_click: tuple[float, QPointF] | None = None

    def _forget_selection(self) -> None:
        """Drop the selection without touching the scene (a new letter cleared it)."""
        self._selection_items, self._selection, self._anchor = [], EMPTY_SELECTION, None

    def _scene_rects(self, boxes: Sequence[dict]) -> list[QRectF]:
        rects = []
        for box in boxes:
            page = box.get("page", 0)
            if 0 <= page < len(self._pages):
                x0, y0, x1, y1 = box["rect"]
                offset = self._pages[page].pos()
                rects.append(QRectF(x0, y0, x1 - x0, y1 - y0).translated(offset))
        return rects

    def selection(self) -> Selection:
        """The text selected by dragging over the page, with one box per line."""
        return self._selection

    def selected_rects(self) -> list[QRectF]:
        """Scene rectangles drawn for the selection (one per selected line), live while dragging."""
        return [item.rect() for item in self._selection_items]

    def select_rect(self, page: int, rect: tuple[float, float, float, float]) -> Selection:
        """Select the words of a page inside a rectangle (points, page coordinates)."""
        self._set_selection(selection_of(words_in_rect(self._words(page), rect)))
        return self._selection

    def clear_selection(self) -> None:
        self._set_selection(EMPTY_SELECTION)

    def _set_selection(self, selection: Selection) -> None:
        if selection == self._selection:
            return  # a drag moving within one word redraws nothing
        for item in self._selection_items:
            self.scene().removeItem(item)
        self._selection = selection
        self._selection_items = []
        for rect in self._scene_rects(selection.boxes):
            item = self.scene().addRect(rect, NO_PEN, SELECTION_BRUSH)
            item.setZValue(4)
            self._selection_items.append(item)
        self.selection_changed.emit(selection.text)

    def select_between(self, start: QPointF, end: QPointF) -> Selection:
        """Select the words from the one at or after ``start`` to the one at or before ``end``
        (scene points) in reading order, as a text editor does; either may come first."""
        self._anchor = self._caret(start)
        self._extend_to(end)
        return self._selection

    def copy_selection(self) -> None:
        """Put the selected text on the clipboard (Ctrl+C on the page)."""
        if not self._selection.empty:
            QApplication.clipboard().setText(self._selection.text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        event.accept()
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = self.mapToScene(event.position().toPoint())
        if self._is_triple_click(event.position()):
            self._select_word_or_line(point, line=True)
            return
        self._press = event.position()
        self._extending = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self._extending and self._anchor is not None:
            self._extend_to(point)
        else:
            self._extending, self._anchor = False, self._caret(point)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and (self._extending or self._dragged(event)):
            self._extend_to(self.mapToScene(event.position().toPoint()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if self._extending or self._dragged(event):
            self._extend_to(self.mapToScene(event.position().toPoint()))
        else:
            self._click(event.position())
        self._press = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        event.accept()
        self._select_word_or_line(self.mapToScene(event.position().toPoint()), line=False)
        self._double_click = (time.monotonic(), event.position())

    def _is_triple_click(self, position: QPointF) -> bool:
        """A press soon after a double-click, where it happened (Qt has no triple-click)."""
        if self._double_click is None:
            return False
        at, where = self._double_click
        self._double_click = None
        soon = time.monotonic() - at <= QApplication.doubleClickInterval() / 1000
        return soon and (position - where).manhattanLength() <= CLICK_SLOP

    def _select_word_or_line(self, point: QPointF, *, line: bool) -> None:
        """Select the word under a scene point, or its whole printed line; a press after
        this is not a drag, so its release keeps the selection."""
        self._press = None
        page = self._page_near(point)
        if page is None:
            return
        local = point - page.pos()
        words = self._words(page.index)
        hit = word_at(words, local.x(), local.y())
        if hit is None:
            return
        chosen = line_of(words, hit) if line else [words[hit]]
        self._anchor = (page.index, float(words.index(chosen[0])))
        self._set_selection(selection_of(chosen))

    def _dragged(self, event: QMouseEvent) -> bool:
        press = self._press
        return press is not None and (event.position() - press).manhattanLength() > CLICK_SLOP

    def _extend_to(self, point: QPointF) -> None:
        """Select from the anchor caret to the caret at a scene point, drawn at once."""
        if self._anchor is not None:
            words = words_between(self._words, self._anchor, self._caret(point))
            self._set_selection(selection_of(words))

    def _caret(self, point: QPointF) -> Caret:
        """The reading-order caret for a scene point; a point off the pages counts on the
        nearest page (above the text of the page below a gap, past it above)."""
        page = self._page_near(point)
        if page is None:
            return (0, -0.5)
        local = point - page.pos()
        return caret_at(self._words(page.index), page.index, local.x(), local.y())

    def _page_near(self, point: QPointF) -> PageItem | None:
        def distance(page: PageItem) -> float:
            rect = page.sceneBoundingRect()
            return max(rect.top() - point.y(), 0.0, point.y() - rect.bottom())

        return min(self._pages, key=distance, default=None)

    def _click(self, position: QPointF) -> None:
        """A click without a drag clears the selection."""
        if not self._selection.empty:
            self.clear_selection()
