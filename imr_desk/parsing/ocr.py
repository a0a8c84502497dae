"""Words read by OCR made fit for the parser's rules, and how far to doubt a value read from them.

The parser's rules were written for a text layer, where the words of a line share one box
height and dates are digits. OCR words differ in three ways, each handled here on OCR pages
only (a text layer passes through untouched):

- **Boxes** are ink boxes: a word with a descender, or touching a table rule, reaches lower than
  its neighbours, so words of one printed line no longer share a bottom edge. Lines are rebuilt
  from Tesseract's own lines (which follow a skewed scan), joined into rows where their middles
  agree (the cells of a table row), and every word of a row gets the row's height.
- **Split words**: Tesseract may read "11-9-2016" as "1 1-9-2016". Two neighbours are joined
  when, and only when, together they make a valid date or case number.
- **Look-alike characters**: ``l``/``I``/``|`` for 1, ``O`` for 0, ``S`` for 5 and so on. A token
  is repaired only when the repair gives a valid date or case number (the field's format), and a
  lone ``|`` among words stands for a 1 (a vertical rule or a misread digit; never printed).

Every change lowers the word's confidence, so a value read from it is shown as less sure.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Final

from imr_desk.dates import normalise_date
from imr_desk.pdf_source import Word

ROW_TOLERANCE: Final = 0.5  # of the page's median word height: lines closer than this are a row
# A row's ink runs from the capitals' tops to the baseline: about 0.7 of the type size. A text
# layer's line box reaches about 0.2 of it higher and 0.25 lower, so that lines of a paragraph
# (nearly) touch and only a paragraph's spacing leaves a gap; OCR rows get the same box.
INK_HEIGHT: Final = 0.7
ABOVE_INK: Final = 0.2
BELOW_INK: Final = 0.25
JOIN_GAP: Final = 0.3  # of the row's box height (about 1.15 type sizes): a space is wider
REPAIRED: Final = 0.85  # the most confidence a repaired or joined word keeps
# The share of OCR words read right, by Tesseract's word confidence (at least, share): fitted
# on scans of generated letters (never the real ones, the test set) by likelihood, taking a
# value as right when all its words are. The top step is a little below 1, so that a long
# text read by OCR is a little less sure than a short one.
WORD_TRUST: Final = ((0.9, 0.9998), (0.8, 0.993), (0.7, 0.96), (0.5, 0.88), (0.0, 0.53))
DIGIT_LOOKALIKES: Final = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1", "!": "1"}
    | {"S": "5", "s": "5", "B": "8", "Z": "2", "z": "2"}
)
DATE_TOKEN: Final = re.compile(r"\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})")
CASE_TOKEN: Final = re.compile(r"CM\d{2}-\d{7}")
# Spine segments ("L5-S1", "C4-C5", "C5-6"): each end a level that exists, the upper first.
SPINE_RANGE: Final = re.compile(r"([CTL])(\w{1,2})-([CTLS]?)(\w{1,2})")
SPINE_LEVELS: Final = {"C": 7, "T": 12, "L": 5, "S": 5}
# A capital I read as an opening bracket: "[V" for "IV" (a short run of capitals, no "]").
BRACKET_FOR_I: Final = re.compile(r"^\[(?=[A-Z]{1,3}[^A-Za-z\]]*$)")
# A token as printed: opening punctuation, the core, closing punctuation.
TOKEN: Final = re.compile(r"^([(\[\"'\u2018\u201c]*)(.*?)([)\]\"'\u2019\u201d.,;:]*)$")


def tidy(words: Sequence[Word], ocr_pages: Iterable[int]) -> list[Word]:
    """The letter's words with those of OCR pages made fit for the rules (see the module)."""
    scanned = set(ocr_pages)
    if not scanned:
        return list(words)
    tidied: list[Word] = []
    for page in sorted({w.page for w in words}):
        page_words = [w for w in words if w.page == page]
        tidied += _tidy_page(page_words) if page in scanned else page_words
    return tidied


def _tidy_page(words: list[Word]) -> list[Word]:
    tidied: list[Word] = []
    for row in rows(words):
        tidied += [repair_token(w) for w in _join_splits(row)]
    return tidied


def rows(words: Sequence[Word]) -> list[list[Word]]:
    """The page's printed rows, top to bottom, each left to right with one shared height."""
    if not words:
        return []
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.line), []).append(word)
    tolerance = ROW_TOLERANCE * statistics.median(w.y1 - w.y0 for w in words)
    grouped: list[tuple[float, list[Word]]] = []
    for line in sorted(lines.values(), key=_middle):
        if grouped and _middle(line) - grouped[-1][0] <= tolerance:
            grouped[-1][1].extend(line)
        else:
            grouped.append((_middle(line), list(line)))
    return [_level(row) for _, row in grouped]


