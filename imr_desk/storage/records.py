"""Pure edits of a stored letter record: field values, items, provenance and human paths.

Kept apart from SQL so the rules (renumbering provenance when items move, recomputing the
outcome, deciding which fields a reviewer corrected) can be tested without a database.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from imr_desk.domain import (
    ITEM_FIELDS,
    LETTER_FIELDS,
    empty_item,
    empty_letter,
    field_paths,
    get_path,
    set_path,
    spec_for_path,
    values_equal,
)

OUTCOME_PATH: Final = "letter.outcome"
HUMAN_CONFIDENCE: Final = 1.0
_ITEM_PATH = re.compile(r"^items\.(\d+)(\..+)?$")


def complete(record: dict[str, Any]) -> dict[str, Any]:
    """A copy with every letter and item key present, in field order (exports need all keys)."""
    result = copy.deepcopy(record)
    letter = empty_letter()
    letter.update({k: v for k, v in (record.get("letter") or {}).items() if k in letter})
    result["letter"] = letter
    result["items"] = [_complete_item(item) for item in record.get("items") or []]
    result["provenance"] = list(record.get("provenance") or [])
    return result


def _complete_item(item: dict[str, Any]) -> dict[str, Any]:
    full = empty_item()
    full.update({k: v for k, v in item.items() if k in full})
    return full


def item_index(path: str) -> int | None:
    """The item index a path refers to (``items.3.decision`` -> 3), None for letter paths."""
    match = _ITEM_PATH.match(path)
    return int(match.group(1)) if match else None


def remap_path(path: str, mapping: dict[int, int | None]) -> str | None:
    """Renumber an item path after items moved; None when its item is gone."""
    match = _ITEM_PATH.match(path)
    if not match:
        return path
    new = mapping.get(int(match.group(1)), int(match.group(1)))
    if new is None:
        return None
    return f"items.{new}{match.group(2) or ''}"


def remap_paths(paths: Iterable[str], mapping: dict[int, int | None]) -> set[str]:
    """Renumber a set of paths (see ``remap_path``), dropping those of removed items."""
    return {new for new in (remap_path(p, mapping) for p in paths) if new is not None}


def _sort_provenance(record: dict[str, Any]) -> None:
    rank = {path: i for i, (path, _) in enumerate(field_paths(record))}
    record["provenance"].sort(key=lambda p: rank.get(p.get("field", ""), len(rank)))


def set_value(
    record: dict[str, Any], path: str, value: Any, boxes: list[dict] | None
) -> dict[str, Any]:
    """A copy with one field set by a person; its provenance becomes theirs (confidence 1)."""
    spec_for_path(path)
    changed = set_path(record, path, value)
    entries = [p for p in changed["provenance"] if p.get("field") != path]
    entries.append({"field": path, "confidence": HUMAN_CONFIDENCE, "boxes": list(boxes or [])})
    changed["provenance"] = entries
    _sort_provenance(changed)
    return changed


def reorder_items(
    record: dict[str, Any], old_order: list[int], new_items: dict[int, dict] | None = None
) -> dict[str, Any]:
    """A copy whose items are ``old_order`` (old indexes; ``-1`` marks a new item from
    ``new_items`` keyed by its new position), with provenance renumbered to follow."""
    changed = copy.deepcopy(record)
    old_items = record["items"]
    items: list[dict] = []
    for new, old in enumerate(old_order):
        if old < 0:
            items.append(_complete_item((new_items or {}).get(new) or {}))
        else:
            items.append(copy.deepcopy(old_items[old]))
    changed["items"] = items
    mapping = item_order_mapping(old_order, len(old_items))
    provenance = []
    for entry in changed["provenance"]:
        new_path = remap_path(entry.get("field", ""), mapping)
        if new_path is not None:
            provenance.append({**entry, "field": new_path})
    for new, old in enumerate(old_order):
        if old < 0:
            provenance += [
                {"field": spec.path(new), "confidence": HUMAN_CONFIDENCE, "boxes": []}
                for spec in ITEM_FIELDS
            ]
    changed["provenance"] = provenance
    _sort_provenance(changed)
    return changed


def item_order_mapping(old_order: list[int], old_count: int) -> dict[int, int | None]:
    """Old index -> new index for ``reorder_items``' order (``-1`` entries are new items)."""
    mapping: dict[int, int | None] = dict.fromkeys(range(old_count))
    for new, old in enumerate(old_order):
        if old >= 0:
            mapping[old] = new
    return mapping


def default_origins(record: dict[str, Any]) -> list[int | None]:
    """Each item its own parser item: what a letter whose items were never added, removed
    or moved has (and what rows stored before origins were kept are taken to have)."""
    return list(range(len(record.get("items") or [])))


def reorder_origins(origins: list[int | None], old_order: list[int]) -> list[int | None]:
    """The origins after ``reorder_items``' order: an item keeps its parser item wherever
    it moves, a new item (``-1``) has none."""
    return [origins[old] if old >= 0 else None for old in old_order]


def matching_parser_item(
    parsed: dict[str, Any], origins: list[int | None], item: dict[str, Any]
) -> int | None:
    """The parser item, not yet the origin of any item, whose values ``item`` has: an item
    put back after its removal (undo) is that parser item again, not a new one."""
    taken = set(origins)
    for index, candidate in enumerate(parsed.get("items") or []):
        if index not in taken and _same_item(candidate, item):
            return index
    return None


def _same_item(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(values_equal(a.get(s.name), b.get(s.name)) for s in ITEM_FIELDS)


def _checked_origins(
    current: dict[str, Any], origins: Sequence[int | None] | None
) -> list[int | None]:
    if origins is None or len(origins) != len(current.get("items") or []):
        return default_origins(current)
    return list(origins)


def corrected_paths(
    parsed: dict[str, Any],
    current: dict[str, Any],
    audited: Iterable[str],
    origins: Sequence[int | None] | None = None,
) -> list[str]:
    """Field paths, in field order, whose value now differs from the parser's, for a letter
    the audit trail touched. Each item is compared with the parser item it came from
    (``origins``, default: the one at its own index), so items that only moved are not
    corrected; an added item has every non-empty field corrected. Parser items removed
    are not paths of the current record: see ``removed_items``."""
    touched = set(audited)
    if not touched:
        return []
    result = [
        spec.path()
        for spec in LETTER_FIELDS
        if spec.path() in touched
        and not values_equal(get_path(parsed, spec.path()), get_path(current, spec.path()))
    ]
    if any(item_index(path) is not None for path in touched):
        result += _corrected_items(parsed, current, _checked_origins(current, origins))
    return result


def _corrected_items(
    parsed: dict[str, Any], current: dict[str, Any], origins: list[int | None]
) -> list[str]:
    parsed_items = parsed.get("items") or []
    result = []
    for index, item in enumerate(current.get("items") or []):
        origin = origins[index]
        base = parsed_items[origin] if origin is not None and origin < len(parsed_items) else {}
        result += [
            spec.path(index)
            for spec in ITEM_FIELDS
            if not values_equal(base.get(spec.name), item.get(spec.name))
        ]
    return result


def removed_items(
    parsed: dict[str, Any], current: dict[str, Any], origins: Sequence[int | None] | None
) -> int:
    """How many of the parser's items no current item comes from (the reviewer removed them)."""
    kept = {o for o in _checked_origins(current, origins) if o is not None}
    return sum(1 for index in range(len(parsed.get("items") or [])) if index not in kept)
