"""Files that are not readable letters: each gets a clear reason, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from imr_desk.parser import parse_file
from imr_desk.pdf_source import PdfError, PlacedText, read_pdf, tesseract_available, write_pdf
from tests.letter_pdf import text_to_pdf

LETTER_TEXT = """Case Number: CM16-0000042
HOW THE IMR FINAL DETERMINATION WAS MADE
CLINICAL CASE SUMMARY
The injured worker is a 40 year old female.
IMR ISSUES, DECISIONS AND RATIONALES
Naproxen 550mg #60: Overturned
Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
Decision rationale: The request is medically necessary.
"""


@pytest.fixture
def letter_pdf(tmp_path: Path) -> Path:
    return text_to_pdf(LETTER_TEXT, tmp_path / "letter.pdf")


def _reason(path: Path) -> str:
    with pytest.raises(PdfError) as caught:
        parse_file(path)
    return caught.value.reason


def test_zero_byte_file_is_reported_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "empty" in _reason(path)


def test_text_file_named_pdf_is_reported_as_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Case Number: CM16-0000001\n")
    assert "not a PDF" in _reason(path)


def test_truncated_pdf_is_reported_as_damaged(letter_pdf: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes(letter_pdf.read_bytes()[:400])
    reason = _reason(path)
    assert "damaged" in reason or "truncated" in reason


def test_password_protected_pdf_is_reported(letter_pdf: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    with pymupdf.open(letter_pdf) as doc:
        doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="secret")
    assert "password" in _reason(path)


def test_empty_password_encryption_is_opened_like_dwc_letters(tmp_path: Path) -> None:
    path = tmp_path / "dwc.pdf"
    runs = [PlacedText(72, 100, line) for line in ("Case Number: CM16-0000007",)]
    write_pdf(path, [runs], encrypt_empty_password=True)
    assert read_pdf(path).words[2].text == "CM16-0000007"


def test_pdf_that_is_not_an_imr_letter_is_refused(tmp_path: Path) -> None:
    report = "Quarterly sales report\nRevenue grew in every region.\n"
    path = text_to_pdf(report, tmp_path / "r.pdf")
    assert "not an IMR determination letter" in _reason(path)


def _image_only_pdf(letter_pdf: Path, path: Path) -> Path:
    with pymupdf.open(letter_pdf) as source:
        pixmap = source[0].get_pixmap(dpi=200)
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(page.rect, pixmap=pixmap)
    doc.save(path)
    return path


def test_image_only_page_without_tesseract_is_flagged_needs_ocr(
    letter_pdf: Path, tmp_path: Path
) -> None:
    path = _image_only_pdf(letter_pdf, tmp_path / "scan.pdf")
    record = parse_file_without_ocr(path)
    assert record["source"]["needs_ocr"] is True
    assert record["items"] == []


def parse_file_without_ocr(path: Path) -> dict:
    from imr_desk.parser import parse

    return parse(read_pdf(path, ocr=False))


@pytest.mark.skipif(not tesseract_available(), reason="Tesseract (tesseract-ocr) not installed")
def test_image_only_page_is_read_through_ocr(letter_pdf: Path, tmp_path: Path) -> None:
    path = _image_only_pdf(letter_pdf, tmp_path / "scan.pdf")
    pdf = read_pdf(path)
    assert pdf.ocr_pages == (0,)
    assert pdf.needs_ocr is False
    record = parse_file(path)
    assert record["letter"]["case_number"] == "CM16-0000042"
    assert record["items"][0]["decision"] == "overturned"


def test_parse_command_reports_bad_files_and_goes_on(letter_pdf: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "imr_desk", "parse", str(bad), str(letter_pdf), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"imr-desk parse: {bad}: the file is empty (0 bytes)"
    assert '"case_number": "CM16-0000042"' in result.stdout
    assert "Traceback" not in result.stderr


def test_parse_command_exits_zero_when_every_file_parsed(letter_pdf: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "imr_desk", "parse", str(letter_pdf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Naproxen 550mg #60 — overturned" in result.stdout


def test_letter_cut_short_is_still_read_but_marked_repaired(tmp_path: Path) -> None:
    from imr_desk.samples import generate_letters

    letter = generate_letters(tmp_path / "s", count=1, seed=3)[0]
    data = letter.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    record = parse_file(cut)
    assert record["source"]["repaired"] is True
    result = subprocess.run(
        [sys.executable, "-m", "imr_desk", "parse", str(cut)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "damaged (repaired on opening)" in result.stderr


def test_damaged_pdf_without_a_letter_is_reported_as_damaged(tmp_path: Path) -> None:
    source = text_to_pdf("Quarterly sales report\n" * 80, tmp_path / "report.pdf")
    data = source.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) * 3 // 4])
    assert "damaged" in _reason(cut)
