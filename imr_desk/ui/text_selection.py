"""Turning a dragged rectangle on a page into text and provenance boxes. No Qt.

Kept apart from the view so the rules (which words count, how boxes merge) are tested on
plain ``pdf_source.Word`` values, and so selected text reads exactly like the parser's text for
the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from imr_desk.domain import normalise_text
from imr_desk.pdf_source import Word


@dataclass(frozen=True)
class Selection:
    """Selected words as one text plus one box per printed line (the new provenance)."""

    text: str
    boxes: list[dict]

    @property
    def empty(self) -> bool:
        return not self.text


EMPTY_SELECTION = Selection("", [])


def words_in_rect(words: Sequence[Word], rect: tuple[float, float, float, float]) -> list[Word]:
    """Words whose box overlaps the rectangle by at least half of its height and some width,
    in the page's reading order (the order PyMuPDF returns them)."""
    x0, y0, x1, y1 = rect
    chosen = []
    for word in words:
        overlap_y = min(y1, word.y1) - max(y0, word.y0)
        overlap_x = min(x1, word.x1) - max(x0, word.x0)
        if overlap_x > 0 and overlap_y >= 0.5 * (word.y1 - word.y0):
            chosen.append(word)
    return chosen


def selection_of(words: Sequence[Word]) -> Selection:
    """Join words into text (normalised like parsed values) and merge boxes per line."""
    if not words:
        return EMPTY_SELECTION
    text = normalise_text(" ".join(word.text for word in words)) or ""
    lines: dict[tuple[int, int, int], list[float]] = {}
    for word in words:
        key = (word.page, word.block, word.line)
        box = lines.get(key)
        if box is None:
            lines[key] = [word.x0, word.y0, word.x1, word.y1]
        else:
            box[:] = [
                min(box[0], word.x0),
                min(box[1], word.y0),
                max(box[2], word.x1),
                max(box[3], word.y1),
            ]
    boxes = [
        {"page": page, "rect": [round(v, 2) for v in rect]} for (page, _, _), rect in lines.items()
    ]
    return Selection(text, boxes)
