"""EvidenceStrip: the focused field's evidence, cropped from the page at reading size.

Most fields can be checked against this crop alone, without reading the page: it is rendered
straight from the PDF at ``CROP_SCALE`` (never an enlarged screen image, which would blur), and
a field read from several places (a rationale across pages) shows its first box and says how
many more there are, which the page view highlights.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from imr_desk.pdf_source import PdfError
from imr_desk.ui import render_process

CROP_SCALE: Final = 2.0
"""Pixels per point of the crop: 200 %, about twice the page view's fit-width zoom."""
LEAST_SCALE: Final = 1.5
"""A wide box (a line across the page) is shrunk to fit the strip, never below 150 %."""
PADDING: Final = 4.0
"""Points of page shown around the box, so the first and last letters are not cut."""
MAX_HEIGHT: Final = 180
"""The strip never takes more than this from the form; a taller crop scrolls."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EvidenceBox:
    """One box of evidence: its page and its rectangle in that page's points."""

    page: int
    rect: QRectF


def page_boxes(
    rects: Sequence[QRectF], origins: Sequence[tuple[float, float]]
) -> list[EvidenceBox]:
    """Turn scene rectangles of a continuous view back into page boxes: each belongs to the
    last page whose top is above the box's centre (pages are stacked top to bottom)."""
    boxes = []
    for rect in rects:
        page = max((i for i, (_x, y) in enumerate(origins) if y <= rect.center().y()), default=0)
        x, y = origins[page] if origins else (0.0, 0.0)
        boxes.append(EvidenceBox(page, rect.translated(-x, -y)))
    return boxes


def crop_image(path: str, box: EvidenceBox, scale: float) -> QImage:
    """The box, padded, rendered from the PDF at ``scale`` pixels per point. By the render
    process, which holds the letter open with its fonts loaded: a few ms, where opening the
    PDF here at every focused field took ten, all of them holding the UI thread."""
    area = box.rect.adjusted(-PADDING, -PADDING, PADDING, PADDING)
    rendered = render_process.shared().render(
        path, box.page, scale, (area.left(), area.top(), area.right(), area.bottom())
    )
    image = QImage(
        rendered.samples,
        rendered.width,
        rendered.height,
        rendered.stride,
        QImage.Format.Format_RGB888,
    )
    return image.copy()  # owns its bytes once ``rendered`` is gone


class EvidenceStrip(QFrame):
    """A strip above the form: the crop, its page, and how many more boxes there are."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceStrip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel()
        self.caption.setObjectName("evidenceCaption")
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.crop_area = QScrollArea()
        self.crop_area.setWidget(self.image)
        self.crop_area.setWidgetResizable(False)
        self.crop_area.setFrameShape(QFrame.Shape.NoFrame)
        self.crop_area.setMaximumHeight(MAX_HEIGHT)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(2)
        box.addWidget(self.caption)
        box.addWidget(self.crop_area)
        self._crop = QImage()
        self.hide()

    def show_evidence(self, path: str | None, boxes: Sequence[EvidenceBox]) -> None:
        """Show the first box of ``boxes`` from the PDF at ``path``; nothing to show hides."""
        if not path or not boxes:
            self.clear()
            return
        first = boxes[0]
        ratio, scale = self.devicePixelRatioF(), self.scale_for(first.rect)
        try:
            crop = crop_image(path, first, scale * ratio)
        except (PdfError, RuntimeError, ValueError, IndexError) as exc:
            _log.warning("evidence crop of %s page %d failed: %s", path, first.page + 1, exc)
            self.clear()
            return
        self._crop = crop
        pixmap = QPixmap.fromImage(crop)
        pixmap.setDevicePixelRatio(ratio)
        self.image.setPixmap(pixmap)
        self.image.resize(pixmap.deviceIndependentSize().toSize())
        self.crop_area.setFixedHeight(min(self.image.height() + 4, MAX_HEIGHT))
        self.caption.setText(_caption(first.page, len(boxes) - 1, scale))
        self.show()

    def scale_for(self, rect: QRectF) -> float:
        """``CROP_SCALE``, or less (down to ``LEAST_SCALE``) so a wide box fits the strip."""
        # The panel the strip sits in: laid out even while the strip is hidden.
        room = (self.parentWidget() or self).width() - 24
        wide = rect.width() + 2 * PADDING
        return max(LEAST_SCALE, min(CROP_SCALE, room / wide)) if room > 0 else CROP_SCALE

    def clear(self) -> None:
        self._crop = QImage()
        self.image.clear()
        self.caption.clear()
        self.hide()

    def crop_size(self) -> QSize:
        """Logical pixels the crop takes on screen (its device pixels over the pixel ratio)."""
        if self._crop.isNull():
            return QSize()
        ratio = self.devicePixelRatioF()
        return QSize(round(self._crop.width() / ratio), round(self._crop.height() / ratio))


def _caption(page: int, more: int, scale: float) -> str:
    text = f"Evidence, page {page + 1} ({scale:.0%})"
    if more:
        text += f" · +{more} more box{'es' if more > 1 else ''}"
    return text
