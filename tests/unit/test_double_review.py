"""Double review in the store: the policy, independent reviews, gold, adjudication, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fake_letters import fake_record

from imr_desk.adjudication import Typed
from imr_desk.edits import AddItem, SetField, VerifyRefused
from imr_desk.export import export_dataset
from imr_desk.record import FieldRef, Item
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore
from imr_desk.storage.reviews import NotAllowedError

if TYPE_CHECKING:
    from tests.conftest import EngineProject

DECISION_P1 = FieldRef("decision", "p1")
CLAIM = FieldRef("claim_number")


@pytest.fixture
def stores(project: EngineProject) -> dict[str, LetterStore]:
    """Four desks on one project, on each engine: reviewers ann, bob and cy, and lea, the
    lead; every letter is double-reviewed, blind."""
    desks = {name: project.open(name, lead=name == "lea") for name in ("ann", "bob", "lea", "cy")}
    for n in (1, 2, 3):
        record = fake_record(n, decisions=("upheld", "overturned"))
        desks["lea"].add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    desks["lea"].set_policy(ReviewPolicy(double_share=1.0, leads=("lea",)))
    return desks


def first_sha(store: LetterStore) -> str:
    return store.list_letters()[0].sha256


def review(store: LetterStore, sha: str, *edits: object) -> None:
    for edit in edits:
        store.apply(sha, edit)  # type: ignore[arg-type]
    store.set_status(sha, "verified")


def test_the_policy_chooses_the_same_letters_on_every_desk_and_more_as_the_share_grows() -> None:
    shas = [f"{n:064x}" for n in range(2000)]
    fifth = ReviewPolicy(double_share=0.2, seed=7)
    chosen = {sha for sha in shas if fifth.chooses(sha)}
    assert 0.16 < len(chosen) / len(shas) < 0.24
    assert chosen == {sha for sha in shas if ReviewPolicy(double_share=0.2, seed=7).chooses(sha)}
    assert chosen <= {sha for sha in shas if ReviewPolicy(double_share=0.5, seed=7).chooses(sha)}
    assert chosen != {sha for sha in shas if ReviewPolicy(double_share=0.2, seed=8).chooses(sha)}
    assert not any(ReviewPolicy().chooses(sha) for sha in shas)


def test_only_a_lead_changes_the_policy(stores: dict[str, LetterStore]) -> None:
    with pytest.raises(NotAllowedError, match="only a lead"):
        stores["ann"].set_policy(ReviewPolicy(double_share=0.0, leads=("ann",)))
    assert stores["ann"].policy().double_share == 1.0


def test_each_reviewer_sees_only_their_own_review(stores: dict[str, LetterStore]) -> None:
    ann, bob = stores["ann"], stores["bob"]
    sha = first_sha(ann)
    review(ann, sha, SetField(CLAIM, "ANN-1"))
    assert ann.get(sha).full.value(CLAIM) == "ANN-1"
    assert ann.get(sha).status == "verified"
    assert bob.get(sha).full.value(CLAIM) is None  # blind: the parser's record
    assert bob.get(sha).status == "parsed"
    assert bob.list_letters()[0].status == "parsed"  # open to him: nothing of ann's
    assert ann.list_letters()[0].status == "verified"  # her own review
    assert bob.next_letter(None) == sha and ann.next_letter(None) != sha


def test_a_third_reviewer_cannot_start_a_review(stores: dict[str, LetterStore]) -> None:
    sha = first_sha(stores["ann"])
    stores["ann"].apply(sha, SetField(CLAIM, "A"))
    stores["bob"].apply(sha, SetField(CLAIM, "B"))
    with pytest.raises(NotAllowedError, match="already has its two reviews"):
        stores["cy"].apply(sha, SetField(CLAIM, "C"))
    assert stores["cy"].next_letter(None) != sha


def test_two_reviews_that_agree_make_the_gold_record(stores: dict[str, LetterStore]) -> None:
    ann, bob = stores["ann"], stores["bob"]
    sha = first_sha(ann)
    review(ann, sha, SetField(CLAIM, "WC-1"))
    assert ann.pipeline()["awaiting_second_review"] == 1
    review(bob, sha, SetField(CLAIM, " WC-1 "))  # the same value, typed differently
    row = stores["cy"].get(sha)
    assert (row.status, row.stage) == ("verified", "gold")
    assert row.full.value(CLAIM) == "WC-1"
    assert row.review_info == {
        "mode": "double",
        "reviewers": ["ann", "bob"],
        "adjudicator": None,
        "disagreements": [],
    }
    assert ann.pipeline() == {"awaiting_second_review": 0, "awaiting_adjudication": 0, "gold": 1}


def test_two_reviews_that_differ_wait_for_a_lead_who_settles_them(
    stores: dict[str, LetterStore],
) -> None:
    ann, bob, lea = stores["ann"], stores["bob"], stores["lea"]
    sha = first_sha(ann)
    review(
        ann,
        sha,
        SetField(CLAIM, "WC-1"),
        AddItem(Item.blank("n1"), 2),
        SetField(FieldRef("treatment", "n1"), "Acupuncture"),
        SetField(FieldRef("decision", "n1"), "upheld"),
    )
    review(bob, sha, SetField(DECISION_P1, "overturned"))
    row = lea.get(sha)
    assert (row.status, row.stage) == ("in_progress", "adjudication")
    assert lea.adjudication_queue() == [sha]
    with pytest.raises(NotAllowedError):
        ann.reviews_of(sha)
    with pytest.raises(ValueError, match="nothing was chosen"):
        lea.adjudicate(sha, {"letter.claim_number": "a"})
    gold = lea.adjudicate(
        sha,
        {
            "letter.claim_number": Typed("WC-9"),
            "letter.outcome": "a",
            "items.p1.decision": "a",
            "items.n1": "b",  # bob had no such item: it is left out
        },
    )
    assert (gold.status, gold.stage) == ("verified", "gold")
    assert [item.id for item in gold.full.items] == ["p1", "p2"]
    assert gold.full.value(CLAIM) == "WC-9" and gold.full.field(CLAIM).set_by == "lea"
    assert gold.review_info is not None and gold.review_info["adjudicator"] == "lea"
    settled = {e.field: (e.old, e.new) for e in lea.audit(sha) if e.reviewer == "lea"}
    assert settled["letter.claim_number"] == ({"a": "WC-1", "b": None}, "WC-9")
    assert settled["items.n1"] == ({"a": True, "b": False}, False)
    assert lea.adjudication_queue() == []


def test_an_adjudication_that_gives_an_invalid_record_is_refused_and_writes_nothing(
    stores: dict[str, LetterStore],
) -> None:
    ann, bob, lea = stores["ann"], stores["bob"], stores["lea"]
    sha = first_sha(ann)
    review(ann, sha, SetField(DECISION_P1, "overturned"))
    review(bob, sha, SetField(CLAIM, "B"))
    choices = {
        "letter.claim_number": "b",
        "items.p1.decision": "b",
        "letter.outcome": "a",  # ann's outcome with bob's decisions: they disagree
    }
    with pytest.raises(VerifyRefused, match="Outcome"):
        lea.adjudicate(sha, choices)
    assert lea.adjudication_queue() == [sha]


def test_a_second_review_that_is_not_blind_starts_from_the_first(
    stores: dict[str, LetterStore],
) -> None:
    stores["lea"].set_policy(ReviewPolicy(double_share=1.0, blind=False, leads=("lea",)))
    sha = first_sha(stores["ann"])
    review(stores["ann"], sha, SetField(CLAIM, "WC-1"))
    assert stores["bob"].get(sha).full.value(CLAIM) == "WC-1"


def test_the_export_says_how_each_letter_was_reviewed_and_leaves_unsettled_ones_out(
    stores: dict[str, LetterStore], tmp_path: Path
) -> None:
    ann, bob, lea = stores["ann"], stores["bob"], stores["lea"]
    first, second, _ = (row.sha256 for row in ann.list_letters())
    review(ann, first, SetField(CLAIM, "A"))
    review(bob, first, SetField(CLAIM, "B"))
    lea.adjudicate(first, {"letter.claim_number": "b"})
    review(ann, second, SetField(DECISION_P1, "overturned"))  # no second review yet
    export_dataset(lea, tmp_path / "out")
    lines = (tmp_path / "out" / "letters.jsonl").read_text().splitlines()
    (record,) = [json.loads(line) for line in lines]
    assert record["source"]["sha256"] == first
    assert record["letter"]["claim_number"] == "B"
    review_keys = {k: record["review"][k] for k in ("mode", "reviewers", "adjudicator")}
    assert review_keys == {"mode": "adjudicated", "reviewers": ["ann", "bob"], "adjudicator": "lea"}
    assert record["review"]["disagreements"] == ["letter.claim_number"]


def test_the_exported_card_reports_agreement_only_when_letters_were_double_reviewed(
    stores: dict[str, LetterStore], tmp_path: Path
) -> None:
    ann, bob, lea = stores["ann"], stores["bob"], stores["lea"]
    export_dataset(lea, tmp_path / "none")
    assert "Agreement between reviewers" not in (tmp_path / "none" / "README.md").read_text()
    sha = first_sha(ann)
    review(ann, sha, SetField(CLAIM, "A"))
    review(bob, sha, SetField(CLAIM, "A"))
    export_dataset(lea, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Agreement between reviewers" in card and "blind" in card
    assert "`letter.claim_number`" in card


def test_a_gold_record_is_a_leads_to_change_not_a_reviewers_leftover_undo(
    stores: dict[str, LetterStore],
) -> None:
    ann, bob, lea = stores["ann"], stores["bob"], stores["lea"]
    sha = first_sha(ann)
    _, undo = ann.apply(sha, SetField(CLAIM, "WC-1"))
    ann.set_status(sha, "verified")
    review(bob, sha, SetField(CLAIM, "WC-1"))
    assert ann.get(sha).stage == "gold"
    with pytest.raises(NotAllowedError, match="only a lead"):
        ann.apply(sha, undo)  # her review's undo, still in her session
    assert lea.get(sha).full.value(CLAIM) == "WC-1"
    row, _ = lea.apply(sha, SetField(CLAIM, "WC-2"))
    assert row.full.value(CLAIM) == "WC-2" and row.status == "in_progress"
    assert lea.pipeline()["gold"] == 0  # no longer verified: not counted as gold


def test_reviews_are_frozen_while_a_lead_settles_them(stores: dict[str, LetterStore]) -> None:
    ann, bob = stores["ann"], stores["bob"]
    sha = first_sha(ann)
    review(ann, sha, SetField(CLAIM, "A"))
    review(bob, sha, SetField(CLAIM, "B"))
    with pytest.raises(NotAllowedError, match="waiting for a lead"):
        ann.apply(sha, SetField(CLAIM, "B"))  # copying the other's value is not possible
    assert stores["lea"].adjudication_queue() == [sha]


def test_a_flag_and_its_note_stay_with_the_review_they_belong_to(
    stores: dict[str, LetterStore],
) -> None:
    ann, bob, lea = stores["ann"], stores["bob"], stores["lea"]
    sha = first_sha(ann)
    ann.set_status(sha, "flagged", note="ann thinks the claim is X")
    assert ann.get(sha).note == "ann thinks the claim is X"
    assert bob.get(sha).note is None and bob.get(sha).status == "parsed"
    assert bob.list_letters()[0].note is None
    assert bob.next_letter(None) == sha
    review(bob, sha, SetField(CLAIM, "B"))
    assert bob.get(sha).note is None
    notes = {r.reviewer: r.letter.note for r in lea.reviews_of(sha)}
    assert notes == {"ann": "ann thinks the claim is X", "bob": None}


def test_a_skipped_review_gives_its_place_to_another_reviewer(
    stores: dict[str, LetterStore],
) -> None:
    ann, bob, cy = stores["ann"], stores["bob"], stores["cy"]
    sha = first_sha(ann)
    ann.set_status(sha, "skipped")
    review(bob, sha, SetField(CLAIM, "B"))
    assert cy.next_letter(None) == sha
    review(cy, sha, SetField(CLAIM, "B"))
    row = cy.get(sha)
    assert (row.stage, row.review_info["reviewers"]) == ("gold", ["bob", "cy"])
