"""The parser against the 64 real published letters and their hand-checked records."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, values_equal
from imr_desk.parser import parse_file

SCORED_LETTER_FIELDS = [f.name for f in LETTER_FIELDS if f.name != "diagnoses"]
SCORED_ITEM_FIELDS = [f.name for f in ITEM_FIELDS if f.name != "category"]
MIN_FIELD_ACCURACY = 0.99
MIN_DIAGNOSES_F1 = 0.97


def diagnosis_key(entry: str) -> str:
    """A diagnosis as fields.md scores it: whitespace collapsed, casefolded, end punctuation off."""
    return re.sub(r"\s+", " ", entry).strip().strip(".;,:").strip().casefold()


@pytest.fixture(scope="module")
def scored(real_dev_dir: Path, real_dev_gold_dir: Path) -> tuple[Counter, Counter, list, Counter]:
    """Per-field hits and totals over the corpus, the misses for the report, and the
    diagnosis entries found, wrong and missed (true/false positives, false negatives)."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses: list[tuple[str, str]] = []
    diagnoses: Counter[str] = Counter()
    for gold_path in sorted(real_dev_gold_dir.glob("CM*.json")):
        gold = json.loads(gold_path.read_text())
        record = parse_file(real_dev_dir / f"{gold_path.stem}.pdf")
        if "diagnoses" in gold["letter"]:
            want = Counter(map(diagnosis_key, gold["letter"]["diagnoses"] or []))
            got = Counter(map(diagnosis_key, record["letter"]["diagnoses"] or []))
            diagnoses["tp"] += sum((want & got).values())
            diagnoses["fp"] += sum((got - want).values())
            diagnoses["fn"] += sum((want - got).values())
            if want != got:
                misses.append((gold_path.stem, "letter.diagnoses"))
        pairs = [
            (f"letter.{n}", gold["letter"].get(n), record["letter"][n])
            for n in SCORED_LETTER_FIELDS
        ]
        for index, gold_item in enumerate(gold["items"]):
            item = record["items"][index] if index < len(record["items"]) else {}
            pairs += [(f"items.{n}", gold_item.get(n), item.get(n)) for n in SCORED_ITEM_FIELDS]
        extra = max(0, len(record["items"]) - len(gold["items"]))
        pairs += [(f"items.{n}", "<no such item>", None) for n in SCORED_ITEM_FIELDS] * extra
        for field, expected, got in pairs:
            totals[field] += 1
            if values_equal(expected, got):
                hits[field] += 1
            else:
                misses.append((gold_path.stem, field))
    return hits, totals, misses, diagnoses


def test_real_letters_parse_at_least_99_percent_of_fields_exactly(scored, capsys) -> None:
    hits, totals, misses, _ = scored
    with capsys.disabled():
        print("\nfield accuracy over real-dev letters:")
        for field in totals:
            share = hits[field] / totals[field]
            print(f"  {field:40s} {hits[field]:4d}/{totals[field]:<4d} {share:.3f}")
    accuracy = sum(hits.values()) / sum(totals.values())
    assert accuracy >= MIN_FIELD_ACCURACY, f"accuracy {accuracy:.4f}; misses: {misses[:20]}"


def test_real_letters_diagnoses_reach_an_entry_f1_of_at_least_97_percent(scored, capsys) -> None:
    _, _, misses, diagnoses = scored
    found, wrong, missed = diagnoses["tp"], diagnoses["fp"], diagnoses["fn"]
    precision = found / max(1, found + wrong)
    recall = found / max(1, found + missed)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    with capsys.disabled():
        print(f"\ndiagnoses: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    letters = [case for case, field in misses if field == "letter.diagnoses"]
    assert f1 >= MIN_DIAGNOSES_F1, f"diagnoses F1 {f1:.3f}; letters that differ: {letters}"


def test_every_real_letter_is_layout_b_with_provenance_for_each_value(real_dev_dir: Path) -> None:
    for path in sorted(real_dev_dir.glob("*.pdf"))[:16]:
        record = parse_file(path)
        assert record["source"]["layout"] == "B"
        by_field = {p["field"]: p for p in record["provenance"]}
        assert len(by_field) == len(record["provenance"])
        for field, entry in by_field.items():
            section, *rest = field.split(".")
            value = (
                record[section][rest[0]]
                if section == "letter"
                else record["items"][int(rest[0])][rest[1]]
            )
            if value not in (None, []) and not field.endswith("category"):
                assert entry["boxes"], f"{path.name}: {field} has a value but no evidence"
                assert entry["confidence"] > 0


def test_case_number_evidence_covers_the_printed_number(real_dev_dir: Path) -> None:
    record = parse_file(real_dev_dir / "CM16-0213037.pdf")
    box = next(p for p in record["provenance"] if p["field"] == "letter.case_number")["boxes"][0]
    x0, y0, x1, y1 = box["rect"]
    assert box["page"] == 0
    assert 170 < x0 < 190 and 85 < y0 < 100 and x1 - x0 > 60 and y1 > y0
