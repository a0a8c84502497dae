"""Shared fixtures; Qt runs offscreen so the tests need no display."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from imr_desk.app import Desk
    from tests.pg_server import PgServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED = Path(os.environ.get("IMR_DESK_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CORPUS = SHARED / "corpus"


def shared_or_skip(relative: str) -> Path:
    """A path inside ../shared, or skip the test saying what is missing and how to point at it."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} not found: set IMR_DESK_SHARED to the shared folder to run this test")
    return path


@pytest.fixture(scope="session")
def real_dev_dir() -> Path:
    """The 64 real published letters (never committed; read from ../shared at run time)."""
    return shared_or_skip("corpus/real-dev")


@pytest.fixture(scope="session")
def real_dev_gold_dir() -> Path:
    """Hand-checked expected records for the real letters."""
    return shared_or_skip("corpus/real-dev-gold")


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The seed letter's text and its expected record."""
    return shared_or_skip("seeds")


@pytest.fixture(autouse=True)
def no_window_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a GUI test that leaves a top-level widget alive once its teardown is over.

    Closed windows that were never deleted used to pile up from test to test, and each new
    window restyles every live widget (``QApplication.setStyleSheet``), so the UI tests ran
    about four times slower. Tests without the ``gui`` mark never load Qt for this.
    """
    yield
    if request.node.get_closest_marker("gui") is not None:
        from tests.qt_windows import fail_if_windows_left

        fail_if_windows_left()


@pytest.fixture
def make_desk(qapp, tmp_path: Path, monkeypatch) -> Iterator[Callable[..., Desk]]:
    """Build the app as ``imr-desk`` does (``build_desk``); windows left open are closed after.

    A closed MainWindow deletes itself, so it is not given to ``qtbot.addWidget``: pytest-qt
    closes those after the test, when Qt may have freed it already. Closing may ask about typing
    left refused: requesting ``monkeypatch`` keeps the answer a test patched in until then.
    Settings default to an ini file in the test's folder, never the user's.
    """
    from PySide6.QtCore import QSettings

    from imr_desk.app import build_desk
    from tests.qt_windows import close_shown

    windows = []

    def make(db_path: str | os.PathLike[str] | None, **options) -> Desk:
        ini = str(tmp_path / "settings.ini")
        options.setdefault("settings", QSettings(ini, QSettings.Format.IniFormat))
        desk = build_desk(db_path, **options)
        windows.append(desk.window)
        return desk

    yield make
    close_shown(windows)


@pytest.fixture(autouse=True)
def log_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test logs into a folder of its own (beside its tmp_path, which stays as the test
    leaves it), never the user's log folder; closed after."""
    from imr_desk import logs

    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(folder))
    yield folder
    logs.close()


@pytest.fixture
def logging_to_file(log_dir: Path) -> Path:
    """The log file set up as every command sets it up (in the test's folder)."""
    from imr_desk import logs

    logs.setup()
    return log_dir


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server for the whole session (tests/pg_server.py), stopped and
    removed after; PGPASSFILE points the test process at its passwords meanwhile.

    Without the server binaries the tests skip, except in CI (CI=true), where they must run.
    """
    from tests.pg_server import PgBinariesMissing, PgServer

    try:
        server = PgServer()
    except PgBinariesMissing as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the PostgreSQL tests: {missing}", pytrace=False)
        pytest.skip(str(missing))
    try:
        server.start()
        with pytest.MonkeyPatch.context() as env:
            env.setenv("PGPASSFILE", str(server.pgpass_path))
            yield server
    finally:
        server.close()


@pytest.fixture
def pg_db(pg_server: PgServer) -> Iterator[str]:
    """A new empty database for this test, owned by the superuser: its URL (the password is in
    PGPASSFILE). Dropped after the test; a server a test left stopped is started again."""
    with pg_server.fresh_database() as url:
        yield url


TEAM_LOGINS = {"alice": False, "bob": False, "lee": True}
"""The test team on the throwaway server: two reviewers and a lead (``lee``)."""


@dataclass(frozen=True)
class TeamProject:
    """A team project created by ``imr-desk team init`` on a fresh database of the test
    server, with the logins of ``TEAM_LOGINS``: ``url(login)`` connects as one of them."""

    server: PgServer
    admin_url: str
    dbname: str

    def url(self, login: str) -> str:
        return self.server.url(self.dbname, user=login)


@pytest.fixture
def team_project(pg_server: PgServer, pg_db: str) -> TeamProject:
    """A fresh team project (schema, roles, rules) with alice, bob and lee (a lead)."""
    from psycopg import sql

    from imr_desk.storage import team

    team.init_project(pg_db)
    for login, lead in TEAM_LOGINS.items():
        team.add_member(pg_db, login, lead=lead)
        password = f"{login}-secret"
        pg_server.psql(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(login), sql.Literal(password)
            )
        )
        pg_server.remember_password(login, password)
    return TeamProject(pg_server, pg_db, pg_db.rsplit("/", 1)[1])
