"""Export the reviewed letters as a dataset: letters.jsonl, letters.csv, items.csv,
corrections.csv (the parser's improvement backlog) and README.md (the dataset card).

The files are written into a staging folder inside the target and swapped in only when all
of them are complete and on disk (``export_files``): a failed, interrupted or killed export
leaves the earlier one whole, or, killed inside the swap, is completed by the next export.
The files are readable by their owner only, like the database: the letters are medical
records. The CSV cells are made safe to open in a spreadsheet (``csv_text``); the JSONL
keeps every value exactly.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from imr_desk import reviewer_quality
from imr_desk.agreement import agreement
from imr_desk.blind import BlindTally
from imr_desk.corrections import COLUMNS as CORRECTION_COLUMNS
from imr_desk.corrections import Correction, corrections
from imr_desk.dataset_card import CardStats, render_card
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS
from imr_desk.export_files import (
    FILES,
    FolderError,
    create_private,
    finish_interrupted,
    make_staging,
    release_staging,
    swap_in,
)
from imr_desk.record import FieldRef, Letter, export_paths
from imr_desk.storage import LetterRow, LetterStore

SELECTIONS: Final = ("verified", "all")
LETTER_COLUMNS: Final = (
    "sha256",
    "file_name",
    "pages",
    "layout",
    "needs_ocr",
    "status",
    *(spec.name for spec in LETTER_FIELDS),
    "item_count",
    "reviewer",
    "verified_at",
    "parser_version",
    "corrected",
    "removed_items",
    "note",
    "review_mode",
    "reviewers",
    "adjudicator",
    "disagreements",
    "blind",
    "not_in_letter",
)
ITEM_COLUMNS: Final = (
    "sha256",
    "case_number",
    "item_index",
    "item_id",
    *(s.name for s in ITEM_FIELDS),
)


class ExportError(Exception):
    """The export could not be written; any earlier export in the folder is intact."""


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    out_dir: Path
    letters: int
    items: int


def export_record(row: LetterRow) -> dict[str, Any]:
    """A letter as the dataset carries it: the current record with every key, its review,
    and how it was reviewed (one reviewer, two who agreed, or two settled by a lead)."""
    letter = row.full
    info = row.review_info or {}
    record = letter.to_json(
        review={
            "reviewer": row.reviewer,
            "verified_at": row.verified_at,
            "parser_version": row.parser_version,
            "corrected": export_paths(letter, letter.corrected()),
            "removed_items": letter.removed_items(),
            "note": row.note,
            "mode": info.get("mode", "single" if row.stage is None else "double"),
            "reviewers": info.get("reviewers") or _single_reviewer(row),
            "adjudicator": info.get("adjudicator"),
            "disagreements": _export_paths(letter, info.get("disagreements") or []),
            "blind": bool(info.get("blind")),
            "not_in_letter": export_paths(letter, letter.not_in_letter()),
        }
    )
    record["source"]["file_name"] = row.file_name
    return record


def _single_reviewer(row: LetterRow) -> list[str]:
    """Who reviewed a letter one reviewer did; none named for one still under double review
    (exported with ``--status all``: its reviews are unfinished)."""
    return [row.reviewer] if row.reviewer and row.stage is None else []


def _export_paths(letter: Letter, paths: list[str]) -> list[str]:
    """Stored paths as the export names fields (items by index: ``items.4`` is the item
    itself, in one review only); an item the gold record does not have (one reviewer added
    it, the lead left it out) keeps its id: ``items.<id>``."""
    positions = {item.id: index for index, item in enumerate(letter.items)}
    named = []
    for path in paths:
        try:
            ref = FieldRef.parse(path)
        except ValueError:  # items.<id>: the item itself
            item_id = path.split(".", 1)[1]
            named.append(f"items.{positions[item_id]}" if item_id in positions else path)
            continue
        named += export_paths(letter, [ref]) if letter.has(ref) else [path]
    return named


# OWASP "CSV Injection": a cell starting with one of these is run as a formula by spreadsheets
# (tab and line breaks too, once trimmed). A leading quote is in the set so that the rule is
# reversible: every text cell starting with ' had exactly one added.
FORMULA_START: Final = frozenset("=+-@\t\r\n'")
# C0 and C1 control characters other than tab and line feed (NUL, ESC, ...): no text has them,
# some CSV readers stop at a NUL and a terminal runs ESC sequences.
_CONTROL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def csv_text(text: str) -> str:
    """A text cell made safe for a spreadsheet: line breaks become LF, other control
    characters U+FFFD, and a cell whose first non-space character could start a formula
    gets a leading ``'``. The JSONL keeps the exact text."""
    text = _CONTROL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    if text.lstrip(" ")[:1] in FORMULA_START:
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    """A record value as a CSV cell; numbers stay numbers (a number cannot be a formula)."""
    if isinstance(value, list):
        return csv_text("; ".join(str(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return csv_text(value)
    return "" if value is None else value


def letter_csv_row(record: dict[str, Any]) -> list[Any]:
    """One letters.csv row (lists joined with ``; ``)."""
    source, letter, review = record["source"], record["letter"], record["review"]
    values = {**source, **letter, **review, "status": record["status"]}
    values["item_count"] = len(record["items"])
    values["review_mode"] = review.get("mode")
    return [_cell(values.get(column)) for column in LETTER_COLUMNS]


def item_csv_rows(record: dict[str, Any]) -> list[list[Any]]:
    """The items.csv rows of one record, keyed by sha256 and item index (and item id)."""
    key = [_cell(record["source"]["sha256"]), _cell(record["letter"]["case_number"])]
    return [
        [*key, index, _cell(item["id"]), *(_cell(item[spec.name]) for spec in ITEM_FIELDS)]
        for index, item in enumerate(record["items"])
    ]


CARD: Final = "README.md"
DATA_FILES: Final = tuple(name for name in FILES if name != CARD)
"""The files written letter by letter: jsonl, letters, items and corrections, in that order."""


class _Writers:
    """The data files of one export, open in the staging folder."""

    def __init__(self, folder: Path) -> None:
        self.handles: list[IO[str]] = [create_private(folder / name) for name in DATA_FILES]
        self.jsonl = self.handles[0]
        self.letters, self.items, self.corrections = map(csv.writer, self.handles[1:])
        self.letters.writerow(LETTER_COLUMNS)
        self.items.writerow(ITEM_COLUMNS)
        self.corrections.writerow(CORRECTION_COLUMNS)

    def write(self, record: dict[str, Any], found: list[Correction]) -> None:
        self.jsonl.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.letters.writerow(letter_csv_row(record))
        self.items.writerows(item_csv_rows(record))
        self.corrections.writerows([_cell(v) for v in c.values()] for c in found)

    def close(self) -> None:
        for handle in self.handles:
            if not handle.closed:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()


def export_dataset(
    store: LetterStore,
    out_dir: str | os.PathLike[str],
    *,
    selection: str = "verified",
    now: Callable[[], datetime] | None = None,
) -> ExportSummary:
    """Write the dataset files into ``out_dir`` atomically (see the module docstring)."""
    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {', '.join(SELECTIONS)}")
    target = Path(out_dir)
    staging = _staging_folder(target)
    try:
        stats = _write_files(store, staging, selection, now or (lambda: datetime.now(UTC)))
        swap_in(staging, target)
    except FolderError as exc:
        raise ExportError(str(exc)) from exc
    except OSError as exc:
        raise ExportError(f"cannot write the export to {target}: {exc.strerror or exc}") from exc
    finally:
        release_staging(staging)
    return ExportSummary(target, stats.letters, stats.items)


def _staging_folder(target: Path) -> Path:
    """A new staging folder in ``target``, once any export killed there earlier is finished
    (its swap completed) or cleared away."""
    try:
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        finish_interrupted(target)
        return make_staging(target)
    except FolderError as exc:
        raise ExportError(str(exc)) from exc
    except OSError as exc:
        raise ExportError(f"cannot write to {target}: {exc.strerror or exc}") from exc


def _write_files(
    store: LetterStore, staging: Path, selection: str, now: Callable[[], datetime]
) -> CardStats:
    stats, blind_sample = CardStats(), BlindTally()
    writers = _Writers(staging)
    try:
        status = None if selection == "all" else "verified"
        for row in store.iter_letters(status=status):
            record = export_record(row)
            found = corrections(row.full)
            writers.write(record, found)
            stats.add(record, [c.reason for c in found])
            if record["status"] == "verified" and record["review"]["blind"]:
                blind_sample.add(row.full)
    finally:
        writers.close()
    stamp = now().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    columns = {"letters.csv": LETTER_COLUMNS, "items.csv": ITEM_COLUMNS}
    pairs = [(a.letter, b.letter) for _, a, b in store.review_pairs()]
    card = render_card(
        stats,
        selection=selection,
        generated_at=stamp,
        csv_columns=columns,
        agreement=agreement(pairs) if pairs else None,
        blind=store.policy().blind if pairs else None,
        blind_sample=blind_sample,
        quality=reviewer_quality.from_store(store),
    )
    with create_private(staging / CARD) as handle:
        handle.write(card)
        handle.flush()
        os.fsync(handle.fileno())
    return stats
