"""The render process: pages come back as rendered here would, a failure names its reason, and a
helper that crashes or hangs fails only the page it had and is replaced for the next one."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from imr_desk.pdf_source import PdfDocument, PdfError
from imr_desk.ui import render_process
from imr_desk.ui.render_process import STOPPED, RenderProcess


@pytest.fixture
def letter(sample_letters: Path) -> str:
    return str(sorted(sample_letters.glob("*.pdf"))[0])


@pytest.fixture
def helper() -> Iterator[RenderProcess]:
    process = RenderProcess()
    yield process
    process.close()


def crash_on_second_page(conn: Connection, memory_limit: int) -> None:
    """A helper that dies (as MuPDF crashing would) when asked for page 2."""
    while True:
        path, page, zoom, clip = conn.recv()
        if page == 1:
            os._exit(3)
        render_process.serve_one(render_process.Link(conn), PdfDocument(path), page, zoom, clip)


def never_answer(conn: Connection, memory_limit: int) -> None:
    """A helper stuck on its first page."""
    conn.recv()
    time.sleep(60)


def test_pages_come_back_as_this_process_renders_them(helper: RenderProcess, letter: str) -> None:
    document = PdfDocument(letter)
    for page, zoom in ((0, 0.97), (1, 0.97), (0, 2.0)):
        here, there = document.render(page, zoom), helper.render(letter, page, zoom)
        assert (there.width, there.height, there.stride) == (here.width, here.height, here.stride)
        assert there.samples == here.samples and there.zoom == zoom
    crop = helper.render(letter, 0, 2.0, clip=(72, 100, 172, 120))
    assert (crop.width, crop.height) == (200, 40)
    assert crop.samples == document.render(0, 2.0, (72, 100, 172, 120)).samples
    document.close()


def test_a_page_that_cannot_be_rendered_says_why(
    helper: RenderProcess, letter: str, tmp_path: Path
) -> None:
    with pytest.raises(PdfError) as failed:
        helper.render(str(tmp_path / "gone.pdf"), 0, 1.0)
    assert failed.value.reason == "no such file"
    with pytest.raises(PdfError) as failed:
        helper.render(letter, 99, 1.0)
    assert failed.value.reason.startswith(("IndexError", "ValueError"))
    assert helper.render(letter, 0, 0.5).width == round(612 * 0.5)  # the helper goes on


def test_a_helper_that_crashes_fails_that_page_and_the_next_page_gets_a_new_one(
    letter: str,
) -> None:
    helper = RenderProcess(crash_on_second_page)
    assert helper.render(letter, 0, 0.5).width > 0
    with pytest.raises(PdfError) as failed:
        helper.render(letter, 1, 0.5)
    assert failed.value.reason == STOPPED
    assert helper.render(letter, 0, 0.5).width > 0
    helper.close()


def test_a_helper_killed_while_idle_is_replaced_without_failing_a_page(
    helper: RenderProcess, letter: str
) -> None:
    helper.render(letter, 0, 0.5)
    process = helper._process
    assert process is not None
    process.kill()
    process.join(5)
    assert helper.render(letter, 1, 0.5).width > 0
    assert helper._process is not process


def test_a_page_not_rendered_in_time_fails_and_the_helper_is_replaced(
    letter: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_process, "RENDER_SECONDS", 0.5)
    helper = RenderProcess(never_answer)
    with pytest.raises(PdfError) as failed:
        helper.render(letter, 0, 0.5)
    assert failed.value.reason == "not rendered after 0.5 s"
    assert helper._process is None
    helper.close()


def test_a_page_sent_ahead_is_the_answer_its_render_reads(
    helper: RenderProcess, letter: str
) -> None:
    document = PdfDocument(letter)
    assert helper.send_ahead(letter, 0, 0.97)
    assert not helper.send_ahead(letter, 1, 0.97)  # one request at a time
    assert helper.render(letter, 0, 0.97).samples == document.render(0, 0.97).samples
    document.close()


def test_a_page_sent_ahead_then_not_asked_for_leaves_the_answers_in_step(
    helper: RenderProcess, letter: str
) -> None:
    document = PdfDocument(letter)
    assert helper.send_ahead(letter, 0, 0.97)  # e.g. the letter changed meanwhile
    assert helper.render(letter, 1, 0.97).samples == document.render(1, 0.97).samples
    assert helper.send_ahead(str(Path(letter).with_name("gone.pdf")), 0, 0.97)
    assert helper.render(letter, 0, 0.5).samples == document.render(0, 0.5).samples
    document.close()
