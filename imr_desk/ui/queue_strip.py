"""QueueFitter: the letter queue collapses to a narrow strip of case numbers and status.

The queue view itself knows nothing of docks; this fits its columns and filter row to the
width the reviewer leaves it, so the page can have the room.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QStyle

from imr_desk.ui.letter_queue import LetterQueueView

STATUS_DOT: Final = 28
"""The status column narrowed to its coloured dot, in the queue's narrow strip."""
HIDDEN_FIRST: Final = (3, 2, 4)
"""Queue columns dropped as it narrows: layout, outcome, then confidence."""


class QueueFitter(QObject):
    """Narrows the queue to a strip of case numbers and status dots: as its dock shrinks,
    the filter row and the layout, outcome and confidence columns go, then the status text."""

    def __init__(self, queue: LetterQueueView) -> None:
        super().__init__(queue)
        self.queue = queue
        table = queue.table
        self.case_width = table.fontMetrics().horizontalAdvance("CM00-0000000") + 24
        self.widths = {column: table.columnWidth(column) for column in range(1, 5)}
        self.filters = (queue.status, queue.outcome, queue.layout_filter, queue.low_confidence)
        self.filters_width = sum(w.minimumSizeHint().width() + 4 for w in self.filters[:3])
        bar = queue.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.chrome = 12 + 4 + bar  # the view's margins, the table's frame, its scroll bar
        queue.setMinimumWidth(self.case_width + STATUS_DOT + self.chrome)
        queue.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.queue and event.type() == QEvent.Type.Resize:
            self.fit(self.queue.width())
        return False

    def fit(self, width: int) -> None:
        """Show what fits in ``width`` pixels, most useful columns first."""
        table, room = self.queue.table, width - self.chrome - self.case_width
        for widget in self.filters:
            widget.setVisible(width - 12 >= self.filters_width)
        status = self.widths[1] if room >= self.widths[1] else STATUS_DOT
        table.setColumnWidth(1, status)
        room -= status
        shown = [c for c in (4, 2, 3) if c in self.widths]
        for column in HIDDEN_FIRST:
            total = sum(self.widths[c] for c in shown)
            if total > room:
                shown.remove(column)
        for column in HIDDEN_FIRST:
            table.setColumnHidden(column, column not in shown)
            if column in shown:
                table.setColumnWidth(column, self.widths[column])
