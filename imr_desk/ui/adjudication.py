"""AdjudicationController: a lead's tools, the review policy and the adjudication queue.

Review → Review policy opens the policy dialog and stores what it returns. Review →
Adjudication queue opens the first letter whose two reviews differ in the adjudication view and
keeps the lead's choice for each differing field until Ctrl+Enter writes the gold record
(``store.adjudicate``), then opens the next letter. Only this controller touches the store for
them; a refusal is shown where the lead is looking, and no choice is lost.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from PySide6.QtCore import QObject, Signal

from imr_desk.adjudication import TAKE_A, TAKE_B, Choice, Typed
from imr_desk.agreement import Difference, differences
from imr_desk.domain import FieldSpec, coerce, split_entries
from imr_desk.names import real_path
from imr_desk.pdf_source import PdfDocument, PdfError
from imr_desk.record import FieldRef, Letter, is_empty
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore, StorageError
from imr_desk.ui import dialogs
from imr_desk.ui.adjudication_view import AdjudicationView, DifferenceRow, LetterToSettle
from imr_desk.ui.main_window import MainWindow
from imr_desk.ui.policy_dialog import PolicyDialog

EMPTY_TEXT: Final = "(empty)"
STATUS_SECONDS: Final = 10_000
QUEUE_EMPTY: Final = (
    "The adjudication queue is empty: every letter with differing reviews is settled."
)


class AdjudicationController(QObject):
    """Opens the lead's dialogs and the adjudication view; the only writer for both."""

    settled = Signal(str)
    """A letter's gold record was written (the main queue's statuses changed)."""

    def __init__(self, store: LetterStore, window: MainWindow) -> None:
        super().__init__(window)
        self.store = store
        self.window = window
        self.view: AdjudicationView | None = None
        self.sha256: str | None = None
        self.choices: dict[str, Choice] = {}
        self._differences: dict[str, Difference] = {}
        self._refused: set[str] = set()
        actions = window.action_set
        actions.review_policy.triggered.connect(self.edit_policy)
        actions.adjudication_queue.triggered.connect(self.open_queue)
        window.closing.connect(self.close_view)

    # --- review policy ---------------------------------------------------------------------

    def edit_policy(self) -> bool:
        """Ask a lead (or anyone, while the project has no lead) for the policy and store it;
        a refused policy is shown and asked for again as typed. True when one was stored."""
        policy, reviewer = self._policy(), self.store.reviewer
        if policy is None:
            return False
        if policy.leads and not policy.is_lead(reviewer):
            dialogs.show_error(
                self.window, "Review policy", f"Only a lead may change the review policy "
                f"({reviewer} is not one; leads: {', '.join(policy.leads)})."
            )  # fmt: skip
            return False
        draft = policy if policy.leads else replace(policy, leads=(reviewer,))  # the first lead
        while True:
            chosen = PolicyDialog.ask(self.window, draft, reviewer)
            if chosen is None:
                return False
            try:
                self.store.set_policy(chosen)
            except (ValueError, StorageError) as exc:
                dialogs.show_error(self.window, "Review policy not saved", str(exc))
                draft = chosen  # asked again as typed: nothing lost
                continue
            self.window.statusBar().showMessage(_policy_summary(chosen), STATUS_SECONDS)
            return True

    def _policy(self) -> ReviewPolicy | None:
        try:
            return self.store.policy()
        except StorageError as exc:
            dialogs.show_error(self.window, "Review policy", str(exc))
            return None

    # --- the queue -------------------------------------------------------------------------

    def open_queue(self) -> bool:
        """Open the first letter waiting for adjudication (leads only)."""
        policy = self._policy()
        if policy is None:
            return False
        refusal = _not_a_lead(policy, self.store.reviewer)
        if refusal:
            dialogs.show_error(self.window, "Adjudication", refusal)
            return False
        queue = self._queue()
        if queue is None:
            return False
        if not queue:
            dialogs.show_info(self.window, "Adjudication", QUEUE_EMPTY)
            return False
        return self.open_letter(queue[0])

    def _queue(self) -> list[str] | None:
        try:
            return self.store.adjudication_queue()
        except StorageError as exc:
            dialogs.show_error(self.window, "Adjudication", str(exc))
            return None

    def open_letter(self, sha256: str) -> bool:
        """Show a letter's two reviews where they differ, no choice made yet."""
        try:
            reviews = [r for r in self.store.reviews_of(sha256) if r.status == "verified"]
            row = self.store.get(sha256)
            waiting = len(self.store.adjudication_queue())
        except (KeyError, StorageError) as exc:
            dialogs.show_error(self.window, "Cannot open letter for adjudication", str(exc))
            return False
        if len(reviews) < 2:
            dialogs.show_error(
                self.window, "Adjudication", "This letter has no two verified reviews."
            )
            return False
        a, b = reviews[:2]  # the two the store settles, in the same order
        found = differences(a.letter, b.letter)
        self.sha256, self.choices, self._refused = sha256, {}, set()
        self._differences = {d.path: d for d in found}
        view = self._view()
        title = row.case_number or row.file_name
        rows = tuple(_difference_row(a.letter, b.letter, d) for d in found)
        view.set_letter(LetterToSettle(sha256, title, a.reviewer, b.reviewer, rows, waiting))
        self._show_pages(view, row.source_path)
        view.show()
        view.raise_()
        view.activateWindow()
        return True

    def _view(self) -> AdjudicationView:
        if self.view is None:
            view = AdjudicationView(self.window)
            view.take_requested.connect(self.take)
            view.typed.connect(self.type_value)
            view.settle_requested.connect(self.settle)
            view.closed.connect(self._on_view_closed)
            self.view = view
        return self.view

    def _show_pages(self, view: AdjudicationView, source_path: str) -> None:
        try:
            document = PdfDocument(real_path(source_path))
        except PdfError as exc:
            view.show_page_problem(f"The letter's PDF cannot be shown: {exc.reason}")
            view.set_pages(None, ())
            return
        sizes = document.sizes
        document.close()  # the renderer opens its own copy per thread
        view.show_page_problem("")
        view.set_pages(document.path, sizes)

    # --- choices ---------------------------------------------------------------------------

    def take(self, path: str, side: str) -> None:
        """Take review A's or B's value for a field, then move to the next undecided one."""
        difference = self._differences.get(path)
        if difference is None or side not in (TAKE_A, TAKE_B) or self.view is None:
            return
        self.choices[path] = TAKE_A if side == TAKE_A else TAKE_B
        self._refused.discard(path)
        value = difference.a if side == TAKE_A else difference.b
        self.view.show_choice(path, side, _editor_text(difference, value))
        self.view.show_message("")
        self._select_next(path)

    def type_value(self, path: str, text: str) -> None:
        """A value of the lead's own for a field; one the field cannot hold is refused where
        it was typed (the typing stays)."""
        difference = self._differences.get(path)
        if difference is None or difference.ref is None or self.view is None:
            return
        spec = difference.ref.spec
        value: Any = split_entries(spec, text) if spec.kind == "list" else text
        try:
            stored = coerce(spec, value)
        except ValueError as exc:
            self._refused.add(path)
            self.view.show_message(str(exc))
            return
        self.choices[path] = Typed(value)
        self._refused.discard(path)
        self.view.show_choice(path, "typed", _value_text(spec, stored))
        self.view.show_message("")
        self._select_next(path)

    def _select_next(self, after: str) -> None:
        assert self.view is not None
        paths = self.view.paths()
        following = next_undecided(paths, self.choices, after)
        self.view.select(following or after)

    def settle(self) -> bool:
        """Write the gold record once every difference has a choice, then open the next
        letter of the queue (or close, saying the queue is empty). A refusal is shown in the
        view and every choice stays."""
        view, sha = self.view, self.sha256
        if view is None or sha is None:
            return False
        missing = [p for p in view.paths() if p not in self.choices or p in self._refused]
        if missing:
            view.show_message(f"Choose A, B or a value first: {', '.join(missing)}")
            view.select(missing[0])
            return False
        try:
            self.store.adjudicate(sha, dict(self.choices))
        except (KeyError, ValueError, StorageError) as exc:
            view.show_message(f"The gold record was not saved: {exc}")
            return False
        self.settled.emit(sha)
        queue = self._queue() or []
        following = next((s for s in queue if s != sha), None)
        if following is not None and self.open_letter(following):
            return True
        self.window.statusBar().showMessage(QUEUE_EMPTY, STATUS_SECONDS)
        view.close()
        return True

    def close_view(self) -> None:
        if self.view is not None:
            self.view.close()

    def _on_view_closed(self) -> None:
        self.view, self.sha256, self.choices = None, None, {}
        self._differences, self._refused = {}, set()


