"""The review window on a real X server (Xvfb, Qt's xcb platform), read back from the screen
rather than from Qt's own rendering: the page of the open letter is on the screen with its text,
and a focused field's evidence box is drawn over it. .ci/run runs this under ``xvfb-run`` with
QT_QPA_PLATFORM=xcb; offscreen (the normal test run) there is no screen to read, so it skips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QImage

from imr_desk.ui.page_items import FOCUS_PEN, PageItem

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def real_x(qapp) -> None:
    if qapp.platformName() != "xcb":
        pytest.skip(
            f"needs a real X server (platform {qapp.platformName()!r}): .ci/run runs it with"
            " QT_QPA_PLATFORM=xcb under xvfb-run"
        )


def _paper_on_screen(window) -> QRect:
    """The first page's paper as it sits on the screen, clipped to the page view."""
    view = window.pdf_view
    page = next(i for i in view.scene().items() if isinstance(i, PageItem) and i.index == 0)
    on_view = view.mapFromScene(page.sceneBoundingRect()).boundingRect()
    visible = on_view.intersected(view.viewport().rect()).adjusted(2, 2, -2, -2)
    return QRect(view.viewport().mapToGlobal(visible.topLeft()), visible.size())


def _screen_pixels(area: QRect) -> list[tuple[int, int, int]]:
    """The X server's pixels in ``area`` (global coordinates), grabbed from the root window."""
    screen = QGuiApplication.primaryScreen()
    shot = screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
    image = shot.toImage().convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())[: image.sizeInBytes()]
    return list(zip(data[2::4], data[1::4], data[0::4], strict=True))


def _shares(pixels: list[tuple[int, int, int]]) -> tuple[float, float]:
    """The share of white (paper) and of dark (ink) pixels."""
    white = sum(1 for p in pixels if min(p) >= 245)
    dark = sum(1 for p in pixels if max(p) <= 160)
    return white / len(pixels), dark / len(pixels)


def _distance(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> int:
    return max(abs(a - b) for a, b in zip(pixel, colour, strict=True))


def _on_screen(qtbot, window, condition) -> list[tuple[int, int, int]]:
    """The paper's pixels once ``condition`` holds for them (the X server paints after Qt)."""
    shot: list[list[tuple[int, int, int]]] = [[]]

    def painted() -> bool:
        shot[0] = _screen_pixels(_paper_on_screen(window))
        return condition(shot[0])

    qtbot.waitUntil(painted, timeout=10000)
    return shot[0]


def test_the_open_letter_is_painted_on_the_x_screen(qtbot, window) -> None:
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.pdf_view.is_painted, timeout=10000)
    area = _paper_on_screen(window)
    assert area.width() > 150 and area.height() > 150, f"page shown at {area}"

    def paper_with_text(pixels: list[tuple[int, int, int]]) -> bool:
        white, dark = _shares(pixels)
        return white > 0.6 and 0.005 < dark < 0.2

    pixels = _on_screen(qtbot, window, paper_with_text)
    white, dark = _shares(pixels)
    print(f"page on screen {area.width()}x{area.height()}: {white:.1%} paper, {dark:.2%} ink")


def test_a_focused_fields_evidence_is_drawn_on_the_x_screen(qtbot, window, review) -> None:
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.pdf_view.is_painted, timeout=10000)
    path = "letter.case_number"
    assert window.pdf_view.evidence_rect(path) is not None, "the sample letter has its box"
    window.form.focus_field(path)
    qtbot.waitUntil(lambda: bool(window.pdf_view.highlighted_rects()))
    qtbot.waitUntil(window.pdf_view.is_painted, timeout=10000)
    pen = (FOCUS_PEN.red(), FOCUS_PEN.green(), FOCUS_PEN.blue())

    def outlined(pixels: list[tuple[int, int, int]]) -> bool:
        """Whether the box's orange outline is on the screen (a few dozen pixels at least)."""
        return sum(1 for p in pixels if _distance(p, pen) <= 12) > 40

    _on_screen(qtbot, window, outlined)
