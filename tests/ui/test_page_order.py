"""The renderer renders pages in the order a letter needs them: the pages a new letter shows
(asked for as urgent) before the others, each kind in the order asked, whatever the thread
pool does with priorities when it hands a job to an idle thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from imr_desk.ui import page_renderer
from imr_desk.ui.page_renderer import PageRenderer

pytestmark = pytest.mark.gui


def test_urgent_pages_first_then_the_others_each_in_the_order_asked(
    qtbot, sample_letters: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(sorted(sample_letters.glob("*.pdf"))[0])
    order: list[int] = []
    first_started, release = threading.Event(), threading.Event()

    def render(path: str, page: int, scale: float) -> QImage:
        order.append(page)
        if page == 9:  # hold the worker until every other page is asked for
            first_started.set()
            release.wait(10)
        image = QImage(4, 4, QImage.Format.Format_RGB32)
        image.fill(0xFFFFFF)
        return image

    monkeypatch.setattr(page_renderer, "render_image", render)
    renderer = PageRenderer()
    renderer.request(path, 9, 1.0)
    assert first_started.wait(10)
    renderer.request(path, 3, 1.0)
    renderer.request(path, 0, 1.0, urgent=True)
    renderer.request(path, 2, 1.0)
    renderer.request(path, 1, 1.0, urgent=True)
    release.set()
    assert renderer.wait_idle()
    assert order == [9, 0, 1, 3, 2]
    qtbot.waitUntil(lambda: all(renderer.image(path, p, 1.0) for p in (9, 0, 1, 3, 2)))


def test_pages_dropped_for_another_letter_are_not_rendered(
    qtbot, sample_letters: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(sorted(sample_letters.glob("*.pdf"))[0])
    order: list[int] = []
    first_started, release = threading.Event(), threading.Event()

    def render(path: str, page: int, scale: float) -> QImage:
        order.append(page)
        if page == 9:
            first_started.set()
            release.wait(10)
        return QImage(4, 4, QImage.Format.Format_RGB32)

    monkeypatch.setattr(page_renderer, "render_image", render)
    renderer = PageRenderer()
    renderer.request(path, 9, 1.0)
    assert first_started.wait(10)
    renderer.request(path, 1, 1.0)
    renderer.drop_queued()
    renderer.request(path, 0, 1.0, urgent=True)
    release.set()
    assert renderer.wait_idle()
    assert order == [9, 0]
