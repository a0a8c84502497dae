"""ReviewSession: the state of one open letter while a reviewer works on it. No Qt.

The session is the source of truth the form mirrors: the current record, what the parser said,
which fields a human set, the validation issues, and the per-letter undo/redo history. It never
writes anywhere itself: it turns a reviewer's intent into ``Operation`` values that the
controller runs against the store, so every edit and every undo is saved and audited the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from imr_desk.domain import (
    ITEM_FIELDS,
    LOW_CONFIDENCE,
    coerce,
    empty_item,
    field_paths,
    get_path,
    spec_for_path,
    split_entries,
)
from imr_desk.validation import Issue, blocking, issues_by_path, validate

OperationKind = Literal["set", "add_item", "remove_item", "move_item"]


class RowLike(Protocol):
    """What a session needs from a stored letter (``storage.LetterRow`` fits)."""

    sha256: str
    status: str
    file_name: str
    source_path: str
    pages: int
    parsed: dict
    current: dict
    human_fields: frozenset[str]
    item_origins: tuple[int | None, ...]


@dataclass(frozen=True)
class Operation:
    """One write the controller performs on the store for this letter."""

    kind: OperationKind
    path: str = ""
    value: Any = None
    boxes: list[dict] | None = None
    index: int | None = None
    new_index: int | None = None
    item: dict | None = None
    confidence: float | None = None
    """For an undo: the provenance confidence to restore (None: a person's)."""
    human: bool = True
    """For an undo: whether a person had set the field (False: it is the parser's again)."""
    provenance: tuple[dict, ...] | None = None
    """For putting a removed item back: its provenance entries and human-set paths."""
    human_paths: frozenset[str] = frozenset()
    origin: int | None = None
    """For putting a removed item back: the parser item it came from (None: added by a person)."""


@dataclass(frozen=True)
class Change:
    """A reviewer's edit as the writes that do it and the writes that take it back."""

    label: str
    do: tuple[Operation, ...]
    undo: tuple[Operation, ...]
    focus: str = ""

    @property
    def moves_focus(self) -> bool:
        """Whether doing it puts the cursor on ``focus``: item changes do; a field edit does
        not, since the reviewer has already moved on (Tab, a click) when it is written.
        Undo and redo always go back to ``focus``."""
        return any(op.kind != "set" for op in self.do)


@dataclass
class ReviewSession:
    """State of one letter under review, rebuilt from the store after every write."""

    sha256: str
    record: dict[str, Any]
    parsed: dict[str, Any]
    human_fields: frozenset[str] = frozenset()
    status: str = "parsed"
    file_name: str = ""
    source_path: str = ""
    pages: int = 0
    item_origins: tuple[int | None, ...] = ()
    undo_stack: list[Change] = field(default_factory=list)
    redo_stack: list[Change] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: RowLike) -> ReviewSession:
        """A fresh session (empty history) for a stored letter."""
        session = cls(sha256=row.sha256, record={}, parsed={})
        session.update(row)
        return session

    def update(self, row: RowLike) -> None:
        """Take the stored state after a write; the undo history is kept."""
        self.record = row.current
        self.parsed = row.parsed
        self.human_fields = frozenset(row.human_fields)
        # Rows stored before origins were kept have none: each item is then its own.
        self.item_origins = tuple(row.item_origins) or tuple(range(len(self.record["items"])))
        self.status = row.status
        self.file_name = row.file_name
        self.source_path = row.source_path
        self.pages = row.pages

    # --- reading ---------------------------------------------------------------------------

    def value(self, path: str) -> Any:
        """The current value of a field path (None for a path that no longer exists)."""
        try:
            return get_path(self.record, path)
        except (IndexError, KeyError):
            return None

    def item_count(self) -> int:
        return len(self.record.get("items") or [])

    def provenance(self, path: str) -> dict[str, Any] | None:
        return next((p for p in self.record.get("provenance") or [] if p["field"] == path), None)

    def confidence(self, path: str) -> float | None:
        """The parser's confidence for a field; None when the parser never saw it."""
        entry = self.provenance(path)
        return None if entry is None else float(entry.get("confidence", 0.0))

    def boxes(self, path: str) -> list[dict]:
        """Where on the pages the field's value was read (page, rect in points)."""
        entry = self.provenance(path)
        return list(entry.get("boxes") or []) if entry else []

    def evidence(self) -> dict[str, list[dict]]:
        """Every field's boxes, for drawing clickable highlights on the pages."""
        return {p["field"]: list(p.get("boxes") or []) for p in self.record.get("provenance") or []}

    def is_human(self, path: str) -> bool:
        return path in self.human_fields

    def issues(self) -> list[Issue]:
        return validate(self.record)

    def issues_by_path(self) -> dict[str, list[Issue]]:
        return issues_by_path(self.issues())

    def blocking_issues(self) -> list[Issue]:
        return blocking(self.issues())

    def needs_review(self, path: str, issue_paths: Iterable[str] = ()) -> bool:
        """A field needs a look when the parser was unsure and no human has confirmed it yet,
        or when it has a validation issue."""
        if path in issue_paths:
            return True
        if self.is_human(path):
            return False
        confidence = self.confidence(path)
        return confidence is not None and confidence < LOW_CONFIDENCE

    def next_needing_review(
        self, after: str | None = None, *, backwards: bool = False
    ) -> str | None:
        """The next (or previous) field path after ``after``, wrapping round, that needs review."""
        paths = [path for path, _ in field_paths(self.record)]
        if backwards:
            paths.reverse()
        issue_paths = {issue.path for issue in self.issues()}
        start = paths.index(after) + 1 if after in paths else 0
        for path in paths[start:] + paths[:start]:
            if self.needs_review(path, issue_paths):
                return path
        return None

    # --- intents -> changes ----------------------------------------------------------------

    def edit(self, path: str, raw: Any, *, boxes: list[dict] | None = None) -> Change | None:
        """The change that sets a field from what the reviewer typed; None if nothing changes.

        Raises ValueError (reviewer-readable) when the text cannot be that field's type.
        """
        spec = spec_for_path(path)
        new = coerce(spec, raw)
        old = self.value(path)
        # Exact comparison: a fix of quotes or of a stray space is a real correction, even
        # though scoring (domain.values_equal) treats it as the same value.
        if old == new and boxes is None:
            return None
        # The store keeps the outcome in step with the items' decisions (unless a person set
        # it), so a decision edit and its undo need no outcome write of their own.
        # Undo restores what the field was, including who said so: the parser's confidence
        # and boxes, and no human mark if no person had set it (it needs review again).
        restore = Operation(
            "set",
            path,
            old,
            self.boxes(path),
            confidence=self.confidence(path),
            human=self.is_human(path),
        )
        return Change(
            f"Edit {spec.label}", (Operation("set", path, new, boxes),), (restore,), focus=path
        )

    def fill(self, path: str, text: str, *, boxes: list[dict]) -> Change | None:
        """The change that fills a field from text selected on the page, ``boxes`` becoming
        its evidence (raises ValueError like ``edit``)."""
        spec = spec_for_path(path)
        raw: Any = split_entries(spec, text) if spec.kind == "list" else text
        return self.edit(path, raw, boxes=boxes)

    def add_item(self, index: int | None = None) -> Change:
        """The change that inserts an empty item (at the end by default)."""
        at = self.item_count() if index is None else index
        item = empty_item()
        return Change(
            "Add item",
            (Operation("add_item", index=at, item=item),),
            (Operation("remove_item", index=at),),
            focus=ITEM_FIELDS[0].path(at),
        )

    def remove_item(self, index: int) -> Change:
        """The change that removes an item; undo puts it back in place whole: values,
        provenance and human marks."""
        item = copy.deepcopy(self.record["items"][index])
        prefix = f"items.{index}."
        entries = tuple(
            copy.deepcopy(p)
            for p in self.record.get("provenance") or []
            if p["field"].startswith(prefix)
        )
        restore = Operation(
            "add_item",
            index=index,
            item=item,
            provenance=entries,
            human_paths=frozenset(p for p in self.human_fields if p.startswith(prefix)),
            origin=self.item_origins[index] if index < len(self.item_origins) else None,
        )
        return Change(
            f"Remove item {index + 1}", (Operation("remove_item", index=index),), (restore,)
        )

    def move_item(self, index: int, new_index: int) -> Change | None:
        """The change that moves an item; None when the move goes nowhere."""
        if new_index < 0 or new_index >= self.item_count() or new_index == index:
            return None
        return Change(
            f"Move item {index + 1}",
            (Operation("move_item", index=index, new_index=new_index),),
            (Operation("move_item", index=new_index, new_index=index),),
            focus=ITEM_FIELDS[0].path(new_index),
        )

    # --- history ---------------------------------------------------------------------------

    def done(self, change: Change) -> None:
        """Record a change that was written: it can be undone; redo history is dropped."""
        self.undo_stack.append(change)
        self.redo_stack.clear()

    def take_undo(self) -> Change | None:
        """The change to take back (moved to the redo stack), or None."""
        if not self.undo_stack:
            return None
        change = self.undo_stack.pop()
        self.redo_stack.append(change)
        return change

    def take_redo(self) -> Change | None:
        """The change to apply again (moved back to the undo stack), or None."""
        if not self.redo_stack:
            return None
        change = self.redo_stack.pop()
        self.undo_stack.append(change)
        return change

    def give_back(self, change: Change, *, was_undo: bool) -> None:
        """Put a change back where it was when writing it failed, so history stays truthful."""
        source, target = (
            (self.redo_stack, self.undo_stack) if was_undo else (self.undo_stack, self.redo_stack)
        )
        if source and source[-1] is change:
            source.pop()
            target.append(change)
