"""Shared fixtures; Qt runs offscreen so the tests need no display."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
