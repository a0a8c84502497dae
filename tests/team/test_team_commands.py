"""The command line against a team server: ``team init|add|list`` and ``--db URL`` for the
everyday commands, through the real entry point (``cli.main``, or the program itself)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from psycopg import sql

from imr_desk import cli
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore, StorageError
from tests.conftest import TeamProject
from tests.pg_server import PgServer, free_port

postgres = pytest.mark.postgres


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def new_login() -> str:
    """Logins are the server's (one per session): a name no other test uses."""
    return f"zed_{uuid.uuid4().hex[:8]}"


@postgres
def test_team_init_creates_the_project_once(pg_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "team", "init", "--db", pg_db, "--claim-minutes", "5")
    assert code == 0
    assert "created the team project at postgresql://imr_admin@127.0.0.1:" in out
    assert "a letter is held 5 idle minutes" in out
    with LetterStore.open(pg_db) as store:
        assert store.claim_seconds() == 300
    code, out, _ = run(capsys, "team", "init", "--db", pg_db, "--claim-minutes", "7")
    assert code == 0 and "is already there; nothing was created" in out
    with LetterStore.open(pg_db) as store:
        assert store.claim_seconds() == 420  # the claim time changes on an existing project


@postgres
def test_team_add_prints_how_to_set_the_password_and_the_login_connects_once_it_is_set(
    team_project: TeamProject, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    login = new_login()
    try:
        added_and_connected(team_project, pg_server, capsys, login)
    finally:
        pg_server.psql(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


def added_and_connected(
    team_project: TeamProject, pg_server: PgServer, capsys: pytest.CaptureFixture[str], login: str
) -> None:
    admin = team_project.admin_url
    code, out, _ = run(capsys, "team", "add", login, "--db", admin)
    assert code == 0 and f"{login} is now a reviewer of the team" in out
    assert f'psql "{admin}" -c "\\password {login}"' in out
    desk_url = team_project.url(login)
    assert f"  imr-desk --db {desk_url}\n" in out
    assert f"127.0.0.1:{pg_server.port}:{team_project.dbname}:{login}:PASSWORD" in out
    assert "secret" not in out

    with pytest.raises(StorageError):  # no password yet: the server lets nobody in
        LetterStore.open(desk_url).close()
    pg_server.psql(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal("pw-1"))
    )
    pg_server.remember_password(login, "pw-1")  # the ~/.pgpass line the output describes
    with LetterStore.open(desk_url) as store:
        assert store.reviewer == login

    code, out, _ = run(capsys, "team", "add", login, "--lead", "--db", admin)
    assert code == 0 and f"{login} is now a lead" in out
    code, out, _ = run(capsys, "team", "add", login, "--lead", "--db", admin)
    assert code == 0 and "was already a lead" in out


@postgres
def test_team_list_shows_each_login_its_role_and_the_letters_it_holds(
    team_project: TeamProject, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.fake_letters import fake_record

    with LetterStore.open(team_project.url("alice")) as alice:
        alice.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
        assert alice.next_letter(None) is not None  # alice holds it while her desk is open
        code, out, _ = run(capsys, "team", "list", "--db", team_project.admin_url)
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    # Logins are the whole server's: other tests' logins may be listed too.
    team = {login: rows.get(login) for login in ("alice", "bob", "lee")}
    assert team == {"alice": ["reviewer", "1"], "bob": ["reviewer", "0"], "lee": ["lead", "0"]}


@postgres
def test_team_commands_refuse_clearly(
    team_project: TeamProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "team", "add", "Not A Login", "--db", team_project.admin_url)
    assert code == 2 and "cannot be a reviewer's login" in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "team", "add", new_login(), "--db", team_project.url("alice"))
    assert code == 1 and "team server refused" in err and "run as the server's admin" in err
    code, _, err = run(capsys, "team", "list", "--db", str(tmp_path / "x.db"))
    assert code == 2 and "--db must name a team server" in err


@postgres
def test_import_stats_export_and_policy_with_a_server_url(
    team_project: TeamProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate_letters(tmp_path / "letters", count=3, seed=5)
    alice, lee = team_project.url("alice"), team_project.url("lee")
    args = ["--db", alice, "--workers", "1", "--no-progress"]
    code, out, _ = run(capsys, "import", str(tmp_path / "letters"), *args)
    assert code == 0 and "imported 3," in out
    assert out.rstrip().endswith(
        f"into postgresql://alice@127.0.0.1:{team_project.server.port}/{team_project.dbname}"
    )
    code, out, _ = run(capsys, "import", str(tmp_path / "letters"), *args)
    assert code == 0 and "imported 0," in out and "duplicates 3" in out

    code, out, _ = run(capsys, "stats", "--db", lee)
    assert code == 0 and out.startswith("letters: 3 ")

    code, out, _ = run(
        capsys, "export", "--db", alice, "--out", str(tmp_path / "out"), "--status", "all"
    )
    assert code == 0 and "exported 3 letters" in out
    lines = (tmp_path / "out" / "letters.jsonl").read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["status"] == "parsed" for line in lines)

    code, _, err = run(capsys, "policy", "--db", alice, "--double-share", "10")
    assert code == 1 and "only a lead may change the review policy (alice is not one)" in err
    assert len(err.splitlines()) == 1
    code, _, err = run(capsys, "policy", "--db", lee, "--lead", "bob")
    assert code == 2 and "leads are its lead logins" in err
    code, out, err = run(capsys, "policy", "--db", lee, "--double-share", "10", "--reviewer", "x")
    assert code == 0 and "double review: 10% of letters" in out and "leads: lee" in out
    assert "--reviewer x is ignored on a team server: you review as your login, lee" in err
    code, out, _ = run(capsys, "agreement", "--db", alice)
    assert code == 0 and "No letter has two verified reviews yet" in out


def test_a_password_in_db_is_refused_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://alice:hunter2@127.0.0.1:1/imr"
    for argv in (
        ["stats", "--db", url],
        ["export", "--db", url, "--out", "x"],
        ["import", "nothing.pdf", "--db", url],
        ["team", "list", "--db", url],
        ["db", "copy", "--from", url, "--to", "y.db"],
    ):
        code, out, err = run(capsys, *argv)
        assert code != 0, argv
        assert "must not contain a password" in err and "~/.pgpass" in err, argv
        assert "hunter2" not in out + err, argv


@postgres
def test_demo_imports_its_letters_into_a_team_project_and_opens_it(
    team_project: TeamProject, tmp_path: Path
) -> None:
    """The real program, its import worker reopening the project from its connection string."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "imr_desk", "demo", "--db", team_project.url("bob"),
         "--dir", str(tmp_path / "demo"), "--count", "3", "--reviewer", "robert", "--smoke"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.search(r"smoke ok: 3 letters", done.stdout), done.stdout
    assert "--reviewer robert is ignored on a team server: you review as your login, bob" in (
        done.stderr
    )
    assert not (tmp_path / "demo" / "demo.db").exists()
    with LetterStore.open(team_project.url("alice")) as alice:
        assert alice.count_letters() == 3


@postgres
@pytest.mark.gui
def test_the_app_on_a_team_project_exports_through_a_connection_of_its_own(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.unit.fake_letters import fake_record

    with LetterStore.open(team_project.url("lee")) as lee:
        lee.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
    monkeypatch.chdir(tmp_path)
    desk = make_desk(team_project.url("alice"), reviewer="someone")
    desk.window.show()  # closed (and its store with it) after the test
    assert (desk.store.kind, desk.store.reviewer) == ("postgresql", "alice")
    assert desk.batch._export_folder() == tmp_path / "export"  # a server has no folder here
    with qtbot.waitSignal(desk.batch.export_finished, timeout=30000) as finished:
        desk.batch.start_export(tmp_path / "out", include_unverified=True)
    assert finished.args[0].letters == 1
    assert len((tmp_path / "out" / "letters.jsonl").read_text().splitlines()) == 1


@pytest.mark.parametrize(
    ("admin", "desk", "pgpass"),
    [
        (
            "postgresql://teamadmin@db.example.org:5433/imr",
            "postgresql://alice@db.example.org:5433/imr",
            "db.example.org:5433:imr:alice:PASSWORD",
        ),
        (
            "postgresql://db.example.org/imr?sslmode=require",
            "postgresql://alice@db.example.org/imr?sslmode=require",
            "db.example.org:5432:imr:alice:PASSWORD",
        ),
        ("service=imr", "service=imr user=alice", "*:*:*:alice:PASSWORD"),
        (
            "host=/var/run/postgresql dbname=imr user=teamadmin",
            "host=/var/run/postgresql user=alice dbname=imr",
            "/var/run/postgresql:5432:imr:alice:PASSWORD",
        ),
    ],
)
def test_a_members_connection_string_is_the_admins_with_the_members_login(
    admin: str, desk: str, pgpass: str
) -> None:
    from imr_desk.commands.team import connect_instructions
    from imr_desk.storage.team import member_conninfo, pgpass_line

    assert member_conninfo(admin, "alice") == desk
    assert pgpass_line(desk) == pgpass
    assert f"  {pgpass}\n" in connect_instructions(admin, "alice")


def test_a_desk_that_cannot_connect_is_told_why_at_once(
    team_project: TeamProject, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from imr_desk.storage.team import add_member

    add_member(team_project.admin_url, "nopass")  # a login whose password was never set
    assert cli.main(["stats", "--db", team_project.url("nopass")]) == 1
    said = capsys.readouterr().err
    assert "cannot connect to the team server" in said
    assert "~/.pgpass" in said  # where the password goes, not that the server is down
    assert cli.main(["stats", "--db", f"postgresql://x@127.0.0.1:{free_port()}/imr"]) == 1
    assert "Connection refused" in capsys.readouterr().err
