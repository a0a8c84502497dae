"""Claims, the same on a SQLite file and on a team server: never double work, never an edit
silently overwritten (the server's own rules, concurrency and clock: tests/team/test_claims.py).
"""

from __future__ import annotations

import time

import pytest

from imr_desk.edits import SetField, SetStatus
from imr_desk.record import FieldRef
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage.errors import ClaimLostError
from tests.conftest import EngineProject
from tests.unit.fake_letters import fake_record

AGE = FieldRef("patient_age")


def imported(project: EngineProject, count: int) -> list[str]:
    with project.open("lee", lead=True) as store:
        for n in range(count):
            store.add_letter(fake_record(n + 1), source_path=f"/in/{n}.pdf", parser_version="1")
        return [row.sha256 for row in store.list_letters(limit=count)]


def test_next_skips_a_letter_another_desk_holds_and_moving_on_gives_it_back(
    project: EngineProject,
) -> None:
    first, second, _third = imported(project, 3)
    with (
        project.open("alice") as alice,
        project.open("bob") as bob,
    ):
        assert alice.next_letter(None) == first
        assert bob.next_letter(None) == second  # the first is alice's
        assert set(bob.live_claims()) == {first}
        assert alice.next_letter(first) == _third  # alice moves on: the first is free again
        assert bob.next_letter(second) == first


def test_an_idle_claim_runs_out_and_the_edit_of_a_lost_claim_is_refused(
    project: EngineProject,
) -> None:
    (sha,) = imported(project, 1)
    with project.open("lee", lead=True) as lee:
        lee.set_claim_seconds(1)
    with (
        project.open("alice") as alice,
        project.open("bob") as bob,
    ):
        alice.apply(sha, SetField(AGE, 50))
        with pytest.raises(ClaimLostError, match="open on alice's desk"):
            bob.apply(sha, SetField(AGE, 60))
        time.sleep(1.3)  # alice's desk went quiet: her claim ran out, bob takes the letter
        bob.apply(sha, SetField(AGE, 60))
        with pytest.raises(ClaimLostError, match=r"open on bob.s desk.*not saved"):
            alice.apply(sha, SetField(AGE, 51))
        assert alice.get(sha).full.field(AGE).value == 60
        assert [(a.reviewer, a.new) for a in alice.audit(sha) if a.field.endswith("age")] == [
            ("alice", 50),
            ("bob", 60),
        ]


def test_two_reviewers_work_on_a_double_review_letter_at_once(
    project: EngineProject,
) -> None:
    (sha,) = imported(project, 1)
    with project.open("lee", lead=True) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0, leads=("lee",)))
    with (
        project.open("alice") as alice,
        project.open("bob") as bob,
    ):
        alice.apply(sha, SetField(AGE, 50))  # starts the double review: shared from now on
        bob.apply(sha, SetField(AGE, 50))
        alice.apply(sha, SetStatus("verified"))
        bob.apply(sha, SetStatus("verified"))
        assert alice.get(sha).stage == "gold"


def test_a_letter_open_on_another_desk_is_not_reparsed(project: EngineProject) -> None:
    (sha,) = imported(project, 1)
    record = fake_record(1)
    record["letter"]["patient_age"] = 99
    with (
        project.open("alice") as alice,
        project.open("bob") as importer,
    ):
        alice.claim(sha)
        assert not importer.replace_parsed(record, parser_version="2")
        alice.release(sha)
        assert importer.replace_parsed(record, parser_version="2")
        assert alice.live_claims() == {}  # the importer gave it back


def test_closing_a_desk_gives_its_letters_back(project: EngineProject) -> None:
    first, second = imported(project, 2)
    with project.open("alice") as alice:
        alice.next_letter(None)
        alice.claim(second)
    with project.open("bob") as bob:
        assert bob.live_claims() == {}
        assert bob.next_letter(None) == first
