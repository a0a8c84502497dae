"""Records in the fields.md shape, built in code for storage, export and stats tests."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, empty_item, empty_record
from imr_desk.pdf_source import PdfError

BOX = {"page": 0, "rect": [1.0, 2.0, 3.0, 4.0]}


def fake_record(
    n: int = 1,
    *,
    decisions: tuple[str, ...] = ("upheld",),
    confidence: float = 0.9,
    layout: str = "B",
) -> dict[str, Any]:
    """A parsed-looking record for case ``CM16-000000n`` with one item per decision."""
    sha = hashlib.sha256(f"letter {n}".encode()).hexdigest()
    record = empty_record(file_name=f"CM16-{n:07d}.pdf", sha256=sha, pages=2, layout=layout)
    record["source"]["needs_ocr"] = False
    record["letter"].update(
        case_number=f"CM16-{n:07d}",
        decision_date="2016-12-09",
        patient_age=48,
        patient_sex="male",
        reviewer_license_states=["California"],
    )
    for i, decision in enumerate(decisions):
        item = empty_item()
        item.update(treatment=f"Treatment {n}.{i}", decision=decision, category="Pharmaceuticals")
        record["items"].append(item)
    outcomes = {"upheld": "upheld", "overturned": "overturned"}
    record["letter"]["outcome"] = (
        outcomes[decisions[0]] if len(set(decisions)) == 1 else "partially_overturned"
    )
    record["provenance"] = [
        {
            "field": spec.path(),
            "confidence": confidence,
            "boxes": [{"page": 0, "rect": [1, 2, 3, 4]}],
        }
        for spec in LETTER_FIELDS
    ] + [
        {"field": spec.path(i), "confidence": confidence, "boxes": []}
        for i in range(len(decisions))
        for spec in ITEM_FIELDS
    ]
    return record


def fake_parse_file(path: str) -> dict[str, Any]:
    """A stand-in parser for import tests: the file's bytes decide the record.

    Content starting with ``BAD`` is unreadable, ``CRASH`` is a parser bug, and content
    containing ``SCAN`` is a letter that needs OCR.
    """
    data = Path(path).read_bytes()
    if data.startswith(b"BAD"):
        raise PdfError(path, "damaged PDF that cannot be opened")
    if data.startswith(b"CRASH"):
        raise RuntimeError("boom")
    record = fake_record(int(hashlib.sha1(data).hexdigest()[:6], 16) % 10**7)
    record["source"].update(
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=Path(path).name,
        needs_ocr=b"SCAN" in data,
    )
    return record


def slow_fake_parse_file(path: str) -> dict[str, Any]:
    """``fake_parse_file`` taking a while, so a test can kill an import half-way."""
    time.sleep(0.05)
    return fake_parse_file(path)


def write_letters(folder: Path, count: int, *, prefix: str = "letter") -> list[Path]:
    """``count`` distinct fake letter files for ``fake_parse_file``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{prefix}-{n:05d}.pdf"
        path.write_bytes(f"%PDF fake letter {prefix} {n}".encode())
        paths.append(path)
    return paths


def crashing_fake_parse_file(path: str) -> dict[str, Any]:
    """``fake_parse_file``, except that content starting with ``DIE`` kills the process
    outright, as a crash inside the PDF library would."""
    if Path(path).read_bytes().startswith(b"DIE"):
        os._exit(70)
    return fake_parse_file(path)
