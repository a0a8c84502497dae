"""Hostile databases (issue 14, items 4 and 9): several programs creating the same new file at
once, a database other users can read, and another program's SQLite file given as ``--db``.
Every file is built here, at run time."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from imr_desk.samples import generate_letters
from imr_desk.storage import SCHEMA_VERSION, LetterStore, StorageError
from imr_desk.storage.errors import ForeignDatabaseError
from tests.unit.fake_letters import fake_record

CREATORS = 4
ROUNDS = 5
TIMEOUT = 60
FORK = multiprocessing.get_context("fork")  # cheap; the children only open the store
NO_FORK = pytest.mark.skipif(sys.platform == "win32", reason="the race is run with fork()")


def create_and_add(path: Path, n: int, barrier: Barrier) -> None:
    """One creator: open the (new) database the moment every creator is ready, add a letter."""
    barrier.wait(timeout=TIMEOUT)
    try:
        with LetterStore.open(path) as store:
            store.add_letter(fake_record(n), source_path=f"/in/{n}.pdf", parser_version="p1")
    except BaseException as exc:
        print(f"creator {n}: {exc}", file=sys.stderr)
        os._exit(1)
    os._exit(0)


def race(path: Path, first: int) -> list[int | None]:
    """Start ``CREATORS`` processes on one path at once; their exit codes."""
    barrier = FORK.Barrier(CREATORS)
    creators = [
        FORK.Process(target=create_and_add, args=(path, first + i, barrier))
        for i in range(CREATORS)
    ]
    for creator in creators:
        creator.start()
    for creator in creators:
        creator.join(TIMEOUT)
    return [creator.exitcode for creator in creators]


def schema_of(path: Path) -> tuple[int, int, int]:
    """(user_version, letters, migrations recorded) as another program reads them."""
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        letters = conn.execute("SELECT count(*) FROM letters").fetchone()[0]
        migrations = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    finally:
        conn.close()
    return version, letters, migrations


@NO_FORK
def test_processes_creating_the_same_new_database_at_once_all_store_their_letters(
    tmp_path: Path,
) -> None:
    for round_ in range(ROUNDS):
        path = tmp_path / f"round{round_}" / "letters.db"
        assert race(path, first=round_ * CREATORS) == [0] * CREATORS, f"round {round_}"
        # each migration applied once, by whichever creator came first
        assert schema_of(path) == (SCHEMA_VERSION, CREATORS, SCHEMA_VERSION)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def run_import(folder: Path, db: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """``imr-desk import FOLDER --db DB`` as a person would start it, not waited for."""
    environment = {**os.environ, "IMR_DESK_LOG_DIR": str(cwd / "logs")}
    options = ("--db", str(db), "--no-progress", "--workers", "1")
    return subprocess.Popen(
        [sys.executable, "-m", "imr_desk", "import", str(folder), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=cwd,
    )


def test_two_imports_started_at_once_on_a_new_database_import_every_letter(
    tmp_path: Path,
) -> None:
    first = generate_letters(tmp_path / "a", count=2, seed=41)
    second = generate_letters(tmp_path / "b", count=2, seed=42)
    for round_ in range(2):
        db = tmp_path / f"round{round_}.db"
        imports = [run_import(tmp_path / folder, db, tmp_path) for folder in ("a", "b")]
        for job in imports:
            _, err = job.communicate(timeout=TIMEOUT)
            assert job.returncode == 0, err.decode(errors="replace")
        with LetterStore.open(db, create=False) as store:
            stored = {row.file_name for row in store.list_letters(limit=10)}
        assert stored == {pdf.name for pdf in first + second}


def test_a_database_other_users_can_read_is_made_owner_only_with_its_wal_files(
    tmp_path: Path,
) -> None:
    path = tmp_path / "letters.db"
    LetterStore.open(path).close()
    other = sqlite3.connect(path)  # keeps the -wal and -shm files there while we loosen them
    other.execute("SELECT count(*) FROM letters").fetchone()
    files = (path, path.with_name("letters.db-wal"), path.with_name("letters.db-shm"))
    for file in files:
        file.chmod(0o644)
    if any(stat.S_IMODE(file.stat().st_mode) != 0o644 for file in files):
        other.close()
        pytest.skip("this file system does not keep permission bits")
    with LetterStore.open(path) as store:
        store.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
        assert [oct(stat.S_IMODE(file.stat().st_mode)) for file in files] == [oct(0o600)] * 3
    other.close()


def test_the_wal_files_of_a_tightened_database_are_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    LetterStore.open(path).close()  # the last close removes -wal and -shm
    path.chmod(0o644)
    with LetterStore.open(path):
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in tmp_path.iterdir()}
    assert modes == {"letters.db": 0o600, "letters.db-wal": 0o600, "letters.db-shm": 0o600}


def foreign_database(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return path


FOREIGN = {
    "notes app": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
    "INSERT INTO notes (body) VALUES ('keep me');",
    "versioned app": "PRAGMA user_version = 7; CREATE TABLE contacts (name TEXT);"
    "CREATE TABLE messages (body TEXT); CREATE VIEW recent AS SELECT * FROM messages;",
    "same table names, no version": "CREATE TABLE letters (x); CREATE TABLE audit (y);",
    "newer version, not ours": f"PRAGMA user_version = {SCHEMA_VERSION + 3};"
    "CREATE TABLE items (id);",
}


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in the folder: its SHA-256 and mode."""
    return {
        f.name: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mode)
        for f in folder.iterdir()
    }


@pytest.mark.parametrize("script", FOREIGN.values(), ids=FOREIGN.keys())
def test_another_programs_sqlite_file_is_refused_byte_for_byte_untouched(
    tmp_path: Path, script: str
) -> None:
    path = foreign_database(tmp_path / "other.sqlite", script)
    path.chmod(0o644)
    before = snapshot(tmp_path)
    with pytest.raises(ForeignDatabaseError) as refused:
        LetterStore.open(path)
    message = str(refused.value)
    assert str(path) in message
    assert "not an IMR Desk database" in message
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert all(repr(name) in message for name in tables)
    assert snapshot(tmp_path) == before


def test_import_into_another_programs_database_says_so_and_changes_nothing(
    tmp_path: Path,
) -> None:
    db = foreign_database(tmp_path / "app.db", FOREIGN["notes app"])
    generate_letters(tmp_path / "in", count=1, seed=43)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    job = run_import(tmp_path / "in", db, tmp_path)
    _, err = job.communicate(timeout=TIMEOUT)
    assert job.returncode == 1
    assert f"{db} is not an IMR Desk database" in err.decode()
    assert "'notes'" in err.decode()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.glob("app.db*")) == ["app.db"]


def test_an_empty_file_is_a_new_database_not_a_foreign_one(tmp_path: Path) -> None:
    path = tmp_path / "letters.db"
    path.touch()
    with LetterStore.open(path) as store:
        assert store.add_letter(fake_record(1), source_path="/in/1.pdf", parser_version="p1")
    assert schema_of(path) == (SCHEMA_VERSION, 1, SCHEMA_VERSION)


def test_a_refused_database_is_a_storage_error_the_commands_already_report(
    tmp_path: Path,
) -> None:
    path = foreign_database(tmp_path / "other.db", FOREIGN["notes app"])
    with pytest.raises(StorageError):
        LetterStore.open(path, read_only=True)
    with pytest.raises(StorageError):
        LetterStore.open(path, create=False)
