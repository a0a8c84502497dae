"""Selecting words on a page: which words count, and how their boxes become provenance."""

from __future__ import annotations

from imr_desk.pdf_source import Word
from imr_desk.ui.text_selection import selection_of, words_in_rect

WORDS = (
    Word(0, 72, 90, 100, 104, "Case", 1, 0),
    Word(0, 102, 90, 146, 104, "Number:", 1, 0),
    Word(0, 180, 90, 255, 104, "CM16-0213037", 1, 1),
    Word(0, 72, 110, 120, 124, "Date", 2, 0),
)


def test_words_in_rect_needs_real_overlap_in_both_directions() -> None:
    chosen = words_in_rect(WORDS, (170, 92, 260, 102))
    assert [w.text for w in chosen] == ["CM16-0213037"]
    assert words_in_rect(WORDS, (170, 103, 260, 120)) == []


def test_selection_joins_text_and_merges_boxes_per_line() -> None:
    selection = selection_of(WORDS[:3])
    assert selection.text == "Case Number: CM16-0213037"
    assert selection.boxes == [
        {"page": 0, "rect": [72, 90, 146, 104]},
        {"page": 0, "rect": [180, 90, 255, 104]},
    ]


def test_an_empty_selection_has_no_text_and_no_boxes() -> None:
    assert selection_of([]).empty