def _not_a_lead(policy: ReviewPolicy, reviewer: str) -> str:
    """Why this reviewer may not adjudicate ('' when they may)."""
    if policy.is_lead(reviewer):
        return ""
    if not policy.leads:
        return (
            "Only a lead may adjudicate, and this project has no lead yet: "
            "name one in Review → Review policy."
        )
    return f"Only a lead may adjudicate ({reviewer} is not one; leads: {', '.join(policy.leads)})."


def next_undecided(paths: list[str], decided: dict[str, Choice], after: str) -> str | None:
    """The first field without a choice after ``after``, wrapping round; None when all have."""
    start = paths.index(after) + 1 if after in paths else 0
    return next((p for p in (*paths[start:], *paths[:start]) if p not in decided), None)


# --- what the view shows ----------------------------------------------------------------------


def _difference_row(a: Letter, b: Letter, difference: Difference) -> DifferenceRow:
    ref = difference.ref
    if ref is None:
        item_id = difference.path.split(".", 1)[1]
        return DifferenceRow(
            difference.path, _item_label(a, b, item_id), _presence(a, item_id),
            _presence(b, item_id), False, _item_boxes(a, item_id), _item_boxes(b, item_id),
        )  # fmt: skip
    spec = ref.spec
    label = spec.label if ref.item is None else f"{_item_label(a, b, ref.item)} · {spec.label}"
    return DifferenceRow(
        difference.path, label, _value_text(spec, difference.a) or EMPTY_TEXT,
        _value_text(spec, difference.b) or EMPTY_TEXT, True, _boxes(a, ref), _boxes(b, ref),
    )  # fmt: skip


