"""Issue 12, item 2: focusing a field shows its evidence above the form, cropped from the PDF
at reading size (at least 150 %), and says how many more boxes a field has."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from imr_desk.ui.evidence_strip import CROP_SCALE, page_boxes

pytestmark = pytest.mark.gui


def _box_size(box: dict) -> tuple[float, float]:
    x0, y0, x1, y1 = box["rect"]
    return x1 - x0, y1 - y0


def test_focusing_a_field_shows_a_crop_of_its_evidence_at_reading_size(
    qtbot, window, review
) -> None:
    strip, path = window.evidence_strip, "letter.case_number"
    box = review.session.boxes(path)[0]
    window.form.focus_field(path)
    qtbot.waitUntil(strip.isVisible)
    width, height = _box_size(box)
    crop = strip.crop_size()
    assert crop.width() >= 1.5 * width and crop.height() >= 1.5 * height
    assert CROP_SCALE >= 1.5
    assert "more" not in strip.caption.text() and f"page {box['page'] + 1}" in strip.caption.text()
    assert window.pdf_view.highlighted_rects(), "the page no longer shows the evidence"


def test_a_field_without_evidence_hides_the_strip(qtbot, window, review) -> None:
    session = review.session
    bare = next(p for p in window.form.all_rows() if not session.boxes(p))
    window.form.focus_field("letter.case_number")
    qtbot.waitUntil(window.evidence_strip.isVisible)
    window.form.focus_field(bare)
    qtbot.waitUntil(lambda: not window.evidence_strip.isVisible())
    assert window.evidence_strip.crop_size().isEmpty()


def test_multi_box_evidence_shows_the_first_and_says_how_many_more(qtbot, window, review) -> None:
    path = "letter.case_number"
    first = review.session.boxes(path)[0]
    others = [{"page": 0, "rect": [72, 600, 300, 614]}, {"page": 1, "rect": [72, 100, 400, 130]}]
    window.pdf_view.set_evidence({path: [first, *others]})
    window.pdf_view.show_evidence(path)
    window.show_focused_evidence()
    strip = window.evidence_strip
    assert strip.isVisible() and "+2 more boxes" in strip.caption.text()
    width, _height = _box_size(first)
    assert strip.crop_size().width() >= 1.5 * width


def test_scene_boxes_map_back_to_their_pages() -> None:
    origins = [(0.0, 0.0), (0.0, 806.0)]
    boxes = page_boxes([QRectF(72, 100, 50, 10), QRectF(72, 906, 50, 10)], origins)
    assert [b.page for b in boxes] == [0, 1]
    assert boxes[1].rect == QRectF(72, 100, 50, 10)


def test_a_wide_box_fits_the_strip_but_stays_at_least_150_percent(qtbot, window) -> None:
    path = "letter.case_number"
    window.pdf_view.set_evidence({path: [{"page": 0, "rect": [40, 300, 572, 314]}]})
    window.pdf_view.show_evidence(path)
    window.show_focused_evidence()
    strip = window.evidence_strip
    crop = strip.crop_size()
    assert strip.isVisible() and crop.width() >= 1.5 * (572 - 40)
    assert crop.width() <= 2.0 * (572 - 40 + 8) and crop.height() >= 1.5 * 14
