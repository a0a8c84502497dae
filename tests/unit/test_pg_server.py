"""The tests' throwaway PostgreSQL server: it starts, asks every client for a password, listens
on loopback only, survives a restart, hands each test its own database, and never runs as root."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from tests.pg_server import ADMIN, PgServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def no_password_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A client with no password anywhere: no PGPASSWORD and an empty pgpass file."""
    empty = tmp_path / "pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    return empty


def test_the_superuser_connects_with_the_url_and_the_pgpass_file(pg_server: PgServer) -> None:
    url = pg_server.url("postgres")
    assert url == f"postgresql://{ADMIN}@127.0.0.1:{pg_server.port}/postgres"
    assert pg_server.admin_password not in url
    assert os.environ["PGPASSFILE"] == str(pg_server.pgpass_path)
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT current_user, inet_server_addr()::text").fetchone()
    assert row == (ADMIN, "127.0.0.1/32")


def test_it_listens_on_loopback_only_with_its_sockets_in_its_own_folder(
    pg_server: PgServer,
) -> None:
    assert pg_server.psql("SHOW listen_addresses") == [("127.0.0.1",)]
    [(sockets,)] = pg_server.psql("SHOW unix_socket_directories")
    assert Path(sockets) == pg_server.socket_dir
    assert pg_server.socket_dir.is_relative_to(pg_server.base)


def test_a_login_with_its_password_works(pg_server: PgServer) -> None:
    pg_server.create_login("reviewer_ok", "right horse battery")
    with psycopg.connect(pg_server.url("postgres", user="reviewer_ok")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("reviewer_ok",)


def test_a_subprocess_environment_carries_the_password(
    pg_server: PgServer, no_password_env: Path
) -> None:
    pg_server.create_login("reviewer_env", "env: secret")
    env = pg_server.env_for("reviewer_env", "env: secret")
    assert env["PGHOST"] == "127.0.0.1"
    assert env["PGPORT"] == str(pg_server.port)
    with psycopg.connect(
        dbname="postgres",
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
    ) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("reviewer_env",)


def test_a_wrong_password_is_refused(pg_server: PgServer) -> None:
    pg_server.create_login("reviewer_wrong", "the real one")
    url = pg_server.url("postgres", user="reviewer_wrong")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url, password="not the real one")


def test_no_password_is_refused_on_loopback_tcp_and_on_the_socket(
    pg_server: PgServer, no_password_env: Path
) -> None:
    for host in ("127.0.0.1", str(pg_server.socket_dir)):
        with pytest.raises(psycopg.OperationalError, match="no password supplied"):
            psycopg.connect(host=host, port=pg_server.port, dbname="postgres", user=ADMIN)


def test_no_rule_of_the_server_trusts_a_client(pg_server: PgServer) -> None:
    rules = pg_server.psql("SELECT type, address, auth_method, error FROM pg_hba_file_rules")
    assert rules == [
        ("local", None, "scram-sha-256", None),
        ("host", "127.0.0.1", "scram-sha-256", None),
    ]


def test_a_restart_keeps_the_data_and_the_port_and_breaks_open_connections(
    pg_server: PgServer, pg_db: str
) -> None:
    port = pg_server.port
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (note text)")
        conn.execute("INSERT INTO kept VALUES ('before the restart')")
        pg_server.restart()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    assert pg_server.port == port
    with psycopg.connect(pg_db) as conn:
        assert conn.execute("SELECT note FROM kept").fetchall() == [("before the restart",)]


def test_a_stopped_server_refuses_connections_until_started(pg_server: PgServer) -> None:
    pg_server.stop()
    try:
        assert not pg_server.running
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(pg_server.url("postgres"), connect_timeout=5)
    finally:
        pg_server.start()
    assert pg_server.psql("SELECT 1") == [(1,)]


def _user_tables(url: str) -> list[tuple[str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()


def _claim(url: str) -> None:
    """Leave a table behind, which a database shared with another test would then show."""
    assert _user_tables(url) == []
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE claimed (by text)")


def test_each_test_gets_an_empty_database_of_its_own(pg_db: str) -> None:
    _claim(pg_db)


def test_each_test_gets_an_empty_database_of_its_own_too(pg_db: str) -> None:
    _claim(pg_db)


def test_databases_are_isolated_and_dropped_after_use(pg_server: PgServer) -> None:
    with pg_server.fresh_database() as first, pg_server.fresh_database() as second:
        assert first != second
        _claim(first)
        assert _user_tables(second) == []
        name = first.rsplit("/", 1)[1]
    exists = pg_server.psql("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
    assert exists == [(0,)]


def test_the_database_is_owned_by_the_superuser_and_encoded_in_utf8(
    pg_server: PgServer, pg_db: str
) -> None:
    with psycopg.connect(pg_db) as conn:
        row = conn.execute(
            "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding)"
            " FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert row == (ADMIN, "UTF8")


def test_the_server_never_runs_as_root(pg_server: PgServer) -> None:
    server_uid = os.stat(f"/proc/{pg_server.pid}").st_uid
    data_uid = pg_server.data_dir.stat().st_uid
    if os.geteuid() == 0:
        assert server_uid != 0
    else:
        assert server_uid == os.geteuid()
    assert data_uid == server_uid
    assert pg_server.base.stat().st_mode & 0o777 == 0o700


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent to reap it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_closing_stops_the_server_and_removes_its_folder(pg_server: PgServer) -> None:
    server = PgServer(pg_server.bindir)
    server.start()
    pid, base = server.pid, server.base
    assert _alive(pid)
    server.close()
    server.close()
    assert not base.exists()
    assert not _alive(pid)
