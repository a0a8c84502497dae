"""Text flow for generated letters: wraps words at the right margin and breaks pages.

Lines only ever break at spaces, or just after a hyphen inside a word (``57-`` / ``year-old``),
so a value printed over several lines normalises back to exactly the value (fields.md). A word
that itself ends in a hyphen is kept on the line of the word after it, because a line ending in
a hyphen joins the next line without a space and that would change the value.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from imr_desk.pdf_source import PlacedText, text_width

PAGE_WIDTH: Final = 612.0
LEFT: Final = 72.0
RIGHT: Final = 540.0
TOP_BASELINE: Final = 84.0
BOTTOM: Final = 720.0
PITCH: Final = 13.8
BODY_SIZE: Final = 12.0


@dataclass(frozen=True, slots=True)
class Token:
    """One word to print; ``gap`` is the number of spaces before it on its line."""

    text: str
    bold: bool = False
    gap: int = 1


BREAK: Final = Token("\n")
"""A forced line break inside a paragraph (the decision word alone on the next line)."""


def words(text: str, *, bold: bool = False, gap: int = 1) -> list[Token]:
    """Tokens of a text in one style; the first keeps ``gap`` spaces before it."""
    parts = text.split()
    return [Token(w, bold, gap if i == 0 else 1) for i, w in enumerate(parts)]


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a paragraph went: its first and last page and how many lines it took."""

    first_page: int
    last_page: int
    lines: int


@dataclass
class Flow:
    """Places paragraphs down the page and starts a new page below the bottom margin."""

    size: float = BODY_SIZE
    pitch: float = PITCH
    pages: list[list[PlacedText]] = field(default_factory=lambda: [[]])
    y: float = TOP_BASELINE
    traps: Counter[str] = field(default_factory=Counter)

    @property
    def page(self) -> int:
        """Index of the page the next line goes on."""
        return len(self.pages) - 1

    def new_page(self) -> None:
        """Continue on a fresh page at the top margin."""
        self.pages.append([])
        self.y = TOP_BASELINE

    def place(
        self,
        x: float,
        text: str,
        *,
        bold: bool = False,
        sans: bool = False,
        size: float | None = None,
    ) -> None:
        """Print one run at the current baseline, without moving down (tables, headers)."""
        self.pages[-1].append(PlacedText(x, self.y, text, size or self.size, bold, sans))

    def advance(self, lines: float = 1.0) -> None:
        """Move down by ``lines`` line pitches; blank space never starts a new page by itself."""
        self.y += self.pitch * lines

    def blank(self) -> None:
        """One empty line, as letters separate paragraphs."""
        self.advance()

    def heading(self, text: str) -> None:
        """A bold centred section heading."""
        self._ensure_room()
        width = text_width(text, size=self.size, bold=True)
        self.place((PAGE_WIDTH - width) / 2, text, bold=True)
        self.advance()

    def paragraph(self, tokens: list[Token]) -> Placed:
        """Wrap tokens between the margins, line by line, breaking pages as needed."""
        lines = self._wrap(tokens)
        first = None
        for line in lines:
            self._ensure_room()
            first = self.page if first is None else first
            self._print_line(line)
            self.advance()
        return Placed(self.page if first is None else first, self.page, len(lines))

    def _ensure_room(self) -> None:
        if self.y > BOTTOM:
            self.new_page()

    def _print_line(self, line: list[Token]) -> None:
        x = LEFT
        run: list[Token] = []
        for token in line:
            if run and token.bold != run[-1].bold:
                x = self._print_run(x, run)
                run = []
            run.append(token)
        if run:
            self._print_run(x, run)

    def _print_run(self, x: float, run: list[Token]) -> float:
        text = "".join((" " * t.gap if i else "") + t.text for i, t in enumerate(run))
        lead = " " * run[0].gap if x > LEFT else ""
        x += self._width(lead, run[0].bold)
        self.place(x, text, bold=run[0].bold)
        return x + self._width(text, run[0].bold)

    def _width(self, text: str, bold: bool) -> float:
        return _cached_width(text, self.size, bold) if text else 0.0

    def _wrap(self, tokens: list[Token]) -> list[list[Token]]:
        lines: list[list[Token]] = [[]]
        used = 0.0
        for unit in _units(tokens):
            if unit[0] is BREAK:
                lines.append([])
                used = 0.0
                continue
            width = self._unit_width(unit, first=not lines[-1])
            if lines[-1] and used + width > RIGHT - LEFT:
                head, unit = self._hyphen_split(unit, RIGHT - LEFT - used)
                if head is not None:
                    lines[-1].append(head)
                lines.append([])
                used = 0.0
                width = self._unit_width(unit, first=True)
            lines[-1].extend(unit)
            used += width
        return [line for line in lines if line] or []

    def _unit_width(self, unit: list[Token], *, first: bool) -> float:
        text = "".join(
            (" " * t.gap if (i or not first) else "") + t.text for i, t in enumerate(unit)
        )
        return self._width(text, unit[0].bold)

    def _hyphen_split(self, unit: list[Token], room: float) -> tuple[Token | None, list[Token]]:
        """Break a lone hyphenated word after an inner hyphen when its head still fits."""
        word = unit[0]
        if len(unit) != 1 or "-" not in word.text.strip("-"):
            return None, unit
        for cut in range(len(word.text) - 2, 1, -1):
            if word.text[cut] != "-" or word.text[cut - 1] == "-":
                continue
            head = Token(word.text[: cut + 1], word.bold, word.gap)
            if self._unit_width([head], first=False) <= room:
                self.traps["hyphen_break"] += 1
                return head, [Token(word.text[cut + 1 :], word.bold, 1)]
        return None, unit


@functools.lru_cache(maxsize=65536)
def _cached_width(text: str, size: float, bold: bool) -> float:
    """Text widths repeat a lot across letters (boilerplate), and measuring is the slow part."""
    return text_width(text, size=size, bold=bold)


def _units(tokens: list[Token]) -> list[list[Token]]:
    """Group tokens that must share a line: a word ending in ``-`` stays with the next word."""
    units: list[list[Token]] = []
    glue = False
    for token in tokens:
        if glue and token is not BREAK:
            units[-1].append(token)
        else:
            units.append([token])
        glue = token is not BREAK and token.text.endswith("-")
    return units
