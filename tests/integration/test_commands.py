"""The headless commands end to end on real letters: import, export, stats, eval, Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imr_desk.cli import main
from imr_desk.edits import SetField
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore


@pytest.fixture(scope="module")
def some_letters(real_dev_dir: Path) -> list[str]:
    return [str(p) for p in sorted(real_dev_dir.glob("*.pdf"))[:4]]


def test_import_then_reimport_reports_duplicates_and_failures(
    tmp_path: Path, some_letters: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "letters.db")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")
    code = main(["import", *some_letters, str(broken), "--db", db, "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1  # one file failed
    assert f"failed: {broken}:" in err
    assert "imported 4, duplicates 0, failed 1 (reasons above), needs OCR 0" in out
    assert main(["import", *some_letters, "--db", db, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "imported 0, duplicates 4, failed 0" in out
    assert f"duplicate: {some_letters[0]} (already in the database)" in out


def test_export_stats_and_eval_commands_on_verified_letters(
    tmp_path: Path, some_letters: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "letters.db")
    main(["import", *some_letters, "--db", db, "--no-progress", "--workers", "1"])
    with LetterStore.open(db, reviewer="ann") as store:
        first, second, *_ = store.list_letters()
        store.apply(first.sha256, SetField(FieldRef("patient_age"), 99))
        store.set_status(first.sha256, "verified")
        store.set_status(second.sha256, "verified")
    capsys.readouterr()
    assert main(["export", "--db", db, "--out", str(tmp_path / "out")]) == 0
    lines = (tmp_path / "out" / "letters.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["review"]["corrected"] == ["letter.patient_age"]
    assert len(lines) == 2
    assert main(["stats", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "verified" in out and "ann" in out and "2 verified" in out
    assert main(["eval", "--db", db, "--workers", "1"]) == 0
    out = capsys.readouterr().out
    age_line = next(line for line in out.splitlines() if line.startswith("letter.patient_age "))
    assert age_line.split()[1:] == ["1/2", "0.500"]
    assert "letter.patient_age: expected 99 | got" in out
    assert "overall field accuracy" in out and "on 2 letters" in out


@pytest.mark.parametrize("command", [["stats"], ["export", "--out", "{tmp}/out"], ["eval"]])
def test_a_mistyped_db_is_an_error_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # Regression: stats, export and eval created an empty database at a mistyped --db.
    db = tmp_path / "no-such-folder" / "leters.db"
    command = [part.format(tmp=tmp_path) for part in command]
    assert main([*command, "--db", str(db)]) == 2
    assert f"no database at {db}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_newer_database_is_refused_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "letters.db"
    LetterStore.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    for command in (["stats"], ["export", "--out", str(tmp_path / "o")], ["import", "x"]):
        assert main([*command, "--db", str(db)]) == 1
        assert "newer IMR Desk" in capsys.readouterr().err


@pytest.mark.slow
def test_ctrl_c_stops_an_import_cleanly_and_a_rerun_finishes_it(
    tmp_path: Path, real_dev_dir: Path
) -> None:
    db = tmp_path / "letters.db"
    command = [sys.executable, "-m", "imr_desk", "import", str(real_dev_dir), "--db", str(db)]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not (db.exists() and _count(db) >= 2):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl+C does
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in out
    total = len(list(real_dev_dir.glob("*.pdf")))
    rerun = subprocess.run([*command, "--no-progress"], capture_output=True, text=True, check=False)
    assert rerun.returncode == 0
    with LetterStore.open(db) as store:
        assert store.integrity_check() == "ok"
        assert store.count_letters() == total


def _count(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM letters").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()
