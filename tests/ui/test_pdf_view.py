"""The page view on its own: continuous pages, zoom, sharp rendering scale, page display."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr_desk.pdf_source import PdfDocument
from imr_desk.ui.page_renderer import PageRenderer
from imr_desk.ui.pdf_view import PdfView

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot, sample_letters: Path):
    renderer = PageRenderer()
    widget = PdfView(renderer)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    document = PdfDocument(next(sample_letters.glob("*.pdf")))
    widget.set_document(document.path, document.sizes, document.words)
    yield widget
    renderer.wait_idle()
    document.close()


def test_pages_render_at_zoom_times_device_pixel_ratio(qtbot, view: PdfView) -> None:
    assert view.render_scale() == pytest.approx(view.zoom() * view.devicePixelRatioF(), abs=1e-3)
    qtbot.waitUntil(view.is_painted)
    before = view.render_scale()
    view.zoom_in()
    assert view.render_scale() == pytest.approx(before * 1.25, abs=1e-2)
    qtbot.waitUntil(view.is_painted)


def test_scrolling_reports_the_page_number(qtbot, view: PdfView) -> None:
    assert view.page_count() >= 2
    with qtbot.waitSignal(view.page_changed) as changed:
        view.go_to_page(1)
    assert changed.args == [1, view.page_count()]
    assert view.current_page() == 1


def test_fit_width_and_fit_page_choose_different_zooms(view: PdfView) -> None:
    view.fit_width()
    width_zoom = view.zoom()
    view.fit_page()
    assert view.zoom() < width_zoom
    view.set_zoom(100)
    assert view.zoom() == 6.0


def test_select_rect_returns_text_and_one_box_per_line(view: PdfView) -> None:
    selection = view.select_rect(0, (0, 0, 612, 140))
    assert "Case Number" in selection.text or "MAXIMUS" in selection.text
    pages = {box["page"] for box in selection.boxes}
    assert pages == {0} and len(selection.boxes) >= 2


def test_opening_a_letter_renders_no_page_on_the_ui_thread(
    qtbot, sample_letters: Path, monkeypatch
) -> None:
    import threading

    from imr_desk.ui import page_renderer

    threads: list[bool] = []
    real = page_renderer.render_image

    def recording(path: str, page: int, scale: float):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(path, page, scale)

    monkeypatch.setattr(page_renderer, "render_image", recording)
    renderer = PageRenderer()
    widget = PdfView(renderer)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    document = PdfDocument(sorted(sample_letters.glob("*.pdf"))[1])
    widget.set_document(document.path, document.sizes, document.words)
    assert not widget.is_painted()  # blank paper until the worker's pixels land
    with qtbot.waitSignal(widget.page_painted, timeout=10000):
        pass
    assert widget.is_painted() and threads and not any(threads)
    renderer.wait_idle()
    document.close()
