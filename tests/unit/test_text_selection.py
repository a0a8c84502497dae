"""Selecting words on a page: which words count, and how their boxes become provenance."""

from __future__ import annotations

from imr_desk.pdf_source import Word
from imr_desk.ui.text_selection import (
    caret_at,
    line_of,
    selection_of,
    word_at,
    words_between,
    words_in_rect,
)

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


# Two lines of block 1 on page 0 ("Case Number: CM16-0213037" / "Date of birth"), one on page 1.
LINES = (
    Word(0, 72, 90, 100, 104, "Case", 1, 0),
    Word(0, 102, 90, 146, 104, "Number:", 1, 0),
    Word(0, 180, 90, 255, 104, "CM16-0213037", 1, 0),
    Word(0, 72, 110, 100, 124, "Date", 1, 1),
    Word(0, 104, 110, 116, 124, "of", 1, 1),
    Word(0, 120, 110, 150, 124, "birth", 1, 1),
)
NEXT_PAGE = (Word(1, 72, 60, 120, 74, "Decision", 0, 0), Word(1, 124, 60, 160, 74, "upheld", 0, 0))


def _pages(page: int) -> tuple[Word, ...]:
    return (LINES, NEXT_PAGE)[page]


def _texts(words) -> list[str]:
    return [w.text for w in words]


def test_a_drag_along_one_line_selects_the_words_between_the_points() -> None:
    start, end = caret_at(LINES, 0, 110, 97), caret_at(LINES, 0, 200, 97)
    assert _texts(words_between(_pages, start, end)) == ["Number:", "CM16-0213037"]
    backwards = words_between(_pages, end, start)  # right to left selects the same words
    assert _texts(backwards) == ["Number:", "CM16-0213037"]


def test_points_in_gaps_take_the_word_after_the_press_and_before_the_release() -> None:
    start = caret_at(LINES, 0, 160, 97)  # between "Number:" and the case number
    end = caret_at(LINES, 0, 118, 117)  # between "of" and "birth"
    assert _texts(words_between(_pages, start, end)) == ["CM16-0213037", "Date", "of"]


def test_a_drag_across_lines_takes_the_end_of_one_and_the_start_of_the_next() -> None:
    start, end = caret_at(LINES, 0, 200, 97), caret_at(LINES, 0, 108, 117)
    assert _texts(words_between(_pages, start, end)) == ["CM16-0213037", "Date", "of"]


def test_a_drag_across_pages_follows_the_reading_order() -> None:
    start, end = caret_at(LINES, 0, 130, 117), caret_at(NEXT_PAGE, 1, 100, 67)
    assert _texts(words_between(_pages, start, end)) == ["birth", "Decision"]


def test_points_above_below_and_between_lines_snap_to_line_starts_and_the_page_end() -> None:
    assert caret_at(LINES, 0, 300, 20) == (0, -0.5)  # above the text: before the first word
    assert caret_at(LINES, 0, 300, 106) == (0, 2.5)  # between the lines: before "Date"
    assert caret_at(LINES, 0, 10, 500) == (0, 5.5)  # below the text: after the last word
    assert caret_at(LINES, 0, 400, 97) == (0, 2.5)  # right of a line: after its last word
    assert words_between(_pages, (0, 2.5), (0, 2.5)) == []


def test_word_and_line_at_a_point() -> None:
    assert word_at(LINES, 110, 117) == 4
    assert word_at(LINES, 170, 97) is None
    assert _texts(line_of(LINES, 4)) == ["Date", "of", "birth"]
