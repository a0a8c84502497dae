"""Export the reviewed letters as a dataset: letters.jsonl, letters.csv, items.csv, README.md.

The files are written into a staging folder inside the target and moved into place only when
all four are complete and on disk; the earlier export's files are moved aside first and put
back if any move fails, so a failed or interrupted export leaves the earlier one whole. The
files are readable by their owner only, like the database: the letters are medical records.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from imr_desk.dataset_card import CardStats, render_card
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS
from imr_desk.record import export_paths
from imr_desk.storage import LetterRow, LetterStore

FILES: Final = ("letters.jsonl", "letters.csv", "items.csv", "README.md")
FILE_MODE: Final = 0o600
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
    """A letter as the dataset carries it: the current record with every key and its review."""
    letter = row.full
    record = letter.to_json(
        review={
            "reviewer": row.reviewer,
            "verified_at": row.verified_at,
            "parser_version": row.parser_version,
            "corrected": export_paths(letter, letter.corrected()),
            "removed_items": letter.removed_items(),
            "note": row.note,
        }
    )
    record["source"]["file_name"] = row.file_name
    return record


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def letter_csv_row(record: dict[str, Any]) -> list[Any]:
    """One letters.csv row (lists joined with ``; ``)."""
    source, letter, review = record["source"], record["letter"], record["review"]
    values = {**source, **letter, **review, "status": record["status"]}
    values["item_count"] = len(record["items"])
    return [_cell(values.get(column)) for column in LETTER_COLUMNS]


def item_csv_rows(record: dict[str, Any]) -> list[list[Any]]:
    """The items.csv rows of one record, keyed by sha256 and item index (and item id)."""
    key = [record["source"]["sha256"], record["letter"]["case_number"] or ""]
    return [
        [*key, index, item["id"], *(_cell(item[spec.name]) for spec in ITEM_FIELDS)]
        for index, item in enumerate(record["items"])
    ]


class _Writers:
    """The three data files of one export, open in the staging folder."""

    def __init__(self, folder: Path) -> None:
        self.handles: list[IO[str]] = [_create_private(folder / name) for name in FILES[:3]]
        self.jsonl = self.handles[0]
        self.letters = csv.writer(self.handles[1])
        self.items = csv.writer(self.handles[2])
        self.letters.writerow(LETTER_COLUMNS)
        self.items.writerow(ITEM_COLUMNS)

    def write(self, record: dict[str, Any]) -> None:
        self.jsonl.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.letters.writerow(letter_csv_row(record))
        self.items.writerows(item_csv_rows(record))

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
        _swap_in(staging, target)
        _fsync_folder(target)
    except OSError as exc:
        raise ExportError(f"cannot write the export to {target}: {exc.strerror or exc}") from exc
    finally:
        _remove_staging(staging)
    return ExportSummary(target, stats.letters, stats.items)


def _create_private(path: Path) -> IO[str]:
    """A new text file readable by its owner only, from its first byte (no chmod window)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _staging_folder(target: Path) -> Path:
    try:
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        return Path(tempfile.mkdtemp(prefix=".export-", dir=target))
    except OSError as exc:
        raise ExportError(f"cannot write to {target}: {exc.strerror or exc}") from exc


def _write_files(
    store: LetterStore, staging: Path, selection: str, now: Callable[[], datetime]
) -> CardStats:
    stats = CardStats()
    writers = _Writers(staging)
    try:
        status = None if selection == "all" else "verified"
        for row in store.iter_letters(status=status):
            record = export_record(row)
            writers.write(record)
            stats.add(record)
    finally:
        writers.close()
    stamp = now().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    columns = {"letters.csv": LETTER_COLUMNS, "items.csv": ITEM_COLUMNS}
    card = render_card(stats, selection=selection, generated_at=stamp, csv_columns=columns)
    with _create_private(staging / "README.md") as handle:
        handle.write(card)
        handle.flush()
        os.fsync(handle.fileno())
    return stats


def _swap_in(staging: Path, target: Path) -> None:
    """Move the four new files from ``staging`` into ``target``, all or none.

    The earlier export's files are first moved aside into a backup folder inside the staging
    folder. If any move fails (or is interrupted), the new files already in place are removed
    and the earlier ones put back, so the folder never mixes two exports. The backup goes
    with the staging folder, once every new file is in place.
    """
    backup = staging / "earlier"
    backup.mkdir()
    aside: list[str] = []
    placed: list[str] = []
    try:
        for name in FILES:
            if os.path.lexists(target / name):
                os.replace(target / name, backup / name)
                aside.append(name)
        for name in FILES:
            os.replace(staging / name, target / name)
            placed.append(name)
    except BaseException:
        _put_back(target, backup, aside, placed)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def _put_back(target: Path, backup: Path, aside: list[str], placed: list[str]) -> None:
    """Undo a partial ``_swap_in``: the earlier files return, new files with no earlier
    counterpart are removed. A file that cannot return stays in the backup, which is then
    kept (it is the only copy) and named in the error."""
    stranded = []
    for name in aside:
        try:
            os.replace(backup / name, target / name)
        except OSError:
            stranded.append(name)
    for name in placed:
        if name not in aside:
            (target / name).unlink(missing_ok=True)
    if stranded:
        raise ExportError(
            f"the export to {target} failed and the earlier {', '.join(stranded)} could not "
            f"be put back: they are kept in {backup}"
        )


def _remove_staging(staging: Path) -> None:
    """Delete the staging folder, unless it holds earlier files that could not be put back."""
    backup = staging / "earlier"
    if backup.is_dir() and any(backup.iterdir()):
        return
    shutil.rmtree(staging, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
