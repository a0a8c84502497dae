"""Converting a letter stored before item ids (schema 3) into the typed record, without loss.

Schema 3 kept the record as JSON addressed by item *index*, with human marks, provenance and
item origins as index-keyed structures beside it, and audit rows named ``items.<index>...``
as the indexes were when each row was written. This gives every item its id (the parser's
own for parser items, a new one for items a person added), folds the parallel structures into
each field, and renames every audit row to the id of the item it was about, by replaying the
letter's item history. Pure functions: the migration in ``schema`` does the I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, values_equal
from imr_desk.record import (
    ADDED_ITEM_PREFIX,
    PARSER_ITEM_PREFIX,
    FieldValue,
    Item,
    Letter,
    Source,
    boxes_from_json,
    freeze,
    parser_item_id,
)

_ITEM_FIELD: Final = re.compile(r"^items\.(\d+)\.(\w+)$")
_ITEM: Final = re.compile(r"^items\.(\d+)$")
_PARSER_ID: Final = re.compile(PARSER_ITEM_PREFIX + r"[1-9]\d*")


@dataclass(frozen=True)
class OldAudit:
    """One schema-3 audit row of a letter."""

    id: int
    field: str
    old: Any
    new: Any
    reviewer: str


@dataclass(frozen=True)
class Converted:
    """A converted letter: parser record with ids, the typed letter, renamed audit fields."""

    parsed: dict[str, Any]
    letter: Letter
    audit_fields: dict[int, str]


def convert(
    parsed: dict[str, Any],
    current: dict[str, Any],
    *,
    human: Sequence[str],
    origins: Sequence[int | None] | None,
    audit: Sequence[OldAudit],
    status: str,
    note: str | None,
    reviewer: str | None,
) -> Converted:
    """The schema-4 form of one schema-3 letter (see the module docstring)."""
    sha256 = str((parsed.get("source") or {}).get("sha256") or "")
    parser_ids = [parser_item_id(i) for i, _ in enumerate(parsed.get("items") or [])]
    count = len(current.get("items") or [])
    fields, writers, replayed = _replay(audit, parser_ids, sha256)
    final_ids = _final_ids(origins, count, parser_ids, replayed, sha256)
    rename = dict(zip(replayed, final_ids, strict=True)) if len(replayed) == count else {}
    letter = _letter(
        parsed,
        current,
        ids=final_ids,
        human=set(human),
        writers={_renamed(k, rename): v for k, v in writers.items()},
        reviewer=reviewer,
    )
    letter = Letter(
        letter.source, letter.fields, letter.items, tuple(parser_ids), status=status, note=note
    )
    with_ids = {
        **parsed,
        "items": [
            {"id": i, **item} for i, item in zip(parser_ids, parsed.get("items") or [], strict=True)
        ],
    }
    return Converted(with_ids, letter, {k: _renamed(v, rename) for k, v in fields.items()})


def _added_id(sha256: str, key: str) -> str:
    """The id of an item a person added before ids existed: derived from the letter and the
    audit row that added it, so every copy of a database migrates to the same ids."""
    return ADDED_ITEM_PREFIX + hashlib.sha256(f"{sha256}:{key}".encode()).hexdigest()[:8]


def _final_ids(
    origins: Sequence[int | None] | None,
    count: int,
    parser_ids: list[str],
    replayed: list[str],
    sha256: str,
) -> list[str]:
    """The ids of the current items. ``item_origins`` (schema 3) says which parser item each
    one is; a letter edited before it existed has NULL, and then the replayed history says
    (or, if that does not match the items, each item is taken as its own parser item)."""
    if origins is None or len(origins) != count:
        if len(replayed) == count:
            return list(replayed)
        origins = list(range(count))
    usable = len(replayed) == count
    return [
        parser_ids[o]
        if o is not None and o < len(parser_ids)
        else (
            replayed[k]
            if usable and not _is_parser_id(replayed[k])
            else _added_id(sha256, f"item{k}")
        )
        for k, o in enumerate(origins)
    ]


def _is_parser_id(item_id: str) -> bool:
    return _PARSER_ID.fullmatch(item_id) is not None


def _replay(
    audit: Sequence[OldAudit], parser_ids: list[str], sha256: str
) -> tuple[dict[int, str], dict[str, str], list[str]]:
    """Audit row id -> its field named by item id, path -> who last set it, and the item ids
    the history ends with.

    The item list is rebuilt row by row from the parser's: a removed item keeps its id, and an
    item added with the values of one removed earlier (a move, or an undone removal) is that
    item again."""
    ids = list(parser_ids)
    removed: list[tuple[str, Any]] = []
    renamed: dict[int, str] = {}
    writers: dict[str, str] = {}
    for row in audit:
        field = _replayed(row, ids, removed, sha256)
        if field != row.field:
            renamed[row.id] = field
        writers[field] = row.reviewer
    return renamed, writers, ids


def _replayed(row: OldAudit, ids: list[str], removed: list[tuple[str, Any]], sha256: str) -> str:
    match = _ITEM_FIELD.match(row.field)
    if match:
        index = int(match[1])
        return f"items.{ids[index]}.{match[2]}" if index < len(ids) else row.field
    match = _ITEM.match(row.field)
    if not match:
        return row.field
    index = int(match[1])
    if row.new is None and index < len(ids):
        removed.append((ids.pop(index), row.old))
        return f"items.{removed[-1][0]}"
    if row.old is None and row.new is not None:
        item_id = _returning(removed, row.new) or _added_id(sha256, f"audit{row.id}")
        ids.insert(min(index, len(ids)), item_id)
        return f"items.{item_id}"
    return row.field


def _returning(removed: list[tuple[str, Any]], item: Mapping[str, Any]) -> str | None:
    for position in range(len(removed) - 1, -1, -1):
        item_id, values = removed[position]
        if all(values_equal(values.get(s.name), item.get(s.name)) for s in ITEM_FIELDS):
            del removed[position]
            return item_id
    return None


def _renamed(field: str, rename: Mapping[str, str]) -> str:
    parts = field.split(".")
    if len(parts) >= 2 and parts[0] == "items" and parts[1] in rename:
        parts[1] = rename[parts[1]]
    return ".".join(parts)


def _letter(
    parsed: dict[str, Any],
    current: dict[str, Any],
    *,
    ids: list[str],
    human: set[str],
    writers: Mapping[str, str],
    reviewer: str | None,
) -> Letter:
    evidence = {p["field"]: p for p in current.get("provenance") or [] if "field" in p}

    def value(old_path: str, new_path: str, now: Any, before: Any) -> FieldValue:
        entry = evidence.get(old_path)
        set_by = writers.get(new_path, reviewer or "unknown") if old_path in human else None
        return FieldValue(
            freeze(now),
            freeze(before),
            None if entry is None else float(entry.get("confidence") or 0.0),
            boxes_from_json(entry.get("boxes") if entry else None),
            set_by,
        )

    letter, parsed_letter = current.get("letter") or {}, parsed.get("letter") or {}
    fields = {
        s.name: value(
            f"letter.{s.name}", f"letter.{s.name}", letter.get(s.name), parsed_letter.get(s.name)
        )
        for s in LETTER_FIELDS
    }
    parser_items = parsed.get("items") or []
    items = []
    for index, item in enumerate(current.get("items") or []):
        origin = int(ids[index][1:]) - 1 if _is_parser_id(ids[index]) else len(parser_items)
        base = parser_items[origin] if origin < len(parser_items) else {}
        item_fields = {
            s.name: value(
                f"items.{index}.{s.name}",
                f"items.{ids[index]}.{s.name}",
                item.get(s.name),
                base.get(s.name),
            )
            for s in ITEM_FIELDS
        }
        items.append(Item(ids[index], item_fields))
    source = Source.from_json({**(parsed.get("source") or {}), **(current.get("source") or {})})
    return Letter(source, fields, tuple(items))
