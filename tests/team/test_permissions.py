"""The team server refuses what a login may not do, whatever client sends it.

Each test connects as one of the team's logins with plain psycopg (not through the app) and
tries what the app would never do: the refusal comes from the server's grants, row security
and triggers, so no desk can get round it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg import errors

from imr_desk.edits import SetField, SetStatus
from imr_desk.record import FieldRef
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore
from imr_desk.storage.errors import ClaimLostError, PermissionRefusedError
from imr_desk.storage.pg_schema import team_roles
from tests.conftest import TeamProject
from tests.unit.fake_letters import fake_record

pytestmark = pytest.mark.postgres


@contextmanager
def raw(project: TeamProject, login: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain connection as ``login``, each statement its own transaction."""
    with psycopg.connect(project.url(login), autocommit=True) as conn:
        yield conn


def imported(project: TeamProject, count: int = 1) -> list[str]:
    with LetterStore.open(project.url("alice")) as store:
        for n in range(count):
            store.add_letter(fake_record(n + 1), source_path=f"/in/{n}.pdf", parser_version="1")
        return [row.sha256 for row in store.list_letters()]


def test_the_reviewer_is_the_login_whatever_the_desk_says(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("bob"), reviewer="alice") as store:
        assert store.reviewer == "bob"
        store.apply(sha, SetField(FieldRef("patient_age"), 51))
        assert {entry.reviewer for entry in store.audit(sha)} == {"bob"}


def test_an_audit_row_under_another_name_is_refused(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with raw(team_project, "bob") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO audit (sha256, field, old_json, new_json, reviewer, at) "
            "VALUES (%s, 'letter.patient_age', '48', '50', 'alice', '2026-01-01T00:00:00.000Z')",
            (sha,),
        )
    with raw(team_project, "bob") as conn:  # under his own name it goes in
        conn.execute(
            "INSERT INTO audit (sha256, field, old_json, new_json, at) "
            "VALUES (%s, 'letter.patient_age', '48', '50', '2026-01-01T00:00:00.000Z')",
            (sha,),
        )
        assert conn.execute("SELECT reviewer FROM audit").fetchall() == [("bob",)]


def test_the_audit_log_cannot_be_rewritten_or_shortened(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("alice")) as store:
        store.apply(sha, SetField(FieldRef("patient_age"), 50))
    for statement in (
        "UPDATE audit SET new_json = '99'",
        "DELETE FROM audit",
        "TRUNCATE audit",
    ):
        with raw(team_project, "lee") as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)
    with raw(team_project, "alice") as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone() == (2,)


def test_a_letter_claimed_on_another_desk_cannot_be_changed(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.claim(sha)
        with raw(team_project, "bob") as conn:  # straight to the table: row security hides it
            changed = conn.execute(
                "UPDATE letters SET note = 'mine now', status = 'flagged' WHERE sha256 = %s",
                (sha,),
            )
            assert changed.rowcount == 0
            with pytest.raises(errors.InsufficientPrivilege):  # nor can he take the claim
                conn.execute("UPDATE claims SET reviewer = 'bob'")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("DELETE FROM claims")
            assert conn.execute("SELECT imr_release(%s, 'alice')", (sha,)).fetchone() == (False,)
        with LetterStore.open(team_project.url("bob")) as bob:
            with pytest.raises(ClaimLostError, match="open on alice's desk"):
                bob.apply(sha, SetField(FieldRef("patient_age"), 77))
            assert bob.get(sha).full.field(FieldRef("patient_age")).value == 48
            assert bob.audit(sha) == []


def test_a_letter_row_names_only_the_login_changing_it(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with raw(team_project, "bob") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("UPDATE letters SET reviewer = 'alice' WHERE sha256 = %s", (sha,))


def test_a_reviewer_cannot_change_the_schema_or_the_rules(team_project: TeamProject) -> None:
    for statement in (
        "CREATE TABLE mine (x int)",
        "ALTER TABLE letters ADD COLUMN x int",
        "DROP TABLE audit",
        "ALTER TABLE audit DISABLE ROW LEVEL SECURITY",
        "DROP POLICY audit_own ON audit",
        "ALTER TABLE letters DISABLE TRIGGER letters_guard",
        f'GRANT "{team_roles(team_project.dbname)[1]}" TO bob',
    ):
        with raw(team_project, "lee") as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)


def test_only_a_lead_sets_the_review_policy_or_the_claim_time(team_project: TeamProject) -> None:
    with LetterStore.open(team_project.url("bob")) as bob:
        with pytest.raises(PermissionRefusedError):
            bob.set_policy(ReviewPolicy(double_share=1.0))
        with pytest.raises(PermissionRefusedError):
            bob.set_claim_seconds(60)
    for key in ("review_policy", "claim_idle_seconds"):  # the server's refusal, not the app's
        with raw(team_project, "bob") as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute("INSERT INTO settings (key, value) VALUES (%s, '1')", (key,))
    with LetterStore.open(team_project.url("lee")) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0))
        lee.set_claim_seconds(60)
        assert lee.policy().leads == ("lee",)  # the server's leads, not a name typed in
    with LetterStore.open(team_project.url("bob")) as bob:
        assert bob.policy().double_share == 1.0
        assert bob.claim_seconds() == 60


