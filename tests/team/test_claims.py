"""Claims on a team server: never double work, never an edit silently overwritten.

Desks here are stores opened as the team's logins; "at once" is several threads, each with
its own connection, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest

from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore
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
