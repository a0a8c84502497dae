"""The parser reads every field of three hundred generated letters exactly as expected.

The letters (layouts B, C and A in turn, fixed seed) are written to a temporary folder at
test time; each PDF's expected record is the JSON the generator writes beside it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from imr_desk import parser
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS
from imr_desk.samples import generate_letters

LETTERS = 300
SEED = 20240613
EXAMPLES_SHOWN = 12


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field path, expected, parsed) for every field that differs, letter then items."""
    found = []
    if got["source"]["layout"] != expected["source"]["layout"]:
        found.append(("source.layout", expected["source"]["layout"], got["source"]["layout"]))
    for spec in LETTER_FIELDS:
        want, have = expected["letter"][spec.name], got["letter"].get(spec.name)
        if want != have:
            found.append((spec.path(), want, have))
    if len(got["items"]) != len(expected["items"]):
        found.append(("items (count)", len(expected["items"]), len(got["items"])))
        return found
    for index, (want_item, got_item) in enumerate(
        zip(expected["items"], got["items"], strict=True)
    ):
        for spec in ITEM_FIELDS:
            if want_item[spec.name] != got_item.get(spec.name):
                found.append((spec.path(index), want_item[spec.name], got_item.get(spec.name)))
    return found


@pytest.mark.slow
def test_parser_reads_generated_letters_exactly(tmp_path: Path) -> None:
    pdfs = generate_letters(tmp_path, count=LETTERS, seed=SEED)
    by_field: Counter[str] = Counter()
    examples: list[str] = []
    for pdf in pdfs:
        expected = json.loads(pdf.with_suffix(".json").read_text())
        layout = expected["source"]["layout"]
        for path, want, have in differences(expected, parser.parse_file(pdf)):
            field = path.split(".", 2)[-1] if path.startswith("items.") else path
            by_field[f"{layout} {field}"] += 1
            if len(examples) < EXAMPLES_SHOWN:
                examples.append(f"{pdf.name} {path}: expected {want!r}, parsed {have!r}")
    report = "\n".join(
        [f"{n:4d}  {field}" for field, n in by_field.most_common()] + ["", *examples]
    )
    assert not by_field, f"fields that differ (count, layout field):\n{report}"
