"""The category suggestion learned from reviewers: the model, its use at import, its upkeep."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_letters import fake_record

from imr_desk.category_eval import cross_validate
from imr_desk.category_model import CategoryModel, decide
from imr_desk.category_suggest import suggested_record
from imr_desk.edits import SetField
from imr_desk.parsing.category import guideline_category, suggest_category
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore

EXAMPLES = [
    ("MRI of the lumbar spine", "MTUS Low Back Complaints, Special Studies", "Diagnostic Testing"),
    ("MRI of the right knee", "ODG Knee and Leg, MRIs", "Diagnostic Testing"),
    ("Salonpas pad #60", "Chronic Pain, Topical analgesics", "Pharmaceuticals"),
    ("Norco 10/325 mg #90", "Chronic Pain, Opioids", "Pharmaceuticals"),
    ("Knee brace", "ODG Knee and Leg, Durable medical equipment", "DMEPOS"),
    ("Physical therapy 2 times a week for 6 weeks", "Physical medicine", "Rehabilitation"),
]


def model() -> CategoryModel:
    return CategoryModel().learn(EXAMPLES)


def test_suggests_the_category_of_the_most_similar_treatment_and_names_it() -> None:
    found = model().suggest("MRI of the left knee without contrast", "ODG Knee and Leg")
    assert found is not None
    assert found.category == "Diagnostic Testing"
    assert found.nearest.treatment == "MRI of the right knee"
    assert 0 < found.score <= found.similarity <= 1


def test_an_identical_treatment_scores_near_one_and_a_stranger_gets_nothing() -> None:
    same = model().suggest("Salonpas pad #60", "Chronic Pain, Topical analgesics")
    assert same is not None and same.category == "Pharmaceuticals" and same.score > 0.6
    assert model().suggest("zzz qqq", None) is None
    assert CategoryModel().suggest("MRI of the knee", None) is None


def test_examples_without_a_treatment_or_category_teach_nothing() -> None:
    learned = CategoryModel().learn([(None, "x", "Surgery"), ("Knee surgery", None, None)])
    assert len(learned) == 0


def test_json_round_trip_keeps_every_suggestion() -> None:
    again = CategoryModel.from_json(model().to_json())
    assert len(again) == len(EXAMPLES)
    for treatment, guideline, _ in [*EXAMPLES, ("MRI of the hip", "Hip", "")]:
        assert again.suggest(treatment, guideline) == model().suggest(treatment, guideline)


@pytest.mark.parametrize("text", ["[]", '{"format": 99}', '{"format": 1, "examples": [[1]]}'])
def test_from_json_refuses_what_is_not_a_model(text: str) -> None:
    with pytest.raises(ValueError):
        CategoryModel.from_json(text)


def test_the_model_overrules_the_rules_only_for_a_near_identical_treatment() -> None:
    rule = suggest_category("Salonpas pad #60")
    assert rule == "DMEPOS"  # the keyword 'pad' misleads the rules
    near = model().suggest("Salonpas pad #60", None)
    assert decide(rule, 0.5, near).category == "Pharmaceuticals"
    loose = model().suggest("Heating pad", None)
    assert decide("DMEPOS", 0.5, loose) == ("DMEPOS", 0.5, "rules")
    assert decide(None, 0.0, loose).source == "model"


def test_the_guideline_chapter_decides_when_the_treatment_is_silent() -> None:
    cited = "Decision based on MTUS Chronic Pain, Section(s): Topical analgesics."
    assert suggest_category("Item 4", cited) == "Pharmaceuticals"
    assert guideline_category("MTUS Low Back Complaints, Section(s): Special Studies.") == (
        "Diagnostic Testing"
    )
    assert suggest_category("MRI of the knee", cited) == "Diagnostic Testing"  # words first
    assert suggest_category("Item 4", None) is None


def test_suggested_record_sets_category_and_confidence_and_leaves_the_input_alone() -> None:
    record = fake_record(1)
    record["items"][0].update(treatment="Salonpas pad #60", category="DMEPOS")
    suggested = suggested_record(record, model())
    assert record["items"][0]["category"] == "DMEPOS"
    assert suggested["items"][0]["category"] == "Pharmaceuticals"
    entry = next(e for e in suggested["provenance"] if e["field"] == "items.0.category")
    assert entry["confidence"] == model().suggest("Salonpas pad #60", None).score  # type: ignore[union-attr]
    assert suggested_record(record, CategoryModel()) is record


def test_cross_validation_splits_by_letter() -> None:
    letters = [
        {"items": [{"treatment": t, "maximus_guideline": g, "category": c}]} for t, g, c in EXAMPLES
    ]
    result = cross_validate(letters)
    assert result.rules.total == result.learned.total == len(EXAMPLES)
    assert (result.learned_folds[0].total, result.learned_folds[1].total) == (3, 3)


def test_the_store_keeps_the_model_current_after_a_verify(tmp_path: Path) -> None:
    with LetterStore.open(tmp_path / "letters.db", reviewer="ann") as store:
        first = fake_record(1)
        first["items"][0].update(treatment="Salonpas pad #60", category="DMEPOS")
        store.add_letter(first, source_path="/in/1.pdf", parser_version="p1")
        sha = first["source"]["sha256"]
        assert len(store.category_model()) == 0
        store.apply(sha, SetField(FieldRef("category", "p1"), "Pharmaceuticals"))
        store.set_status(sha, "verified")
        learned = store.category_model()
        assert learned.suggest("Salonpas pad #60", None).category == "Pharmaceuticals"  # type: ignore[union-attr]
        second = fake_record(2)
        second["items"][0].update(treatment="Salonpas pad #60", category="DMEPOS")
        store.add_letter(second, source_path="/in/2.pdf", parser_version="p1")
        row = store.get(second["source"]["sha256"])
        assert row.full.items[0].value("category") == "Pharmaceuticals"
        store.set_status(sha, "in_progress")
        assert len(store.category_model()) == 0
    with LetterStore.open(tmp_path / "letters.db", reviewer="bob") as again:
        assert len(again.category_model()) == 0
