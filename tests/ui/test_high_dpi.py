"""High-DPI: at a device pixel ratio of 2 the page is rendered at zoom x 2 (one image pixel per
device pixel: sharp) and the window's layout holds.

The pixel ratio comes from ``QT_SCALE_FACTOR``, which Qt reads only when the QApplication is
created, and the test run's QApplication already exists at ratio 1. So the outer test runs the
inner one in a fresh ``python -m pytest`` with ``QT_SCALE_FACTOR=2`` (offscreen); in the normal
run the inner test skips, saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from imr_desk.app import Desk
from imr_desk.ui.main_window import MainWindow
from imr_desk.ui.page_items import PageItem
from imr_desk.ui.pdf_view import PdfView

pytestmark = pytest.mark.gui

CHILD_FLAG = "IMR_DESK_HIGH_DPI_CHILD"
MARK = "HIGH_DPI_LAYOUT "
WINDOW = (1300, 850)
"""Logical pixels: at ratio 2 the window covers 2600x1700 device pixels."""
MIN_PAGE_SHARE = 0.2
"""The page view keeps at least this share of the window's width at any ratio."""
SAME_WITHIN = 3
"""Logical pixels a widget's width may differ between ratio 1 and 2 (rounding of text)."""


def _run_child(ratio: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        CHILD_FLAG: "1",
        "QT_SCALE_FACTOR": str(ratio),
        "QT_QPA_PLATFORM": "offscreen",
    }
    node = f"{Path(__file__).resolve()}::test_inner_page_and_layout_at_this_pixel_ratio"
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", node],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _layout(child: subprocess.Popen[str]) -> dict[str, int]:
    """The child's measured layout, once its inner test passed."""
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 0, output
    assert "1 passed" in output, output
    line = next(line for line in output.splitlines() if line.startswith(MARK))
    return json.loads(line.removeprefix(MARK))


def test_pages_render_sharp_and_the_layout_holds_at_pixel_ratio_2() -> None:
    """Both ratios in processes of their own (started together: each mostly waits on Qt):
    at ratio 2 the page is sharp, and every part of the window keeps the width it has at
    ratio 1, so nothing is squeezed or pushed out by the doubled pixels."""
    at_1, at_2 = _run_child(1), _run_child(2)
    layout_1, layout_2 = _layout(at_1), _layout(at_2)
    assert (layout_1["ratio"], layout_2["ratio"]) == (1, 2)
    assert layout_2["image_width"] == pytest.approx(2 * layout_2["page_width"], abs=4)
    for part in ("page_view", "form", "queue", "page_width"):
        assert abs(layout_2[part] - layout_1[part]) <= SAME_WITHIN, (part, layout_1, layout_2)


@pytest.mark.skipif(
    os.environ.get(CHILD_FLAG) != "1",
    reason="runs in its own process with QT_SCALE_FACTOR set (the test above starts it)",
)
def test_inner_page_and_layout_at_this_pixel_ratio(
    qtbot: QtBot, make_desk: Callable[..., Desk], db_path: Path
) -> None:
    ratio = int(os.environ["QT_SCALE_FACTOR"])
    desk = make_desk(db_path, reviewer="tester", import_workers=0)
    window, view = desk.window, desk.window.pdf_view
    rendered: list[tuple[str, int, float]] = []
    window.renderer.page_rendered.connect(lambda *args: rendered.append(args))
    window.resize(*WINDOW)
    window.show()
    qtbot.waitExposed(window)
    desk.review.open_first()
    qtbot.waitUntil(lambda: desk.review.session is not None and view.is_painted(), timeout=10000)

    assert window.devicePixelRatio() == ratio
    assert view.devicePixelRatio() == ratio
    page_width, image_width = _assert_first_page_is_sharp(view, rendered, ratio)
    _assert_layout_holds(window)
    layout = {
        "ratio": ratio,
        "page_view": view.width(),
        "form": window.form.width(),
        "queue": window.queue.width(),
        "page_width": page_width,
        "image_width": image_width,
    }
    print(MARK + json.dumps(layout))


def _assert_first_page_is_sharp(
    view: PdfView, rendered: list[tuple[str, int, float]], ratio: int
) -> tuple[int, int]:
    """The first page's image has ``ratio`` image pixels per logical pixel it covers on screen
    (the page's logical width and the image's pixel width are returned)."""
    assert view.render_scale() == pytest.approx(view.zoom() * ratio, abs=0.001)
    path, _index, scale = next(r for r in rendered if r[1] == 0 and r[2] == view.render_scale())
    window = view.window()
    assert isinstance(window, MainWindow)
    image = window.renderer.image(path, 0, scale)
    assert image is not None
    page = next(i for i in view.scene().items() if isinstance(i, PageItem) and i.index == 0)
    on_screen = view.mapFromScene(page.sceneBoundingRect()).boundingRect()
    # Within a pixel or two of rounding (the image and the mapped rect round separately).
    assert image.width() == pytest.approx(on_screen.width() * ratio, abs=4)
    assert image.height() == pytest.approx(on_screen.height() * ratio, abs=4)
    return on_screen.width(), image.width()


def _assert_layout_holds(window: MainWindow) -> None:
    """The page and the form keep usable widths, and nothing sticks out of the window."""
    width = window.width()
    assert window.minimumSizeHint().width() <= width
    assert window.pdf_view.width() >= MIN_PAGE_SHARE * width, window.pdf_view.width()
    assert window.form.width() >= window.form.minimumSizeHint().width()
    outside = [
        (w.objectName() or type(w).__name__, w.mapTo(window, w.rect().topRight()).x())
        for w in window.findChildren(QWidget)
        if w.isVisible() and w.window() is window
        and w.mapTo(window, w.rect().topRight()).x() >= width
    ]  # fmt: skip
    assert outside == [], f"wider than the {width} px window: {outside}"
