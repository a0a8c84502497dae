"""The wheel installs in a clean virtual environment and the installed app runs from its own files.

Slow (a wheel build and a virtualenv with PySide6 and PyMuPDF: about a minute with pip's cache
warm), so it builds once per module. Every command runs from a folder outside the checkout with
the venv's own interpreter, so nothing can be imported from the source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import imr_desk
from imr_desk.resources import icon_names

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 900  # seconds for one pip run: a cold cache downloads PySide6 and PyMuPDF


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with only the built wheel and its dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    wheels = work / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", wheels], cwd=work)
    (wheel,) = wheels.glob("imr_desk-*.whl")
    _run([sys.executable, "-m", "venv", work / "venv"], cwd=work)
    bin_dir = work / "venv" / ("Scripts" if os.name == "nt" else "bin")
    _run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], cwd=work)
    return bin_dir


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and an environment pointing nowhere near it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env |= {"HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return tmp_path, env


def test_installed_package_lives_in_the_venv_with_every_icon(
    venv_bin: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    code = (
        "import importlib.resources, json, imr_desk, imr_desk.resources as r;"
        "print(json.dumps({'package': imr_desk.__file__,"
        " 'icons': str(importlib.resources.files(r) / 'icons'), 'names': r.icon_names()}))"
    )
    found = json.loads(_run([venv_bin / "python", "-I", "-c", code], cwd, env))
    venv = venv_bin.parent.resolve()
    for key in ("package", "icons"):
        assert Path(found[key]).resolve().is_relative_to(venv), found[key]
        assert not Path(found[key]).resolve().is_relative_to(ROOT), found[key]
    assert found["names"] == icon_names()
    assert "app" in found["names"]


def test_installed_command_prints_the_version(
    venv_bin: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    assert _run([venv_bin / "imr-desk", "--version"], cwd, env).strip() == (
        f"imr-desk {imr_desk.__version__}"
    )


def test_installed_command_parses_a_letter_it_generated(
    venv_bin: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    _run([venv_bin / "imr-desk", "samples", "--out", "letters", "--count", "2"], cwd, env)
    letter = sorted((cwd / "letters").glob("*.pdf"))[0]
    record = json.loads(_run([venv_bin / "imr-desk", "parse", "--json", letter], cwd, env))
    expected = json.loads(letter.with_suffix(".json").read_text("utf-8"))
    assert record["letter"]["case_number"] == letter.stem
    assert record["letter"]["outcome"] == expected["letter"]["outcome"]


def test_installed_demo_starts_offscreen_with_its_icons_and_quits(
    venv_bin: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    out = _run(
        [venv_bin / "imr-desk", "demo", "--dir", "demo", "--count", "3", "--smoke"], cwd, env
    )
    assert "smoke ok: 3 letters" in out
    # The window's icons come from imr_desk/resources in site-packages (an unknown name raises).
    code = (
        "from imr_desk.app import make_application; from imr_desk.ui.icons import icon;"
        "make_application(); print(all(not icon(n).isNull() for n in ('app', 'verify')))"
    )
    assert _run([venv_bin / "python", "-I", "-c", code], cwd, env).strip() == "True"
