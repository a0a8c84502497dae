"""Tesseract, run as the ``tesseract`` command on page images that ``pdf_source`` renders.

The command (not PyMuPDF's built-in OCR) because it gives each word's confidence, so a value
read from doubtful words can say so, and because pages then run side by side: one process a
page, as many at once as there are cores, each held to one thread. Word boxes come back in
points; nothing here knows of PDFs.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from imr_desk.domain import expand_ligatures

LANGUAGE: Final = "eng"
TIMEOUT: Final = 120.0  # seconds for one page; a letter's page takes one or two
# A word as read: x0, y0, x1, y1 (points, origin top left), text, block, line, confidence 0-1.
OcrWord = tuple[float, float, float, float, str, int, int, float]
_log = logging.getLogger(__name__)


@functools.cache
def tesseract_available() -> bool:
    """Whether OCR can run here: the ``tesseract`` command with its English model."""
    if shutil.which("tesseract") is None:
        return False
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return LANGUAGE in listed.stdout.decode("utf-8", "replace").split()


def read_pages(images: Sequence[tuple[int, int, bytes]]) -> dict[int, list[OcrWord] | None]:
    """The words of each (page index, dpi, PNG) image, by page index; None for a page the
    command failed on. Pages run in parallel, as many as there are cores."""
    if not images:
        return {}
    with ThreadPoolExecutor(max_workers=min(len(images), os.cpu_count() or 1)) as pool:
        read = list(pool.map(lambda image: _read_page(*image), images))
    return {index: words for (index, _, _), words in zip(images, read, strict=True)}


def _read_page(index: int, dpi: int, png: bytes) -> list[OcrWord] | None:
    command = [shutil.which("tesseract") or "tesseract", "stdin", "stdout", "--dpi", str(dpi)]
    command += ["-l", LANGUAGE, "tsv"]
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # pages already run side by side
    try:
        done = subprocess.run(
            command, input=png, capture_output=True, timeout=TIMEOUT, env=environment
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _log.warning("OCR of page %d failed: %s", index + 1, exc)
        return None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()[-300:]
        _log.warning("OCR of page %d failed (exit %d): %s", index + 1, done.returncode, reason)
        return None
    return tsv_words(done.stdout.decode("utf-8", "replace"), 72 / dpi)


def tsv_words(tsv: str, scale: float) -> list[OcrWord]:
    """Words from Tesseract's TSV output (pixels times ``scale`` gives points). A word's block
    is Tesseract's block and its line numbers the lines across the page, so the words of one
    OCR line share both."""
    words: list[OcrWord] = []
    lines: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (float(v) * scale for v in cells[6:10])
        line = lines.setdefault((cells[2], cells[3], cells[4]), len(lines))
        confidence = min(1.0, max(0.0, float(cells[10]) / 100))
        text = expand_ligatures(cells[11].strip())
        words.append((left, top, left + width, top + height, text, int(cells[2]), line, confidence))
    return words
