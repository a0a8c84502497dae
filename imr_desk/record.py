"""The typed letter record: letters, items with stable ids, and field values with their history.

A ``Letter`` is a value: every change makes a new one (see ``edits``). Each field carries its
value, the parser's value, the confidence, the evidence boxes and who set it, so nothing about a
field lives in a structure beside it; items are found by a stable ``id``, never by position, so
moving or removing one renumbers nothing. The export's JSON is made here (``to_json``, the
shape of ``parse --json`` too), with ``items.<index>.<name>`` paths as the spec states them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from imr_desk.domain import (
    FIELDS_BY_NAME,
    ITEM_FIELDS,
    LETTER_FIELDS,
    LOW_CONFIDENCE,
    SCHEMA,
    FieldSpec,
    values_equal,
)

HUMAN_CONFIDENCE: Final = 1.0
PARSER_ITEM_PREFIX: Final = "p"
ADDED_ITEM_PREFIX: Final = "n"
_REF: Final = re.compile(
    r"^(?:letter\.(?P<letter>\w+)|items\.(?P<item>[A-Za-z][\w-]*)\.(?P<name>\w+))$"
)


def parser_item_id(index: int) -> str:
    """The id of the parser's ``index``-th item: the same on every parse of the same letter,
    so a re-parse of an untouched letter keeps its ids."""
    return f"{PARSER_ITEM_PREFIX}{index + 1}"


def new_item_id() -> str:
    """A fresh id for an item a person adds: random, so two desks never make the same one."""
    return f"{ADDED_ITEM_PREFIX}{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """Which field: a letter field by name, or an item field by item id and name.

    ``str(ref)`` (``letter.case_number``, ``items.p2.decision``) is the one spelling used by
    the audit log and as the form's key; ``parse`` is the only place that reads it back.
    """

    name: str
    item: str | None = None

    def __str__(self) -> str:
        return f"letter.{self.name}" if self.item is None else f"items.{self.item}.{self.name}"

    @property
    def spec(self) -> FieldSpec:
        return FIELDS_BY_NAME[self.name]

    @classmethod
    def parse(cls, text: str) -> FieldRef:
        """The ref a path names; ValueError for anything that is not a field of the record."""
        match = _REF.fullmatch(text)
        if match is None:
            raise ValueError(f"'{text}' is not a field path")
        name = match["letter"] or match["name"]
        spec = FIELDS_BY_NAME.get(name)
        if spec is None or (spec.scope == "letter") != (match["letter"] is not None):
            raise ValueError(f"'{text}' is not a field of the letter record")
        return cls(name, match["item"])


@dataclass(frozen=True, slots=True)
class Box:
    """Where a value was read: page index from 0, rectangle in PDF points (top-left origin)."""

    page: int
    rect: tuple[float, float, float, float]

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "rect": list(self.rect)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Box:
        x0, y0, x1, y1 = (float(v) for v in data["rect"])
        return cls(int(data["page"]), (x0, y0, x1, y1))


def boxes_from_json(data: Any) -> tuple[Box, ...]:
    return tuple(Box.from_json(box) for box in data or ())


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field: its value, what the parser read, how sure it was, where, and who set it.

    ``confidence`` is None for a field the parser never reported; ``set_by`` is None while the
    value is the parser's (or an added item's blank), else the reviewer who set it last.
    ``reason`` says why a person changed the parser's value (``domain.CORRECTION_REASONS``):
    only a corrected value has one (``edits.TagReason``). ``not_in_letter`` marks a value a
    person set that the letter's text does not print (``evidence_check``): a warning, never a
    block; a parser's value never has it.
    """

    value: Any = None
    parsed: Any = None
    confidence: float | None = None
    boxes: tuple[Box, ...] = ()
    set_by: str | None = None
    reason: str | None = None
    not_in_letter: bool = False

    @property
    def is_human(self) -> bool:
        return self.set_by is not None

    @property
    def corrected(self) -> bool:
        """Whether the value differs from the parser's (the export's ``corrected``). Most
        fields are untouched (the same value): that is checked first, as the export asks
        every field of every letter."""
        return self.value != self.parsed and not values_equal(self.value, self.parsed)


def freeze(value: Any) -> Any:
    """Lists become tuples, so a value held by a frozen record cannot change under it."""
    return tuple(value) if isinstance(value, list) else value


def thaw(value: Any) -> Any:
    """Tuples become lists again for JSON."""
    return list(value) if isinstance(value, tuple) else value


def unset(spec: FieldSpec) -> Any:
    """The value of a field the letter does not state (``FieldSpec.empty``, frozen)."""
    return freeze(spec.empty)


