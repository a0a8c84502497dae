"""How a ``Letter`` is stored in ``letters.current_json``: every field with its history.

Status and note live in their own columns (the queue filters on them), so they are not in the
JSON; everything else about the letter is, and reads back as the same value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, FieldSpec
from imr_desk.record import (
    FieldValue,
    Item,
    Letter,
    Source,
    boxes_from_json,
    freeze,
    thaw,
    unset,
)
from imr_desk.storage.errors import StorageError

FORMAT: Final = 2
"""``current_json`` format: 2 is the typed record with item ids (1, before it, had none)."""


def dumps(value: Any) -> str:
    """Compact JSON for the record columns (UTF-8 kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def letter_json(letter: Letter) -> dict[str, Any]:
    """The stored form of a letter (without status and note: those are columns)."""
    return {
        "format": FORMAT,
        "source": letter.source.to_json(),
        "letter": {name: _field_json(value) for name, value in letter.fields.items()},
        "items": [
            {"id": item.id, "fields": {n: _field_json(v) for n, v in item.fields.items()}}
            for item in letter.items
        ],
        "parser_items": list(letter.parser_items),
    }


def dump_letter(letter: Letter) -> str:
    return dumps(letter_json(letter))


def load_letter(text: str, *, status: str, note: str | None) -> Letter:
    """The letter a ``current_json`` holds, with the status and note of its columns."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise StorageError(
            f"a stored letter of record format {data.get('format')} (this IMR Desk reads {FORMAT})"
        )
    return Letter(
        source=Source.from_json(data.get("source") or {}),
        fields=_fields(LETTER_FIELDS, data["letter"]),
        items=tuple(
            Item(item["id"], _fields(ITEM_FIELDS, item["fields"])) for item in data["items"]
        ),
        parser_items=tuple(data.get("parser_items") or ()),
        status=status,
        note=note,
    )


def _fields(specs: tuple[FieldSpec, ...], stored: Mapping[str, Any]) -> dict[str, FieldValue]:
    """Every field of the spec, in spec order: a field added to the spec after the letter was
    stored is unset (nothing said it), and one no longer in the spec is dropped."""
    return {
        spec.name: _field(stored[spec.name])
        if spec.name in stored
        else FieldValue(unset(spec), unset(spec))
        for spec in specs
    }


def _field_json(value: FieldValue) -> dict[str, Any]:
    """A field's stored form; ``parsed`` only where it differs from ``value`` (untouched
    fields, most of a letter, store their text once)."""
    data: dict[str, Any] = {"value": thaw(value.value)}
    if value.parsed != value.value:
        data["parsed"] = thaw(value.parsed)
    if value.confidence is not None:
        data["confidence"] = value.confidence
    if value.boxes:
        data["boxes"] = [box.to_json() for box in value.boxes]
    if value.set_by is not None:
        data["set_by"] = value.set_by
    if value.reason is not None:
        data["reason"] = value.reason
    if value.not_in_letter:  # stored only when set: most values are the parser's
        data["not_in_letter"] = True
    return data


def _field(data: Mapping[str, Any]) -> FieldValue:
    value = freeze(data.get("value"))
    return FieldValue(
        value=value,
        parsed=freeze(data["parsed"]) if "parsed" in data else value,
        confidence=data.get("confidence"),
        boxes=boxes_from_json(data.get("boxes")),
        set_by=data.get("set_by"),
        reason=data.get("reason"),
        not_in_letter=bool(data.get("not_in_letter")),
    )
