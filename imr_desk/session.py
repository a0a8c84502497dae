"""ReviewSession: the state of one open letter while a reviewer works on it. No Qt.

The session is the source of truth the form mirrors: the letter as stored (a typed ``Letter``),
its validation issues and its undo/redo history. It never writes anywhere itself: it turns a
reviewer's intent into a core ``Edit`` that the controller has the store apply; the store hands
back the edit's exact inverse, which becomes the undo (and an undo's inverse, the redo).
Fields are named by ``str(FieldRef)`` (``letter.case_number``, ``items.p2.decision``): the
form's keys, which follow an item wherever it moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from imr_desk.domain import ITEM_FIELDS, coerce, split_entries
from imr_desk.edits import AddItem, Edit, MoveItem, RemoveItem, SetField
from imr_desk.evidence_check import not_in_letter
from imr_desk.record import Box, FieldRef, FieldValue, Item, Letter, freeze, in_doubt
from imr_desk.seeded_checks import Check, shown_letter
from imr_desk.validation import Issue, blocking, issues_by_path, validate

Direction = Literal["do", "undo", "redo"]


class RowLike(Protocol):
    """What a session needs from a stored letter (``storage.LetterRow`` fits)."""

    @property
    def sha256(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def source_path(self) -> str: ...
    @property
    def pages(self) -> int: ...
    @property
    def full(self) -> Letter: ...


@dataclass(frozen=True)
class Change:
    """An edit to write for this letter, with what it is called and where the cursor goes."""

    label: str
    edit: Edit
    focus: str = ""
    moves_focus: bool = False
    """Whether doing it puts the cursor on ``focus``: item changes do; a field edit does not,
    since the reviewer has already moved on (Tab, a click) when it is written. Undo and redo
    always go back to ``focus``."""


@dataclass
class ReviewSession:
    """State of one letter under review, taken from the store after every write."""

    sha256: str
    letter: Letter
    file_name: str = ""
    source_path: str = ""
    pages: int = 0
    undo_stack: list[Change] = field(default_factory=list)
    redo_stack: list[Change] = field(default_factory=list)
    check: Check | None = None
    """A seeded check shown in place of the stored value (``seeded_checks``), until settled."""
    settled: list[tuple[Check, str]] = field(default_factory=list)
    """Checks settled by the reviewer's edits ("caught"), for the controller to record."""
    letter_text: Callable[[], str] | None = None
    """The open letter's printed text (``evidence_check.document_text``), set by the client
    that shows the PDF; None (no PDF): a value set is not checked against it."""

    @classmethod
    def from_row(cls, row: RowLike) -> ReviewSession:
        """A fresh session (empty history) for a stored letter."""
        session = cls(sha256=row.sha256, letter=row.full)
        session.update(row)
        return session

    def update(self, row: RowLike) -> None:
        """Take the stored state after a write; the undo history is kept."""
        self.letter = row.full
        self.file_name = row.file_name
        self.source_path = row.source_path
        self.pages = row.pages

    @property
    def status(self) -> str:
        return self.letter.status

    @property
    def shown(self) -> Letter:
        """The letter as the reviewer sees it: the stored one, with a seeded check's value."""
        return shown_letter(self.letter, self.check)

    # --- reading ---------------------------------------------------------------------------

    def field(self, path: str) -> FieldValue | None:
        """A field by its path; None for a path that is not (or no longer) in the letter."""
        try:
            return self.shown.field(FieldRef.parse(path))
        except (KeyError, ValueError):
            return None

    def value(self, path: str) -> Any:
        found = self.field(path)
        return None if found is None else found.value

    def item_count(self) -> int:
        return len(self.letter.items)

    def item_id(self, index: int) -> str:
        """The id of the item at a position of the letter."""
        return self.letter.items[index].id

    def path(self, index: int, name: str) -> str:
        """The path of an item's field by the item's position (``items.p2.decision``)."""
        return str(FieldRef(name, self.item_id(index)))

    def paths(self) -> list[str]:
        """Every field path of the letter, in form order."""
        return [str(ref) for ref in self.letter.refs()]

    def confidence(self, path: str) -> float | None:
        """The parser's confidence for a field (a person's value: 1); None when the parser
        never reported it."""
        found = self.field(path)
        return None if found is None else found.confidence

    def boxes(self, path: str) -> list[dict]:
        """Where on the pages the field's value was read (page, rect in points)."""
        found = self.field(path)
        return [box.to_json() for box in found.boxes] if found else []

    def evidence(self) -> dict[str, list[dict]]:
        """Every field's boxes, for drawing clickable highlights on the pages."""
        letter = self.letter
        return {str(r): [b.to_json() for b in letter.field(r).boxes] for r in letter.refs()}

    def is_human(self, path: str) -> bool:
        found = self.field(path)
        return found is not None and found.is_human

    def issues(self) -> list[Issue]:
        return validate(self.letter)

    def issues_by_path(self) -> dict[str, list[Issue]]:
        return issues_by_path(self.issues())

    def blocking_issues(self) -> list[Issue]:
        return blocking(self.issues())

    def needs_review(self, path: str, issue_paths: Iterable[str] = ()) -> bool:
        """A field needs a look when it has a validation issue or is in doubt
        (``record.in_doubt``: the rule the form's colours and the queue's confidence follow;
        a confidently empty field is skipped)."""
        if path in issue_paths:
            return True
        found = self.field(path)
        return found is not None and in_doubt(FieldRef.parse(path).spec, found)

    def next_needing_review(
        self, after: str | None = None, *, backwards: bool = False
    ) -> str | None:
        """The next (or previous) field path after ``after``, wrapping round, that needs review."""
        paths = self.paths()
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
        ref = FieldRef.parse(path)
        new = freeze(coerce(ref.spec, raw))
        if self._keeps_check(path, new):
            return None  # the seeded value is never written, whatever the evidence
        # Exact comparison: a fix of quotes or of a stray space is a real correction, even
        # though scoring (domain.values_equal) treats it as the same value.
        if self.value(path) == new and boxes is None:
            return None
        evidence = None if boxes is None else tuple(Box.from_json(box) for box in boxes)
        edit = SetField(ref, new, evidence, not_in_letter=self._not_in_letter(ref, new))
        return Change(edit.label, edit, focus=path)

    def _not_in_letter(self, ref: FieldRef, value: Any) -> bool:
        """The evidence check of a value the reviewer sets (a warning, never a refusal)."""
        text = self.letter_text() if self.letter_text is not None else None
        return not_in_letter(ref.spec, value, text)

    def _keeps_check(self, path: str, new: Any) -> bool:
        """Whether the seeded check on ``path`` still stands after this commit: a value
        other than the one shown catches it (recorded by the controller from ``settled``)."""
        check = self.check
        if check is None or check.path != path:
            return False
        if new == check.shown:
            return True
        self.check = None
        self.settled.append((check, "caught"))
        return False

    def fill(self, path: str, text: str, *, boxes: list[dict]) -> Change | None:
        """The change that fills a field from text selected on the page, ``boxes`` becoming
        its evidence (raises ValueError like ``edit``)."""
        spec = FieldRef.parse(path).spec
        raw: Any = split_entries(spec, text) if spec.kind == "list" else text
        return self.edit(path, raw, boxes=boxes)

    def add_item(self, index: int | None = None) -> Change:
        """The change that inserts an empty item (at the end by default)."""
        item = Item.blank()
        focus = str(FieldRef(ITEM_FIELDS[0].name, item.id))
        return Change("Add item", AddItem(item, index), focus=focus, moves_focus=True)

    def remove_item(self, item_id: str) -> Change:
        """The change that removes an item; its undo puts the item back whole."""
        label = f"Remove item {self.letter.item_index(item_id) + 1}"
        focus = str(FieldRef(ITEM_FIELDS[0].name, item_id))
        return Change(label, RemoveItem(item_id, label), focus=focus)

    def move_item(self, item_id: str, new_index: int) -> Change | None:
        """The change that moves an item; None when the move goes nowhere."""
        index = self.letter.item_index(item_id)
        if new_index < 0 or new_index >= self.item_count() or new_index == index:
            return None
        label = f"Move item {index + 1}"
        focus = str(FieldRef(ITEM_FIELDS[0].name, item_id))
        return Change(label, MoveItem(item_id, new_index, label), focus=focus, moves_focus=True)

    # --- history ---------------------------------------------------------------------------

    def written(self, change: Change, inverse: Edit, direction: Direction) -> None:
        """Record a change that was written: its inverse (from the store) is what takes it
        back; a new change drops the redo history."""
        back = Change(change.label, inverse, change.focus, change.moves_focus)
        if direction == "undo":
            self.redo_stack.append(back)
            return
        self.undo_stack.append(back)
        if direction == "do":
            self.redo_stack.clear()

    def take_undo(self) -> Change | None:
        """The change that takes back the last one, or None."""
        return self.undo_stack.pop() if self.undo_stack else None

    def take_redo(self) -> Change | None:
        """The change that applies an undone one again, or None."""
        return self.redo_stack.pop() if self.redo_stack else None

    def give_back(self, change: Change, direction: Direction) -> None:
        """Put a change back where it was when writing it failed, so history stays truthful."""
        if direction == "undo":
            self.undo_stack.append(change)
        elif direction == "redo":
            self.redo_stack.append(change)