def is_empty(value: Any) -> bool:
    return value is None or value in ("", (), [])


def doubt_confidence(spec: FieldSpec, value: FieldValue) -> float | None:
    """The confidence a field counts with wherever doubt shows: the form's colour, F8 and the
    queue's letter confidence all read this, so they never disagree. None: nothing to doubt.

    An empty required field counts 0 (it must be filled, whoever emptied it). A person's value
    is settled: they looked. An empty optional field the parser found nothing for (confidence
    0, the spec's "could not find") or never reported is *confidently empty*: most letters
    leave several fields unstated, and stopping at each would hide the real doubts; a
    confidence above 0 for an empty field is the parser's doubt that it is absent, and counts.
    Any other value counts with the parser's confidence. Suggested fields (category,
    diagnoses) count like the rest: a reviewer expects a suggestion the parser is unsure of to
    be stopped at and coloured like any unsure value, and the letter's confidence to say so.
    """
    empty = is_empty(value.value)
    if empty and spec.required:
        return 0.0
    if value.is_human or (empty and not value.confidence):
        return None
    return value.confidence


def in_doubt(spec: FieldSpec, value: FieldValue) -> bool:
    """Whether a field needs the reviewer's look (before validation): counted below
    ``LOW_CONFIDENCE``."""
    confidence = doubt_confidence(spec, value)
    return confidence is not None and confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class Item:
    """One disputed treatment, known by its ``id`` wherever it moves."""

    id: str
    fields: Mapping[str, FieldValue]

    def __getitem__(self, name: str) -> FieldValue:
        return self.fields[name]

    def value(self, name: str) -> Any:
        return self.fields[name].value

    def with_field(self, name: str, value: FieldValue) -> Item:
        return replace(self, fields={**self.fields, name: value})

    def values_json(self) -> dict[str, Any]:
        """The item as the record's JSON writes it: its id, then every field in spec order."""
        return {"id": self.id, **{s.name: thaw(self.fields[s.name].value) for s in ITEM_FIELDS}}

    @classmethod
    def blank(cls, item_id: str | None = None) -> Item:
        """An item a person adds: empty fields that count as a person's (confidence 1)."""
        fields = {s.name: FieldValue(unset(s), None, HUMAN_CONFIDENCE) for s in ITEM_FIELDS}
        return cls(item_id or new_item_id(), fields)


@dataclass(frozen=True)
class Source:
    """The PDF a letter came from; ``parse_error`` says why the parser produced nothing."""

    file_name: str = ""
    sha256: str = ""
    pages: int = 0
    layout: str = "unknown"
    needs_ocr: bool = False
    parse_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "pages": self.pages,
            "layout": self.layout,
            "needs_ocr": self.needs_ocr,
        }
        if self.parse_error:
            data["parse_error"] = self.parse_error
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Source:
        return cls(
            file_name=str(data.get("file_name") or ""),
            sha256=str(data.get("sha256") or ""),
            pages=int(data.get("pages") or 0),
            layout=str(data.get("layout") or "unknown"),
            needs_ocr=bool(data.get("needs_ocr")),
            parse_error=data.get("parse_error") or None,
        )


