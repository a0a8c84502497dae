"""How one queue row's cells look: the status dot (a padlock when another desk has the letter
open), the confidence colour, the tooltip.

Split from ``letter_queue`` so the model there stays about loading rows; everything here is a
pure function of a row (``LetterRow``-like) and, for a held letter, who holds it.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from imr_desk.domain import LOW_CONFIDENCE
from imr_desk.storage.claims import clock_time

STATUS_COLOURS: Final = {
    "parsed": "#9aa0a6",
    "in_progress": "#f9ab00",
    "verified": "#1e8e3e",
    "flagged": "#d93025",
    "skipped": "#8e24aa",
}


class Holder(Protocol):
    """Another desk's claim on a letter (``storage.claims.Claim`` fits)."""

    @property
    def reviewer(self) -> str: ...
    @property
    def until(self) -> str: ...


def held_text(holder: Holder) -> str:
    """Where a held letter is ("Open on bob's desk until 14:32"), for the queue and the form."""
    until = clock_time(holder.until)
    return f"Open on {holder.reviewer}'s desk" + (f" until {until}" if until else "")


def status_icon(status: str, *, held: bool = False) -> QIcon:
    """The status's coloured dot; a padlock of that colour when another desk holds the letter,
    so the narrow strip (status column cut to its icon) still shows it."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(STATUS_COLOURS.get(status, "#9aa0a6"))
    if held:
        painter.setPen(QPen(colour, 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(3, 0.8, 6, 7), 0, 180 * 16)  # the shackle
        painter.drawLine(3, 4, 3, 6)
        painter.drawLine(9, 4, 9, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(1.5, 5.5, 9, 6), 1.5, 1.5)  # the body
    else:
        painter.setBrush(colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def confidence_colour(confidence: float) -> QColor | None:
    """Red below one half, amber below the review threshold, the palette's text otherwise."""
    if confidence < 0.5:
        return QColor("#d93025")
    if confidence < LOW_CONFIDENCE:
        return QColor("#e37400")
    return None


def tooltip(row: Any, holder: Holder | None = None) -> str:
    """File, lowest confidence and path; first where another desk has the letter open, and a
    flagged letter's note, so either shows without opening it."""
    tip = f"{row.file_name}\nlowest field confidence {row.min_confidence:.0%}\n{row.source_path}"
    if row.status == "flagged" and row.note:
        tip = f"Flagged: {row.note}\n{tip}"
    return f"{held_text(holder)}\n{tip}" if holder is not None else tip
