"""Edits of a letter: what each one does, the audit rows it implies and its exact inverse.

Every change to a letter, from any client (the app, a command, a server-backed desk), is one
of these values run through ``apply_edit``. The rules of what an edit *means* live here and
nowhere else: a person's value replaces the parser's and is theirs, the outcome follows the
items' decisions unless a person set it, an edit reopens a parsed or verified letter, and
Verify refuses a letter that fails validation. Storage runs ``apply_edit`` inside its write
transaction and persists what it returns; it decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final, Protocol

from imr_desk.domain import STATUSES, coerce, derive_outcome
from imr_desk.record import (
    HUMAN_CONFIDENCE,
    Box,
    FieldRef,
    FieldValue,
    Item,
    Letter,
    freeze,
    thaw,
)
from imr_desk.validation import blocking, refusal, validate

OUTCOME: Final = FieldRef("outcome")
REOPENED_BY_EDITS: Final = ("parsed", "verified")
"""Statuses an edit of the content moves to in_progress: what was verified is no longer what is
stored, so the letter leaves the dataset until verified again (flagged and skipped are a
reviewer's own marks and stay)."""


class VerifyRefused(ValueError):
    """Verify was asked for a letter that fails validation; ``issues`` say what to fix."""

    def __init__(self, issues: list[Any]) -> None:
        super().__init__(refusal(issues))
        self.issues = issues


@dataclass(frozen=True)
class AuditRow:
    """One audit log row: ``field`` is a field path (``items.p2.decision``), an item
    (``items.p2``: added, removed, or moved as ``{"position": n}``), ``status`` or ``note``."""

    field: str
    old: Any
    new: Any


class Edit(Protocol):
    """One change of a letter; ``change`` returns the new letter, its rows and its inverse."""

    @property
    def label(self) -> str: ...

    @property
    def touches_content(self) -> bool: ...

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]: ...


@dataclass(frozen=True)
class Applied:
    """What ``apply_edit`` did: the letter as it now is, its audit rows, the edit undoing it."""

    letter: Letter
    audit: tuple[AuditRow, ...]
    inverse: Edit


def apply_edit(letter: Letter, edit: Edit, *, reviewer: str) -> Applied:
    """Run an edit and the rules that follow from it (outcome, reopening). Raises ValueError
    (reviewer-readable; ``VerifyRefused`` for Verify) or KeyError for an item not there."""
    changed, rows, inverse = _run(letter, edit, reviewer)
    if edit.touches_content and rows:
        changed, rows = _reopen(changed, rows)
    return Applied(changed, tuple(rows), inverse)


