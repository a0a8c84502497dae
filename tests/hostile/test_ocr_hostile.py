"""Scans too large to OCR (issue 14, item 6): a 3 KB PDF with one image-only page of 4000 x 4000
pt took 8-17 s and 3.4 GB to OCR at 300 dpi. The render is now capped by pixels, not points, and
such a page is reported instead of rendered. Every file is built here, at run time."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from imr_desk import pdf_source
from imr_desk.importer import import_paths
from imr_desk.pdf_source import (
    OCR_MAX_PIXELS,
    OUT_OF_MEMORY,
    PdfError,
    ocr_dpi,
    oversize_reason,
    read_pdf,
    render_pixels,
)
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore


def scan_pdf(path: Path, width: float, height: float) -> Path:
    """A one-page PDF holding only a tiny image stretched over the page: a few KB on disk, a
    few hundred megapixels when rendered at 300 dpi."""
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 8, 8), False)
    pixmap.clear_with(255)
    page.insert_image(page.rect, pixmap=pixmap)
    doc.save(path, deflate=True, garbage=3)
    doc.close()
    return path


@pytest.mark.parametrize(
    ("size", "dpi"),
    [((612, 792), 300), ((1224, 1584), 258), ((2000, 2000), 180), ((4000, 4000), None)],
)
def test_the_ocr_render_is_capped_by_pixels_not_points(
    size: tuple[float, float], dpi: int | None
) -> None:
    assert ocr_dpi(*size) == dpi
    if dpi is not None:
        assert render_pixels(*size, dpi) <= OCR_MAX_PIXELS


def test_an_over_size_scan_is_reported_without_being_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = scan_pdf(tmp_path / "bomb.pdf", 4000, 4000)
    assert bomb.stat().st_size < 10_000
    renders: list[Any] = []
    monkeypatch.setattr(pymupdf.Page, "get_pixmap", lambda *a, **kw: renders.append(kw))
    monkeypatch.setattr(pymupdf.Page, "get_textpage_ocr", lambda *a, **kw: renders.append(kw))
    with pytest.raises(PdfError) as raised:
        read_pdf(bomb)
    assert raised.value.reason == (
        "page 1 is a scan of 4000 x 4000 pt, too large to read by OCR"
        " (over 25 megapixels at 150 dpi)"
    )
    assert renders == []
    monkeypatch.undo()  # and for real: before the cap this took 8 s and 3.4 GB
    started = time.monotonic()
    with pytest.raises(PdfError):
        read_pdf(bomb)
    assert time.monotonic() - started < 2


def test_ocr_running_out_of_memory_fails_the_file_with_that_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What MuPDF raised under a worker's memory limit before the render was capped.
    def out_of_memory(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("code=2: malloc (833621026 bytes) failed")

    monkeypatch.setattr(pdf_source, "tesseract_available", lambda: True)
    monkeypatch.setattr(pymupdf.Page, "get_pixmap", out_of_memory)
    with pytest.raises(PdfError) as raised:
        read_pdf(scan_pdf(tmp_path / "scan.pdf", 612, 792))
    assert raised.value.reason == OUT_OF_MEMORY


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract")
def test_a_large_scan_is_ocred_at_a_lowered_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = scan_pdf(tmp_path / "large.pdf", 2000, 2000)
    asked: list[int] = []
    real_render = pymupdf.Page.get_pixmap

    def render(page: pymupdf.Page, **kw: Any) -> Any:
        asked.append(kw["dpi"])
        return real_render(page, **kw)

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", render)
    pdf = read_pdf(scan)
    assert (asked, pdf.ocr_pages) == ([180], (0,))
    assert render_pixels(2000, 2000, asked[0]) <= OCR_MAX_PIXELS


def test_importing_the_4000_pt_scan_fails_it_alone_with_the_reason(tmp_path: Path) -> None:
    # Reported with or without Tesseract: no OCR could ever read such a page.
    letters = generate_letters(tmp_path / "in", count=2, seed=6)
    scan_pdf(tmp_path / "in" / "bomb.pdf", 4000, 4000)
    with LetterStore.open(tmp_path / "letters.db") as store:
        summary = import_paths(store, [tmp_path / "in"], workers=2)
        assert store.count_letters() == len(letters)
    assert [(Path(f.path).name, f.reason) for f in summary.failed] == [
        ("bomb.pdf", oversize_reason(0, (4000, 4000)))
    ]
