"""ReviewController: connects the widgets to the review session and the letter store.

The only UI module that writes to storage. Every reviewer intent becomes a session ``Change``
whose operations are written through ``LetterStore`` at once (one transaction and one audit
row each), so there is no save button and killing the app loses nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import suppress
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal

from imr_desk.evidence_check import document_text
from imr_desk.names import real_path
from imr_desk.pdf_source import PdfDocument, PdfError
from imr_desk.session import Change, Direction, ReviewSession
from imr_desk.storage import LetterRow, LetterStore, StorageError
from imr_desk.ui import dialogs
from imr_desk.ui.check_overlay import SeededChecks
from imr_desk.ui.field_form import FormState
from imr_desk.ui.main_window import MainWindow
from imr_desk.ui.reason_tags import ACTION_NAMES as REASON_ACTIONS
from imr_desk.ui.reason_tags import ReasonTags
from imr_desk.ui.team_sync import TeamSync
from imr_desk.ui.workflow import UNVERIFIED, ReviewWorkflow

SESSIONS_KEPT: Final = 50
"""Letters whose session (and undo history) is kept; the least recently opened goes first."""
FIRST_FIELD: Final = "letter.case_number"
NO_LETTER: Final = (
    "No letter open.\n\nImport a folder of letters with File → Import letters (Ctrl+O),\n"
    "or try the app on sample letters: imr-desk demo"
)


class ReviewController(QObject):
    """Owns the open letter; wires actions, form, queue and page view to the store."""

    letter_opened = Signal(str)
    letter_changed = Signal(str)

    def __init__(self, store: LetterStore, window: MainWindow) -> None:
        super().__init__(window)
        self.store = store
        self.window = window
        self.session: ReviewSession | None = None
        self._sessions: OrderedDict[str, ReviewSession] = OrderedDict()
        self._document: PdfDocument | None = None
        self.workflow = ReviewWorkflow(self)
        self.reasons = ReasonTags(self)
        self.checks = SeededChecks(self)
        self.team = TeamSync(self)
        self._connect()
        window.show_reviewer(store.reviewer)
        window.show_page_message(NO_LETTER)
        self.refresh_progress()

    def _connect(self) -> None:
        w, a = self.window, self.window.action_set
        w.queue.letter_selected.connect(self.open_letter)
        w.form.field_committed.connect(self._on_form_field_committed)
        w.form.field_focused.connect(self._on_form_field_focused)
        w.form.add_item_requested.connect(self.add_item)
        w.form.remove_item_requested.connect(self.remove_item)
        w.form.move_item_requested.connect(self.move_item)
        w.pdf_view.evidence_clicked.connect(self._on_view_evidence_clicked)
        w.set_close_check(self.confirm_close)
        w.closing.connect(self.shutdown)
        for name, slot in (
            ("undo", self.undo),
            ("redo", self.redo),
            ("next_review", self.next_review),
            ("previous_review", lambda: self.next_review(backwards=True)),
            ("fill_selection", self.fill_from_selection),
            ("add_item", self.add_item),
            ("verify_next", self.workflow.verify_and_next),
            ("flag", self.workflow.flag),
            ("skip", self.workflow.skip),
            ("next_letter", lambda: self.step_letter(1)),
            ("previous_letter", lambda: self.step_letter(-1)),
            ("focus_form", self.focus_first_field),
            ("shortcuts", lambda: dialogs.ShortcutsDialog.show_for(w)),
            ("about", lambda: dialogs.show_info(w, "About IMR Desk", w.about_text())),
        ):
            getattr(a, name).triggered.connect(slot)
        self.update_actions()

    # --- opening letters -------------------------------------------------------------------

    def open_letter(self, sha256: str) -> bool:
        """Show a letter: page view, form, evidence; keeps that letter's undo history. The
        letter is claimed (read-only when another desk has it) and the one left given back."""
        current = self.current_sha()
        if current == sha256:
            return True
        if current is not None and not self.commit_pending():
            return self._stay(current)
        try:
            held = self.team.take(sha256, leaving=current)
            row = self.store.get(sha256)
        except (KeyError, StorageError) as exc:
            self.team.cannot_open(exc)
            return self._stay(current)
        self.team.held_by = held
        self.session = self._session_for(row)
        self.checks.arm(self.session, row)
        self._show_document(row)
        self.refresh_form()
        self.window.show_letter_title(row.case_number or row.file_name)
        self.update_actions()
        self.letter_opened.emit(sha256)
        return True

    def _stay(self, current: str | None) -> bool:
        """Keep the open letter (typing refused, or the other could not be opened): point the
        queue back at it once the selection change that asked for the other is over."""
        if current is not None:
            QTimer.singleShot(0, lambda: self.window.queue.select_letter(current))
        return False

    def _session_for(self, row: LetterRow) -> ReviewSession:
        """The letter's session with its undo history, built only when not kept; keeps the
        ``SESSIONS_KEPT`` most recently opened letters (never dropping the open one)."""
        session = self._sessions.get(row.sha256)
        if session is None:
            session = self._sessions[row.sha256] = ReviewSession.from_row(row)
        else:
            session.update(row)
            self._sessions.move_to_end(row.sha256)
        while len(self._sessions) > SESSIONS_KEPT:
            self._sessions.popitem(last=False)
        return session

    def _show_document(self, row: LetterRow) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None
        view, session = self.window.pdf_view, self.session
        if session is not None:
            session.letter_text = None  # set again below once the PDF opens
        try:
            self._document = PdfDocument(real_path(row.source_path))
        except PdfError as exc:
            view.set_document(None)
            self.window.show_page_message(
                f"The letter's PDF cannot be shown:\n{exc.reason}\n\n{row.source_path}\n\n"
                "The fields can still be reviewed."
            )
            return
        self.window.show_page_message(None)
        document = self._document
        view.set_document(document.path, document.sizes, document.words)
        if session is not None:
            session.letter_text = document_text(document)

    def open_first(self) -> None:
        """Open the first letter that still needs review (or the first one) at start-up."""
        sha = self.store.next_letter(None, statuses=UNVERIFIED)
        queue = self.window.queue
        if sha is None and queue.model.rowCount() > 0:
            sha = queue.model.sha_at(0)
        if sha is not None and not queue.select_letter(sha):
            self.open_letter(sha)

    def step_letter(self, step: int) -> bool:
        """Open the next (+1) or previous (-1) letter of the queue, once the typing is stored."""
        if not self.commit_pending():
            return False
        self.window.queue.move_selection(step)
        return True

    def current_sha(self) -> str | None:
        return self.session.sha256 if self.session else None

    # --- edits -----------------------------------------------------------------------------

    def commit_pending(self) -> bool:
        """Write what the reviewer typed but has not left yet (the focused field, and any
        typing refused earlier). False when some of it cannot be stored: the reason is shown
        at that field, the typing stays, and the caller must not move on."""
        form = self.window.form
        for path in form.uncommitted_paths():
            if not self.commit_field(path):
                form.focus_field(path)
                self.window.statusBar().showMessage(self.refusal_message(path), 8000)
                return False
        return True

    def commit_field(self, path: str) -> bool:
        """Write the typing a field shows; False when it was refused or not saved."""
        editor = self.window.form.editor(path)
        return editor is None or self._on_form_field_committed(path, editor.raw_value())

    def refusal_message(self, path: str) -> str:
        """Why Verify (or Flag, Skip, another letter) did not happen: the status bar says it
        too, as the reviewer pressing Ctrl+Enter may not be looking at the field."""
        editor = self.window.form.editor(path)
        if editor is None or not editor.input_error:
            return ""
        return f"Not done, typing not stored: {editor.spec.label}: {editor.input_error}"

    def _on_form_field_committed(self, path: str, raw: object) -> bool:
        """Write one field's typing; False when it was refused or not saved."""
        if self.session is None:
            return True
        form = self.window.form
        try:
            change = self.session.edit(path, raw)
        except ValueError as exc:
            form.set_input_error(path, str(exc))
            return False
        self.checks.record_settled(self.session, change)
        editor = form.editor(path)
        if editor is not None:
            editor.accept()
        if change is None:
            self.team.saved(path)
            self.refresh_form()  # same value (e.g. another date spelling): show it as stored
            return True
        return self.apply(change, typed=path)

    def fill_from_selection(self) -> bool:
        """Put the page selection into the focused field, its boxes as the new evidence."""
        view, form = self.window.pdf_view, self.window.form
        selection, path = view.selection(), form.focused_path()
        if self.session is None or selection.empty or path is None:
            self.window.statusBar().showMessage(
                "Select text on the page and focus a field first", 4000
            )
            return False
        try:
            change = self.session.fill(path, selection.text, boxes=selection.boxes)
        except ValueError as exc:
            self.window.form.set_input_error(path, str(exc))
            return False
        self.checks.record_settled(self.session, change)
        if change is None:
            return False
        self.apply(change)
        view.clear_selection()
        form.focus_field(path)
        return True

    def add_item(self) -> None:
        if self.session is not None:
            self.apply(self.session.add_item())

    def remove_item(self, item_id: str) -> None:
        if self.session is not None:
            self.apply(self.session.remove_item(item_id))

    def move_item(self, item_id: str, new_index: int) -> None:
        change = self.session.move_item(item_id, new_index) if self.session else None
        if change is not None:
            self.apply(change)

    def apply(
        self, change: Change, *, direction: Direction = "do", typed: str | None = None
    ) -> bool:
        """Have the store apply a change (or its undo); the history moves only once it is
        written, and the store's inverse becomes what takes it back. ``typed``: the field
        whose typing the change stores (kept there, marked unsaved, if it is not written)."""
        session = self.session
        assert session is not None
        try:
            row, inverse = self.store.apply(session.sha256, change.edit)
        except StorageError as exc:  # not written, but can be tried again: history keeps it
            session.give_back(change, direction)
            shown = self.team.not_saved(exc, typed)
            return self._not_saved(session, "" if shown else f"The change was not saved: {exc}")
        except (KeyError, IndexError, ValueError) as exc:  # can never apply: dropped
            what = "The undo" if direction == "undo" else "The change"
            return self._not_saved(session, f"{what} was not applied: {exc}")
        session.update(row)
        session.written(change, inverse, direction)
        if typed:
            self.team.saved(typed)
        self.window.queue.model.update_row(row)
        self.refresh_form()
        self.update_actions()
        if change.focus and (direction != "do" or change.moves_focus):
            self.window.form.focus_field(change.focus)
        self.letter_changed.emit(session.sha256)
        return True

    def _not_saved(self, session: ReviewSession, message: str) -> bool:
        """Say why a change was not written (unless said already) and show the letter as
        stored, when the store can be read (typing refused stays in its field)."""
        if message:
            dialogs.show_error(self.window, "Edit not saved", message)
        with suppress(KeyError, StorageError):  # else the letter as last read (server down)
            session.update(self.store.get(session.sha256))
        self.refresh_form()
        self.update_actions()
        return False

    def undo(self) -> None:
        """Take back this letter's last edit (typing not yet committed is simply reverted)."""
        form = self.window.form
        editor = form.editor(form.focused_path() or "")
        if editor is not None and editor.is_dirty():
            editor.revert()
            self.refresh_form()  # its input error, if any, is gone
            return
        change = self.session.take_undo() if self.session else None
        if change is not None:
            self.apply(change, direction="undo")

    def redo(self) -> None:
        change = self.session.take_redo() if self.session else None
        if change is not None:
            self.apply(change, direction="redo")

    # --- evidence and navigation -----------------------------------------------------------

    def _on_form_field_focused(self, path: str) -> None:
        self.window.pdf_view.show_evidence(path)

    def _on_view_evidence_clicked(self, path: str) -> None:
        self.window.form.focus_field(path)

    def next_review(self, *, backwards: bool = False) -> str | None:
        """Focus the next field that needs review (low confidence, empty required, an issue)."""
        if self.session is None or not self.commit_pending():
            return None
        path = self.session.next_needing_review(
            self.window.form.focused_path(), backwards=backwards
        )
        if path is None:
            self.window.statusBar().showMessage("No field needs review in this letter", 4000)
            return None
        self.window.form.focus_field(path)
        return path

    def focus_first_field(self) -> None:
        self.window.form_dock.show()
        self.window.form.focus_field(FIRST_FIELD)

    def focus_first_review(self) -> None:
        """The cursor in the open letter's first field needing review (else its first field)."""
        if self.session is not None:
            self.window.form.focus_field(self.session.next_needing_review() or FIRST_FIELD)

    # --- workflow (ui/workflow.py) ---------------------------------------------------------

    def verify_and_next(self) -> bool:
        return self.workflow.verify_and_next()

    def refresh_progress(self) -> None:
        self.workflow.refresh_progress()

    # --- view state ------------------------------------------------------------------------

    def refresh_form(self) -> None:
        session = self.session
        if session is None:
            self.window.form.set_state(None)
            return
        issues = session.issues_by_path()
        state = FormState(
            record=session.shown,
            issues={path: [i.message for i in found] for path, found in issues.items()},
            notice=self.team.notice(session.letter),
            read_only=self.team.read_only(),
        )
        self.window.form.set_state(state)
        self.window.pdf_view.set_evidence(session.evidence())
        self.window.pdf_view.show_evidence(self.window.form.focused_path())

    def update_actions(self) -> None:
        """Enable what applies to the open letter (its changes not while another desk has
        it open: the store would refuse them)."""
        actions, session = self.window.action_set, self.session
        editable = session is not None and self.team.held_by is None
        actions.undo.setEnabled(bool(session and session.undo_stack))
        actions.redo.setEnabled(bool(session and session.redo_stack))
        actions.next_review.setEnabled(session is not None)
        for name in ("verify_next", "flag", "skip", "add_item", "fill_selection", *REASON_ACTIONS):
            getattr(actions, name).setEnabled(editable)

    def confirm_close(self) -> bool:
        """Before the window closes: store pending typing; when some cannot be stored, ask
        whether to keep editing (False: the window stays) or discard that typing."""
        if self.commit_pending():
            return True
        form = self.window.form
        editor = form.editor(form.focused_path() or "")
        if editor is not None and not dialogs.confirm_discard_typing(
            self.window, editor.spec.label, editor.input_error
        ):
            return False
        for path in form.uncommitted_paths():
            form.editor(path).revert()  # type: ignore[union-attr]
        return True

    def shutdown(self) -> None:
        """Release the PDF (window closing; ``confirm_close`` has stored the typing)."""
        if self._document is not None:
            self._document.close()
            self._document = None

    def reload_queue(self, select: str | None = None) -> None:
        self.window.queue.model.reload()
        self.refresh_progress()
        if select:
            self.window.queue.select_letter(select)
        elif self.session is None:
            QTimer.singleShot(0, self.open_first)

    def source_folder(self) -> str:
        return str(Path(self.session.source_path).parent) if self.session else ""