def _run(letter: Letter, edit: Edit, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
    """The edit and the outcome rule, without reopening (a batch reopens once)."""
    changed, rows, inverse = edit.change(letter, reviewer)
    if edit.touches_content and rows and not isinstance(edit, Batch):  # a batch's edits did
        return _follow_decisions(letter, changed, rows, inverse)
    return changed, rows, inverse


def _follow_decisions(
    before: Letter, letter: Letter, rows: list[AuditRow], inverse: Edit
) -> tuple[Letter, list[AuditRow], Edit]:
    """Keep the outcome equal to what the items' decisions give when that changes, unless a
    person set the outcome. The inverse puts the outcome back exactly as it was, even one
    the parser read that disagreed with the items."""
    outcome = letter.field(OUTCOME)
    derived = derive_outcome(letter.decisions())
    if outcome.is_human or derive_outcome(before.decisions()) == derived:
        return letter, rows, inverse
    restore = Batch((inverse, RestoreField(OUTCOME, outcome)), inverse.label)
    if derived == outcome.value:
        return letter, rows, restore
    letter = letter.with_field(OUTCOME, replace(outcome, value=derived))
    return letter, [*rows, AuditRow(str(OUTCOME), outcome.value, derived)], restore


def _reopen(letter: Letter, rows: list[AuditRow]) -> tuple[Letter, list[AuditRow]]:
    if letter.status not in REOPENED_BY_EDITS:
        return letter, rows
    reopened = replace(letter, status="in_progress")
    return reopened, [*rows, AuditRow("status", letter.status, "in_progress")]


# --- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetField:
    """A person sets a field (from typing, or a page selection whose ``boxes`` become its
    evidence): the value is theirs, confidence 1; the parser's value is kept beside it."""

    ref: FieldRef
    value: Any
    boxes: tuple[Box, ...] | None = None
    touches_content: bool = True

    @property
    def label(self) -> str:
        return f"Edit {self.ref.spec.label}"

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        old = letter.field(self.ref)
        value = freeze(coerce(self.ref.spec, thaw(self.value)))
        new = FieldValue(value, old.parsed, HUMAN_CONFIDENCE, self.boxes or (), reviewer)
        return _put(letter, self.ref, old, new, self.label)


@dataclass(frozen=True)
class RestoreField:
    """Put a field back exactly as it was: value, confidence, boxes and who set it (undo)."""

    ref: FieldRef
    field: FieldValue
    label: str = "Restore field"
    touches_content: bool = True

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        return _put(letter, self.ref, letter.field(self.ref), self.field, self.label)


def _put(
    letter: Letter, ref: FieldRef, old: FieldValue, new: FieldValue, label: str
) -> tuple[Letter, list[AuditRow], Edit]:
    if new == old:
        return letter, [], RestoreField(ref, old, label)
    rows = [AuditRow(str(ref), thaw(old.value), thaw(new.value))]
    return letter.with_field(ref, new), rows, RestoreField(ref, old, label)


# --- items -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddItem:
    """Insert an item at ``index`` (default: the end): a blank one a person adds, or a removed
    one coming back whole (same id, values, evidence and marks)."""

    item: Item | None = None
    index: int | None = None
    label: str = "Add item"
    touches_content: bool = True

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        item = self.item or Item.blank()
        if any(existing.id == item.id for existing in letter.items):
            raise ValueError(f"the letter already has an item {item.id}")
        count = len(letter.items)
        at = count if self.index is None else max(0, min(self.index, count))
        items = (*letter.items[:at], item, *letter.items[at:])
        row = AuditRow(f"items.{item.id}", None, item.values_json())
        return letter.with_items(items), [row], RemoveItem(item.id, self.label)


@dataclass(frozen=True)
class RemoveItem:
    """Remove an item; its inverse puts it back whole at the same place."""

    item_id: str
    label: str = "Remove item"
    touches_content: bool = True

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        index = letter.item_index(self.item_id)
        item = letter.items[index]
        items = letter.items[:index] + letter.items[index + 1 :]
        row = AuditRow(f"items.{item.id}", item.values_json(), None)
        return letter.with_items(items), [row], AddItem(item, index, self.label)


@dataclass(frozen=True)
class MoveItem:
    """Move an item to ``index`` in letter order; nothing else about it changes."""

    item_id: str
    index: int
    label: str = "Move item"
    touches_content: bool = True

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        old = letter.item_index(self.item_id)
        if not 0 <= self.index < len(letter.items):
            raise IndexError(f"item position {self.index} outside 0..{len(letter.items) - 1}")
        if old == self.index:
            return letter, [], MoveItem(self.item_id, old, self.label)
        items = list(letter.items)
        items.insert(self.index, items.pop(old))
        row = AuditRow(f"items.{self.item_id}", {"position": old}, {"position": self.index})
        return letter.with_items(tuple(items)), [row], MoveItem(self.item_id, old, self.label)


# --- status and composition --------------------------------------------------------------------


@dataclass(frozen=True)
class SetStatus:
    """Change the review status (and note, when given). Verify runs the validation rules
    first and refuses a letter with a blocking issue, whoever asks."""

    status: str
    note: str | None = None
    label: str = "Set status"
    touches_content: bool = False
    keep_note: bool = True
    """A None ``note`` keeps the letter's note; the inverse sets the old note, None too."""

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        if self.status not in STATUSES:
            raise ValueError(f"'{self.status}' is not a status ({', '.join(STATUSES)})")
        if self.status == "verified":
            problems = blocking(validate(letter))
            if problems:
                raise VerifyRefused(problems)
        rows = []
        if self.status != letter.status:
            rows.append(AuditRow("status", letter.status, self.status))
        note = letter.note if self.note is None and self.keep_note else self.note
        if note != letter.note:
            rows.append(AuditRow("note", letter.note, note))
        changed = replace(letter, status=self.status, note=note)
        return changed, rows, SetStatus(letter.status, letter.note, self.label, keep_note=False)


@dataclass(frozen=True)
class Batch:
    """Several edits as one (an inverse that restores the outcome too): applied in order,
    undone in reverse."""

    edits: tuple[Edit, ...]
    label: str = "Edit"
    touches_content: bool = True

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        rows: list[AuditRow] = []
        inverses: list[Edit] = []
        for edit in self.edits:
            letter, more, inverse = _run(letter, edit, reviewer)
            rows += more
            inverses.insert(0, inverse)
        return letter, rows, Batch(tuple(inverses), self.label)
