"""Render plain letter text to a PDF for tests: one printed line per text line."""

from __future__ import annotations

from pathlib import Path

from imr_desk.pdf_source import PlacedText, write_pdf

TOP, BOTTOM, PITCH, LEFT = 72.0, 720.0, 13.8, 72.0


def text_to_pdf(text: str, path: Path, *, size: float = 11.0) -> Path:
    """Lay the lines out top to bottom, a blank line as white space, new pages as needed."""
    pages: list[list[PlacedText]] = [[]]
    y = TOP
    for raw in text.splitlines():
        line = raw.rstrip()
        if y > BOTTOM:
            pages.append([])
            y = TOP
        if line.strip():
            centred = line.strip().isupper() and len(line.strip()) > 8
            x = 306 - len(line.strip()) * 3.2 if centred else LEFT
            pages[-1].append(PlacedText(x, y, line.strip(), size=size, bold=centred))
            y += PITCH
        else:
            y += PITCH / 2
    write_pdf(path, pages)
    return path
