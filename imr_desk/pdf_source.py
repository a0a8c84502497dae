"""PDF reading: the only module that imports PyMuPDF.

Returns plain dataclasses (words with boxes, rendered pixels) so the parser and the UI never
hold PyMuPDF objects, and every failure becomes one ``PdfError`` with a reason a person can read.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pymupdf

from imr_desk.domain import expand_ligatures
from imr_desk.ocr_engine import read_pages, tesseract_available
from imr_desk.regular_files import NotRegularFileError, open_regular_file

MIN_WORDS_FOR_TEXT_LAYER: Final = 3
OCR_DPI: Final = 300
# A page is rendered for OCR at OCR_DPI, lowered so that the render stays within OCR_MAX_PIXELS
# (a US Letter page at 300 dpi is 8.4 megapixels; a 4000-point page would be 278 and take
# gigabytes). Below OCR_MIN_DPI a letter's 10-12 pt print is too small for Tesseract to read,
# so such a page is reported as over-size instead of rendered.
OCR_MAX_PIXELS: Final = 25_000_000
OCR_MIN_DPI: Final = 150
# Within that, at most OCR_SCAN_DPI: Tesseract reads 10-12 pt print best at 200 dpi, better than
# at 250 or 300 and faster, whatever the scan's own resolution (python -m imr_desk.bench_scans).
OCR_SCAN_DPI: Final = 200
OUT_OF_MEMORY: Final = "too large: reading it needs more memory than a letter may use"


class _Stderr:
    """Where MuPDF's own messages ("MuPDF error: ...") go: stderr, looked up at each write
    (a windowed app may have none). PyMuPDF's default is stdout, which must carry only the
    program's output (``parse --json``: one JSON record per line)."""

    def write(self, text: str) -> None:
        if sys.stderr is not None:
            sys.stderr.write(text)

    def flush(self) -> None:
        if sys.stderr is not None:
            sys.stderr.flush()


pymupdf.set_messages(stream=_Stderr())


class PdfError(Exception):
    """A file that cannot be read as a letter; ``reason`` says why in plain words."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Word:
    """One word as printed: page index, box in PDF points (origin top left), text."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    block: int = 0
    line: int = 0
    confidence: float = 1.0  # 1 from a text layer; by OCR, Tesseract's confidence (0 to 1)

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class PdfText:
    """Everything the parser needs from one PDF."""

    file_name: str
    sha256: str
    pages: int
    words: tuple[Word, ...]
    page_sizes: tuple[tuple[float, float], ...] = ()
    needs_ocr: bool = False
    ocr_pages: tuple[int, ...] = field(default=())
    repaired: bool = False  # MuPDF had to rebuild the file: truncated or corrupt


@dataclass(frozen=True)
class RenderedPage:
    """Pixels of one page (RGB888), ready for a QImage, plus the scale used."""

    samples: bytes | bytearray  # a bytearray when received from another process
    width: int
    height: int
    stride: int
    zoom: float


def sha256_bytes(data: bytes) -> str:
    """The letter's identity: SHA-256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()


def open_document(path: str | os.PathLike[str], data: bytes | None = None) -> pymupdf.Document:
    """Open a PDF (empty-password encryption included) or raise PdfError saying why not."""
    if data is None:
        data = _read_bytes(path)
    if not data:
        raise PdfError(path, "the file is empty (0 bytes)")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise PdfError(path, "not a PDF file (no %PDF header)")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise PdfError(path, f"damaged PDF that cannot be opened ({exc})") from None
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise PdfError(path, "the PDF is protected by a password")
    if doc.page_count == 0:
        doc.close()
        raise PdfError(path, "the PDF has no pages (truncated or damaged)")
    return doc


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        with open_regular_file(path) as handle:
            return handle.read()
    except FileNotFoundError:
        raise PdfError(path, "no such file") from None
    except IsADirectoryError:
        raise PdfError(path, "is a folder, not a file") from None
    except NotRegularFileError as exc:
        raise PdfError(path, str(exc.strerror)) from None
    except OSError as exc:
        raise PdfError(path, f"cannot be read ({exc.strerror})") from None


def read_pdf(path: str | os.PathLike[str], *, ocr: bool = True) -> PdfText:
    """Read a letter's words with their boxes, OCR-ing pages without a text layer if possible."""
    data = _read_bytes(path)
    doc = open_document(path, data)
    try:
        return _extract(doc, Path(path).name, sha256_bytes(data), path, ocr=ocr)
    except PdfError:
        raise
    except Exception as exc:
        if _out_of_memory(exc):  # a worker's memory limit stopped a PDF bomb
            raise PdfError(path, OUT_OF_MEMORY) from None
        raise PdfError(path, f"damaged PDF, text cannot be extracted ({exc})") from None
    finally:
        doc.close()


