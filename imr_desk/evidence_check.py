"""Evidence check: is a value a person set printed in the letter's text?

A reviewer can type anything, and a value no page states (a typo, a number from another letter)
looks as trustworthy as a read one once verified. So when a person sets a value, the app looks
for it in the letter's text and marks the field when it is not there: a warning beside the
field and a mark in the export, never a block (the letter may misprint it, or print it only
as an image).

How a value is looked for, by kind (an empty value is not checked: always "found"):

- text: the letter's text and the value normalised as fields.md says (ligatures expanded,
  whitespace runs one space, a line-end hyphen joining the next line), then compared case
  blind, with curly and straight quotes and a space after a hyphen alike (as
  ``domain.values_equal``). A word hyphenated at a line end is also found unhyphenated.
- str (case and claim numbers): the same, but not as part of a longer word or number.
- date: every date the text prints in any spelling ``dates.normalise_date`` reads
  (``01/02/2016``, ``1/2/16``, ``01-02-2016``, ``January 2, 2016``, ``Jan. 2, 2016``, ISO).
- int (the age): its digits, not inside a longer number.
- enum: by the words that print it (``DECISION_WORDS``); ``category`` is never printed, so
  it is never checked.
- list: each entry on its own; the value is found only when every entry is.

The text is the letter's words in reading order (``letter_text``), page furniture both kept
and dropped, so a value printed only in a running header and one broken by a page break are
both found. A letter without a text layer gives no text: nothing is checked there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import Any, Final

from imr_desk.dates import normalise_date
from imr_desk.domain import FieldSpec, normalise_text
from imr_desk.parsing.text import drop_furniture, group_lines
from imr_desk.pdf_source import PdfDocument, Word
from imr_desk.record import is_empty

PARTS: Final = "\x00"
"""Between the letter's text variants: never in a value and no whitespace, so no match spans
two of them."""
NEVER_CHECKED: Final = frozenset({"category"})
"""Fields a letter never prints (the reviewer decides them)."""
_WORD_PATTERNS: Final = {
    "upheld": r"\buph(?:eld|old)",
    "overturned": r"\boverturn",
    "partially_overturned": r"\bpartial",
    "standard": r"\bstandard\b",
    "expedited": r"\bexpedit",
    "male": r"\b(?:male|man|gentleman)\b",
    "female": r"\b(?:female|woman|lady)\b",
}
"""The words that print an enum value (the 2013 notice prints ``UPHOLD``/``OVERTURN``; the
summary says ``woman`` or ``gentleman`` as often as ``female``/``male``)."""
_CURLY: Final = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_LINE_END_HYPHEN: Final = re.compile(r"-[ \t]*\n\s*")
_NUMERIC_DATE: Final = re.compile(
    r"(?<!\d)\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*(?:\d{4}|\d{2})(?!\d)"
)
_WORDY_DATE: Final = re.compile(r"\b[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}(?!\d)")
_ISO_DATE: Final = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")


def found_in_text(spec: FieldSpec, value: Any, text: str) -> bool:
    """Whether ``text`` (the letter's, as ``letter_text`` gives it) prints ``value`` of the
    field ``spec``: see the module docstring for how each kind is looked for."""
    if is_empty(value) or spec.name in NEVER_CHECKED:
        return True
    if spec.kind == "list":
        return all(_found_one(spec, entry, text) for entry in value if not is_empty(entry))
    return _found_one(spec, value, text)


def not_in_letter(spec: FieldSpec, value: Any, text: str | None) -> bool:
    """Whether to mark the value: the letter has text (``None`` or blank: unknown, as for a
    letter without a text layer) and the value is not in it."""
    if text is None or not text.strip():
        return False
    return not found_in_text(spec, value, text)


def _found_one(spec: FieldSpec, value: Any, text: str) -> bool:
    if spec.kind == "date":
        return str(value) in _dates_in(text)
    if spec.kind == "int":
        return re.search(rf"(?<!\d){int(value)}(?!\d)", text) is not None
    if spec.kind == "enum" and str(value) in _WORD_PATTERNS:
        return _enum_found(str(value), _prepared(text))
    needle = _canon(str(value))
    if not needle:
        return True
    if spec.kind == "str":
        pattern = rf"(?<![^\W_]){re.escape(needle)}(?![^\W_])"
        return re.search(pattern, _prepared(text)) is not None
    return needle in _prepared(text)


def _enum_found(value: str, prepared: str) -> bool:
    """A value by its words; a partial overturn also when both decisions are printed."""
    if re.search(_WORD_PATTERNS[value], prepared):
        return True
    both = (_WORD_PATTERNS["upheld"], _WORD_PATTERNS["overturned"])
    return value == "partially_overturned" and all(re.search(p, prepared) for p in both)


def _canon(text: str) -> str:
    """Text as compared: the spec's normalisation, quotes straight, no space after a hyphen
    (``values_equal``'s leniency), case folded."""
    normal = normalise_text(text) or ""
    return re.sub(r"-\s+", "-", normal).translate(_CURLY).casefold()


@lru_cache(maxsize=4)
def _prepared(text: str) -> str:
    """The text as compared, once with line-end hyphens kept (the spec) and once dropped (a
    word hyphenated only to break the line); made once per letter, not per value."""
    unhyphenated = _LINE_END_HYPHEN.sub("", text)
    return PARTS.join(_canon(part) for part in (text, unhyphenated))


@lru_cache(maxsize=4)
def _dates_in(text: str) -> frozenset[str]:
    """Every date the text prints, as ISO, whatever its spelling."""
    normal = PARTS.join(normalise_text(part) or "" for part in text.split(PARTS))
    found: set[str | None] = set()
    for pattern in (_NUMERIC_DATE, _WORDY_DATE, _ISO_DATE):
        found.update(normalise_date(match.group()) for match in pattern.finditer(normal))
    return frozenset(day for day in found if day)


def letter_text(words: Iterable[Word], page_heights: Sequence[float]) -> str:
    """A letter's text to check values against: its lines in reading order, one a line, then
    the same without page furniture (so a value broken by a page break reads whole)."""
    lines = group_lines(words)
    kept = "\n".join(line.text for line in lines)
    plain = "\n".join(line.text for line in drop_furniture(lines, page_heights))
    return kept + PARTS + plain


def document_text(document: PdfDocument) -> Callable[[], str]:
    """The open letter's text, read from its pages the first time a value is checked (not
    when the letter opens: most letters are verified without a typed value)."""

    @cache
    def text() -> str:
        words = [word for page in range(document.page_count) for word in document.words(page)]
        return letter_text(words, [height for _width, height in document.sizes])

    return text
