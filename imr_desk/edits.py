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

from imr_desk.domain import CORRECTION_REASONS, STATUSES, coerce, derive_outcome
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
REASON_SUFFIX: Final = "#reason"
"""A reason's audit rows: ``items.p2.decision#reason``, apart from the value's own rows."""
REOPENED_BY_EDITS: Final = ("parsed", "verified")
"""Statuses an edit of the content moves to in_progress: what was verified is no longer what is
stored, so the letter leaves the dataset until verified again (flagged and skipped are a
reviewer's own marks and stay)."""


class StaleUndo(ValueError):
    """An undo whose field or item was changed since the edit it takes back (by another desk
    or another edit): putting the old value back would silently overwrite that change."""


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
    (reviewer-readable; ``VerifyRefused`` for Verify, ``StaleUndo`` for an undo of something
    changed since) or KeyError for an item not there."""
    changed, rows, inverse = edit.change(letter, reviewer)
    if getattr(edit, "applies_rules", False) or not (edit.touches_content and rows):
        return Applied(changed, tuple(rows), inverse)
    outcome = changed.field(OUTCOME)
    changed, rows = _follow_decisions(letter, changed, rows)
    if _outcome_follows(letter, changed):
        inverse = KeepOutcome(inverse, before=outcome, after=changed.field(OUTCOME))
    changed, rows = _reopen(changed, rows)
    return Applied(changed, tuple(rows), inverse)


def _outcome_follows(before: Letter, after: Letter) -> bool:
    """Whether the outcome rule applies: what the decisions give changed, and no person set
    the outcome."""
    if after.field(OUTCOME).is_human:
        return False
    return derive_outcome(before.decisions()) != derive_outcome(after.decisions())


def _follow_decisions(
    before: Letter, letter: Letter, rows: list[AuditRow]
) -> tuple[Letter, list[AuditRow]]:
    """Keep the outcome equal to what the items' decisions give when that changes, unless a
    person set the outcome."""
    if not _outcome_follows(before, letter):
        return letter, rows
    return _set_outcome(letter, rows, derive_outcome(letter.decisions()))


def _set_outcome(letter: Letter, rows: list[AuditRow], value: Any) -> tuple[Letter, list[AuditRow]]:
    outcome = letter.field(OUTCOME)
    if outcome.value == value:
        return letter, rows
    letter = letter.with_field(OUTCOME, replace(outcome, value=value))
    return letter, [*rows, AuditRow(str(OUTCOME), outcome.value, value)]


@dataclass(frozen=True)
class KeepOutcome:
    """The undo of an edit that moved a parser outcome: the edit's own inverse, then the
    outcome back exactly as it was (even a printed one that disagreed with the items), if
    nobody changed it since (``after`` is what the undone edit left); otherwise the outcome
    follows the decisions, as after any edit."""

    edit: Edit
    before: FieldValue
    after: FieldValue
    touches_content: bool = True
    applies_rules: bool = True

    @property
    def label(self) -> str:
        return self.edit.label

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        current = letter.field(OUTCOME)
        changed, rows, inverse = self.edit.change(letter, reviewer)
        if current == self.after and not current.is_human:
            changed = changed.with_field(OUTCOME, self.before)
            if self.before.value != current.value:
                rows = [*rows, AuditRow(str(OUTCOME), current.value, self.before.value)]
        else:
            changed, rows = _follow_decisions(letter, changed, rows)
        redo = KeepOutcome(inverse, before=current, after=changed.field(OUTCOME))
        changed, rows = _reopen(changed, rows) if rows else (changed, rows)
        return changed, rows, redo


def _reopen(letter: Letter, rows: list[AuditRow]) -> tuple[Letter, list[AuditRow]]:
    if letter.status not in REOPENED_BY_EDITS:
        return letter, rows
    reopened = replace(letter, status="in_progress")
    return reopened, [*rows, AuditRow("status", letter.status, "in_progress")]


# --- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetField:
    """A person sets a field (from typing, or a page selection whose ``boxes`` become its
    evidence): the value is theirs, confidence 1; the parser's value is kept beside it. The
    reason given for an earlier change stays while the value still differs from the parser's,
    and goes when the person puts the parser's value back. ``not_in_letter`` is what the
    evidence check found (the client has the letter's text; the core does not)."""

    ref: FieldRef
    value: Any
    boxes: tuple[Box, ...] | None = None
    touches_content: bool = True
    not_in_letter: bool = False

    @property
    def label(self) -> str:
        return f"Edit {self.ref.spec.label}"

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        old = letter.field(self.ref)
        value = freeze(coerce(self.ref.spec, thaw(self.value)))
        new = FieldValue(value, old.parsed, HUMAN_CONFIDENCE, self.boxes or (), reviewer)
        new = replace(new, not_in_letter=self.not_in_letter)
        if new.corrected:
            new = replace(new, reason=old.reason)
        return _put(letter, self.ref, old, new, self.label)


@dataclass(frozen=True)
class RestoreField:
    """Put a field back exactly as it was: value, confidence, boxes and who set it (undo).

    ``expect`` is what the undone edit left: a field that no longer holds it was changed
    since, and is refused (``StaleUndo``), or left as it is with ``only_if_unchanged``."""

    ref: FieldRef
    field: FieldValue
    label: str = "Restore field"
    touches_content: bool = True
    expect: FieldValue | None = None
    only_if_unchanged: bool = False

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        current = letter.field(self.ref)
        if self.expect is not None and current != self.expect:
            if self.only_if_unchanged:
                return letter, [], RestoreField(self.ref, current, self.label)
            by = f" by {current.set_by}" if current.set_by else ""
            raise StaleUndo(
                f"{self.ref.spec.label} was changed{by} since (now '{_shown(current.value)}'): "
                "it was left as it is"
            )
        return _put(
            letter, self.ref, current, self.field, self.label, touches_content=self.touches_content
        )


def _shown(value: Any) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, tuple) else str(value or "")
    return text if len(text) <= 40 else text[:39] + "…"