def _extract(
    doc: pymupdf.Document, name: str, digest: str, path: str | os.PathLike[str], *, ocr: bool
) -> PdfText:
    by_page: dict[int, list[Word]] = {}
    sizes: list[tuple[float, float]] = []
    scans: list[tuple[int, int]] = []  # (page index, resolution to OCR it at)
    oversize: list[int] = []
    needs_ocr = False
    for index, page in enumerate(doc.pages()):
        sizes.append((page.rect.width, page.rect.height))
        by_page[index] = _page_words(page, index)
        if len(by_page[index]) < MIN_WORDS_FOR_TEXT_LAYER and _has_images(page):
            dpi = ocr_dpi(page.rect.width, page.rect.height)
            if ocr and tesseract_available() and dpi is not None:
                scans.append((index, min(dpi, OCR_SCAN_DPI)))
            else:
                needs_ocr = True
                if ocr and dpi is None:
                    oversize.append(index)
    read = _ocr_pages(doc, scans)
    by_page.update(read)
    words = tuple(word for index in sorted(by_page) for word in by_page[index])
    if oversize and not words:
        # Nothing but over-size scans: no letter to review, and a likely PDF bomb.
        raise PdfError(path, oversize_reason(oversize[0], sizes[oversize[0]]))
    needs_ocr = needs_ocr or len(read) < len(scans)
    pages = (doc.page_count, words, tuple(sizes), needs_ocr, tuple(sorted(read)))
    return PdfText(name, digest, *pages, repaired=bool(doc.is_repaired))


def _page_words(page: pymupdf.Page, index: int) -> list[Word]:
    raw = page.get_text("words", sort=False)
    return [
        Word(index, w[0], w[1], w[2], w[3], expand_ligatures(w[4]), w[5], w[6])
        for w in raw
        if w[4].strip()
    ]


def _has_images(page: pymupdf.Page) -> bool:
    return bool(page.get_images(full=False))


def _ocr_pages(doc: pymupdf.Document, scans: Sequence[tuple[int, int]]) -> dict[int, list[Word]]:
    """Words of the scanned pages, rendered in turn (a document serves one thread) and read side
    by side (``ocr_engine``); a page Tesseract fails on is left out (it then needs OCR)."""
    read = read_pages([(index, dpi, _grey_png(doc[index], dpi)) for index, dpi in scans])
    return {i: [Word(i, *w) for w in words] for i, words in read.items() if words is not None}


def _grey_png(page: pymupdf.Page, dpi: int) -> bytes:
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return pixmap.tobytes("png")


def ocr_dpi(width: float, height: float) -> int | None:
    """The resolution to render a page of ``width`` x ``height`` points at for OCR: OCR_DPI,
    lowered until the render has at most OCR_MAX_PIXELS; None when that is below OCR_MIN_DPI
    (the page is over-size: its print could not be read, so it is not rendered)."""
    area = max(width, 1.0) * max(height, 1.0)  # square points: pixels at 72 dpi
    dpi = min(OCR_DPI, math.floor(72 * math.sqrt(OCR_MAX_PIXELS / area)))
    while dpi >= OCR_MIN_DPI and render_pixels(width, height, dpi) > OCR_MAX_PIXELS:
        dpi -= 1  # the render rounds each side up to whole pixels
    return dpi if dpi >= OCR_MIN_DPI else None


def render_pixels(width: float, height: float, dpi: int) -> int:
    """Pixels in a render of a page of ``width`` x ``height`` points at ``dpi``."""
    return math.ceil(width * dpi / 72) * math.ceil(height * dpi / 72)


def oversize_reason(index: int, size: tuple[float, float]) -> str:
    """Why an image-only page was not read by OCR."""
    return (
        f"page {index + 1} is a scan of {size[0]:.0f} x {size[1]:.0f} pt, too large to read by"
        f" OCR (over {OCR_MAX_PIXELS // 1_000_000} megapixels at {OCR_MIN_DPI} dpi)"
    )


def _out_of_memory(exc: Exception) -> bool:
    """MuPDF reports a failed allocation as an error whose message names malloc."""
    return isinstance(exc, MemoryError) or "malloc" in str(exc)


def bare_word_extraction(path: str | os.PathLike[str]) -> int:
    """Open a PDF and extract its words, nothing more: the benchmark's baseline."""
    return bare_open_words_render(path, 1.0, pages=0)


def bare_open_words_render(path: str | os.PathLike[str], zoom: float, pages: int = 2) -> int:
    """Open a PDF, extract every page's words and render the first ``pages`` at ``zoom``: the
    least any viewer must do to show a letter, so the app benchmark's floor. Word count."""
    words, matrix = 0, pymupdf.Matrix(zoom, zoom)
    with pymupdf.open(path) as doc:
        for index, page in enumerate(doc.pages()):
            words += len(page.get_text("words"))
            if index < pages:
                page.get_pixmap(matrix=matrix, alpha=False)
    return words


