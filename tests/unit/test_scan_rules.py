"""The rules that make OCR words fit for the parser (imr_desk.parsing.ocr), on made-up words.

Everything here is synthetic: words with boxes as Tesseract would give them, no OCR run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from imr_desk.ocr_engine import tsv_words
from imr_desk.parser import parse
from imr_desk.parsing import ocr, states
from imr_desk.parsing.items import PARAGRAPH_GAP
from imr_desk.parsing.text import group_lines
from imr_desk.pdf_source import PdfText, Word

SURE = 0.96


def word(text: str, x0: float, y0: float = 100.0, *, height: float = 8.0, **kw: Any) -> Word:
    """An OCR word: ink box ``height`` tall from ``y0``, 6 pt per character."""
    return Word(0, x0, y0, x0 + 6 * len(text), y0 + height, text, **{"confidence": SURE, **kw})


def repaired(text: str) -> str:
    return ocr.repair_token(word(text, 72)).text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("0l/1O/2O19", "01/10/2019"),  # l and O for 1 and 0 in a date that exists
        ("(l1-22-16),", "(11-22-16),"),  # punctuation around the date is kept
        ("CMl6-O2l3O37", "CM16-0213037"),  # a case number's digits, its CM kept
        ("LS-S1.", "L5-S1."),  # spine segments: S for 5 where a level must be
        ("L4-LS", "L4-L5"),
        ("CS-6", "C5-6"),
        ("|", "1"),  # a lone bar is never printed: a misread 1 or a table rule
        ('(""Tapering', '("Tapering'),  # a doubled quote mark
        ("[V", "IV"),  # a capital I read as a bracket
    ],
)
def test_look_alikes_are_repaired_where_the_result_has_the_format(read: str, meant: str) -> None:
    assert repaired(read) == meant


@pytest.mark.parametrize(
    "read",
    [
        "l3/1O/2019",  # would be month 13: no date, so left as read
        "02/3O/2016",  # 30 February does not exist
        "CMl6-O2l3O3",  # one digit short of a case number
        "SOIL",  # no digit: an ordinary word
        "Oil",
        "L1-LS5",  # no spine level can be read from LS5
        "L5-L4",  # upper level below the lower one
        "LS",  # alone it may be the lumbosacral spine
        "[Redacted",  # a bracketed word, not an I
        "10/13/2016",  # already valid
    ],
)
def test_tokens_without_a_valid_repair_are_left_as_read(read: str) -> None:
    assert repaired(read) == read


def test_a_repaired_word_is_less_sure() -> None:
    fixed = ocr.repair_token(word("0l/1O/2O19", 72))
    assert fixed.confidence <= ocr.REPAIRED < SURE
    assert ocr.repair_token(word("today", 72)).confidence == SURE


def texts(words: list[Word]) -> list[str]:
    return [w.text for w in words]


def test_a_split_date_is_joined_only_when_close_and_valid_together() -> None:
    split = [word("on", 72), word("1", 90), word("1-9-2016.", 98.5)]
    assert texts(ocr.tidy(split, [0])) == ["on", "11-9-2016."]
    far = [word("on", 72), word("1", 90), word("1-9-2016.", 110)]
    assert texts(ocr.tidy(far, [0])) == ["on", "1", "1-9-2016."]
    dose = [word("take", 72), word("1", 100), word("1/2", 108), word("tablet", 130)]
    assert texts(ocr.tidy(dose, [0])) == ["take", "1", "1/2", "tablet"]
    two_dates = [word("10/13/2016", 72), word("11/03/2016", 134)]
    assert texts(ocr.tidy(two_dates, [0])) == ["10/13/2016", "11/03/2016"]


def test_noisy_ink_boxes_of_one_printed_row_share_one_line() -> None:
    # Two table rows as Tesseract boxed them, each cell its own OCR block: a tall table rule
    # before a value, a label whose descenders reach lower than the value beside it (centred
    # in a two-line cell), and the label's second line 13.8 pt below.
    rows = [
        word("Date:", 300, 121.7, height=8.3, block=1, line=1),
        word("|", 340, 120.2, height=13.4, block=2, line=2),
        word("11/03/2016", 350, 121.7, height=8.3, block=3, line=3),
        word("Application", 300, 133.2, height=13.3, block=1, line=4),
        word("11/03/2016", 420, 135.0, height=8.3, block=3, line=5),
        word("Received:", 300, 147.6, height=8.3, block=1, line=6),
    ]
    lines = group_lines(ocr.tidy(rows, [0]))
    assert [line.text for line in lines] == [
        "Date: 1 11/03/2016",
        "Application 11/03/2016",
        "Received:",
    ]
    assert all(len({(w.y0, w.y1) for w in line.words}) == 1 for line in lines)
    assert len(group_lines(rows)) == 5  # the raw boxes' bottoms split both rows


def test_a_skewed_ocr_line_stays_one_line() -> None:
    slope = [word(f"w{i}", 72 + 30 * i, 100 + 0.8 * i, line=7) for i in range(12)]
    assert len(group_lines(ocr.tidy(slope, [0]))) == 1


def test_lines_of_a_paragraph_show_no_paragraph_gap_and_a_paragraph_break_does() -> None:
    # Ink 8.3 pt tall, lines 13.8 pt apart; a new paragraph 27.6 pt below. As ink boxes, every
    # line would be a paragraph of its own (5.5 pt of white between 8.3 pt lines).
    lines = [word("one", 72, 100, line=1, height=8.3), word("two", 72, 113.8, line=2, height=8.3)]
    lines.append(word("three", 72, 141.4, line=3, height=8.3))
    rows = group_lines(ocr.tidy(lines, [0]))
    height = rows[1].y1 - rows[1].y0
    assert rows[1].y0 - rows[0].y1 < PARAGRAPH_GAP * height < rows[2].y0 - rows[1].y1
    assert PARAGRAPH_GAP * 8.3 < 113.8 - 108.3


def test_text_layer_words_pass_through_unchanged() -> None:
    printed = [Word(0, 72, 100, 90, 112, "l0/13/2016"), Word(1, 72, 100, 76, 112, "|")]
    assert ocr.tidy(printed, []) == printed
    assert ocr.tidy(printed, [1])[0] is printed[0]


def test_value_confidence_falls_with_doubtful_words() -> None:
    assert ocr.value_confidence([Word(0, 0, 0, 1, 1, "typed")]) == 1.0
    sure = ocr.value_confidence([word("a", 0), word("b", 9)])
    doubtful = ocr.value_confidence([word("a", 0), word("b", 9, confidence=0.4)])
    assert doubtful < 0.6 < 0.99 < sure < 1.0
    long_text = ocr.value_confidence([word("w", i) for i in range(300)])
    assert long_text < sure


def test_misread_licence_states_are_put_right_only_when_one_state_is_close() -> None:
    assert states.known_states(["Jowa", "Montana"]) == (["Iowa", "Montana"], states.CORRECTED)
    assert states.known_states(["Nw York"]) == (["New York"], states.CORRECTED)
    assert states.known_states(["California"]) == (["California"], 1.0)
    assert states.known_states(["Dakota"]) == (["Dakota"], 1.0)  # North or South: unknown


def header_pdf(words: list[Word], *, ocr_pages: tuple[int, ...]) -> PdfText:
    return PdfText("scan.pdf", "0" * 64, 1, tuple(words), ((612.0, 792.0),), False, ocr_pages)


def header_words(states_text: str, *, confidence: float) -> list[Word]:
    """A layout-B header and credentials line, as OCR might read them."""
    rows = [
        ["Case", "Number:", "CMl6-O2l3O37"],
        ["Decision", "Date:", "12/O9/2016", "UR", "Denial", "Date:", "|", "11/03/2016"],
        ["Priority:", "|", "Standard"],
        ["State(s)", "of", "Licensure:", states_text],
    ]
    words = []
    for index, row in enumerate(rows):
        x = 72.0
        for text in row:
            words.append(word(text, x, 100 + 13.8 * index, line=index, confidence=confidence))
            x += 6 * len(text) + 4
    return words


def test_ocr_header_values_are_read_in_their_fields_format() -> None:
    record = parse(header_pdf(header_words("Jowa", confidence=SURE), ocr_pages=(0,)))
    letter = record["letter"]
    assert letter["case_number"] == "CM16-0213037"
    assert letter["decision_date"] == "2016-12-09"
    assert letter["ur_denial_date"] == "2016-11-03"
    assert letter["priority"] == "standard"
    assert letter["reviewer_license_states"] == ["Iowa"]
    confidence = {p["field"]: p["confidence"] for p in record["provenance"]}
    assert confidence["letter.case_number"] < confidence["letter.ur_denial_date"]
    assert confidence["letter.reviewer_license_states"] < 0.95


def test_a_text_layer_keeps_its_misprints() -> None:
    record = parse(header_pdf(header_words("Jowa", confidence=1.0), ocr_pages=()))
    assert record["letter"]["reviewer_license_states"] == ["Jowa"]
    assert record["letter"]["case_number"] == "CMl6-O2l3O37"
    assert record["letter"]["decision_date"] is None


def test_doubtful_ocr_words_lower_the_values_confidence() -> None:
    sure = parse(header_pdf(header_words("Iowa", confidence=SURE), ocr_pages=(0,)))
    unsure_words = [
        w if w.text != "11/03/2016" else replace(w, confidence=0.45)
        for w in header_words("Iowa", confidence=SURE)
    ]
    unsure = parse(header_pdf(unsure_words, ocr_pages=(0,)))
    assert unsure["letter"]["ur_denial_date"] == sure["letter"]["ur_denial_date"]

    def of(record: dict) -> float:
        return next(
            p["confidence"] for p in record["provenance"] if p["field"] == "letter.ur_denial_date"
        )

    assert of(unsure) < 0.6 < of(sure)


def test_tesseract_tsv_becomes_words_in_points() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
    tsv = "\n".join(
        [
            header + "\tconf\ttext",
            "4\t1\t2\t1\t1\t0\t200\t300\t500\t25\t-1\t",
            "5\t1\t2\t1\t1\t1\t200\t300\t100\t25\t96.5\tDecision",
            "5\t1\t2\t1\t1\t2\t310\t300\t60\t25\t91\tDate:",
            "5\t1\t2\t1\t2\t1\t200\t340\t40\t25\t95\t ",
            "5\t1\t3\t1\t1\t1\t600\t300\t150\t25\t42.0\t12/09/2016",
        ]
    )
    words = [Word(2, *w) for w in tsv_words(tsv, 72 / 200)]
    assert [w.text for w in words] == ["Decision", "Date:", "12/09/2016"]
    assert words[0].rect == pytest.approx((72.0, 108.0, 108.0, 117.0))
    assert [w.confidence for w in words] == pytest.approx([0.965, 0.91, 0.42])
    assert words[0].line == words[1].line != words[2].line
    assert (words[0].block, words[2].block) == (2, 3)
