"""Seeded checks through the session and the store: the seeded value stays in what the
reviewer sees. Whatever they do (accept it and verify, correct it, type the letter's value
back), the stored letter, its audit, its double reviews and the export never hold it."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from test_seeded_checks import RECORDS

from imr_desk.edits import VerifyRefused
from imr_desk.export import export_dataset
from imr_desk.record import Letter, thaw
from imr_desk.review_policy import ReviewPolicy
from imr_desk.seeded_checks import ALTER, KINDS, Check, check_for
from imr_desk.session import ReviewSession
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

CHECK_ALL = ReviewPolicy(check_rate=1.0, leads=("ann",))
ACTIONS = ("accept", "correct", "retype")
SEEDS_TRIED = 300
SHA = f"{1:064x}"


def stored(store: LetterStore, record: dict[str, Any], n: int) -> str:
    """Store a record as letter ``n``; its SHA-256."""
    sha = f"{n:064x}"
    record = {**record, "source": {**record["source"], "sha256": sha, "file_name": f"{n}.pdf"}}
    assert store.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    return sha


def opened(store: LetterStore, sha: str) -> ReviewSession:
    """The letter's session as the app opens it, its check armed."""
    session = ReviewSession.from_row(store.get(sha))
    session.check = check_for(store.policy(), sha, session.letter)
    return session


def another_value(check: Check) -> Any:
    """A correction other than the shown value (the letter's own when no other exists)."""
    for seed in range(10):
        value = ALTER[check.kind](check.original, random.Random(seed))
        if value != check.shown:
            return value
    return check.original


def review(store: LetterStore, session: ReviewSession, action: str) -> tuple[Any, bool]:
    """Do ``action`` to the check's field through the session, write what it gives, try to
    verify, and record the outcome as the app does (``ui.check_overlay``): the value the
    reviewer meant, and whether the letter was verified."""
    check = session.check
    assert check is not None
    typed = {"accept": check.shown, "correct": another_value(check), "retype": check.original}
    change = session.edit(check.path, thaw(typed[action]))
    if action == "accept":
        assert change is None and session.check == check and session.settled == []
    else:
        assert session.check is None and session.settled == [(check, "caught")]
        assert (change is None) == (typed[action] == check.original)
    if change is not None:
        row, _ = store.apply(session.sha256, change.edit)
        session.update(row)
    for settled, outcome in session.settled:
        store.record_check(session.sha256, settled, outcome)
    session.settled.clear()
    try:
        session.update(store.set_status(session.sha256, "verified"))
    except VerifyRefused:
        return typed[action], False  # an invalid letter stays open, its check still shown
    if session.check is not None:
        store.record_check(session.sha256, session.check, "missed")
        session.check = None
    return typed[action], True


def exported_value(folder: Path, sha: str, check: Check) -> Any:
    """The check's field in the exported record of the letter."""
    for line in (folder / "letters.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["source"]["sha256"] != sha:
            continue
        if check.ref.item is None:
            return record["letter"][check.ref.name]
        return next(i for i in record["items"] if i["id"] == check.ref.item)[check.ref.name]
    raise AssertionError("the letter is not in the export")


def policy_drawing(kind: str, record: dict[str, Any], sha: str) -> ReviewPolicy | None:
    """A policy (its seed) under which the letter's check is of ``kind``, if one is found."""
    letter = Letter.from_parsed(record)
    for seed in range(SEEDS_TRIED):
        policy = ReviewPolicy(check_rate=1.0, seed=seed, leads=("ann",))
        check = check_for(policy, sha, letter)
        if check is None:
            return None
        if check.kind == kind:
            return policy
    return None


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # each example empties the project first
    ],
)
@given(record=RECORDS, action=st.sampled_from(ACTIONS))
def test_the_seeded_value_never_reaches_the_stored_letter_its_audit_or_the_export(
    project: EngineProject, kind: str, record: dict[str, Any], action: str
) -> None:
    policy = policy_drawing(kind, record, SHA)
    assume(policy is not None)
    assert policy is not None
    project.empty()
    with (
        tempfile.TemporaryDirectory() as folder,
        project.open("ann", lead=True) as store,
    ):
        store.set_policy(policy)
        sha = stored(store, record, 1)
        session = opened(store, sha)
        check = session.check
        assert check is not None and check.kind == kind
        meant, verified = review(store, session, action)
        kept = store.get(sha).full.value(check.ref)
        assert kept != check.shown
        assert kept == (check.original if action == "accept" else meant)
        audited = [e.new for e in store.audit(sha) if e.field == check.path]
        assert thaw(check.shown) not in audited
        results = store.check_results()
        if action == "accept" and not verified:  # still shown, nothing settled yet
            assert session.value(check.path) == check.shown
            assert results == {"caught": 0, "missed": 0}
        else:
            assert session.value(check.path) == kept  # the form shows the stored value
            outcome = "missed" if action == "accept" else "caught"
            assert results == {"caught": 0, "missed": 0, outcome: 1}
        event(f"{action}, verified={verified}")
        export_dataset(store, Path(folder) / "out", selection="all")
        assert exported_value(Path(folder) / "out", sha, check) == thaw(kept)


