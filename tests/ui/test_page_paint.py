"""A page rendered at the scale it is shown at is painted pixel for pixel: what the view shows
of the page is the rendered image itself (copied, not resampled, so as sharp as rendered)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from imr_desk.pdf_source import PdfDocument
from imr_desk.ui.page_renderer import PageRenderer
from imr_desk.ui.pdf_view import PdfView

pytestmark = pytest.mark.gui


def _block(image: QImage, left: int, top: int, size: int) -> list[int]:
    return [image.pixel(left + x, top + y) for y in range(size) for x in range(size)]


def test_the_page_shows_its_rendered_pixels_unchanged(qtbot, sample_letters: Path) -> None:
    renderer = PageRenderer()
    view = PdfView(renderer)
    qtbot.addWidget(view)
    view.resize(640, 700)
    view.show()
    document = PdfDocument(sorted(sample_letters.glob("*.pdf"))[0])
    view.set_document(document.path, document.sizes, document.words)
    qtbot.waitUntil(view.is_painted, timeout=10000)
    assert view.zoom() != 1.0  # fit-width: a fractional scale, where resampling would show
    rendered = renderer.image(document.path, 0, view.render_scale())
    assert rendered is not None
    shown = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    corner = view.mapFromScene(view.page_origin(0))
    size, inside = 120, QPointF(150, 60)  # a block of the letter's heading, text on white
    matches = [
        _block(shown, corner.x() + dx + int(inside.x()), corner.y() + dy + int(inside.y()), size)
        == _block(rendered, int(inside.x()), int(inside.y()), size)
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    ]
    assert any(matches)
    assert len(set(_block(rendered, int(inside.x()), int(inside.y()), size))) > 2  # not blank
    renderer.wait_idle()
    document.close()
