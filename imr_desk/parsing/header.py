"""The labelled header table: labels paired with their values by position on the page.

PyMuPDF's plain text gives the two-column table column by column, so reading order would pair
"Date Assigned:" with the wrong date; pairing by the label's row and x-extent does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from imr_desk.parsing.text import Line
from imr_desk.pdf_source import Word

# Label words as printed -> field name. "Application" / "Received:" is one label over two lines.
HEADER_LABELS: Final[dict[tuple[str, ...], str]] = {
    ("Case", "Number:"): "case_number",
    ("Claim", "Number:"): "claim_number",
    ("Date", "Assigned:"): "date_assigned",
    ("Date", "of", "Injury:"): "injury_date",
    ("Decision", "Date:"): "decision_date",
    ("UR", "Denial", "Date:"): "ur_denial_date",
    ("Date", "of", "UR", "Decision:"): "ur_denial_date",
    ("Priority:",): "priority",
    ("Application", "Received:"): "application_received",
    ("Application",): "application_received",
    ("Final", "Determination:"): "final_determination",
    ("Dated:",): "decision_date",
}
MAX_HEADER_VALUE_WORDS: Final = 6
# Longest label first, indexed by its first word, so a line is scanned once.
_LABELS_BY_FIRST_WORD: Final[dict[str, list[tuple[str, ...]]]] = {}
for _words in sorted(HEADER_LABELS, key=len, reverse=True):
    _LABELS_BY_FIRST_WORD.setdefault(_words[0], []).append(_words)


@dataclass(frozen=True)
class HeaderValue:
    """A label's value as printed, with the words it was read from."""

    field: str
    text: str
    words: tuple[Word, ...]
    label_words: tuple[Word, ...]


@dataclass(frozen=True)
class _Label:
    field: str
    start: int
    end: int


def read_header(lines: Sequence[Line], *, max_lines: int = 60) -> dict[str, HeaderValue]:
    """Values of the header labels found in the first lines of a page; the first label wins."""
    found: dict[str, HeaderValue] = {}
    for line in lines[:max_lines]:
        labels = _labels_on(line)
        for position, label in enumerate(labels):
            stop = labels[position + 1].start if position + 1 < len(labels) else len(line.words)
            value_words = line.words[label.end : stop][:MAX_HEADER_VALUE_WORDS]
            if not value_words or label.field in found:
                continue
            text = " ".join(w.text for w in value_words)
            found[label.field] = HeaderValue(
                label.field, text, tuple(value_words), line.words[label.start : label.end]
            )
    return found


def _labels_on(line: Line) -> list[_Label]:
    texts = [w.text for w in line.words]
    labels: list[_Label] = []
    index = 0
    while index < len(texts):
        match = _label_at(texts, index)
        if match is None:
            index += 1
            continue
        labels.append(match)
        index = match.end
    return labels


def _label_at(texts: list[str], index: int) -> _Label | None:
    for words in _LABELS_BY_FIRST_WORD.get(texts[index], ()):
        if tuple(texts[index : index + len(words)]) == words:
            return _Label(HEADER_LABELS[words], index, index + len(words))
    return None
