"""Print how soon a desk shows another desk's verification (issue 9: "within about a second").

A throwaway PostgreSQL server (tests/pg_server.py, Debian's binaries) holds a team project;
alice's desk is the real app (``build_desk``, offscreen) and bob a plain store in the same
process. Each run bob verifies one letter; the time from his commit returning to the row of
alice's queue reading "verified" is one sample. Also printed: the time until alice's store
alone hears of it (the listener, without the desk's timer). Median, p95 and worst over the runs.

    QT_QPA_PLATFORM=offscreen python scripts/notify_latency.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from psycopg import sql  # noqa: E402
from PySide6.QtCore import QModelIndex, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from imr_desk.app import build_desk  # noqa: E402
from imr_desk.storage import LetterStore, team  # noqa: E402
from tests.pg_server import PgServer  # noqa: E402
from tests.unit.fake_letters import fake_record  # noqa: E402


class _Nothing:
    letters: frozenset[str] = frozenset()


_NONE = _Nothing()


def until(condition: Callable[[], bool], limit: float = 5.0) -> float:
    """Seconds until ``condition`` holds, the Qt events running meanwhile."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > limit:
            raise SystemExit(f"not seen after {limit} s")
        QApplication.processEvents()
        time.sleep(0.0005)
    return time.perf_counter() - start


def both(heard: Callable[[], bool], shown: Callable[[], bool]) -> tuple[float, float]:
    """Seconds until each condition first holds (asked in turn, the Qt events running)."""
    start, found = time.perf_counter(), [0.0, 0.0]
    while not all(found):
        QApplication.processEvents()
        for n, condition in enumerate((heard, shown)):
            if not found[n] and condition():
                found[n] = time.perf_counter() - start
        if time.perf_counter() - start > 5:
            raise SystemExit("not seen after 5 s")
        time.sleep(0.0005)
    return found[0], found[1]


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{name}: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"worst {ms[-1]:.0f} ms ({len(ms)} runs)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    server = PgServer()
    server.start()
    os.environ["PGPASSFILE"] = str(server.pgpass_path)
    try:
        admin = server.url(server.create_database())
        dbname = admin.rsplit("/", 1)[1]
        team.init_project(admin)
        for login in ("alice", "bob"):
            team.add_member(admin, login)
            password = f"{login}-{random.randrange(10**9)}"
            server.psql(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(login), sql.Literal(password)
                )
            )
            server.remember_password(login, password)
        return measure(server, dbname, args.runs)
    finally:
        server.close()


def measure(server: PgServer, dbname: str, runs: int) -> int:
    with LetterStore.open(server.url(dbname, user="bob")) as bob:
        for n in range(runs + 1):
            bob.add_letter(fake_record(n + 1), source_path=f"/in/{n}.pdf", parser_version="1")
        shas = [row.sha256 for row in bob.list_letters()][1:]  # alice opens the first
        with tempfile.TemporaryDirectory() as folder:
            settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
            desk = build_desk(server.url(dbname, user="alice"), settings=settings)
            desk.window.show()
            desk.review.open_first()
            model = desk.window.queue.model
            until(lambda: desk.review.team.server_answers)

            def status(sha: str) -> str:
                row = model.row_of(sha)
                return str(model.data(model.index(row or 0, 1, QModelIndex())))

            with LetterStore.open(server.url(dbname, user="alice")) as listener:
                listener.changed_letters()  # starts listening
                until(lambda: getattr(listener.changed_letters(), "listening", False))
                queue, heard = [], []
                for sha in shas:
                    time.sleep(random.uniform(0.05, 0.3))  # any phase of the desk's timer
                    bob.set_status(sha, "verified")
                    times = both(
                        lambda sha=sha: sha in (listener.changed_letters() or _NONE).letters,
                        lambda sha=sha: status(sha) == "verified",
                    )
                    heard.append(times[0])
                    queue.append(times[1])
            desk.window.close()
    print(summary("bob's commit -> alice's queue row shows it", queue))
    print(summary("bob's commit -> alice's listener hears it", heard))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
