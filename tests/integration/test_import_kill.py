"""An import killed with SIGKILL half-way: the database is sound and a re-run completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "unit"
sys.path.insert(0, str(UNIT))

from fake_letters import fake_parse_file, write_letters  # noqa: E402

from imr_desk.importer import import_paths  # noqa: E402
from imr_desk.storage import LetterStore  # noqa: E402

IMPORT_SCRIPT = """
import sys
sys.path.insert(0, {unit!r})
from fake_letters import slow_fake_parse_file
from imr_desk.importer import import_paths
from imr_desk.storage import LetterStore
store = LetterStore.open({db!r})
import_paths(store, [{folder!r}], parse_file=slow_fake_parse_file, parser_version="v1", workers=2)
"""


def stored(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM letters").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not created yet
        return 0
    finally:
        conn.close()


def kill_when(process: subprocess.Popen, ready: callable, timeout: float = 60) -> None:
    """SIGKILL the process group (parent and its workers) once ``ready()`` is true."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def check_and_resume(db: Path, folder: Path, total: int, parse_file) -> None:
    with LetterStore.open(db) as store:
        assert store.integrity_check() == "ok"
        before = store.count_letters()
        assert 0 < before < total
        summary = import_paths(store, [folder], parse_file=parse_file, workers=0)
        assert summary.imported == total - before
        assert len(summary.duplicates) == before
        assert store.count_letters() == total
        shas = [r.sha256 for r in store.list_letters(limit=total + 10)]
        assert len(set(shas)) == total


@pytest.mark.slow
def test_an_import_killed_midway_leaves_a_sound_database_and_resumes(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "letters.db"
    write_letters(folder, 200)
    script = IMPORT_SCRIPT.format(unit=str(UNIT), db=str(db), folder=str(folder))
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    kill_when(process, lambda: db.exists() and stored(db) >= 20)
    check_and_resume(db, folder, 200, fake_parse_file)


@pytest.mark.slow
def test_the_import_command_killed_midway_resumes_on_real_letters(
    tmp_path: Path, real_dev_dir: Path
) -> None:
    db = tmp_path / "letters.db"
    total = len(list(real_dev_dir.glob("*.pdf")))
    command = [sys.executable, "-m", "imr_desk", "import", str(real_dev_dir), "--db", str(db)]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    kill_when(process, lambda: db.exists() and stored(db) >= 3)
    from imr_desk.parser import parse_file

    check_and_resume(db, real_dev_dir, total, parse_file)
