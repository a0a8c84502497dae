"""Scanned letters read as well as born-digital ones: letters written again as 200-dpi greyscale
image-only PDFs at test time (``pdf_source.write_scan``), then parsed through OCR.

A small sample only (OCR costs about a second a page): three generated letters, one of each
layout, and three real letters from ../shared (skipped when it is absent). The full figures
over every real letter at 200 and 300 dpi come from ``python -m imr_desk.bench_scans``.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from imr_desk import ocr_engine, pdf_source
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, values_equal
from imr_desk.parser import parse_file
from imr_desk.pdf_source import PlacedText, read_pdf, tesseract_available, write_pdf, write_scan
from imr_desk.samples import generate_letters

needs_tesseract = pytest.mark.skipif(
    not tesseract_available(), reason="Tesseract (tesseract-ocr) not installed"
)
SCAN_DPI = 200
# Long prose may keep an OCR slip (a "x" for a "×"); everything else must be exact.
PROSE = {"case_summary", "rationale", "claims_administrator_guideline", "maximus_guideline"}
MIN_PROSE_SIMILARITY = 0.98
REAL_LETTERS = 3
MIN_REAL_EXACT = 0.97  # the sample's share of printed fields exactly as the gold records


def scanned(pdf: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    scan = folder / pdf.name
    write_scan(pdf, scan, SCAN_DPI)
    return scan


def field_pairs(expected: dict[str, Any], got: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, expected, parsed) for the printed fields: diagnoses and category are judgement."""
    pairs = [
        (spec.name, expected["letter"].get(spec.name), got["letter"].get(spec.name))
        for spec in LETTER_FIELDS
        if spec.name != "diagnoses"
    ]
    for index, item in enumerate(expected["items"]):
        parsed = got["items"][index] if index < len(got["items"]) else {}
        pairs += [
            (spec.name, item.get(spec.name), parsed.get(spec.name))
            for spec in ITEM_FIELDS
            if spec.name != "category"
        ]
    return pairs


def similarity(expected: Any, got: Any) -> float:
    return difflib.SequenceMatcher(None, str(expected), str(got), autojunk=False).ratio()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict, dict, dict]]:
    """Three generated letters (layouts B, C and A): expected record, record parsed from the
    scan, and record parsed from the original PDF."""
    folder = tmp_path_factory.mktemp("generated")
    found = []
    for pdf in generate_letters(folder / "letters", count=3, seed=2024):
        expected = json.loads(pdf.with_suffix(".json").read_text())
        found.append((expected, parse_file(scanned(pdf, folder / "scans")), parse_file(pdf)))
    return found


@needs_tesseract
def test_generated_scans_are_read_like_the_letters(generated: list) -> None:
    assert sorted(e["source"]["layout"] for e, _, _ in generated) == ["A", "B", "C"]
    for expected, record, _ in generated:
        assert record["source"]["needs_ocr"] is False
        assert record["source"]["layout"] == expected["source"]["layout"]
        assert len(record["items"]) == len(expected["items"])
        for name, want, got in field_pairs(expected, record):
            if name in PROSE and want and got:
                assert similarity(want, got) >= MIN_PROSE_SIMILARITY, name
            else:
                assert values_equal(want, got), (expected["letter"]["case_number"], name)


@needs_tesseract
def test_values_read_by_ocr_are_never_surer_than_from_a_text_layer(generated: list) -> None:
    for _, scan, text in generated:
        by_text = {p["field"]: p["confidence"] for p in text["provenance"]}
        for entry in scan["provenance"]:
            assert entry["confidence"] <= by_text.get(entry["field"], 1.0), entry["field"]
            if entry["confidence"] > 0 and not entry["field"].endswith(".category"):
                assert entry["boxes"], entry["field"]  # evidence on the scan (category: none)


@needs_tesseract
def test_real_scans_are_read_like_the_gold_records(
    real_dev_dir: Path, real_dev_gold_dir: Path, tmp_path: Path
) -> None:
    exact = total = 0
    for gold_path in sorted(real_dev_gold_dir.glob("CM*.json"))[:REAL_LETTERS]:
        gold = json.loads(gold_path.read_text())
        record = parse_file(scanned(real_dev_dir / f"{gold_path.stem}.pdf", tmp_path))
        assert record["source"]["needs_ocr"] is False
        for name, want, got in field_pairs(gold, record):
            total += 1
            exact += values_equal(want, got)
            if name not in PROSE:  # header, credentials, items' names and decisions
                assert values_equal(want, got), (gold_path.stem, name, want, got)
    assert exact / total >= MIN_REAL_EXACT


def two_page_scan(folder: Path) -> Path:
    pages = [[PlacedText(72, 100, f"Page {n} of a scanned letter", size=14)] for n in (1, 2)]
    write_pdf(folder / "letter.pdf", pages)
    return scanned(folder / "letter.pdf", folder / "scans")


TSV_HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
    "left\ttop\twidth\theight\tconf\ttext\n"
)


def test_the_pages_of_a_letter_are_ocred_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page's Tesseract waits until the other page's has started: read one page after
    the other, the first would wait in vain and the read would fail."""
    both_started = threading.Barrier(2, timeout=20)
    commands: list[list[str]] = []

    def tesseract(command: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        assert kw["env"]["OMP_THREAD_LIMIT"] == "1"
        both_started.wait()
        row = "5\t1\t1\t1\t1\t1\t200\t300\t100\t25\t95\tScanned\n"
        return subprocess.CompletedProcess(command, 0, (TSV_HEADER + row).encode(), b"")

    monkeypatch.setattr(pdf_source, "tesseract_available", lambda: True)
    monkeypatch.setattr(ocr_engine.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(ocr_engine.subprocess, "run", tesseract)
    pdf = read_pdf(two_page_scan(tmp_path))
    assert pdf.ocr_pages == (0, 1)
    assert [(w.page, w.text) for w in pdf.words] == [(0, "Scanned"), (1, "Scanned")]
    assert all(c[c.index("--dpi") + 1] == str(pdf_source.OCR_SCAN_DPI) for c in commands)


def test_a_page_tesseract_fails_on_leaves_the_letter_needing_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(command: list[str], **_: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, 1, b"", b"Error: no memory")

    monkeypatch.setattr(pdf_source, "tesseract_available", lambda: True)
    monkeypatch.setattr(ocr_engine.subprocess, "run", failing)
    pdf = read_pdf(two_page_scan(tmp_path))
    assert (pdf.ocr_pages, pdf.needs_ocr, pdf.words) == ((), True, ())
