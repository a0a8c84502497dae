"""Importing into one team project from several machines at once.

Three importer processes (as three desks would run ``imr-desk import``) over overlapping sets
of letters, a damaged PDF and a PDF that is not a letter among them, started together.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path

import pymupdf
import pytest

from imr_desk.samples.generator import generate_letters
from imr_desk.storage import LetterStore
from tests.conftest import TeamProject

pytestmark = pytest.mark.postgres


def _import(url: str, paths: list[str], start: object, results: object) -> None:
    from imr_desk.importer import import_paths

    start.wait(timeout=60)  # type: ignore[attr-defined]
    with LetterStore.open(url) as store:
        summary = import_paths(store, paths, workers=1)
    results.put(  # type: ignore[attr-defined]
        {
            "imported": summary.imported,
            "duplicates": [Path(r.path).name for r in summary.duplicates],
            "failed": [Path(r.path).name for r in summary.failed],
        }
    )


def test_three_importers_over_overlapping_folders_store_each_letter_once(
    team_project: TeamProject, tmp_path: Path
) -> None:
    letters = sorted(str(p) for p in generate_letters(tmp_path / "letters", count=6, seed=9))
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF garbage")
    other = tmp_path / "menu.pdf"
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), "Lunch menu: soup of the day")
        doc.save(other)
    runs = [
        [*letters[:4], str(damaged)],
        [*letters[2:], str(damaged), str(other)],
        [letters[0], letters[5], letters[3], str(other)],
    ]
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    importers = [
        context.Process(target=_import, args=(team_project.url(login), paths, start, results))
        for login, paths in zip(("alice", "bob", "lee"), runs, strict=True)
    ]
    for importer in importers:
        importer.start()
    start.set()
    summaries = [results.get(timeout=120) for _ in importers]
    for importer in importers:
        importer.join(timeout=30)
        assert importer.exitcode == 0

    with LetterStore.open(team_project.url("alice")) as store:
        rows = store.list_letters(limit=100)
    assert sorted(Path(r.source_path).name for r in rows) == sorted(Path(p).name for p in letters)
    assert len({r.sha256 for r in rows}) == len(rows) == 6
    assert sum(s["imported"] for s in summaries) == 6  # each letter added by exactly one
    for summary in summaries:
        failures = Counter(summary["failed"])
        assert all(count == 1 for count in failures.values()), failures  # once each
        assert set(failures) <= {"damaged.pdf", "menu.pdf"}
    failed_anywhere = Counter(name for s in summaries for name in s["failed"])
    assert failed_anywhere == {"damaged.pdf": 2, "menu.pdf": 2}  # each importer that saw it
    handled = sum(s["imported"] + len(s["duplicates"]) + len(s["failed"]) for s in summaries)
    assert handled == sum(len(paths) for paths in runs)  # nothing lost, nothing counted twice
