"""Measure the current parser against verified letters or a folder of gold records.

Values are compared by ``domain.values_equal``, the same rule the export's ``corrected`` and
the dataset card use (and the shared scorer's: whitespace collapsed, a space after a hyphen
ignored, curly quotes equal to straight ones). Items are matched by position; an item is
right when its treatment and decision both are.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr_desk.calibration import Bin, reliability
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, values_equal
from imr_desk.importer import ParseFile, file_sha256, parse_job
from imr_desk.names import real_path
from imr_desk.storage import LetterStore


@dataclass(frozen=True)
class Miss:
    """One wrong field: which letter, which path, what was expected and what the parser said."""

    case: str
    path: str
    expected: Any
    got: Any


@dataclass(frozen=True)
class GoldLetter:
    """A letter to score: its expected record and the PDF to parse (with its identity)."""

    case: str
    expected: dict[str, Any]
    pdf: Path
    sha256: str | None = None


@dataclass
class Evaluation:
    """Per-field right/total counts, item matches and the misses, over all scored letters."""

    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    item_tp: int = 0
    item_fp: int = 0
    item_fn: int = 0
    letters: int = 0
    misses: list[Miss] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # (field, the parser's confidence, right) for every value the parser gave (confidence > 0)
    confidences: list[tuple[str, float, bool]] = field(default_factory=list)
    _given: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def precision(self) -> float:
        return self.item_tp / max(1, self.item_tp + self.item_fp)

    @property
    def recall(self) -> float:
        return self.item_tp / max(1, self.item_tp + self.item_fn)

    @property
    def accuracy(self) -> float:
        """Right fields over all scored fields."""
        return sum(self.right.values()) / max(1, sum(self.total.values()))

    def field_accuracy(self) -> list[tuple[str, int, int]]:
        """(field, right, total) in field order."""
        order = [s.path() for s in LETTER_FIELDS] + [f"items.{s.name}" for s in ITEM_FIELDS]
        return [(k, self.right[k], self.total[k]) for k in order if self.total[k]]

    def reliability(self) -> list[Bin]:
        """The reliability table of the parser's confidences over the values it gave."""
        return reliability((c, right) for _, c, right in self.confidences)

    def misses_by_letter(self) -> dict[str, list[Miss]]:
        """The misses grouped by letter, letters with most misses first."""
        grouped: dict[str, list[Miss]] = {}
        for miss in self.misses:
            grouped.setdefault(miss.case, []).append(miss)
        return dict(sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    def score(self, case: str, expected: dict[str, Any], got: dict[str, Any]) -> None:
        """Add one letter: its letter fields, then its items by position."""
        self.letters += 1
        got_letter = got.get("letter") or {}
        self._given = {p["field"]: p["confidence"] for p in got.get("provenance") or []}
        for spec in LETTER_FIELDS:
            if spec.name in expected["letter"]:
                self._field(
                    case, spec.path(), expected["letter"][spec.name], got_letter.get(spec.name)
                )
        self._items(case, expected.get("items") or [], got.get("items") or [])

    def _field(self, case: str, path: str, expected: Any, got: Any) -> None:
        key = re.sub(r"^items\.\d+\.", "items.", path)
        self.total[key] += 1
        if self._given.get(path, 0.0) > 0:
            self.confidences.append((key, self._given[path], values_equal(expected, got)))
        if values_equal(expected, got):
            self.right[key] += 1
        else:
            self.misses.append(Miss(case, path, expected, got))

    def _items(self, case: str, expected: list[dict], got: list[dict]) -> None:
        for index, gold in enumerate(expected):
            item = got[index] if index < len(got) else {}
            hit = _item_hit(gold, item)
            self.item_tp += hit
            self.item_fn += not hit
            self.item_fp += index < len(got) and not hit
            for spec in ITEM_FIELDS:
                if spec.name in gold:
                    self._field(case, spec.path(index), gold[spec.name], item.get(spec.name))
        for index in range(len(expected), len(got)):
            self.item_fp += 1
            for spec in ITEM_FIELDS:
                self._field(case, spec.path(index), None, got[index].get(spec.name))


def _item_hit(gold: dict, item: dict) -> bool:
    same_treatment = values_equal(gold.get("treatment"), item.get("treatment"))
    return same_treatment and gold.get("decision") == item.get("decision")


# --- where the gold comes from -------------------------------------------------------------


def gold_from_store(store: LetterStore) -> Iterator[GoldLetter]:
    """Verified letters: the reviewer's record is the truth, the stored PDF is re-parsed."""
    for row in store.iter_letters(status="verified"):
        case = row.case_number or row.file_name
        yield GoldLetter(case, row.full.to_json(), Path(real_path(row.source_path)), row.sha256)


def gold_from_folder(gold_dir: Path, pdf_dir: Path | None = None) -> Iterator[GoldLetter]:
    """``<case>.json`` gold records with ``<case>.pdf`` beside them (or in ``pdf_dir``)."""
    for path in sorted(Path(gold_dir).glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if "letter" not in expected:
            continue
        yield GoldLetter(path.stem, expected, Path(pdf_dir or gold_dir) / f"{path.stem}.pdf")


def _checked(letter: GoldLetter) -> str | None:
    """Why a gold letter cannot be scored (missing or changed PDF), or None."""
    if not letter.pdf.is_file():
        return f"PDF not found at {letter.pdf}"
    if letter.sha256 and file_sha256(letter.pdf) != letter.sha256:
        return f"{letter.pdf} has changed since it was imported"
    return None


def evaluate(
    letters: Iterable[GoldLetter],
    *,
    parse_file: ParseFile | None = None,
    workers: int | None = None,
    report: Callable[[int], None] | None = None,
) -> Evaluation:
    """Parse every gold letter's PDF with the current parser (in parallel) and score it."""
    if parse_file is None:
        from imr_desk.parser import parse_file as default_parse

        parse_file = default_parse
    result = Evaluation()
    usable = []
    for letter in letters:
        reason = _checked(letter)
        if reason:
            result.skipped.append((letter.case, reason))
        else:
            usable.append(letter)
    outcomes = _parse_all([str(g.pdf) for g in usable], parse_file, workers)
    for done, (letter, (status, value)) in enumerate(zip(usable, outcomes, strict=True), 1):
        if status == "ok":
            result.score(letter.case, letter.expected, value)
        else:
            result.skipped.append((letter.case, str(value)))
        if report is not None:
            report(done)
    return result


def _parse_all(paths: list[str], parse_file: ParseFile, workers: int | None) -> Iterator[Any]:
    if workers == 0 or len(paths) < 2:
        return (parse_job(p, parse_file) for p in paths)
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers or os.cpu_count() or 1, mp_context=context)
    results = pool.map(parse_job, paths, [parse_file] * len(paths), chunksize=4)

    def drain() -> Iterator[Any]:
        try:
            yield from results
        finally:
            pool.shutdown(cancel_futures=True)

    return drain()
