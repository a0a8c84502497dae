"""The start-up commands as a person (or the packaged app's smoke check) runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(cwd), XDG_CONFIG_HOME=str(cwd))
    return subprocess.run(
        [sys.executable, "-m", "imr_desk", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=cwd,
    )


def test_demo_command_generates_imports_and_opens_the_letters(tmp_path: Path) -> None:
    result = _run("demo", "--count", "3", "--dir", str(tmp_path / "demo"), "--smoke", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "smoke ok: 3 letters; title: IMR Desk — CM" in result.stdout
    assert (tmp_path / "demo" / "demo.db").exists()
    assert not list(tmp_path.rglob("*.conf")), "a smoke run saved the window layout"


def test_open_command_imports_a_letter_given_on_the_command_line(tmp_path: Path) -> None:
    from imr_desk.samples import generate_letters

    (pdf,) = generate_letters(tmp_path / "in", count=1, seed=1)
    result = _run("--db", str(tmp_path / "x.db"), str(pdf), "--smoke", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "smoke ok: 1 letters" in result.stdout
    assert pdf.stem in result.stdout
