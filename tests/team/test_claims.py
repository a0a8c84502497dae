"""Claims on a team server: never double work, never an edit silently overwritten.

Desks here are stores opened as the team's logins; "at once" is several threads, each with
its own connection, released together by a barrier.
"""

from __future__ import annotations

import threading
import time

import pytest

from imr_desk.edits import SetField, SetStatus
from imr_desk.record import FieldRef
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore
from imr_desk.storage.errors import ClaimLostError
from tests.conftest import TeamProject
from tests.unit.fake_letters import fake_record

pytestmark = pytest.mark.postgres
AGE = FieldRef("patient_age")


def imported(project: TeamProject, count: int) -> list[str]:
    with LetterStore.open(project.url("lee")) as store:
        for n in range(count):
            store.add_letter(fake_record(n + 1), source_path=f"/in/{n}.pdf", parser_version="1")
        return [row.sha256 for row in store.list_letters(limit=count)]


def test_desks_asking_at_once_never_get_the_same_letter(team_project: TeamProject) -> None:
    imported(team_project, 12)
    logins, rounds = ("alice", "bob", "lee"), 4
    barrier = threading.Barrier(len(logins))
    handed: dict[str, list[str | None]] = {login: [] for login in logins}

    def desk(login: str) -> None:
        with LetterStore.open(team_project.url(login)) as store:
            current = None
            for _ in range(rounds):
                barrier.wait(timeout=20)
                current = store.next_letter(current)
                handed[login].append(current)
                barrier.wait(timeout=20)  # everyone holds their letter now

    threads = [threading.Thread(target=desk, args=(login,)) for login in logins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for round_ in range(rounds):
        at_once = [handed[login][round_] for login in logins]
        assert None not in at_once
        assert len(set(at_once)) == len(logins), f"round {round_}: {at_once}"


def test_next_skips_a_letter_another_desk_holds_and_moving_on_gives_it_back(
    team_project: TeamProject,
) -> None:
    first, second, _third = imported(team_project, 3)
    with (
        LetterStore.open(team_project.url("alice")) as alice,
        LetterStore.open(team_project.url("bob")) as bob,
    ):
        assert alice.next_letter(None) == first
        assert bob.next_letter(None) == second  # the first is alice's
        assert set(bob.live_claims()) == {first}
        assert alice.next_letter(first) == _third  # alice moves on: the first is free again
        assert bob.next_letter(second) == first


def test_an_idle_claim_runs_out_and_the_edit_of_a_lost_claim_is_refused(
    team_project: TeamProject,
) -> None:
    (sha,) = imported(team_project, 1)
    with LetterStore.open(team_project.url("lee")) as lee:
        lee.set_claim_seconds(1)
    with (
        LetterStore.open(team_project.url("alice")) as alice,
        LetterStore.open(team_project.url("bob")) as bob,
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
    team_project: TeamProject,
) -> None:
    (sha,) = imported(team_project, 1)
    with LetterStore.open(team_project.url("lee")) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0))
    with (
        LetterStore.open(team_project.url("alice")) as alice,
        LetterStore.open(team_project.url("bob")) as bob,
    ):
        alice.apply(sha, SetField(AGE, 50))  # starts the double review: shared from now on
        bob.apply(sha, SetField(AGE, 50))
        alice.apply(sha, SetStatus("verified"))
        bob.apply(sha, SetStatus("verified"))
        assert alice.get(sha).stage == "gold"


def test_a_letter_open_on_another_desk_is_not_reparsed(team_project: TeamProject) -> None:
    (sha,) = imported(team_project, 1)
    record = fake_record(1)
    record["letter"]["patient_age"] = 99
    with (
        LetterStore.open(team_project.url("alice")) as alice,
        LetterStore.open(team_project.url("bob")) as importer,
    ):
        alice.claim(sha)
        assert not importer.replace_parsed(record, parser_version="2")
        alice.release(sha)
        assert importer.replace_parsed(record, parser_version="2")
        assert alice.live_claims() == {}  # the importer gave it back


def test_closing_a_desk_gives_its_letters_back(team_project: TeamProject) -> None:
    first, second = imported(team_project, 2)
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.next_letter(None)
        alice.claim(second)
    with LetterStore.open(team_project.url("bob")) as bob:
        assert bob.live_claims() == {}
        assert bob.next_letter(None) == first


def test_claims_are_timed_by_the_servers_clock_not_a_desks(team_project: TeamProject) -> None:
    from datetime import datetime, timedelta

    first, second = imported(team_project, 2)
    fast = lambda: datetime.now().astimezone() + timedelta(minutes=15)  # noqa: E731
    with (
        LetterStore.open(team_project.url("alice")) as alice,
        LetterStore.open(team_project.url("bob"), clock=fast) as bob,
    ):
        alice.claim(first)
        assert set(bob.live_claims()) == {first}  # his clock says it lapsed; the server's not
        assert bob.next_letter(None) == second


def test_nobody_hoards_the_queue(team_project: TeamProject) -> None:
    from imr_desk.storage.errors import PermissionRefusedError
    from imr_desk.storage.pg_schema import MOST_HELD

    shas = imported(team_project, MOST_HELD + 1)
    with LetterStore.open(team_project.url("alice")) as alice:
        for sha in shas[:MOST_HELD]:
            alice.claim(sha)
        with pytest.raises(PermissionRefusedError, match=f"already holds {MOST_HELD} letters"):
            alice.claim(shas[-1])
        alice.release(shas[0])
        alice.claim(shas[-1])