def _middle(line: Sequence[Word]) -> float:
    return statistics.median((w.y0 + w.y1) / 2 for w in line)


def _level(row: list[Word]) -> list[Word]:
    """The row's words left to right, each with the line box a text layer would give the row."""
    top = statistics.median(w.y0 for w in row)
    bottom = statistics.median(w.y1 for w in row)
    size = (bottom - top) / INK_HEIGHT
    top, bottom = top - ABOVE_INK * size, bottom + BELOW_INK * size
    return [replace(w, y0=top, y1=bottom) for w in sorted(row, key=lambda w: w.x0)]


def _join_splits(row: list[Word]) -> list[Word]:
    joined: list[Word] = []
    for word in row:
        previous = joined[-1] if joined else None
        if previous is not None and _belong_together(previous, word):
            joined[-1] = replace(
                previous,
                x1=word.x1,
                text=previous.text + word.text,
                confidence=min(previous.confidence, word.confidence, REPAIRED),
            )
        else:
            joined.append(word)
    return joined


def _belong_together(left: Word, right: Word) -> bool:
    """Whether two neighbours are one token split by OCR: close, valid together, and not each
    valid alone, unless the left one is a lone digit or two (Tesseract splits "11" so: a number
    printed just before a date is rare, a split date common)."""
    if right.x0 - left.x1 > JOIN_GAP * (left.y1 - left.y0):
        return False
    if not (_has_digit(left.text) and _has_digit(right.text)):
        return False
    together = _digits_for_lookalikes(_core(left.text + right.text))
    if not _valid(together) or _valid(_core(left.text)):
        return False
    return not _valid(_core(right.text)) or (left.text.isdigit() and len(left.text) <= 2)


def repair_token(word: Word) -> Word:
    """The word with look-alike characters made digits where that gives a valid date, case
    number or spine segment, a lone ``|`` made 1, a doubled quote mark made one and an
    opening bracket before a few capitals made I; otherwise the word unchanged."""
    text = "1" if word.text == "|" else BRACKET_FOR_I.sub("I", word.text.replace('""', '"'))
    match = TOKEN.match(text)
    if match is not None and _has_digit(match.group(2)):
        opening, core, closing = match.groups()
        text = opening + _repaired_core(core) + closing
    if text == word.text:
        return word
    return replace(word, text=text, confidence=min(word.confidence, REPAIRED))


def _repaired_core(core: str) -> str:
    """``core`` with look-alikes made digits when only then does it have a valid format."""
    if _valid(core):
        return core
    for repaired in (_digits_for_lookalikes(core), _spine_digits(core)):
        if repaired is not None and _valid(repaired):
            return repaired
    return core


def _digits_for_lookalikes(core: str) -> str:
    """Look-alikes made digits, but a case number keeps its ``CM`` and a date its separators."""
    if core[:2].upper() == "CM":
        return "CM" + core[2:].translate(DIGIT_LOOKALIKES)
    return core.translate(DIGIT_LOOKALIKES)


def _spine_digits(core: str) -> str | None:
    """A spine segment's two level numbers with look-alikes made digits (``LS-S1``: L5-S1)."""
    match = SPINE_RANGE.fullmatch(core)
    if match is None:
        return None
    upper, lower = (match[n].translate(DIGIT_LOOKALIKES) for n in (2, 4))
    return f"{match[1]}{upper}-{match[3]}{lower}"


def _valid(core: str) -> bool:
    """Whether a token has a date's, a case number's or a spine segment's format (a date and
    a segment must also exist)."""
    if CASE_TOKEN.fullmatch(core):
        return True
    if DATE_TOKEN.fullmatch(core):
        return normalise_date(core) is not None
    match = SPINE_RANGE.fullmatch(core)
    return match is not None and _segment_exists(match[1], match[2], match[3] or match[1], match[4])


def _segment_exists(upper: str, upper_level: str, lower: str, lower_level: str) -> bool:
    """Both levels exist (C1-C7, T1-T12, L1-L5, S1-S5) and the upper one is above the lower."""
    levels = ((upper, upper_level), (lower, lower_level))
    if not all(n.isdigit() and 1 <= int(n) <= SPINE_LEVELS[region] for region, n in levels):
        return False
    return ("CTLS".index(upper), int(upper_level)) < ("CTLS".index(lower), int(lower_level))


def _core(text: str) -> str:
    match = TOKEN.match(text)
    return match.group(2) if match else text


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def value_confidence(words: Iterable[Word]) -> float:
    """How far to trust a value read by OCR, as a factor on its rule's confidence: the chance
    that every word it was read from is right (``WORD_TRUST``; a text layer's words are)."""
    return math.prod(_trust(w.confidence) for w in words)


def _trust(confidence: float) -> float:
    if confidence >= 1.0:
        return 1.0
    return next(share for least, share in WORD_TRUST if confidence >= least)
