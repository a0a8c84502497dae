"""PdfView: the letter's pages in one continuous scroll, with evidence highlights (text selection
is its base, ``page_selection.SelectingView``).

Scene coordinates are PDF points (pages stacked top to bottom), so parser boxes map onto the
scene without conversion and zoom is only the view's transform. Pages are rendered at
zoom × device pixel ratio by the ``PageRenderer`` and drawn 1:1 onto device pixels (sharp).
A page that cannot be rendered says so on its paper, never stays silently blank.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from imr_desk.pdf_source import Word
from imr_desk.ui.page_items import (
    EvidenceItem,
    PageItem,
)
from imr_desk.ui.page_renderer import PageRenderer
from imr_desk.ui.page_selection import SelectingView

PAGE_GAP: Final = 14.0
ZOOM_STEP: Final = 1.25
ZOOM_RANGE: Final = (0.25, 6.0)


class PdfView(SelectingView):
    """Continuous page view; emits intents, never touches the record itself."""

    evidence_clicked = Signal(str)
    zoom_changed = Signal(float)
    page_changed = Signal(int, int)
    page_painted = Signal()

    def __init__(self, renderer: PageRenderer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer = renderer
        self._renderer.page_rendered.connect(self._on_renderer_page_rendered)
        self._renderer.render_failed.connect(self._on_renderer_render_failed)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(self.palette().color(self.backgroundRole()).darker(115))
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._path: str | None = None
        self._last_images: dict[int, QImage] = {}
        self._evidence: list[EvidenceItem] = []
        self._zoom = 1.0
        self._fit: str | None = "width"
        self._current_page = 0

    # --- document --------------------------------------------------------------------------

    def set_document(
        self,
        path: str | None,
        sizes: Sequence[tuple[float, float]] = (),
        words: Callable[[int], Sequence[Word]] | None = None,
    ) -> None:
        """Show a letter (or nothing); keeps the zoom mode, scrolls to the top left."""
        scene = self.scene()
        scene.clear()
        self._pages, self._evidence = [], []
        self._forget_selection()
        self._last_images.clear()
        self._path = path
        self._words = words or (lambda _page: ())
        width = max((w for w, _ in sizes), default=0.0)
        y = 0.0
        for index, size in enumerate(sizes):
            page = PageItem(index, size, self._image_for, self.page_error)
            page.setPos((width - size[0]) / 2, y)
            scene.addItem(page)
            self._pages.append(page)
            y += size[1] + PAGE_GAP
        scene.setSceneRect(QRectF(-PAGE_GAP, -PAGE_GAP, width + 2 * PAGE_GAP, y + PAGE_GAP))
        self._apply_fit()
        self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
        # A zoomed-in reviewer scrolled right on the last letter starts this one at its left.
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())
        self._renderer.drop_queued()
        if path and self._pages:
            # Off the UI thread like every page: the paper shows (blank, or a cached image at
            # another scale) until the pixels land, a few tens of ms later. Every page in view
            # is asked for now, not at the first paint, so the renders overlap the form filling.
            for page in self._visible_pages() or self._pages[:1]:
                self._renderer.request(path, page.index, self.render_scale(), urgent=True)
        self._current_page = -1
        self._on_scrolled()

    def page_count(self) -> int:
        return len(self._pages)

    def document_path(self) -> str | None:
        """The letter shown (None when none is)."""
        return self._path

    def current_page(self) -> int:
        return max(self._current_page, 0)

    def render_scale(self) -> float:
        """Pixels per point the pages are rendered at: zoom times the screen's pixel ratio."""
        return round(self._zoom * self.devicePixelRatioF(), 3)

    def is_painted(self) -> bool:
        """Whether every visible page has its image at the current scale, or shows why it
        cannot have one."""
        scale, path = self.render_scale(), self._path
        return all(
            (path is not None and self._renderer.image(path, p.index, scale) is not None)
            or self.page_error(p.index) is not None
            for p in self._visible_pages()
        )

    def page_error(self, index: int) -> str | None:
        """What the page says instead of its image when it could not be rendered, or None."""
        reason = self._renderer.failure(self._path, index) if self._path else None
        return None if reason is None else f"Page {index + 1} could not be shown: {reason}"

    def _image_for(self, index: int) -> QImage | None:
        if self._path is None:
            return None
        scale = self.render_scale()
        image = self._renderer.image(self._path, index, scale)
        if image is None:
            self._renderer.request(self._path, index, scale)
            return self._last_images.get(index) or self._renderer.any_scale(self._path, index)
        self._last_images[index] = image
        return image

    def _on_renderer_page_rendered(self, path: str, index: int, scale: float) -> None:
        if scale == self.render_scale():
            self._repaint(path, index)

    def _on_renderer_render_failed(self, path: str, index: int, _reason: str) -> None:
        self._repaint(path, index)  # the reason is drawn on the page (``page_error``)

    def _repaint(self, path: str, index: int) -> None:
        if path == self._path and index < len(self._pages):
            self._pages[index].update()
            if self.is_painted():
                self.page_painted.emit()

    def _visible_pages(self) -> list[PageItem]:
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        return [p for p in self._pages if p.sceneBoundingRect().intersects(area)]

    # --- zoom and pages --------------------------------------------------------------------

    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float, *, fit: str | None = None) -> None:
        """Zoom to a factor (1.0 = 72 dpi at the screen's logical size)."""
        low, high = ZOOM_RANGE
        self._zoom = min(max(zoom, low), high)
        self._fit = fit
        self.setTransform(self.transform().fromScale(self._zoom, self._zoom))
        self.zoom_changed.emit(self._zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    def fit_width(self) -> None:
        self._fit = "width"
        self._apply_fit()

    def fit_page(self) -> None:
        self._fit = "page"
        page = self.current_page()
        self._apply_fit()
        self.go_to_page(page)

    def _apply_fit(self) -> None:
        if not self._pages or self._fit is None:
            return
        width = max(p.boundingRect().width() for p in self._pages) + 2 * PAGE_GAP
        height = max(p.boundingRect().height() for p in self._pages) + 2 * PAGE_GAP
        bar = self.verticalScrollBar().sizeHint().width()
        available = self.viewport().width() - (bar if self._fit == "page" else 0)
        zoom = available / width
        if self._fit == "page":
            zoom = min(zoom, self.viewport().height() / height)
        self.set_zoom(zoom, fit=self._fit)

    def go_to_page(self, index: int) -> None:
        if 0 <= index < len(self._pages):
            top = self._pages[index].sceneBoundingRect().top() - PAGE_GAP / 2
            self.verticalScrollBar().setValue(int(top * self._zoom))

    def _on_scrolled(self, _value: int = 0) -> None:
        centre = self.mapToScene(self.viewport().rect().center()).y()
        page = next(
            (p.index for p in self._pages if p.sceneBoundingRect().bottom() + PAGE_GAP >= centre),
            len(self._pages) - 1,
        )
        if page != self._current_page:
            self._current_page = page
            self.page_changed.emit(max(page, 0), len(self._pages))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_in() if event.angleDelta().y() > 0 else self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    # --- evidence --------------------------------------------------------------------------

    def set_evidence(self, evidence: dict[str, list[dict]]) -> None:
        """Draw every field's boxes faintly, so a click on a value finds its field."""
        for item in self._evidence:
            self.scene().removeItem(item)
        self._evidence = [
            EvidenceItem(rect, path)
            for path, boxes in evidence.items()
            for rect in self._scene_rects(boxes)
        ]
        for item in self._evidence:
            self.scene().addItem(item)

    def show_evidence(self, path: str | None) -> None:
        """Highlight one field's boxes strongly and scroll them into view."""
        for item in self._evidence:
            item.set_focused(item.path == path)
        self._scroll_to([item for item in self._evidence if item.path == path])

    def show_evidence_colours(self, colours: Mapping[str, QColor]) -> None:
        """Highlight several fields' boxes at once, each path in its own colour, and scroll
        them into view: adjudication shows where review A and review B read one field."""
        for item in self._evidence:
            item.set_focused(item.path in colours, colours.get(item.path))
        self._scroll_to([item for item in self._evidence if item.path in colours])

    def _scroll_to(self, items: list[EvidenceItem]) -> None:
        if items:
            area = items[0].sceneBoundingRect()
            for item in items[1:]:
                area = area.united(item.sceneBoundingRect())
            self.ensureVisible(area, 40, 60)

    def page_origin(self, index: int) -> QPointF:
        """Where a page's top-left corner sits in scene coordinates."""
        return self._pages[index].pos()

    def highlighted_rects(self) -> list[QRectF]:
        """Scene rectangles currently highlighted as the focused field's evidence."""
        return [item.mapRectToScene(item.rect()) for item in self._evidence if item.focused]

    def evidence_rect(self, path: str) -> QRectF | None:
        """Where (in scene coordinates) a field's first box is drawn, if anywhere."""
        return next((i.rect() for i in self._evidence if i.path == path), None)

    def _click(self, position: QPointF) -> None:
        """A click without a drag: on a field's evidence it focuses the field."""
        hit = next((i for i in self.items(position.toPoint()) if isinstance(i, EvidenceItem)), None)
        if hit is not None:
            self.evidence_clicked.emit(hit.path)
        else:
            super()._click(position)
