"""A local PostgreSQL server for ``imr_desk.bench_team`` when no ``--db`` is given.

The cluster lives in the benchmark's work folder and is kept between runs (so the 100,000-letter
project is built once), started on a free loopback port for the run and stopped after. Unlike
the tests' throwaway server it keeps PostgreSQL's default durability (fsync and synchronous
commit on): the benchmark measures durable edits. The admin's random password is kept in a
pgpass file beside the cluster (mode 0600), where libpq finds it through ``PGPASSFILE``.

initdb and pg_ctl refuse to run as root: as root the server runs as ``nobody``, which then owns
the cluster's folder.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any, Final

ADMIN: Final = "imr_bench"
HOST: Final = "127.0.0.1"


def _bindir() -> Path:
    """Debian's newest server binaries, else the PATH's."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version, reverse=True)
    if found:
        return found[0].parent
    on_path = shutil.which("initdb")
    if on_path is None:
        raise SystemExit(
            "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's `postgresql`, "
            "or give --db the admin URL of a server"
        )
    return Path(on_path).resolve().parent


def _version(initdb: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in initdb.parent.parent.name.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class LocalServer:
    """A PostgreSQL cluster in ``folder``: created on the first start, kept after stop."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.pgpass = folder.parent / f"{folder.name}.pgpass"
        self.bindir = _bindir()
        self.port = _free_port()
        self._user = pwd.getpwnam("nobody") if os.geteuid() == 0 else None

    def start(self) -> str:
        """Start the server (creating the cluster the first time); the admin's URL. Sets
        ``PGPASSFILE`` for this process so that libpq finds the admin's password."""
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        if self._pg_ctl("status").returncode == 0:  # left running by an interrupted run
            self._pg_ctl("stop", "-m", "fast")
        options = (
            f"-c listen_addresses={HOST} -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections=100"
        )
        done = self._pg_ctl("start", "-w", "-l", str(self.folder / "server.log"), "-o", options)
        if done.returncode != 0:
            raise SystemExit(f"pg_ctl start failed:\n{done.stdout}")
        os.environ["PGPASSFILE"] = str(self.pgpass)
        os.environ.pop("PGPASSWORD", None)
        return f"postgresql://{ADMIN}@{HOST}:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server; its data stays for the next run."""
        self._pg_ctl("stop", "-w", "-m", "fast")

    def _initdb(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(mode=0o700, parents=True)
        password = secrets.token_urlsafe(24)
        pwfile = self.folder / "pwfile"
        pwfile.write_text(password + "\n")
        if self._user is not None:
            for path in (self.folder, pwfile):
                os.chown(path, self._user.pw_uid, self._user.pw_gid)
        try:
            done = self._run(
                "initdb", "-D", str(self.data), "-U", ADMIN, f"--pwfile={pwfile}",
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        if done.returncode != 0:
            raise SystemExit(f"initdb failed:\n{done.stdout}")
        fd = os.open(self.pgpass, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(f"{HOST}:*:*:{ADMIN}:{password}\n")

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._run("pg_ctl", "-D", str(self.data), *args)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        as_user: dict[str, Any] = {}
        if self._user is not None:
            env["HOME"] = str(self.folder)
            as_user = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        return subprocess.run(
            [str(self.bindir / program), *args],
            cwd=self.folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            timeout=120,
            **as_user,
        )