def test_another_reviewers_review_cannot_be_written(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("lee")) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0))
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.apply(sha, SetField(FieldRef("patient_age"), 50))
    with raw(team_project, "bob") as conn:
        changed = conn.execute("UPDATE reviews SET current_json = '{}' WHERE reviewer = 'alice'")
        assert changed.rowcount == 0
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO reviews (sha256, reviewer, status, started_at, updated_at, "
                "current_json) VALUES (%s, 'alice', 'verified', 'x', 'x', '{}')",
                (sha,),
            )


def test_a_gold_letter_is_a_leads_to_change(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("lee")) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0))
    for login in ("alice", "bob"):
        with LetterStore.open(team_project.url(login)) as store:
            store.apply(sha, SetStatus("verified"))
    with raw(team_project, "alice") as conn:
        assert conn.execute("SELECT stage FROM letters").fetchone() == ("gold",)
        with pytest.raises(errors.InsufficientPrivilege, match="only a lead"):
            conn.execute("UPDATE letters SET note = 'x' WHERE sha256 = %s", (sha,))
    with raw(team_project, "lee") as conn:
        conn.execute("UPDATE letters SET note = 'checked' WHERE sha256 = %s", (sha,))


@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "verified"), ("verified_at", "2016-01-01"), ("note", "fine"), ("stage", "gold")],
)
def test_a_new_letter_enters_only_as_parsed_and_unreviewed(
    team_project: TeamProject, column: str, value: str
) -> None:
    values = {"status": "parsed", column: value}
    with raw(team_project, "bob") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(
            f"INSERT INTO letters (sha256, created_at, parsed_json, current_json, "
            f"{', '.join(values)}) VALUES ('f00d', 'x', '{{}}', '{{}}', "
            f"{', '.join(['%s'] * len(values))})",
            tuple(values.values()),
        )


def test_a_stranger_without_the_reviewer_role_gets_nothing(
    team_project: TeamProject, pg_server: Any
) -> None:
    from psycopg import sql

    pg_server.psql(
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mallory') "
            "THEN CREATE ROLE mallory LOGIN PASSWORD 'm-secret'; END IF; END $$"
        )
    )
    pg_server.remember_password("mallory", "m-secret")
    with pytest.raises(psycopg.OperationalError, match=r"permission denied|not have CONNECT"):
        psycopg.connect(team_project.url("mallory")).close()


def test_a_reviewer_cannot_read_the_other_review_until_both_are_in(
    team_project: TeamProject,
) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("lee")) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0))
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.apply(sha, SetField(FieldRef("patient_age"), 50))
        alice.apply(sha, SetStatus("verified"))
    with LetterStore.open(team_project.url("bob")) as bob:
        bob.apply(sha, SetField(FieldRef("patient_age"), 61))
        with raw(team_project, "bob") as conn:  # alice's values: neither her review nor audit
            assert conn.execute("SELECT reviewer FROM reviews").fetchall() == [("bob",)]
            assert {r for (r,) in conn.execute("SELECT reviewer FROM audit")} == {"bob"}
            places = conn.execute("SELECT reviewer, status FROM review_places ORDER BY 1")
            assert places.fetchall() == [("alice", "verified"), ("bob", "in_progress")]
        bob.apply(sha, SetStatus("verified"))  # both in: compared, frozen for adjudication
        assert bob.get(sha).stage == "adjudication"
    with raw(team_project, "lee") as conn:
        assert len(conn.execute("SELECT current_json FROM reviews").fetchall()) == 2


def _two_verified_reviews(project: TeamProject, sha: str) -> None:
    """Double review of ``sha`` with alice's verified review and bob's in progress."""
    with LetterStore.open(project.url("lee")) as lee:
        lee.set_policy(ReviewPolicy(double_share=1.0))
    with LetterStore.open(project.url("alice")) as alice:
        alice.apply(sha, SetField(FieldRef("patient_age"), 50))
        alice.apply(sha, SetStatus("verified"))
    with LetterStore.open(project.url("bob")) as bob:
        bob.apply(sha, SetField(FieldRef("patient_age"), 61))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE letters SET stage = 'gold', status = 'verified', reviewer = 'alice'",
        "UPDATE letters SET review_info = '{\"mode\": \"double\"}', reviewer = 'alice'",
        "UPDATE letters SET sha256 = 'f00d'",
        "UPDATE letters SET created_at = '1999-01-01T00:00:00.000Z'",
        "UPDATE letters SET parsed_json = '{}'",
        "UPDATE letters SET current_json = '{}'",
    ],
)
def test_a_reviewer_cannot_rewrite_a_letter_row_at_will(
    team_project: TeamProject, statement: str
) -> None:
    (sha,) = imported(team_project)
    with LetterStore.open(team_project.url("bob")) as bob:  # a letter bob worked on
        bob.apply(sha, SetField(FieldRef("patient_age"), 61))
    with raw(team_project, "alice") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement + " WHERE sha256 = %s", (sha,))


