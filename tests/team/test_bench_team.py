"""The team benchmark's reviewer simulation, at a tiny size: its checks hold on a real server.

Correctness only (no timing): two reviewer processes, each its own login, claim letters, edit
and verify them; every change they were told was saved is on the server under their own login,
and no letter was held by both at once.
"""

from __future__ import annotations

import pytest

from imr_desk import bench_team_load as load
from imr_desk.storage import LetterStore
from tests.unit.fake_letters import fake_record

pytestmark = pytest.mark.postgres


def test_two_reviewers_lose_nothing_and_never_share_a_letter(pg_db: str) -> None:
    records = [fake_record(n) for n in range(1, 6)]

    run = load.simulate(pg_db, records, 2, load.Workload(edits=5, verifications=2))

    assert [log.error for log in run.logs] == [None, None]
    assert [log.unsaved for log in run.logs] == [[], []]
    assert run.checks == load.Checks(
        lost_edits=0,
        unreported_rows=0,
        double_claims=0,
        shared_letters=0,
        wrong_names=0,
        claims_left=0,
    )
    assert [log.login for log in run.logs] == ["bench01", "bench02"]
    assert [len(log.edit_s) for log in run.logs] == [5, 5]
    claimed = [sha for log in run.logs for sha, _, _ in log.held]
    assert len(claimed) == len(set(claimed)) == 4
    with LetterStore.open(pg_db) as store:
        verified = {row.sha256: row.reviewer for row in store.list_letters(status="verified")}
    assert verified == {sha: log.login for log in run.logs for sha, _, _ in log.held}


def test_the_checks_see_a_lost_edit_and_a_double_claim(pg_db: str) -> None:
    records = [fake_record(n) for n in range(1, 4)]
    run = load.simulate(pg_db, records, 2, load.Workload(edits=2, verifications=1))
    first, second = run.logs
    sha, since, until = first.held[0]
    second.held.append((sha, since, until))  # as if the other desk had held it meanwhile
    first.edits.append((sha, "letter.patient_age", 99))  # told saved, never written

    checks = load.check_run(pg_db, run.logs)

    assert checks.double_claims == 1
    assert checks.lost_edits == 2  # no audit row, and the final record holds another age
    assert checks.wrong_names == 0  # both desks hold it now, so either name is the maker's