def _put(
    letter: Letter,
    ref: FieldRef,
    old: FieldValue,
    new: FieldValue,
    label: str,
    *,
    touches_content: bool = True,
) -> tuple[Letter, list[AuditRow], Edit]:
    """Replace a field: a value row when anything but its reason changes, a ``#reason`` row
    when its reason does."""
    inverse = RestoreField(ref, old, label, touches_content=touches_content, expect=new)
    rows: list[AuditRow] = []
    if replace(new, reason=None) != replace(old, reason=None):
        rows.append(AuditRow(str(ref), thaw(old.value), thaw(new.value)))
    if new.reason != old.reason:
        rows.append(AuditRow(f"{ref}{REASON_SUFFIX}", old.reason, new.reason))
    return (letter.with_field(ref, new) if rows else letter), rows, inverse


@dataclass(frozen=True)
class TagReason:
    """Say why a person changed a parser value (one of ``CORRECTION_REASONS``; None takes
    the reason away). Only a value that differs from the parser's takes one.

    The value stays as it is, so a verified letter stays verified: what was checked is still
    what is stored. The inverse puts the field back exactly (and is refused, ``StaleUndo``,
    when the field was changed since)."""

    ref: FieldRef
    reason: str | None
    touches_content: bool = False

    @property
    def label(self) -> str:
        return f"Reason for {self.ref.spec.label}"

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        old = letter.field(self.ref)
        refused = reason_refusal(old, self.reason)
        if refused:
            raise ValueError(f"{self.ref.spec.label}: {refused}")
        new = replace(old, reason=self.reason)
        return _put(letter, self.ref, old, new, self.label, touches_content=False)


def reason_refusal(field: FieldValue, reason: str | None) -> str:
    """Why ``reason`` cannot be given to this field ('' when it can): not a reason, or the
    value is still the parser's (nothing was corrected)."""
    if reason is None:
        return ""
    if reason not in CORRECTION_REASONS:
        return f"'{reason}' is not a correction reason ({', '.join(CORRECTION_REASONS)})"
    if not field.corrected:
        return "only a value changed from the parser's takes a reason; this one is the parser's"
    return ""


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
        return letter.with_items(items), [row], RemoveItem(item.id, self.label, expect=item)


@dataclass(frozen=True)
class RemoveItem:
    """Remove an item; its inverse puts it back whole at the same place. ``expect`` (an
    undo of adding the item) refuses to remove an item someone has filled in since."""

    item_id: str
    label: str = "Remove item"
    touches_content: bool = True
    expect: Item | None = None

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        index = letter.item_index(self.item_id)
        item = letter.items[index]
        if self.expect is not None and item != self.expect:
            raise StaleUndo(f"item {index + 1} was changed since: it was left in the letter")
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
    """Several edits as one, each with its rules (so a batch that edits and then verifies
    ends verified): applied in order, undone in reverse."""

    edits: tuple[Edit, ...]
    label: str = "Edit"
    touches_content: bool = True
    applies_rules: bool = True

    def change(self, letter: Letter, reviewer: str) -> tuple[Letter, list[AuditRow], Edit]:
        rows: list[AuditRow] = []
        inverses: list[Edit] = []
        for edit in self.edits:
            applied = apply_edit(letter, edit, reviewer=reviewer)
            letter = applied.letter
            rows += applied.audit
            inverses.insert(0, applied.inverse)
        return letter, rows, Batch(tuple(inverses), self.label)
