"""Pure edits of a stored letter record: field values, items, provenance and human paths.

Kept apart from SQL so the rules (renumbering provenance when items move, recomputing the
outcome, deciding which fields a reviewer corrected) can be tested without a database.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any, Final

from imr_desk.domain import (
    ITEM_FIELDS,
    LETTER_FIELDS,
    derive_outcome,
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


def with_derived_outcome(record: dict[str, Any]) -> dict[str, Any]:
    """A copy whose outcome follows its items' decisions (when a person has not set it)."""
    changed = copy.deepcopy(record)
    changed["letter"]["outcome"] = derive_outcome(i.get("decision") for i in changed["items"])
    return changed


def corrected_paths(
    parsed: dict[str, Any], current: dict[str, Any], audited: Iterable[str]
) -> list[str]:
    """Field paths, in field order, that the audit trail touched and whose value now differs
    from the parser's. A change to the item list (``items.N``) makes every item path a
    candidate, since indexes shift."""
    touched = set(audited)
    if not touched:
        return []
    structural = any(_ITEM_PATH.match(p) and p.count(".") == 1 for p in touched)
    count = max(len(parsed.get("items") or []), len(current.get("items") or []))
    paths = [spec.path() for spec in LETTER_FIELDS]
    paths += [spec.path(i) for i in range(count) for spec in ITEM_FIELDS]
    result = []
    for path in paths:
        is_item = path.startswith("items.")
        if path not in touched and not (is_item and structural):
            continue
        if not values_equal(_value_or_empty(parsed, path), _value_or_empty(current, path)):
            result.append(path)
    return result


def _value_or_empty(record: dict[str, Any], path: str) -> Any:
    index = item_index(path)
    if index is not None and index >= len(record.get("items") or []):
        return None
    return get_path(record, path)
