"""A letter's words as one searchable text whose every character maps back to a word box.

Fields are found with regular expressions over reading-order text, then their provenance is the
boxes of the words under the match: rules stay readable and evidence comes for free.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from imr_desk.pdf_source import Word

SAME_LINE_TOLERANCE: Final = 3.0
PAGE_NUMBER = re.compile(r"^(?:Page\s+\d+(?:\s+of\s+\d+)?|-\s*\d+\s*-|\d{1,3})$", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """Words that share a baseline on one page, left to right."""

    page: int
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0


def group_lines(words: Iterable[Word]) -> list[Line]:
    """Visual lines in reading order: by page, then top to bottom, then left to right.

    Grouping by baseline (not PyMuPDF's blocks) keeps a two-column header row on one line.
    """
    by_page: dict[int, list[Word]] = {}
    for word in words:
        by_page.setdefault(word.page, []).append(word)
    lines: list[Line] = []
    for page in sorted(by_page):
        lines.extend(_page_lines(page, by_page[page]))
    return lines


def _page_lines(page: int, words: list[Word]) -> list[Line]:
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.y1, w.x0)):
        if rows and abs(rows[-1][-1].y1 - word.y1) <= SAME_LINE_TOLERANCE:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [Line(page, tuple(sorted(row, key=lambda w: w.x0))) for row in rows]


def drop_furniture(lines: Sequence[Line], page_heights: Sequence[float]) -> list[Line]:
    """Remove page numbers and running headers/footers, which must never enter a value."""
    repeated = _repeated_margin_lines(lines, page_heights)
    return [
        line
        for line in lines
        if not (_in_margin(line, page_heights) and PAGE_NUMBER.match(line.text))
        and line.text not in repeated
    ]


def _in_margin(line: Line, page_heights: Sequence[float]) -> bool:
    height = page_heights[line.page] if line.page < len(page_heights) else 792.0
    return line.y1 < 60 or line.y0 > height - 72


def _repeated_margin_lines(lines: Sequence[Line], page_heights: Sequence[float]) -> set[str]:
    pages_by_text: dict[str, set[int]] = {}
    for line in lines:
        if _in_margin(line, page_heights):
            key = re.sub(r"\d+", "#", line.text)
            pages_by_text.setdefault(key, set()).add(line.page)
    page_count = len({line.page for line in lines})
    if page_count < 2:
        return set()
    keys = {k for k, pages in pages_by_text.items() if len(pages) >= max(2, page_count - 1)}
    return {
        line.text
        for line in lines
        if _in_margin(line, page_heights) and re.sub(r"\d+", "#", line.text) in keys
    }


class TextStream:
    """Reading-order text of a letter: lines joined by newlines, words by single spaces."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = list(lines)
        parts: list[str] = []
        self._starts: list[int] = []
        self._words: list[Word] = []
        self.line_starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.line_starts.append(offset)
            for index, word in enumerate(line.words):
                if index:
                    parts.append(" ")
                    offset += 1
                self._starts.append(offset)
                self._words.append(word)
                parts.append(word.text)
                offset += len(word.text)
            parts.append("\n")
            offset += 1
        self.text = "".join(parts)
        self._by_page: dict[int, tuple[list[float], list[Word]]] | None = None

    def words_in(self, start: int, end: int) -> list[Word]:
        """Words overlapping the character span [start, end)."""
        if end <= start:
            return []
        first = max(0, bisect.bisect_right(self._starts, start) - 1)
        found = []
        for index in range(first, len(self._words)):
            word_start = self._starts[index]
            if word_start >= end:
                break
            if word_start + len(self._words[index].text) > start:
                found.append(self._words[index])
        return found

    def words_under(self, boxes: Iterable[dict[str, Any]]) -> list[Word]:
        """The words whose middle lies in one of ``boxes`` (provenance rectangles): what a
        value was read from, wherever its rule found it."""
        if self._by_page is None:
            self._by_page = {}
            for word in sorted(self._words, key=_middle_y):
                middles, words = self._by_page.setdefault(word.page, ([], []))
                middles.append(_middle_y(word))
                words.append(word)
        found: list[Word] = []
        for box in boxes:
            x0, y0, x1, y1 = box["rect"]
            middles, words = self._by_page.get(box["page"], ([], []))
            first, last = bisect.bisect_left(middles, y0), bisect.bisect_right(middles, y1)
            found += [w for w in words[first:last] if x0 <= (w.x0 + w.x1) / 2 <= x1]
        return found

    def boxes(self, start: int, end: int) -> list[dict[str, object]]:
        """Provenance boxes for a span: one rectangle per line it touches."""
        return boxes_of(self.words_in(start, end))

    def line_index(self, offset: int) -> int:
        """Index of the line holding a character offset."""
        return max(0, bisect.bisect_right(self.line_starts, offset) - 1)

    def line_span(self, index: int) -> tuple[int, int]:
        """Character span of a line, without its newline."""
        start = self.line_starts[index]
        end = self.line_starts[index + 1] - 1 if index + 1 < len(self.lines) else len(self.text)
        return start, end

    def page_of(self, offset: int) -> int:
        """Page index at a character offset (0 for an empty letter)."""
        return self.lines[self.line_index(offset)].page if self.lines else 0


def _middle_y(word: Word) -> float:
    return (word.y0 + word.y1) / 2


def boxes_of(words: Sequence[Word]) -> list[dict[str, object]]:
    """Merge words into one rectangle per (page, line) so highlights stay readable."""
    merged: list[list[float]] = []
    pages: list[int] = []
    for word in words:
        if (
            merged
            and pages[-1] == word.page
            and abs(merged[-1][3] - word.y1) <= SAME_LINE_TOLERANCE
        ):
            box = merged[-1]
            box[0], box[1] = min(box[0], word.x0), min(box[1], word.y0)
            box[2], box[3] = max(box[2], word.x1), max(box[3], word.y1)
        else:
            merged.append([word.x0, word.y0, word.x1, word.y1])
            pages.append(word.page)
    return [
        {"page": page, "rect": [round(v, 2) for v in box]}
        for page, box in zip(pages, merged, strict=True)
    ]


def flexible(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a phrase pattern whose spaces match any whitespace run: prose wraps anywhere."""
    return re.compile(pattern.replace(" ", r"\s+"), flags)


def skip_space(text: str, start: int, end: int | None = None) -> int:
    """The first offset from ``start`` (before ``end``) that is not whitespace."""
    stop = len(text) if end is None else end
    while start < stop and text[start].isspace():
        start += 1
    return start


def trim_space(text: str, end: int) -> int:
    """``end`` moved back over trailing whitespace, so a span stops at its last character."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end
