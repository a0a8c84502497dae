"""The seed letter (mailed layout C) must give the spec's expected record."""

from __future__ import annotations

import json
from pathlib import Path

from imr_desk.parser import parse_file
from tests.letter_pdf import text_to_pdf


def without_ids(items: list[dict]) -> list[dict]:
    return [{k: v for k, v in item.items() if k != "id"} for item in items]


def test_seed_letter_gives_the_expected_record(seed_dir: Path, tmp_path: Path) -> None:
    expected = json.loads((seed_dir.parent / "spec" / "seed-expected.json").read_text())
    text = next(seed_dir.glob("*.txt")).read_text()
    record = parse_file(text_to_pdf(text, tmp_path / "seed.pdf"))
    assert record["source"]["layout"] == "C"
    assert record["letter"] == expected["letter"]
    assert without_ids(record["items"]) == without_ids(expected["items"])
    count = len(expected["items"])
    assert [item["id"] for item in record["items"]] == [f"p{n}" for n in range(1, count + 1)]