@dataclass(frozen=True)
class Letter:
    """One letter under review: source, letter fields, items in letter order, status, note.

    ``parser_items`` are the ids of the items the parser found, so an item a reviewer removed
    is still known (``removed_items``).
    """

    source: Source
    fields: Mapping[str, FieldValue]
    items: tuple[Item, ...] = ()
    parser_items: tuple[str, ...] = ()
    status: str = "parsed"
    note: str | None = None

    # --- reading ---------------------------------------------------------------------------

    def field(self, ref: FieldRef) -> FieldValue:
        """The field a ref names; KeyError when its item is not in the letter."""
        if ref.item is None:
            return self.fields[ref.name]
        return self.item(ref.item)[ref.name]

    def value(self, ref: FieldRef) -> Any:
        return self.field(ref).value

    def has(self, ref: FieldRef) -> bool:
        return ref.item is None or any(item.id == ref.item for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"the letter has no item {item_id}")

    def item_index(self, item_id: str) -> int:
        return self.items.index(self.item(item_id))

    def refs(self) -> Iterator[FieldRef]:
        """Every field, in form order: letter fields, then each item's fields."""
        for spec in LETTER_FIELDS:
            yield FieldRef(spec.name)
        for item in self.items:
            for spec in ITEM_FIELDS:
                yield FieldRef(spec.name, item.id)

    def decisions(self) -> list[Any]:
        return [item.value("decision") for item in self.items]

    def corrected(self) -> list[FieldRef]:
        """Fields whose value differs from the parser's, in field order; every non-empty field
        of an added item counts (the parser said nothing there)."""
        return [ref for ref in self.refs() if self.field(ref).corrected]

    def not_in_letter(self) -> list[FieldRef]:
        """Fields whose value a person set and the letter's text does not print."""
        return [ref for ref in self.refs() if self.field(ref).not_in_letter]

    def removed_items(self) -> int:
        """How many of the parser's items the reviewer removed."""
        kept = {item.id for item in self.items}
        return sum(1 for item_id in self.parser_items if item_id not in kept)

    def confidence(self) -> float:
        """How sure the letter is: the least confidence its fields count with
        (``doubt_confidence``, the form's colours), 1 when nothing is in doubt. The queue's
        low-confidence filter and sort use this."""
        counted = (doubt_confidence(ref.spec, self.field(ref)) for ref in self.refs())
        return min((c for c in counted if c is not None), default=1.0)

    def doubts(self) -> list[FieldRef]:
        """Fields in doubt (``in_doubt``), in form order: where F8 stops, validation aside."""
        return [ref for ref in self.refs() if in_doubt(ref.spec, self.field(ref))]

    # --- changing (new values) -------------------------------------------------------------

    def with_field(self, ref: FieldRef, value: FieldValue) -> Letter:
        if ref.item is None:
            return replace(self, fields={**self.fields, ref.name: value})
        items = tuple(
            item.with_field(ref.name, value) if item.id == ref.item else item for item in self.items
        )
        return replace(self, items=items)

    def with_items(self, items: tuple[Item, ...]) -> Letter:
        return replace(self, items=items)

    # --- JSON ------------------------------------------------------------------------------

    def to_json(self, *, review: dict[str, Any] | None = None) -> dict[str, Any]:
        """The record as ``parse --json`` and the export write it (spec ``fields.md``):
        every key present, items with their ``id``, provenance paths by item index."""
        return {
            "schema": SCHEMA,
            "source": self.source.to_json(),
            "status": self.status,
            "letter": {s.name: thaw(self.fields[s.name].value) for s in LETTER_FIELDS},
            "items": [item.values_json() for item in self.items],
            "provenance": self._provenance_json(),
            "review": review,
        }

    def _provenance_json(self) -> list[dict[str, Any]]:
        entries = []
        for spec in LETTER_FIELDS:
            entries += _provenance_entry(spec.path(), self.fields[spec.name])
        for index, item in enumerate(self.items):
            for spec in ITEM_FIELDS:
                entries += _provenance_entry(spec.path(index), item[spec.name])
        return entries

    @classmethod
    def from_parsed(cls, record: Mapping[str, Any]) -> Letter:
        """A letter as the parser left it (parser JSON); items without an id get the parser's."""
        evidence = {p["field"]: p for p in record.get("provenance") or [] if "field" in p}
        letter = record.get("letter") or {}
        fields = {
            s.name: _parsed_value(s, letter.get(s.name), evidence.get(s.path()))
            for s in LETTER_FIELDS
        }
        items = tuple(
            _parsed_item(index, item, evidence)
            for index, item in enumerate(record.get("items") or [])
        )
        return cls(
            source=Source.from_json(record.get("source") or {}),
            fields=fields,
            items=items,
            parser_items=tuple(item.id for item in items),
            status=str(record.get("status") or "parsed"),
        )


def _provenance_entry(path: str, value: FieldValue) -> list[dict[str, Any]]:
    if value.confidence is None:
        return []
    boxes = [box.to_json() for box in value.boxes]
    return [{"field": path, "confidence": value.confidence, "boxes": boxes}]


def _parsed_value(spec: FieldSpec, value: Any, entry: Mapping[str, Any] | None) -> FieldValue:
    value = freeze(value) if value is not None else unset(spec)
    if entry is None:
        return FieldValue(value, value)
    confidence = float(entry.get("confidence") or 0.0)
    return FieldValue(value, value, confidence, boxes_from_json(entry.get("boxes")))


def _parsed_item(index: int, item: Mapping[str, Any], evidence: Mapping[str, Any]) -> Item:
    fields = {
        s.name: _parsed_value(s, item.get(s.name), evidence.get(s.path(index))) for s in ITEM_FIELDS
    }
    return Item(str(item.get("id") or parser_item_id(index)), fields)


def export_paths(letter: Letter, refs: list[FieldRef]) -> list[str]:
    """Refs as the export's index paths (``items.2.decision``), in the letter's item order."""
    positions = {item.id: index for index, item in enumerate(letter.items)}
    return [ref.spec.path(None if ref.item is None else positions[ref.item]) for ref in refs]
