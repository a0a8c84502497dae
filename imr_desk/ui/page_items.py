"""The items a ``PdfView`` scene holds: a page's paper and image, and an evidence highlight.

Kept apart from the view so each module stays small; the view places them in PDF points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

EVIDENCE_PEN: Final = QColor(230, 160, 0, 70)
FOCUS_FILL: Final = QColor(255, 200, 0, 90)
FOCUS_PEN: Final = QColor(214, 120, 0)
SELECTION_FILL: Final = QColor(40, 120, 255, 70)
EVIDENCE_QPEN: Final = QPen(EVIDENCE_PEN, 1)
FOCUS_QPEN: Final = QPen(FOCUS_PEN, 2)
FOCUS_BRUSH: Final = QBrush(FOCUS_FILL)
NO_BRUSH: Final = QBrush(Qt.BrushStyle.NoBrush)
SELECTION_BRUSH: Final = QBrush(SELECTION_FILL)
PAPER: Final = QColor(255, 255, 255)
NO_PEN: Final = QPen(Qt.PenStyle.NoPen)
PAGE_EDGE: Final = QPen(QColor(0, 0, 0, 70), 0)
PROBLEM_PEN: Final = QPen(QColor(160, 30, 30))
PROBLEM_MARGIN: Final = 48.0
PROBLEM_POINT_SIZE: Final = 14


class PageItem(QGraphicsItem):
    """One page: white paper with its rendered image, asked for at the view's current scale,
    or the reason it could not be rendered (``problem``) written on the paper."""

    def __init__(
        self,
        index: int,
        size: tuple[float, float],
        source: Callable[[int], QImage | None],
        problem: Callable[[int], str | None],
    ) -> None:
        super().__init__()
        self.index = index
        self._rect = QRectF(0, 0, size[0], size[1])
        self._source = source
        self._problem = problem
        self.setCursor(Qt.CursorShape.IBeamCursor)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        image: QImage | None = self._source(self.index)
        if image is None:
            painter.fillRect(self._rect, PAPER)
            self._paint_problem(painter)
        elif not self._copy_image(painter, image):
            painter.fillRect(self._rect, PAPER)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self._rect, image)
        painter.setPen(PAGE_EDGE)
        painter.drawRect(self._rect)

    def _copy_image(self, painter: QPainter, image: QImage) -> bool:
        """Draw an image rendered at the scale the page is shown at (the usual case) pixel for
        pixel, at the device pixel nearest the page's corner: a copy, 4x cheaper than the
        resampling that fitting it to the page's fractional size would be, and as sharp as
        rendered. False (nothing drawn) when the image is at another scale or the view turns."""
        transform = painter.combinedTransform()
        ratio = painter.device().devicePixelRatioF()
        scale = transform.m11() * ratio
        if (
            transform.type().value > QTransform.TransformationType.TxScale.value
            or abs(image.width() - self._rect.width() * scale) > 1
            or abs(image.height() - self._rect.height() * transform.m22() * ratio) > 1
        ):
            return False
        corner = transform.map(self._rect.topLeft())
        painter.save()
        painter.resetTransform()
        left, top = round(corner.x() * ratio) / ratio, round(corner.y() * ratio) / ratio
        painter.drawImage(QRectF(left, top, image.width() / ratio, image.height() / ratio), image)
        painter.restore()
        return True

    def _paint_problem(self, painter: QPainter) -> None:
        text = self._problem(self.index)
        if text is None:
            return
        font = painter.font()
        font.setPointSize(PROBLEM_POINT_SIZE)
        painter.setFont(font)
        painter.setPen(PROBLEM_PEN)
        area = self._rect.adjusted(PROBLEM_MARGIN, PROBLEM_MARGIN, -PROBLEM_MARGIN, -PROBLEM_MARGIN)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)


class EvidenceItem(QGraphicsRectItem):
    """A box where the parser read a field's value; clicking it focuses that field."""

    def __init__(self, rect: QRectF, path: str) -> None:
        super().__init__(rect)
        self.path = path
        self.setZValue(2)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(path)
        self.set_focused(False)

    def set_focused(self, focused: bool, colour: QColor | None = None) -> None:
        """Highlight the box (in ``colour`` when given, else the focus colour) or make it faint."""
        self.focused = focused
        # Explicit QBrush/QPen objects: implicit enum-to-QBrush conversion in a hot loop has
        # crashed PySide6 6.12 (refcount error), so nothing is converted implicitly here.
        if focused and colour is not None:
            fill = QColor(colour)
            fill.setAlpha(FOCUS_FILL.alpha())
            self.setPen(QPen(QColor(colour), FOCUS_QPEN.widthF()))
            self.setBrush(QBrush(fill))
        else:
            self.setPen(FOCUS_QPEN if focused else EVIDENCE_QPEN)
            self.setBrush(FOCUS_BRUSH if focused else NO_BRUSH)
        self.setZValue(3 if focused else 2)