def test_a_settled_check_is_not_shown_again_and_counts_once(project: EngineProject) -> None:
    record = _sample()
    with project.open("ann", lead=True) as store:
        store.set_policy(CHECK_ALL)
        sha = stored(store, record, 2)
        session = opened(store, sha)
        assert session.check is not None
        assert store.record_check(sha, session.check, "caught")
        assert store.has_check(sha)
        assert not store.record_check(sha, session.check, "missed")  # the first outcome counts
        assert store.check_results("ann") == {"caught": 1, "missed": 0}
        assert store.check_results("bob") == {"caught": 0, "missed": 0}
        assert store.check_results_by_reviewer() == {"ann": {"caught": 1, "missed": 0}}
        with pytest.raises(ValueError, match="caught or missed"):
            store.record_check(sha, session.check, "ignored")


def test_no_check_on_a_verified_or_blind_letter_or_when_the_rate_is_zero() -> None:
    letter = Letter.from_parsed(_sample())
    sha = "ab" * 32
    assert check_for(CHECK_ALL, sha, letter) is not None
    assert check_for(ReviewPolicy(leads=("ann",)), sha, letter) is None
    blind = ReviewPolicy(check_rate=1.0, blind_share=1.0, leads=("ann",))
    assert check_for(blind, sha, letter) is None
    verified = Letter.from_parsed({**_sample(), "status": "verified"})
    assert check_for(CHECK_ALL, sha, verified) is None


def test_two_reviewers_who_both_miss_the_check_agree_on_the_letters_value(
    project: EngineProject,
) -> None:
    """Double review: each review holds the letter's value, so missing the same check is
    no disagreement and the gold record is the letter's."""
    policy = ReviewPolicy(double_share=1.0, check_rate=1.0, leads=("ann",))
    with project.open("ann", lead=True) as ann, project.open("bob") as bob:
        ann.set_policy(policy)
        sha = stored(ann, _sample(), 3)
        for store in (ann, bob):
            session = opened(store, sha)
            assert session.check is not None
            check = session.check
            assert review(store, session, "accept") == (check.shown, True)
        gold = ann.get(sha)
        assert gold.stage == "gold" and gold.status == "verified"
        assert gold.full.value(check.ref) == check.original
        assert ann.check_results() == {"caught": 0, "missed": 2}


def _sample() -> dict[str, Any]:
    from imr_desk.samples import generate_record

    return generate_record(random.Random(11), "B")


def test_the_policy_command_sets_and_shows_the_check_rate(
    project: EngineProject, capsys: pytest.CaptureFixture[str]
) -> None:
    from imr_desk.cli import main

    db = str(project.target("ann", lead=True))
    project.open("ann", lead=True).close()
    assert main(["policy", "--db", db, "--reviewer", "ann", "--check-rate", "2.5"]) == 0
    assert "seeded checks (one value shown altered): 2.5% of letters" in capsys.readouterr().out
    with project.open("ann", lead=True) as store:
        assert store.policy().check_rate == 0.025
        assert store.policy().leads == project.leads("ann")
    assert main(["policy", "--db", db, "--reviewer", "ann", "--check-rate", "0"]) == 0
    assert "seeded checks (one value shown altered): off" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # argparse's usage error
        main(["policy", "--db", db, "--reviewer", "ann", "--check-rate", "-1"])
    assert "a share is 0 to 100" in capsys.readouterr().err
