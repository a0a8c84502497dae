"""Turning a selection on a page (a drag between two points, a word, a line, a rectangle)
into text and provenance boxes. No Qt.

Kept apart from the view so the rules (which words count, how boxes merge) are tested on
plain ``pdf_source.Word`` values, and so selected text reads exactly like the parser's text for
the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# --- selecting like a text editor ---------------------------------------------------------
#
# A caret is a place in the reading order: ``(page, position)`` where an integer position is
# "on word ``position``" and a half position lies between two words. Words between two carets
# (both ends included when the caret sits on a word) are what a press-drag-release selects,
# whichever way the mouse went. Reading order is the order ``pdf_source`` gives a page's words
# (PyMuPDF's block/line/word order), pages one after another.

Caret = tuple[int, float]
WordSource = Callable[[int], Sequence[Word]]


def caret_at(words: Sequence[Word], page: int, x: float, y: float) -> Caret:
    """The caret for a point on a page: on the word under it, else in the gap the point is in
    (inside a line by x; between lines before the next line down; past the text at the end)."""
    hit = word_at(words, x, y)
    if hit is not None:
        return (page, float(hit))
    lines = _lines(words)
    line = _line_across(words, lines, x, y)
    if line is not None:
        after = [i for i in line if (words[i].x0 + words[i].x1) / 2 > x]
        return (page, (after[0] if after else line[-1] + 1) - 0.5)
    below = [line for line in lines if min(words[i].y0 for i in line) > y]
    if not below:
        return (page, len(words) - 0.5)
    nearest = min(below, key=lambda line: (min(words[i].y0 for i in line), _x_gap(words, line, x)))
    return (page, nearest[0] - 0.5)


def word_at(words: Sequence[Word], x: float, y: float) -> int | None:
    """Index of the word whose box holds the point, if any."""
    return next((i for i, w in enumerate(words) if w.x0 <= x <= w.x1 and w.y0 <= y <= w.y1), None)


def line_of(words: Sequence[Word], index: int) -> list[Word]:
    """All words printed on the same line as word ``index``, in reading order."""
    key = (words[index].block, words[index].line)
    return [w for w in words if (w.block, w.line) == key]


def words_between(words_of: WordSource, start: Caret, end: Caret) -> list[Word]:
    """The words between two carets in reading order, pages included in between; the carets
    may come in either order (a drag up or left selects the same words as its reverse)."""
    first, last = sorted((start, end))
    chosen: list[Word] = []
    for page in range(first[0], last[0] + 1):
        words = words_of(page)
        low = first[1] if page == first[0] else -1.0
        high = last[1] if page == last[0] else float(len(words))
        chosen.extend(w for i, w in enumerate(words) if low <= i <= high)
    return chosen


def _lines(words: Sequence[Word]) -> list[list[int]]:
    """Word indices grouped by printed line, lines in reading order."""
    lines: dict[tuple[int, int], list[int]] = {}
    for index, word in enumerate(words):
        lines.setdefault((word.block, word.line), []).append(index)
    return list(lines.values())


def _line_across(
    words: Sequence[Word], lines: list[list[int]], x: float, y: float
) -> list[int] | None:
    """The line whose height spans ``y``; of several (columns), the one nearest in x."""
    across = [
        line
        for line in lines
        if min(words[i].y0 for i in line) <= y <= max(words[i].y1 for i in line)
    ]
    return min(across, key=lambda line: _x_gap(words, line, x)) if across else None


def _x_gap(words: Sequence[Word], line: list[int], x: float) -> float:
    left, right = min(words[i].x0 for i in line), max(words[i].x1 for i in line)
    return max(left - x, 0.0, x - right)
