"""A real, throwaway PostgreSQL server for the tests, built from the distribution's binaries.

The server storage is tested against the PostgreSQL a team would run, not a stand-in: one cluster
per test session in a temporary folder, listening on 127.0.0.1 only, on a free port, with
passwords required on every connection (scram-sha-256, never trust), so a test that logs in with
a wrong password or none sees what a desk would see. Durability settings are off (fsync,
synchronous commit) because nothing here needs to survive a power cut, and they make a cluster
start in about a second.

initdb and pg_ctl refuse to run as root, and CI runs as root: there the server runs as an
unprivileged user (``nobody``) that owns the temporary folder. The test process keeps its own user
and reaches the server over TCP like any client.

Passwords never go into connection URLs: the test process finds them in a pgpass file in the
temporary folder (``PGPASSFILE``), or a subprocess gets them from ``env_for`` (``PGPASSWORD``),
both libpq's own mechanisms.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from psycopg.sql import Composed

ADMIN = "imr_admin"
HOST = "127.0.0.1"
BINDIR_ENV = "IMR_DESK_PG_BINDIR"
UNPRIVILEGED_USER = "nobody"
START_ATTEMPTS = 3
PG_CTL_TIMEOUT_S = 60


class PgBinariesMissing(RuntimeError):
    """The PostgreSQL server binaries (initdb, pg_ctl) are not installed here."""


class PgServerError(RuntimeError):
    """The throwaway server could not be set up, started or stopped; the message says why."""


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort /usr/lib/postgresql/<version>/bin by version number, so 16 beats 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def _has_server(bindir: Path) -> bool:
    return (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file()


def _pg_config_bindir() -> Path | None:
    """pg_config's bindir: it comes with libpq-dev too, so the server binaries may be absent."""
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def find_bindir() -> Path:
    """The folder of initdb and pg_ctl: IMR_DESK_PG_BINDIR, else Debian's newest version, else
    pg_config's bindir, else the PATH. Raises PgBinariesMissing saying what to install."""
    override = os.environ.get(BINDIR_ENV)
    candidates: list[Path] = [Path(override)] if override else []
    candidates += sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda bindir: _version_key(bindir / "x"),
        reverse=True,
    )
    from_pg_config = _pg_config_bindir()
    if from_pg_config is not None:
        candidates.append(from_pg_config)
    on_path = shutil.which("initdb")
    if on_path is not None:
        candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if _has_server(bindir):
            return bindir
    raise PgBinariesMissing(
        "the PostgreSQL server binaries (initdb, pg_ctl) were not found in "
        f"{BINDIR_ENV}, /usr/lib/postgresql/*/bin, `pg_config --bindir` or the PATH: "
        "install Debian's `postgresql` package (apt-get install postgresql)"
    )


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it; start() retries on a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _pgpass_escape(value: str) -> str:
    """pgpass fields separate with ':' and escape with backslash."""
    return value.replace("\\", "\\\\").replace(":", "\\:")


def _utf8_locale() -> str:
    """C.UTF-8 where the C library has it (text functions then handle accents), else C."""
    done = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    names = {name.lower().replace("-", "") for name in done.stdout.split()}
    return "C.UTF-8" if "c.utf8" in names else "C"