def write_scan(source: str | os.PathLike[str], target: str | os.PathLike[str], dpi: int) -> int:
    """Write ``source`` again as a scan: each page a greyscale image at ``dpi``, no text layer
    (to measure and test OCR on real layouts). Returns the number of pages."""
    with open_document(source) as doc, pymupdf.open() as scan:
        for page in doc.pages():
            copy = scan.new_page(width=page.rect.width, height=page.rect.height)
            copy.insert_image(copy.rect, stream=_grey_png(page, dpi))
        scan.save(str(target), garbage=3, deflate=True)
        return doc.page_count


Clip = tuple[float, float, float, float]


def render_page(
    path: str | os.PathLike[str],
    page_index: int,
    *,
    zoom: float = 1.0,
    doc: pymupdf.Document | None = None,
    clip: Clip | None = None,
) -> RenderedPage:
    """Render one page, or the ``clip`` rectangle of it (points), to RGB pixels at ``zoom``
    times 72 dpi: a crop is sharp at reading size without rendering the whole page so."""
    own = doc is None
    document = doc if doc is not None else open_document(path)
    try:
        page = document[page_index]
        area = None if clip is None else pymupdf.Rect(clip) & page.rect
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=area, alpha=False)
        return RenderedPage(bytes(pix.samples), pix.width, pix.height, pix.stride, zoom)
    finally:
        if own:
            document.close()


def page_sizes(path: str | os.PathLike[str]) -> list[tuple[float, float]]:
    """Width and height in points of every page, for laying out a continuous view."""
    doc = open_document(path)
    try:
        return [(p.rect.width, p.rect.height) for p in doc.pages()]
    finally:
        doc.close()


@dataclass(frozen=True, slots=True)
class PlacedText:
    """A run of text to draw at a baseline position (points, origin top left)."""

    x: float
    y: float
    text: str
    size: float = 11.0
    bold: bool = False
    sans: bool = False


def text_width(text: str, *, size: float = 11.0, bold: bool = False, sans: bool = False) -> float:
    """Width in points of ``text`` in the writer's font, for wrapping generated letters."""
    return pymupdf.get_text_length(text, fontname=_font(bold, sans), fontsize=size)


def _font(bold: bool, sans: bool = False) -> str:
    """Base-14 fonts: Times for body text, Helvetica (``sans``) for header tables."""
    if sans:
        return "hebo" if bold else "helv"
    return "tibo" if bold else "tiro"


def write_pdf(
    path: str | os.PathLike[str],
    pages: list[list[PlacedText]],
    *,
    page_size: tuple[float, float] = (612.0, 792.0),
    encrypt_empty_password: bool = False,
    title: str = "",
) -> None:
    """Write a text PDF (used to generate synthetic letters), optionally encrypted like DWC's."""
    doc = pymupdf.open()
    for runs in pages:
        page = doc.new_page(width=page_size[0], height=page_size[1])
        shape = page.new_shape()  # one content stream per page: much faster than per run
        for run in runs:
            shape.insert_text(
                (run.x, run.y), run.text, fontname=_font(run.bold, run.sans), fontsize=run.size
            )
        shape.commit()
    doc.set_metadata({"title": title, "producer": "IMR Desk sample generator"})
    options: dict[str, object] = {"garbage": 3, "deflate": True}
    if encrypt_empty_password:
        # PyMuPDF copies its PDF_* constants in from pymupdf.mupdf at import time, so its type
        # hints do not declare them: the two ignores below are for that gap only.
        options.update(
            encryption=pymupdf.PDF_ENCRYPT_AES_128,  # type: ignore[attr-defined]
            owner_pw="imr-desk-owner",
            user_pw="",
            permissions=pymupdf.PDF_PERM_PRINT,  # type: ignore[attr-defined]
        )
    doc.save(str(path), **options)
    doc.close()


class PdfDocument:
    """One letter kept open for viewing: page sizes, rendering and words for text selection.

    PyMuPDF documents are not thread-safe, so each thread that renders opens its own
    ``PdfDocument``; the object itself holds no Qt and can be closed and reopened freely.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self._doc = open_document(path)
        self.sizes: tuple[tuple[float, float], ...] = tuple(
            (page.rect.width, page.rect.height) for page in self._doc.pages()
        )
        self._words: dict[int, tuple[Word, ...]] = {}

    @property
    def page_count(self) -> int:
        return len(self.sizes)

    def render(self, page_index: int, zoom: float, clip: Clip | None = None) -> RenderedPage:
        """Pixels of one page (or its ``clip`` rectangle) at ``zoom`` times 72 dpi."""
        return render_page(self.path, page_index, zoom=zoom, doc=self._doc, clip=clip)

    def words(self, page_index: int) -> tuple[Word, ...]:
        """The page's words with boxes (cached: selection asks for them on every drag)."""
        if page_index not in self._words:
            self._words[page_index] = tuple(_page_words(self._doc[page_index], page_index))
        return self._words[page_index]

    def close(self) -> None:
        """Release the file; safe to call twice."""
        if not self._doc.is_closed:
            self._doc.close()
