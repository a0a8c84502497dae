"""``imr-desk db copy``: a project onto a team server and back, losing nothing.

The project copied has a letter in every state a project knows (untouched, edited, verified,
flagged, awaiting a second review, gold by agreement, gold by adjudication), seeded-check
outcomes, settings (policy, category model, claim time) and a live claim. Its export before
the trip and after (SQLite -> PostgreSQL -> SQLite) must be the same bytes, file for file:
each export is given the same clock, since the card's "Exported:" line is the one value an
export takes from the moment it runs rather than from the records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from imr_desk import cli
from imr_desk.adjudication import Typed
from imr_desk.edits import SetField
from imr_desk.export import export_dataset
from imr_desk.record import FieldRef
from imr_desk.review_policy import ReviewPolicy
from imr_desk.seeded_checks import Check
from imr_desk.storage import LetterStore
from imr_desk.storage import copy as copy_module
from imr_desk.storage.copy import TABLES, DestinationNotEmptyError, copy_project
from imr_desk.storage.errors import PermissionRefusedError
from tests.conftest import TeamProject
from tests.unit.fake_letters import fake_record

CLAIM = FieldRef("claim_number")
AGE = FieldRef("patient_age")
EXPORTED_AT = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
postgres = pytest.mark.postgres


def add(store: LetterStore, n: int) -> str:
    record = fake_record(n, decisions=("upheld", "overturned"))
    store.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    return str(record["source"]["sha256"])


def verified(store: LetterStore, sha: str, *edits: SetField) -> None:
    for edit in edits:
        store.apply(sha, edit)
    store.set_status(sha, "verified")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A SQLite project with letters in every state; ``cy`` still holds letter 4 (a live
    claim) while the test runs."""
    path = tmp_path / "solo.db"
    desks = {name: LetterStore.open(path, reviewer=name) for name in ("ann", "bob", "lea", "cy")}
    ann, bob, lea, cy = desks["ann"], desks["bob"], desks["lea"], desks["cy"]
    single = [add(lea, n) for n in range(1, 6)]
    verified(ann, single[0], SetField(CLAIM, "WC-1"), SetField(AGE, 51))
    bob.set_status(single[1], "flagged", note="page 2 is missing")
    ann.apply(single[2], SetField(CLAIM, "WC-3"))  # edited, not verified
    assert cy.next_letter(None) == single[3]  # held on cy's desk: a live claim
    ann.record_check(single[0], Check(AGE, "age", 48, 84), "caught")
    bob.record_check(single[1], Check(CLAIM, "treatment", None, "x"), "missed")
    lea.set_policy(ReviewPolicy(double_share=1.0, seed=3, leads=("lea",), check_rate=0.5))
    lea.set_claim_seconds(300)
    agreed, settled, waiting = (add(lea, n) for n in (6, 7, 8))
    verified(ann, agreed, SetField(CLAIM, "WC-6"))
    verified(bob, agreed, SetField(CLAIM, "WC-6"))
    verified(ann, settled, SetField(CLAIM, "WC-7A"))
    verified(bob, settled, SetField(CLAIM, "WC-7B"))
    lea.adjudicate(settled, {"letter.claim_number": Typed("WC-7")})
    verified(ann, waiting, SetField(CLAIM, "WC-8"))
    for name in ("ann", "bob", "lea"):
        desks[name].close()
    yield path
    cy.close()


def exported(db: str | Path, folder: Path) -> dict[str, bytes]:
    with LetterStore.open(db, create=False) as store:
        export_dataset(store, folder, selection="all", now=lambda: EXPORTED_AT)
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir()) if file.is_file()}


def sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table a copy carries, and the claims, row by row in key order."""
    conn = sqlite3.connect(path)
    try:
        rows = {
            table.name: conn.execute(
                f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {table.key}"
            ).fetchall()
            for table in TABLES
        }
        rows["claims"] = conn.execute("SELECT * FROM claims").fetchall()
    finally:
        conn.close()
    return rows


def pg_count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def test_the_copy_carries_every_column_of_every_table(tmp_path: Path) -> None:
    """A column a migration adds must be added to the copy too, or a copy would drop it."""
    with LetterStore.open(tmp_path / "fresh.db"):
        pass
    conn = sqlite3.connect(tmp_path / "fresh.db")
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in TABLES:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")]
        assert tuple(columns) == table.columns, table.name
    conn.close()
    assert names - {t.name for t in TABLES} == {"claims", "_sqlite_migrations"}


@postgres
def test_a_round_trip_through_the_server_exports_the_same_bytes(
    project: Path, team_project: TeamProject, tmp_path: Path
) -> None:
    before_rows = sqlite_rows(project)
    assert before_rows["claims"], "the project should hold a live claim"
    before = exported(project, tmp_path / "before")

    to_server = copy_project(project, team_project.admin_url)
    assert to_server.rows["letters"] == 8 and to_server.rows["checks"] == 2
    assert pg_count(team_project.admin_url, "claims") == 0
    on_server = exported(team_project.admin_url, tmp_path / "server")

    back = tmp_path / "back" / "home.db"
    assert cli.main(["db", "copy", "--from", team_project.admin_url, "--to", str(back)]) == 0
    after_rows = sqlite_rows(back)
    after = exported(back, tmp_path / "after")

    assert list(after) == [
        "README.md",
        "corrections.csv",
        "items.csv",
        "letters.csv",
        "letters.jsonl",
    ]
    for name, content in before.items():
        assert after[name] == content, f"{name} changed on the round trip"
        assert on_server[name] == content, f"{name} differs when exported from the server"
    assert after_rows == {**before_rows, "claims": []}


@postgres
def test_the_server_numbers_new_rows_after_the_copied_ones(
    project: Path, team_project: TeamProject
) -> None:
    copy_project(project, team_project.admin_url)
    record = fake_record(99)
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.add_letter(record, source_path="/in/99.pdf", parser_version="p1")
        assert alice.claim_seconds() == 300  # the claim time came along
    with psycopg.connect(team_project.admin_url) as conn:
        found = conn.execute(
            "SELECT id FROM letters WHERE sha256 = %s", (record["source"]["sha256"],)
        ).fetchone()
    assert found == (9,)


@postgres
def test_a_destination_that_holds_letters_is_refused_and_left_as_it_was(
    project: Path, team_project: TeamProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
    code = cli.main(["db", "copy", "--from", str(project), "--to", team_project.admin_url])
    assert code == 1
    assert "is not empty (it holds letters (1)" in capsys.readouterr().err
    assert pg_count(team_project.admin_url, "letters") == 1
    assert pg_count(team_project.admin_url, "audit") == 0

    other = tmp_path / "other.db"
    with LetterStore.open(other, reviewer="zoe") as store:
        add(store, 42)
    before = sqlite_rows(other)
    with pytest.raises(DestinationNotEmptyError):
        copy_project(project, other)
    assert sqlite_rows(other) == before


@postgres
def test_a_copy_that_fails_part_way_leaves_the_server_project_empty(
    project: Path, team_project: TeamProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_table = copy_module._copy_table

    def failing(source: Any, out: Any, table: Any) -> int:
        if table.name == "reviews":
            raise PermissionRefusedError("the team server refused: stopped for the test")
        return copy_table(source, out, table)

    monkeypatch.setattr(copy_module, "_copy_table", failing)
    with pytest.raises(PermissionRefusedError):
        copy_project(project, team_project.admin_url)
    for table in ("letters", "audit", "settings"):
        assert pg_count(team_project.admin_url, table) == 0, table


def test_a_failed_copy_into_a_new_file_leaves_no_file(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(source: Any, out: Any, table: Any) -> int:
        raise OSError("disk full, for the test")

    monkeypatch.setattr(copy_module, "_copy_table", failing)
    target = tmp_path / "new.db"
    with pytest.raises(OSError):
        copy_project(project, target)
    assert list(tmp_path.glob("new.db*")) == []


@postgres
def test_only_the_projects_owner_may_copy_onto_the_server(
    project: Path, team_project: TeamProject, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["db", "copy", "--from", str(project), "--to", team_project.url("lee")])
    assert code == 1
    err = capsys.readouterr().err
    assert "runs as the project's owner (imr_admin" in err and "not as lee" in err
    assert pg_count(team_project.admin_url, "letters") == 0


def test_a_copy_between_files_is_lossless_and_clears_claims(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    summary = copy_project(project, target)
    assert summary.rows["letters"] == 8
    assert sqlite_rows(target) == {**sqlite_rows(project), "claims": []}
    assert exported(target, tmp_path / "b") == exported(project, tmp_path / "a")
