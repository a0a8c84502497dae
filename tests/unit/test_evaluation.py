"""Parser evaluation: comparison rules, field and item scores, gold from a folder or the db."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fake_letters import fake_parse_file, fake_record, write_letters

from imr_desk.commands.evaluate import report
from imr_desk.domain import values_equal
from imr_desk.edits import SetField
from imr_desk.evaluation import (
    Evaluation,
    GoldLetter,
    evaluate,
    gold_from_folder,
    gold_from_store,
)
from imr_desk.importer import import_paths
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore


def test_score_judges_values_as_the_export_does() -> None:
    # Regression: evaluation folded curly quotes and "- " but domain.values_equal (behind the
    # export's corrected and the card) did not, so the two judged the same pair differently.
    gold = fake_record(1)
    gold["letter"]["case_summary"] = "The patient\u2019s \u201cpain\u201d, 10-28- 2016"
    got = copy.deepcopy(gold)
    got["letter"]["case_summary"] = 'The patient\'s "pain", 10-28-2016'
    result = Evaluation()
    result.score("CM16-0000001", gold, got)
    assert result.misses == []
    assert values_equal(gold["letter"]["case_summary"], got["letter"]["case_summary"])


def test_score_counts_fields_and_matches_items_by_position() -> None:
    gold = fake_record(1, decisions=("upheld", "overturned"))
    got = copy.deepcopy(gold)
    got["letter"]["patient_age"] = 49
    got["items"][1]["decision"] = "upheld"
    got["items"].append(dict(got["items"][0]))
    result = Evaluation()
    result.score("CM16-0000001", gold, got)
    assert ("letter.patient_age", 0, 1) in result.field_accuracy()
    assert ("letter.case_number", 1, 1) in result.field_accuracy()
    assert ("items.decision", 1, 3) in result.field_accuracy()  # the extra item counts
    assert (result.item_tp, result.item_fp, result.item_fn) == (1, 2, 1)
    assert (result.precision, result.recall) == (pytest.approx(1 / 3), 0.5)
    assert [m.path for m in result.misses][:2] == ["letter.patient_age", "items.1.decision"]


def test_fields_missing_from_a_gold_record_are_not_scored() -> None:
    gold = fake_record(1)
    del gold["letter"]["diagnoses"]
    result = Evaluation()
    result.score("c", gold, fake_record(1))
    assert "letter.diagnoses" not in [name for name, *_ in result.field_accuracy()]
    assert result.accuracy == 1.0


def test_evaluate_a_gold_folder_reports_misses_and_unscorable_letters(tmp_path: Path) -> None:
    pdfs = write_letters(tmp_path / "pdfs", 2)
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for pdf in pdfs:
        expected = fake_parse_file(str(pdf))
        (gold_dir / f"{pdf.stem}.json").write_text(json.dumps(expected))
    first = json.loads((gold_dir / f"{pdfs[0].stem}.json").read_text())
    first["letter"]["patient_sex"] = "female"
    (gold_dir / f"{pdfs[0].stem}.json").write_text(json.dumps(first))
    (gold_dir / "orphan.json").write_text(json.dumps(first))
    result = evaluate(
        gold_from_folder(gold_dir, tmp_path / "pdfs"), parse_file=fake_parse_file, workers=0
    )
    assert result.letters == 2
    assert [(m.case, m.path) for m in result.misses] == [("letter-00000", "letter.patient_sex")]
    assert result.skipped == [("orphan", f"PDF not found at {tmp_path / 'pdfs' / 'orphan.pdf'}")]
    text = report(result)
    assert "letter.patient_sex" in text and "overall field accuracy" in text
    assert "letter-00000: 1 wrong: letter.patient_sex" in text


def test_gold_from_store_takes_verified_letters_and_skips_changed_pdfs(tmp_path: Path) -> None:
    pdfs = write_letters(tmp_path / "in", 3)
    with LetterStore.open(tmp_path / "letters.db") as store:
        import_paths(store, pdfs, parse_file=fake_parse_file, parser_version="v1", workers=0)
        rows = store.list_letters()
        store.apply(rows[0].sha256, SetField(FieldRef("patient_age"), 30))
        store.set_status(rows[0].sha256, "verified")
        store.set_status(rows[1].sha256, "verified")
        gold = list(gold_from_store(store))
    pdfs[1].write_bytes(b"%PDF changed since import")
    assert [g.sha256 for g in gold] == [rows[0].sha256, rows[1].sha256]
    result = evaluate(gold, parse_file=fake_parse_file, workers=0)
    assert result.letters == 1
    assert [m.path for m in result.misses] == ["letter.patient_age"]
    assert "has changed since it was imported" in result.skipped[0][1]


def test_parallel_evaluation_matches_one_process(tmp_path: Path) -> None:
    pdfs = write_letters(tmp_path / "in", 6)
    gold = [GoldLetter(p.stem, fake_record(1), p) for p in pdfs]
    inline = evaluate(gold, parse_file=fake_parse_file, workers=0)
    pooled = evaluate(gold, parse_file=fake_parse_file, workers=2)
    assert pooled.field_accuracy() == inline.field_accuracy()
    assert pooled.misses == inline.misses


@pytest.mark.slow
def test_the_real_parser_scores_well_on_the_real_letters(
    real_dev_dir: Path, real_dev_gold_dir: Path
) -> None:
    result = evaluate(gold_from_folder(real_dev_gold_dir, real_dev_dir), workers=2)
    assert result.letters == len(list(real_dev_gold_dir.glob("*.json")))
    assert result.accuracy > 0.9