class PgServer:
    """One throwaway PostgreSQL cluster: created on the first start(), removed by close().

    Call close() (the constructor also registers it with atexit) so that no server outlives the
    test run; a run killed outright (SIGKILL) is the one case that leaves a server behind.
    """

    def __init__(self, bindir: Path | None = None, *, parent_dir: str | None = None) -> None:
        self.bindir = bindir if bindir is not None else find_bindir()
        self._run_as = self._unprivileged_user() if os.geteuid() == 0 else None
        self.admin_password = secrets.token_urlsafe(24)
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="imr-pg-", dir=parent_dir))
        self.data_dir = self.base / "data"
        self.socket_dir = self.base / "sockets"
        self.log_path = self.base / "server.log"
        self.pgpass_path = self.base / "pgpass"
        self._passwords: dict[str, str] = {ADMIN: self.admin_password}
        self._initialised = False
        self._running = False
        self._ever_started = False
        self._closed = False
        atexit.register(self.close)
        self._write_pgpass()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server (creating the cluster the first time); a running server is left be."""
        if self._closed:
            raise PgServerError("this server was closed; make a new PgServer")
        if self._running:
            return
        if not self._initialised:
            self._initdb()
        for attempt in range(START_ATTEMPTS):
            done = self._pg_ctl("start", "-w", "-l", str(self.log_path))
            if done.returncode == 0:
                self._running = self._ever_started = True
                return
            lost_port_race = "could not bind" in self._log_tail() and attempt + 1 < START_ATTEMPTS
            if not lost_port_race or self._ever_started:
                raise PgServerError(f"pg_ctl start failed:\n{done.stdout}{self._log_tail()}")
            self.port = free_port()
            self._write_config()
            self._write_pgpass()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (pg_ctl's smart, fast or immediate); a stopped server is left be."""
        if not self._running:
            return
        if not (self.data_dir / "postmaster.pid").exists():  # it died, or a test killed it
            self._running = False
            return
        done = self._pg_ctl("stop", "-w", "-m", mode)
        if done.returncode != 0:
            raise PgServerError(f"pg_ctl stop failed:\n{done.stdout}{self._log_tail()}")
        self._running = False

    def restart(self, mode: str = "fast") -> None:
        """Stop and start again on the same port with the same data: open connections break."""
        self.stop(mode)
        self.start()

    def close(self) -> None:
        """Stop the server (immediately: nothing is kept) and remove its folder; safe to repeat."""
        if self._closed:
            return
        try:
            self.stop("immediate")
        finally:
            self._closed = True
            atexit.unregister(self.close)
            shutil.rmtree(self.base, ignore_errors=True)

    @property
    def running(self) -> bool:
        """Whether start() ran last, not stop(); a server killed from outside still counts."""
        return self._running

    @property
    def pid(self) -> int:
        """The postmaster's process id, from postmaster.pid (for checks on the server process)."""
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    # -- connecting ------------------------------------------------------------------------

    def url(self, dbname: str = "postgres", user: str = ADMIN, password: str | None = None) -> str:
        """A libpq URL without the password: ``postgresql://user@127.0.0.1:PORT/dbname``.

        A password given here is written to the pgpass file, where libpq finds it for this URL.
        """
        if password is not None:
            self.remember_password(user, password)
        return f"postgresql://{quote(user, safe='')}@{HOST}:{self.port}/{quote(dbname, safe='')}"

    def env_for(self, user: str = ADMIN, password: str | None = None) -> dict[str, str]:
        """libpq's environment variables for a subprocess connecting as ``user``.

        Only the PG* variables: merge them into a copy of os.environ. Without a password the
        pgpass file supplies the remembered one.
        """
        env = {
            "PGHOST": HOST,
            "PGPORT": str(self.port),
            "PGUSER": user,
            "PGPASSFILE": str(self.pgpass_path),
        }
        if password is not None:
            env["PGPASSWORD"] = password
        return env

    def remember_password(self, user: str, password: str) -> None:
        """Put ``user``'s password in the pgpass file, for every database of this server."""
        self._passwords[user] = password
        self._write_pgpass()

    # -- administration --------------------------------------------------------------------

    def psql(
        self, sql: str | Composed, params: Sequence[Any] | None = None, *, db: str = "postgres"
    ) -> list[tuple[Any, ...]]:
        """Run one statement as the superuser (autocommit) and return its rows, if any."""
        import psycopg

        with (
            psycopg.connect(self.url(db), password=self.admin_password, autocommit=True) as conn,
            conn.cursor() as cur,
        ):
            cur.execute(sql, params)
            return cur.fetchall() if cur.description is not None else []

    def create_database(
        self, name: str | None = None, *, owner: str = ADMIN, template: str = "template1"
    ) -> str:
        """Create an empty database (a copy of ``template``) and return its name."""
        from psycopg import sql

        name = name if name is not None else f"test_{uuid.uuid4().hex[:12]}"
        statement = sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(owner), sql.Identifier(template)
        )
        self.psql(statement)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        from psycopg import sql

        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        self.psql(statement)

    @contextmanager
    def fresh_database(self, owner: str = ADMIN) -> Iterator[str]:
        """A new empty database's URL for the block; dropped after it (if the server runs)."""
        self.start()
        name = self.create_database(owner=owner)
        try:
            yield self.url(name)
        finally:
            if self._running:
                self.drop_database(name)

    def create_login(self, name: str, password: str) -> None:
        """Create a role that can log in with ``password`` (remembered in the pgpass file)."""
        from psycopg import sql

        statement = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(password)
        )
        self.psql(statement)
        self.remember_password(name, password)

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _unprivileged_user() -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(UNPRIVILEGED_USER)
        except KeyError as missing:
            raise PgServerError(
                f"running as root, and there is no user {UNPRIVILEGED_USER!r} to run PostgreSQL"
            ) from missing

    def _initdb(self) -> None:
        """Create the cluster: superuser imr_admin with the random password, then the config."""
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.admin_password + "\n")
        pwfile.chmod(0o600)
        if self._run_as is not None:
            for path in (self.base, pwfile):
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)
        self.base.chmod(0o700)
        self.socket_dir.mkdir(mode=0o700)
        if self._run_as is not None:
            os.chown(self.socket_dir, self._run_as.pw_uid, self._run_as.pw_gid)
        try:
            done = self._run(
                self.bindir / "initdb",
                "-D", str(self.data_dir),
                "-U", ADMIN,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                f"--locale={_utf8_locale()}",
                "--no-sync",
                "--no-instructions",
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        if done.returncode != 0:
            raise PgServerError(f"initdb failed:\n{done.stdout}")
        self._write_config()
        self._initialised = True

    def _write_config(self) -> None:
        """Loopback only, scram-sha-256 everywhere, sockets in our folder, speed over safety.

        The settings go in postgresql.auto.conf, which PostgreSQL reads after postgresql.conf.
        """
        settings = {
            "listen_addresses": HOST,
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
            "password_encryption": "scram-sha-256",
            "ssl": "off",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "16MB",
            "max_connections": "100",
        }
        lines = [
            "# Written by tests/pg_server.py; ALTER SYSTEM rewrites this file, keeping these.",
            *(f"{key} = '{value}'" for key, value in settings.items()),
        ]
        self._write_as_server(self.data_dir / "postgresql.auto.conf", "\n".join(lines) + "\n")
        hba = (
            "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
            "local   all       all                 scram-sha-256\n"
            f"host    all       all   {HOST}/32  scram-sha-256\n"
        )
        self._write_as_server(self.data_dir / "pg_hba.conf", hba)

    def _write_as_server(self, path: Path, text: str) -> None:
        """Write a file in the data folder, owned by the server's user, private to it."""
        path.write_text(text)
        path.chmod(0o600)
        if self._run_as is not None:
            os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    def _write_pgpass(self) -> None:
        """Rewrite the pgpass file (mode 0600, or libpq ignores it) with every known password."""
        lines = [
            f"{HOST}:{self.port}:*:{_pgpass_escape(user)}:{_pgpass_escape(password)}"
            for user, password in self._passwords.items()
        ]
        fresh = self.pgpass_path.with_suffix(".new")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("\n".join(lines) + "\n")
        fresh.replace(self.pgpass_path)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._run(self.bindir / "pg_ctl", "-D", str(self.data_dir), *args)

    def _run(self, program: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary, as the unprivileged user when we are root (initdb refuses root).

        The environment drops the PG* variables meant for clients, and HOME points at our folder
        (nobody's home does not exist).
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["HOME"] = str(self.base)
        as_user: dict[str, Any] = {}
        if self._run_as is not None:
            as_user = {
                "user": self._run_as.pw_uid,
                "group": self._run_as.pw_gid,
                "extra_groups": [],
            }
        return subprocess.run(
            [str(program), *args],
            cwd=self.base,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            timeout=PG_CTL_TIMEOUT_S,
            **as_user,
        )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
