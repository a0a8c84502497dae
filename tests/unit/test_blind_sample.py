"""The blind sample: letters opened with the parser's values hidden, stored, exported, measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fake_letters import fake_record

from imr_desk.blind import ITEMS_ROW, accuracy, blanked
from imr_desk.edits import Batch, SetField
from imr_desk.export import export_dataset
from imr_desk.record import FieldRef, FieldValue, Item, Letter
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

CASE = FieldRef("case_number")
CLAIM = FieldRef("claim_number")
DECISION_P1 = FieldRef("decision", "p1")


@pytest.fixture
def store(project: EngineProject) -> LetterStore:
    """One reviewer (who leads), two letters (two items each), every letter in the blind
    sample; on each engine."""
    store = project.open("ann", lead=True)
    for n in (1, 2):
        record = fake_record(n, decisions=("upheld", "overturned"))
        store.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    store.set_policy(ReviewPolicy(blind_share=1.0, leads=("ann",)))
    return store


def parser_letter(store: LetterStore, sha: str) -> Letter:
    """The parser's letter, read where the reviewer's desk does not look."""
    return next(row.full for row in store.iter_letters() if row.sha256 == sha)


def copy_parser(store: LetterStore, sha: str, **changed: Any) -> None:
    """Fill a blind letter as a reviewer would, reading the page: the parser's values except
    ``changed`` (ref string -> value), in one batch."""
    truth = parser_letter(store, sha)
    edits = []
    for ref in truth.refs():
        value = changed.get(str(ref), truth.field(ref).parsed)
        if value not in (None, (), ""):
            edits.append(SetField(ref, value))
    store.apply(sha, Batch(tuple(edits)))


def test_a_blind_letter_reads_back_empty_with_no_evidence_and_nothing_of_the_parser(
    store: LetterStore,
) -> None:
    sha = store.list_letters()[0].sha256
    row = store.get(sha)
    letter = row.full
    assert all(letter.field(ref).value in (None, ()) for ref in letter.refs())
    assert all(letter.field(ref).boxes == () for ref in letter.refs())
    assert all(letter.field(ref).confidence is None for ref in letter.refs())
    assert [item.id for item in letter.items] == ["p1", "p2"]  # blank items, ids kept
    assert letter.corrected() == []  # no "why changed" note tells where the parser read
    assert row.parsed == {} and row.case_number is None and row.outcome is None
    assert parser_letter(store, sha).value(CASE) == "CM16-0000001"  # nothing stored yet


def test_editing_a_blind_letter_stores_the_blanked_letter_the_parser_kept_as_parsed(
    store: LetterStore,
) -> None:
    sha = store.list_letters()[0].sha256
    row, _ = store.apply(sha, SetField(CLAIM, "WC-7"))
    assert row.full.value(CLAIM) == "WC-7" and row.full.value(CASE) is None
    assert row.review_info == {"blind": True}
    stored = parser_letter(store, sha)
    assert stored.value(CASE) is None and stored.field(CASE).parsed == "CM16-0000001"
    assert stored.field(DECISION_P1).parsed == "upheld" and stored.value(DECISION_P1) is None
    assert stored.field(CASE).boxes == ()
    store.set_policy(ReviewPolicy(blind_share=0.0, leads=("ann",)))
    again = store.get(sha).full  # a changed policy does not unblind a started letter
    assert again.value(CLAIM) == "WC-7" and again.corrected() == []


def test_a_verified_blind_letter_keeps_the_reviewers_values_and_is_exported_as_blind(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = store.list_letters()[0].sha256
    copy_parser(store, sha, **{str(DECISION_P1): "overturned", "letter.outcome": "overturned"})
    row = store.set_status(sha, "verified")
    assert row.status == "verified" and row.full.value(DECISION_P1) == "overturned"
    export_dataset(store, tmp_path / "out")
    records = [json.loads(line) for line in (tmp_path / "out" / "letters.jsonl").open()]
    assert len(records) == 1
    review = records[0]["review"]
    assert review["blind"] is True and review["mode"] == "single"
    assert review["corrected"] == ["letter.outcome", "items.0.decision"]
    assert records[0]["items"][0]["decision"] == "overturned"
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Parser accuracy measured blind on 1 letter" in card
    assert "| `items.*.decision` | 1 | 0 | 0.0% |" in card
    assert "| `letter.case_number` | 1 | 1 | 100.0% |" in card


def test_a_letter_outside_the_sample_opens_with_the_parsers_values(
    project: EngineProject,
) -> None:
    with project.open("ann", lead=True) as store:
        store.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
        store.set_policy(ReviewPolicy(blind_share=0.0, leads=("ann",)))
        sha = store.list_letters()[0].sha256
        assert store.get(sha).full.value(CASE) == "CM16-0000001"
        row, _ = store.apply(sha, SetField(CLAIM, "WC-7"))
        assert row.review_info is None and row.full.value(CASE) == "CM16-0000001"


def test_a_letter_in_both_samples_is_double_reviewed_each_review_blind(
    project: EngineProject,
) -> None:
    ann, bob = project.open("ann", lead=True), project.open("bob")
    ann.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
    policy = ReviewPolicy(double_share=1.0, blind=False, blind_share=1.0, leads=("ann",))
    ann.set_policy(policy)
    sha = ann.list_letters()[0].sha256
    copy_parser(ann, sha)
    ann.set_status(sha, "verified")
    assert bob.get(sha).full.value(CASE) is None  # blank, not ann's verified values
    copy_parser(bob, sha)
    bob.set_status(sha, "verified")
    gold = bob.get(sha)
    assert gold.stage == "gold" and gold.review_info is not None
    assert gold.review_info["blind"] is True and gold.review_info["mode"] == "double"
    ann.close()
    bob.close()


def measured(n: int, claim: str, decision: str, *, add_item: bool = False) -> Letter:
    """A verified blind letter: the parser read ``WC-<n>`` and ``upheld``, the reviewer
    typed every value from the page, ``claim`` and ``decision`` as given."""
    parsed = Letter.from_parsed(fake_record(n, decisions=("upheld",)))
    parsed = parsed.with_field(CLAIM, FieldValue(f"WC-{n}", f"WC-{n}"))
    letter = blanked(parsed)
    typed = {str(CLAIM): claim, str(DECISION_P1): decision}
    for ref in letter.refs():
        field = letter.field(ref)
        letter = letter.with_field(ref, FieldValue(typed.get(str(ref), field.parsed), field.parsed))
    return letter.with_items((*letter.items, Item.blank())) if add_item else letter


def test_blind_accuracy_by_hand() -> None:
    """Three letters measured blind: the reviewer agreed with the parser on every case
    number, on two claim numbers of three, on two decision lists, and kept the parser's
    item list in two letters (one added an item)."""
    letters = [
        measured(1, "WC-1", "upheld"),
        measured(2, "WC-x", "upheld"),
        measured(3, "WC-3", "overturned", add_item=True),
    ]
    rows = {row.field: (row.letters, row.agreed) for row in accuracy(letters)}
    assert rows["letter.case_number"] == (3, 3)
    assert rows["letter.claim_number"] == (3, 2)
    assert rows["items.*.decision"] == (3, 2)
    assert rows[ITEMS_ROW] == (3, 2)
    assert [r.accuracy for r in accuracy(letters) if r.field == ITEMS_ROW] == [2 / 3]


def test_the_queue_shows_nothing_of_the_parsers_on_an_unopened_blind_letter(
    store: LetterStore,
) -> None:
    listed = store.list_letters()
    assert [(r.case_number, r.outcome) for r in listed] == [(None, None), (None, None)]
    store.apply(listed[0].sha256, SetField(CASE, "CM16-0000001"))
    assert store.list_letters()[0].case_number == "CM16-0000001"  # the reviewer's own value


def test_the_policy_command_sets_and_shows_the_blind_share(
    project: EngineProject, capsys: pytest.CaptureFixture[str]
) -> None:
    from imr_desk.cli import main

    db = str(project.target("ann", lead=True))
    project.open("ann", lead=True).close()
    assert main(["policy", "--db", db, "--reviewer", "ann", "--blind-share", "5"]) == 0
    assert "blind sample (parser's values hidden): 5% of letters" in capsys.readouterr().out
    with project.open("ann", lead=True) as store:
        assert store.policy().blind_share == 0.05
        assert store.policy().leads == project.leads("ann")
    with pytest.raises(SystemExit):  # argparse's usage error
        main(["policy", "--db", db, "--reviewer", "ann", "--blind-share", "101"])
    assert "a share is 0 to 100" in capsys.readouterr().err
