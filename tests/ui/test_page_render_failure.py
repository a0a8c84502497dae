"""A page that cannot be rendered says so on the page, is logged, and is not retried at every
paint; the other pages show as usual."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from imr_desk import logs
from imr_desk.pdf_source import PdfDocument
from imr_desk.ui import page_renderer
from imr_desk.ui.page_renderer import PageRenderer
from imr_desk.ui.pdf_view import PdfView

pytestmark = pytest.mark.gui

DAMAGE = "code=2: cannot parse content stream"


@pytest.fixture(autouse=True)
def _log_set_up(logging_to_file: Path) -> None:
    """The log file set up, as every command does."""


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pages asked of the renderer; page 2 (index 1) raises as a damaged page does."""
    asked: list[int] = []
    real_render = page_renderer.render_image

    def render(path: str, page: int, scale: float) -> QImage:
        asked.append(page)
        if page == 1:
            raise RuntimeError(DAMAGE)
        return real_render(path, page, scale)

    monkeypatch.setattr(page_renderer, "render_image", render)
    return asked


@pytest.fixture
def view(qtbot, sample_letters: Path) -> Iterator[PdfView]:
    renderer = PageRenderer()
    widget = PdfView(renderer)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    yield widget
    renderer.wait_idle()


def show_first_letter(view: PdfView, sample_letters: Path) -> PdfDocument:
    document = PdfDocument(next(sample_letters.glob("*.pdf")))
    view.set_document(document.path, document.sizes, document.words)
    return document


def red_pixels(view: PdfView) -> int:
    """How many pixels of the view are drawn in the message's dark red (pages are black on
    white, the background grey)."""
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())[: image.sizeInBytes()]
    blue, green, red = data[0::4], data[1::4], data[2::4]
    return sum(1 for r, g, b in zip(red, green, blue, strict=True) if r > 110 and r > 2 * g + 20)


def test_a_page_that_fails_to_render_says_so_and_is_logged(
    qtbot, view: PdfView, sample_letters: Path, renders: list[int], log_dir: Path
) -> None:
    document = show_first_letter(view, sample_letters)
    assert view.page_count() >= 2
    qtbot.waitUntil(view.is_painted)  # the first page is shown and the view laid out
    view.go_to_page(1)
    assert view.current_page() == 1
    qtbot.waitUntil(lambda: view.page_error(1) is not None)
    assert view.page_error(1) == f"Page 2 could not be shown: RuntimeError: {DAMAGE}"
    qtbot.waitUntil(view.is_painted)  # the message counts as the page's picture
    assert view.page_error(0) is None
    assert red_pixels(view) > 50  # the message is written on the page
    text = (log_dir / logs.LOG_FILE).read_text(encoding="utf-8")
    assert f"page 2 of {document.path} could not be rendered" in text
    assert "Traceback (most recent call last)" in text and f"RuntimeError: {DAMAGE}" in text
    document.close()


def test_a_failed_page_is_not_asked_for_again_until_the_letter_is_shown_again(
    qtbot, view: PdfView, sample_letters: Path, renders: list[int]
) -> None:
    document = show_first_letter(view, sample_letters)
    view.go_to_page(1)
    qtbot.waitUntil(lambda: view.page_error(1) is not None)
    tries = renders.count(1)
    view.viewport().repaint()
    view.zoom_in()
    view.viewport().repaint()
    qtbot.waitUntil(view.is_painted)
    assert renders.count(1) == tries
    view.set_document(document.path, document.sizes, document.words)
    assert view.page_error(1) is None
    view.go_to_page(1)
    qtbot.waitUntil(lambda: view.page_error(1) is not None)
    assert renders.count(1) > tries
    document.close()
