"""The page view on its own: continuous pages, zoom, sharp rendering scale, page display."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtWidgets import QApplication

from imr_desk.domain import normalise_text
from imr_desk.pdf_source import PdfDocument, Word
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


# --- selecting like a text editor -----------------------------------------------------------


def _lines(view: PdfView, page: int = 0) -> list[list[Word]]:
    """The page's printed lines (words in reading order) that are in view."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in view._words(page):
        lines.setdefault((word.block, word.line), []).append(word)
    area = view.mapToScene(view.viewport().rect()).boundingRect()
    origin = view.page_origin(page)
    return [
        line
        for line in lines.values()
        if area.contains(origin + QPointF(line[0].x0, line[0].y0))
        and area.contains(origin + QPointF(line[-1].x1, line[-1].y1))
    ]


def _at(view: PdfView, word: Word) -> QPoint:
    """Where the middle of a word is on the view's viewport."""
    middle = QPointF((word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)
    return view.mapFromScene(view.page_origin(word.page) + middle)


def _drag(qtbot, view: PdfView, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)


def _text(words) -> str:
    return normalise_text(" ".join(w.text for w in words)) or ""


def _consecutive_lines(view: PdfView, at_least: int = 3) -> tuple[list[Word], list[Word]]:
    """Two lines, each of a few words, that follow each other in reading order."""
    lines = _lines(view)
    return next(
        (a, b)
        for a, b in itertools.pairwise(lines)
        if len(a) >= at_least and len(b) >= at_least and b[0].y0 > a[0].y1
    )


def test_a_horizontal_drag_along_a_line_selects_its_words_between_the_points(
    qtbot, view: PdfView
) -> None:
    line = next(line for line in _lines(view) if len(line) >= 5)
    start, end = _at(view, line[1]), _at(view, line[-2])
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=_at(view, line[2]))
    assert view.selection().text == _text(line[1:3])  # drawn while dragging
    assert len(view.selected_rects()) == 1
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    selection = view.selection()
    assert selection.text == _text(line[1:-1])
    assert len(selection.boxes) == 1 and len(view.selected_rects()) == 1
    x0, _, x1, _ = selection.boxes[0]["rect"]
    assert x0 == pytest.approx(line[1].x0, abs=0.01) and x1 == pytest.approx(line[-2].x1, abs=0.01)
    _drag(qtbot, view, end, start)  # right to left: the same words
    assert view.selection().text == _text(line[1:-1])


def test_a_drag_across_two_lines_selects_the_end_of_one_and_the_start_of_the_next(
    qtbot, view: PdfView
) -> None:
    first, second = _consecutive_lines(view)
    words = list(view._words(0))
    _drag(qtbot, view, _at(view, first[-2]), _at(view, second[1]))
    expected = words[words.index(first[-2]) : words.index(second[1]) + 1]
    assert expected == first[-2:] + second[:2]
    assert view.selection().text == _text(expected)
    assert len(view.selection().boxes) == 2


def test_double_click_selects_a_word_and_triple_click_its_line(qtbot, view: PdfView) -> None:
    line = next(line for line in _lines(view) if len(line) >= 3)
    point = _at(view, line[1])
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.selection().text == _text([line[1]])
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.selection().text == _text(line)
    assert len(view.selection().boxes) == 1


def test_shift_click_extends_the_selection_to_the_clicked_word(qtbot, view: PdfView) -> None:
    first, second = _consecutive_lines(view)
    words = list(view._words(0))
    _drag(qtbot, view, _at(view, first[0]), _at(view, first[1]))
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        pos=_at(view, second[-1]),
    )
    expected = words[words.index(first[0]) : words.index(second[-1]) + 1]
    assert view.selection().text == _text(expected)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, second[0]))
    assert view.selection().empty  # a plain click clears it


def test_ctrl_c_copies_the_selected_text(qtbot, view: PdfView) -> None:
    line = next(line for line in _lines(view) if len(line) >= 3)
    _drag(qtbot, view, _at(view, line[0]), _at(view, line[-1]))
    QApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == _text(line) != ""


def test_ctrl_e_fills_the_focused_field_with_a_dragged_selection(qtbot, window, review) -> None:
    view, session = window.pdf_view, review.session
    box = session.boxes("letter.case_number")[0]
    x0, y0, x1, y1 = box["rect"]
    origin = view.page_origin(box["page"])
    window.activateWindow()  # the window's shortcuts (Ctrl+E) act in the active window only
    qtbot.waitUntil(window.isActiveWindow)
    window.form.focus_field("letter.claim_number")
    view.ensureVisible(QRectF(x0, y0, x1 - x0, y1 - y0).translated(origin))
    start = view.mapFromScene(origin + QPointF(x0 + 1, (y0 + y1) / 2))
    _drag(qtbot, view, start, view.mapFromScene(origin + QPointF(x1 - 1, (y0 + y1) / 2)))
    assert view.selection().text == session.value("letter.case_number")
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.form.value("letter.claim_number") == session.value("letter.case_number")
    assert session.boxes("letter.claim_number") == [
        {"page": box["page"], "rect": pytest.approx(box["rect"], abs=0.01)}
    ]
