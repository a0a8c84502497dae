"""Shared fixtures; Qt runs offscreen so the tests need no display."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from imr_desk.app import Desk
    from imr_desk.storage import LetterStore
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


# --- one project on either engine ------------------------------------------------------------


class EngineProject:
    """A review project on one engine, for the tests that must hold on both (issue 9): a SQLite
    file in the test's folder, or a team project on a fresh database of the test server.

    ``open(reviewer)`` is that reviewer's desk. In a file the reviewer is the name the desk
    gives; on the server it is a login of the team, created on demand (a lead when asked) with
    its password in PGPASSFILE. The server's roles are shared by every database of the session,
    so the logins' lead roles are put back as they were after the test. Stores opened here are
    closed after the test (a server's pool would otherwise keep reconnecting to a dropped
    database).
    """

    def __init__(
        self, kind: str, folder: Path, server: PgServer | None = None, admin_url: str = ""
    ) -> None:
        self.kind = kind
        self.folder = folder
        self.server = server
        self.admin_url = admin_url
        self.stores: list[LetterStore] = []
        self._logins: dict[str, bool] = {}  # login -> lead, as this test set it
        self._leads_before: dict[str, bool] = {}
        self._admin: Any = None  # one psycopg connection as the server's admin, when needed

    def target(self, reviewer: str = "tester", *, lead: bool = False) -> str | Path:
        """What ``--db`` or ``LetterStore.open`` takes for this reviewer's desk."""
        if self.server is None:
            return self.folder / "letters.db"
        self._member(reviewer, lead)
        return self.server.url(self.admin_url.rsplit("/", 1)[1], user=reviewer)

    def open(self, reviewer: str = "tester", *, lead: bool = False, **kwargs: Any) -> LetterStore:
        """This reviewer's desk on the project (``lead`` matters on the server only: in a file
        the review policy names the leads); ``kwargs`` go to ``LetterStore.open``."""
        from imr_desk.storage import LetterStore

        target = self.target(reviewer, lead=lead)
        if self.server is None:
            kwargs["reviewer"] = reviewer
        store = LetterStore.open(target, **kwargs)
        self.stores.append(store)
        assert store.kind == self.kind
        return store

    def leads(self, *named: str) -> tuple[str, ...]:
        """The leads of a policy that names ``named``: those names in a file; on the server its
        lead logins, whatever a policy names (they must include the names)."""
        if self.server is None:
            return named
        from imr_desk.storage import team

        found = tuple(member.login for member in team.members(self.admin_url) if member.lead)
        assert set(named) <= set(found), f"{named} are not all leads on the server: {found}"
        return found

    def empty(self) -> None:
        """Start over with an empty project (a property test's examples each need a new one);
        the stores opened so far are closed."""
        self.close_stores()
        if self.server is None:
            for suffix in ("", "-wal", "-shm"):
                (self.folder / f"letters.db{suffix}").unlink(missing_ok=True)
            return
        self._sql("TRUNCATE letters, audit, settings, reviews, checks, claims RESTART IDENTITY")

    def as_owner(self, *statements: str) -> None:
        """Change the project behind the desks' backs, as its owner: the SQLite file opened
        directly, or the server's admin on the project's database (statements in its dialect)."""
        if self.server is None:
            conn = sqlite3.connect(self.folder / "letters.db")
            try:
                for statement in statements:
                    conn.execute(statement)
                conn.commit()
            finally:
                conn.close()
            return
        for statement in statements:
            self._sql(statement)

    def close_stores(self) -> None:
        """Close every store opened here (each gives back the letters it claimed)."""
        stores, self.stores = self.stores, []
        for store in stores:
            store.close()

    def finish(self) -> None:
        """After the test: close its stores, put the server's leads back as they were."""
        try:
            self.close_stores()
            for login, was_lead in self._leads_before.items():
                if self._logins.get(login) != was_lead:
                    self._set_lead(login, was_lead)
        finally:
            if self._admin is not None:
                self._admin.close()

    def _member(self, login: str, lead: bool) -> None:
        """Make ``login`` a reviewer of the project (a lead or not, as asked) that can log in."""
        if self._logins.get(login) == lead:
            return
        from imr_desk.storage import team

        assert self.server is not None
        found = self._sql(
            "SELECT pg_has_role(oid, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            (self._lead_role(), login),
        )
        was_lead = bool(found and found[0][0])
        self._leads_before.setdefault(login, was_lead)
        team.add_member(self.admin_url, login, lead=lead)
        if was_lead and not lead:
            self._set_lead(login, False)
        if login not in self._logins:
            from psycopg import sql

            password = f"{login}-secret"
            statement = sql.SQL("ALTER ROLE {} PASSWORD {}")
            self._sql(statement.format(sql.Identifier(login), sql.Literal(password)))
            self.server.remember_password(login, password)
        self._logins[login] = lead

    def _set_lead(self, login: str, lead: bool) -> None:
        from psycopg import sql

        statement = sql.SQL("GRANT {} TO {}" if lead else "REVOKE {} FROM {}")
        self._sql(statement.format(sql.Identifier(self._lead_role()), sql.Identifier(login)))

    def _lead_role(self) -> str:
        from imr_desk.storage.pg_schema import team_roles

        return team_roles(self.admin_url.rsplit("/", 1)[1])[1]

    def _sql(self, statement: Any, params: tuple[Any, ...] | None = None) -> list[Any]:
        if self._admin is None:
            import psycopg

            self._admin = psycopg.connect(self.admin_url, autocommit=True)
        cursor = self._admin.execute(statement, params)
        return cursor.fetchall() if cursor.description is not None else []


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgresql"],
)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EngineProject]:
    """An empty project on each engine in turn: the test runs once on a SQLite file and once
    on a team server (``team init`` done; logins are made as the test opens their desks). The
    server is started only for the ``postgresql`` run."""
    if request.param == "sqlite":
        engine = EngineProject("sqlite", tmp_path)
    else:
        from imr_desk.storage import team

        server: PgServer = request.getfixturevalue("pg_server")
        admin_url: str = request.getfixturevalue("pg_db")
        team.init_project(admin_url)
        engine = EngineProject("postgresql", tmp_path, server, admin_url)
    try:
        yield engine
    finally:
        engine.finish()
