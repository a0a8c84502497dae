"""Property tests: no text and no damaged PDF makes the parser raise anything but PdfError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS
from imr_desk.parser import parse, parse_file
from imr_desk.pdf_source import PdfError, PdfText, Word
from tests.letter_pdf import text_to_pdf

TOKENS = st.sampled_from(
    [
        "Case",
        "Number:",
        "CM16-0213037",
        "Date",
        "Assigned:",
        "11/09/2016",
        "Upheld",
        "Overturned",
        ":",
        "Claims",
        "Administrator",
        "guideline:",
        "MAXIMUS",
        "Decision",
        "rationale:",
        "CLINICAL",
        "CASE",
        "SUMMARY",
        "IMR",
        "ISSUES,",
        "DECISIONS",
        "AND",
        "RATIONALES",
        "was",
        "the",
        "original",
        "request.",
        "48",
        "year",
        "old",
        "male",
        "1.",
        "Priority:",
        "Standard",
        "Application",
        "Received:",
        "Board",
        "Certified",
        "in",
    ]
)
WORD_TEXT = st.one_of(TOKENS, st.text(min_size=1, max_size=12).filter(str.strip))


@st.composite
def word_lists(draw: st.DrawFn) -> list[Word]:
    texts = draw(st.lists(WORD_TEXT, max_size=120))
    words = []
    for index, text in enumerate(texts):
        page = draw(st.integers(0, 2))
        x = draw(st.floats(0, 600, allow_nan=False))
        y = draw(st.floats(0, 790, allow_nan=False))
        words.append(Word(page, x, y, x + 5 * len(text), y + 12, text, 0, index))
    return words


@settings(max_examples=300, deadline=None)
@given(word_lists())
def test_parse_never_raises_and_keeps_the_record_shape(words: list[Word]) -> None:
    pdf = PdfText("x.pdf", "0" * 64, 3, tuple(words), ((612.0, 792.0),) * 3)
    record = parse(pdf)
    assert "parse_error" not in record["source"], record["source"].get("parse_error")
    assert set(record["letter"]) == {f.name for f in LETTER_FIELDS}
    for item in record["items"]:
        assert set(item) == {f.name for f in ITEM_FIELDS}
    expected = len(LETTER_FIELDS) + len(ITEM_FIELDS) * len(record["items"])
    assert len(record["provenance"]) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_parse_of_arbitrary_printed_text_never_raises(text: str) -> None:
    printable = "".join(c for c in text if c.isprintable() or c == "\n")
    words = [
        Word(0, 72.0 + i, 72.0 + 14 * i, 80.0 + i, 84.0 + 14 * i, w)
        for i, w in enumerate(printable.split())
    ]
    record = parse(PdfText("t.pdf", "", 1, tuple(words), ((612.0, 792.0),)))
    assert "parse_error" not in record["source"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_pdfs_raise_only_pdf_error(tmp_path: Path, data: st.DataObject) -> None:
    source = tmp_path / "source.pdf"
    if not source.exists():
        text_to_pdf("Case Number: CM16-0000001\nIMR ISSUES, DECISIONS AND RATIONALES\n", source)
    raw = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 40))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(bytes(raw[:cut]))
    try:
        record = parse_file(damaged)
    except PdfError as error:
        assert error.reason
    else:
        assert record["source"]["sha256"]