def _value_text(spec: FieldSpec, value: Any) -> str:
    """A value as the lead would type it (lists joined the way ``split_entries`` splits)."""
    if is_empty(value):
        return ""
    if spec.kind == "list":
        return ("; " if spec.name == "diagnoses" else ", ").join(str(v) for v in value)
    return str(value)


def _editor_text(difference: Difference, value: Any) -> str:
    if difference.ref is None:
        return "keep the item" if value else "leave the item out"
    return _value_text(difference.ref.spec, value)


def _item_label(a: Letter, b: Letter, item_id: str) -> str:
    letter = a if any(i.id == item_id for i in a.items) else b
    return f"Item {letter.item_index(item_id) + 1}"


def _presence(letter: Letter, item_id: str) -> str:
    if not any(i.id == item_id for i in letter.items):
        return "no such item"
    treatment = letter.item(item_id).value("treatment")
    return f"has the item: {treatment or EMPTY_TEXT}"


def _boxes(letter: Letter, ref: FieldRef) -> tuple[dict, ...]:
    if not letter.has(ref):
        return ()
    return tuple(box.to_json() for box in letter.field(ref).boxes)


def _item_boxes(letter: Letter, item_id: str) -> tuple[dict, ...]:
    if not any(i.id == item_id for i in letter.items):
        return ()
    item = letter.item(item_id)
    return tuple(box.to_json() for value in item.fields.values() for box in value.boxes)


def _policy_summary(policy: ReviewPolicy) -> str:
    blind = "blind" if policy.blind else "not blind"
    return (
        f"Review policy saved: {policy.double_share:.0%} of letters reviewed twice ({blind}); "
        f"leads: {', '.join(policy.leads)}"
    )