def test_double_review_only_moves_forward_on_the_server(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    _two_verified_reviews(team_project, sha)
    with raw(team_project, "bob") as conn:
        for statement in (
            "UPDATE letters SET stage = NULL",  # out of double review
            "UPDATE letters SET stage = 'gold', status = 'verified', reviewer = 'bob'",
            "UPDATE letters SET status = 'verified', reviewer = 'bob'",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement + " WHERE sha256 = %s", (sha,))


def test_a_faked_verdict_does_not_let_a_reviewer_copy_the_other_review(
    team_project: TeamProject,
) -> None:
    (sha,) = imported(team_project)
    _two_verified_reviews(team_project, sha)
    with raw(team_project, "bob") as conn:
        with pytest.raises(errors.InsufficientPrivilege):  # no temporary stand-in tables
            conn.execute("CREATE TEMP TABLE settings (key text, value text)")
        conn.execute("UPDATE reviews SET status = 'verified' WHERE reviewer = 'bob'")
        seen = conn.execute("SELECT reviewer, current_json FROM reviews ORDER BY reviewer")
        assert [who for who, _ in seen.fetchall()] == ["alice", "bob"]  # both in: compared
        with pytest.raises(errors.InsufficientPrivilege, match="both reviews"):
            conn.execute(
                "UPDATE reviews SET current_json = (SELECT current_json FROM reviews "
                "WHERE reviewer = 'alice'), status = 'in_progress' WHERE reviewer = 'bob'"
            )
    with raw(team_project, "lee") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(  # a third review
            "INSERT INTO reviews (sha256, reviewer, status, started_at, updated_at, "
            "current_json) VALUES (%s, 'lee', 'in_progress', 'x', 'x', '{}')",
            (sha,),
        )


def test_rows_are_never_written_under_the_group_role(team_project: TeamProject) -> None:
    (sha,) = imported(team_project)
    reviewer_role = team_roles(team_project.dbname)[0]
    with raw(team_project, "alice") as conn:
        conn.execute(f'SET ROLE "{reviewer_role}"')
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO audit (sha256, field, at, reviewer) VALUES (%s, 'x', 'x', %s)",
                (sha, reviewer_role),
            )
        found = conn.execute(
            "INSERT INTO audit (sha256, field, at) VALUES (%s, 'x', 'x') RETURNING reviewer",
            (sha,),
        )
        assert found.fetchone() == ("alice",)


def test_a_reviewer_cannot_choose_row_ids_or_name_anothers_review(
    team_project: TeamProject,
) -> None:
    (sha,) = imported(team_project)
    _two_verified_reviews(team_project, sha)
    with raw(team_project, "bob") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO audit (id, sha256, field, at) VALUES (1000, %s, 'x', 'x')", (sha,)
        )
    with raw(team_project, "lee") as conn:
        (review_id,) = conn.execute("SELECT id FROM reviews WHERE reviewer = 'alice'").fetchone()
    with raw(team_project, "bob") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO audit (sha256, field, at, review_id) VALUES (%s, 'x', 'x', %s)",
            (sha, review_id),
        )


def test_a_lead_of_one_project_is_nobody_in_another(
    team_project: TeamProject, pg_server: Any
) -> None:
    from imr_desk.storage import team

    other = pg_server.create_database()
    other_url = pg_server.url(other)
    try:
        team.init_project(other_url)
        with pytest.raises(psycopg.OperationalError):  # lee is not of this team at all
            psycopg.connect(pg_server.url(other, user="lee")).close()
        team.add_member(other_url, "lee")  # a reviewer here, not a lead
        with LetterStore.open(pg_server.url(other, user="lee")) as lee:
            assert lee.policy().leads == ()
            with pytest.raises(PermissionRefusedError):
                lee.set_claim_seconds(60)
    finally:
        pg_server.drop_database(other)


def test_a_copy_from_the_server_runs_as_its_owner_not_a_reviewer(
    team_project: TeamProject, tmp_path: Any
) -> None:
    from imr_desk.storage.copy import copy_project

    imported(team_project)
    with pytest.raises(PermissionRefusedError, match="project's owner"):
        copy_project(team_project.url("alice"), tmp_path / "backup.db")
    assert not (tmp_path / "backup.db").exists()
