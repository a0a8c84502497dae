"""TeamSync: a desk among others on one project, and a desk whose server may stop answering.

* Claims: opening a letter claims it and gives back the one left; a letter another desk has
  open is shown read-only with a banner saying whose desk and until when.
* Live queue: on a team server, what other desks do (verify, flag, open a letter) is announced
  (``LetterStore.changed_letters``); a timer asks for it a few times a second and refreshes
  those rows of the queue, the padlocks of letters held elsewhere, the progress counts, and the
  open letter when another desk holds it or lets it go.
* Network faults: typing the server did not take (it does not answer) stays in its field
  marked "not saved" and is written again as soon as the server answers; the status bar says
  so meanwhile. An edit is either written or shown unsaved, never shown saved when it was not.

Kept apart from ``controller`` (which calls in here) so each stays small; the storage side is
``storage.claims`` and ``storage.pg_engine.ChangeListener``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QLabel

from imr_desk.record import Letter
from imr_desk.storage import StorageError
from imr_desk.storage.claims import Claim
from imr_desk.storage.errors import ClaimLostError, ServerUnavailableError
from imr_desk.ui import dialogs
from imr_desk.ui.queue_cells import held_text

if TYPE_CHECKING:
    from imr_desk.ui.controller import ReviewController

POLL_MS: Final = 250
"""How often a team desk asks what the server announced: other desks' work shows within
about a second (the asking itself never waits on the network)."""
RETRY_MS: Final = 2000
"""How often typing the server did not take is tried again while the server answers."""
RELOAD_ABOVE: Final = 50
"""More changed letters than this at once (another desk's import): the queue page is read
again whole rather than letter by letter."""
HOLDERS_MS: Final = 30000
"""How often the padlocks are read again whatever was announced: a claim that runs out
unrenewed is not announced (nothing changes on the server when it does)."""
MESSAGE_MS: Final = 10000
RENEW_MS: Final = 60000
"""While the reviewer works on the open letter, its claim is renewed this often (or at a third
of a shorter claim time): reading a long letter never loses it, a desk left alone lets it lapse
after the project's idle time."""

_log = logging.getLogger(__name__)


class TeamSync(QObject):
    """Claims, live queue and unsaved-typing retries for one ``ReviewController``."""

    def __init__(self, review: ReviewController) -> None:
        super().__init__(review)
        self.review = review
        self.store = review.store
        self.held_by: Claim | None = None
        """Another desk's claim on the open letter (then it is read-only here), or None."""
        self._server_down = False
        """The listener lost the server (and has not found it again)."""
        self._answered = False
        """Whether the listener has been connected yet (not yet: nothing to report)."""
        self._unsaved: dict[str, bool] = {}
        """Fields whose typing was not written, and whether to retry it by itself (the
        server did not answer) or not (another desk has the letter)."""
        self.state = QLabel()
        self.state.setObjectName("saveState")
        review.window.statusBar().addPermanentWidget(self.state)
        self._retry = QTimer(self, interval=RETRY_MS)
        self._retry.timeout.connect(self.retry_unsaved)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.poll)
        self._holders = QTimer(self, interval=HOLDERS_MS)
        self._holders.timeout.connect(self._refresh_holders)
        if self.store.changed_letters() is not None:  # a team server: listen from now on
            self._poll.start()
            self._holders.start()
        self._seen: tuple[object, ...] = ()
        """Where the mouse, the keyboard focus and the page were at the last renewal tick."""
        self._renew = QTimer(self, interval=self._renew_interval())
        self._renew.timeout.connect(self._renew_claim)
        self._renew.start()
        review.window.form.state_shown.connect(self._show_state)
        review.window.closing.connect(self.stop)

    def _at_work(self) -> bool:
        """Whether the reviewer moved the mouse, the focus or the page since the last tick:
        looked at once a tick, so it costs nothing between (an event filter would run on
        every event the app handles)."""
        view = self.review.window.pdf_view
        focus = QApplication.focusWidget()
        seen = (
            QCursor.pos().toTuple(),
            id(focus) if focus is not None else 0,
            view.verticalScrollBar().value(),
            view.horizontalScrollBar().value(),
        )
        moved, self._seen = seen != self._seen, seen
        return moved

    def _renew_interval(self) -> int:
        try:
            seconds = self.store.claim_seconds()
        except StorageError:
            return RENEW_MS
        return max(1000, min(RENEW_MS, seconds * 1000 // 3))

    def _renew_claim(self) -> None:
        """Keep the open letter this desk's while its reviewer works on it (at a pace that
        follows the claim time a lead may change meanwhile)."""
        self._renew.setInterval(self._renew_interval())
        sha = self.review.current_sha()
        at_work = self._at_work()
        if not at_work or sha is None or self.held_by is not None or self._server_down:
            return
        try:
            self.store.claim(sha)
        except ClaimLostError:
            self.held_by = self._holder()
        except StorageError as exc:
            _log.info("the open letter's claim was not renewed: %s", exc)

    @property
    def server_answers(self) -> bool:
        """Whether the team server is known to answer now (its listener is connected)."""
        return self._answered and not self._server_down

    def stop(self) -> None:
        """The window closes (its store closes next): ask nothing more."""
        for timer in (self._poll, self._holders, self._retry, self._renew):
            timer.stop()

    # --- claims ----------------------------------------------------------------------------

    def take(self, sha256: str, *, leaving: str | None = None) -> Claim | None:
        """Claim a letter about to be opened and give back the one left: None when the
        letter is this desk's now, else the other desk's claim that keeps it read-only here.
        Raises other ``StorageError``s."""
        try:
            self.store.claim(sha256, leaving=leaving)
        except ClaimLostError:
            if leaving is not None and leaving != sha256:
                self._release(leaving)
            return self.store.live_claims().get(sha256) or Claim(sha256, "another", "")
        return None

    def _release(self, sha256: str) -> None:
        try:
            self.store.release(sha256)
        except StorageError as exc:
            _log.info("the letter left stays claimed until its claim lapses: %s", exc)

    def notice(self, letter: Letter) -> str:
        """What the form's banner says of the whole letter: another desk has it open, the
        parser failed on it, a flag's note."""
        lines = [f"{held_text(self.held_by)} — read-only"] if self.held_by else []
        if letter.source.parse_error:
            lines.append(
                f"The parser failed on this letter ({letter.source.parse_error}): "
                "check every field against the page."
            )
        if letter.status == "flagged" and letter.note:
            lines.append(f"Flagged: {letter.note}")
        return "\n".join(lines)

    def read_only(self) -> bool:
        """Whether the open letter is shown read-only: held elsewhere, and no typing of this
        desk is still on screen (that stays editable, to be corrected or dropped)."""
        return self.held_by is not None and not self.review.window.form.uncommitted_paths()

    # --- edits that were not written -------------------------------------------------------

    def cannot_open(self, exc: KeyError | StorageError) -> None:
        """A letter could not be opened: the status bar says so when the server does not
        answer (no dialog to dismiss on every click meanwhile), a dialog otherwise."""
        if isinstance(exc, ServerUnavailableError):
            self.review.window.statusBar().showMessage(f"Letter not opened: {exc}", MESSAGE_MS)
        else:
            dialogs.show_error(self.review.window, "Cannot open letter", str(exc))

    def not_saved(self, exc: StorageError, typed: str | None) -> bool:
        """Report a change the store refused or could not write; True when said here (in
        the field and the status bar), False when it needs the error dialog. Typing stays in
        its field marked "not saved"; when the server did not answer it is retried."""
        down = isinstance(exc, ServerUnavailableError)
        if not down and not isinstance(exc, ClaimLostError):
            return False
        form = self.review.window.form
        editor = form.editor(typed) if typed else None
        if typed and editor is not None:
            form.set_input_error(typed, f"Not saved: {exc}")
            self._unsaved[typed] = down
        if down:
            message = f"Team server not answering — not saved: {exc}"
            if typed and editor is not None:
                self._retry.start()
                message += f" Your typing in {editor.spec.label} stays; retrying."
        else:
            self.held_by = self._holder() or self.held_by
            message = str(exc)[:1].upper() + str(exc)[1:] + "."
        self.review.window.statusBar().showMessage(message, 0 if down else MESSAGE_MS)
        self._show_state()
        return True

    def saved(self, path: str) -> None:
        """A field's typing was written: it is no longer unsaved."""
        if self._unsaved.pop(path, None) is None:
            return
        editor = self.review.window.form.editor(path)
        label = editor.spec.label if editor is not None else path
        self.review.window.statusBar().showMessage(
            f"Saved: your change to {label} is stored now", MESSAGE_MS
        )
        if not any(self._unsaved.values()):
            self._retry.stop()
        self._show_state(recovered=not self._unsaved)

    def retry_unsaved(self) -> None:
        """Write again the typing the server did not take, once it answers again (the
        listener says so); typing dropped or corrected meanwhile is forgotten."""
        form = self.review.window.form
        for path, retry in list(self._unsaved.items()):
            editor = form.editor(path)
            if editor is None or not editor.is_dirty():
                del self._unsaved[path]
            elif retry and not self._server_down:
                self.review.commit_field(path)
        if not any(self._unsaved.values()):
            self._retry.stop()
        self._show_state()

    def _holder(self) -> Claim | None:
        """Who has the open letter now that a change to it was refused."""
        sha = self.review.current_sha()
        try:
            return self.store.live_claims().get(sha or "")
        except StorageError:
            return None if sha is None else Claim(sha, "another", "")

    def _show_state(self, *, recovered: bool = False) -> None:
        """The status bar's lasting word: unsaved fields, a server not answering, or (once
        things are back) that everything is saved. Typing dropped since (Ctrl+Z) is no
        longer unsaved."""
        form = self.review.window.form
        self._unsaved = {
            path: retry
            for path, retry in self._unsaved.items()
            if (editor := form.editor(path)) is not None and editor.is_dirty()
        }
        count = len(self._unsaved)
        if count:
            fields = f"{count} field{'s' * (count != 1)}"
            retrying = any(self._unsaved.values())
            text = f"⚠ Not saved: {fields}" + (" — retrying" if retrying else "")
        elif self._server_down:
            text = "⚠ Team server not answering"
        else:
            text = "All changes saved" if recovered or self.state.text() else ""
        self.state.setText(text)

    # --- what other desks did --------------------------------------------------------------

    def poll(self) -> None:
        """Take in what the server announced: rows, padlocks, progress, the open letter."""
        changes = self.store.changed_letters()
        if changes is None:
            return
        self._listening(changes.listening)
        try:
            if changes.resumed:
                self._reload()
            elif changes.letters:
                self._refresh(changes.letters)
        except (KeyError, StorageError) as exc:  # the server went away meanwhile
            _log.info("the queue was not refreshed: %s", exc)
            return
        if changes.resumed and self._unsaved:
            self.retry_unsaved()

    def _listening(self, listening: bool) -> None:
        """Say when the server stops or starts answering again (as the listener finds)."""
        self._answered = self._answered or listening
        if listening == (not self._server_down) or not self._answered:
            return
        self._server_down = not listening
        bar = self.review.window.statusBar()
        if listening:
            bar.showMessage("The team server answers again", MESSAGE_MS)
        else:
            bar.showMessage(
                "Team server not answering: IMR Desk reconnects by itself; changes made "
                "meanwhile are shown unsaved until it answers",
                0,
            )
        self._show_state()

    def _refresh_holders(self) -> None:
        if self._server_down:
            return  # asking would only wait for the server to time out
        with suppress(StorageError):
            self.review.window.queue.model.set_holders(self.store.live_claims())

    def _reload(self) -> None:
        """Read everything shown again (the listener was away: announcements were lost)."""
        claims = self.store.live_claims()
        model = self.review.window.queue.model
        model.reload()
        model.set_holders(claims)
        self.review.refresh_progress()
        self._recheck_open(claims)

    def _refresh(self, letters: frozenset[str]) -> None:
        """Show the letters other desks changed: their rows, who holds what, the counts."""
        claims = self.store.live_claims()
        model = self.review.window.queue.model
        if len(letters) > RELOAD_ABOVE:
            model.reload()
        else:
            for sha in letters:
                if model.row_of(sha) is not None:
                    model.update_row(self.store.get(sha))
        model.set_holders(claims)
        self.review.refresh_progress()
        if self.review.current_sha() in letters:
            self._recheck_open(claims)

    def _recheck_open(self, claims: Mapping[str, Claim]) -> None:
        """The open letter, when another desk took it or let it go: read-only or editable,
        with the other desk's latest values. Never while this desk's typing is on screen."""
        review = self.review
        session, sha = review.session, review.current_sha()
        if session is None or sha is None or review.window.form.uncommitted_paths():
            return
        if self.held_by is None and sha not in claims:
            return  # still this desk's
        row = self.store.get(sha)
        if self.held_by is not None:
            self.held_by = claims.get(sha) or self.take(sha)
        elif row.stage is None:
            self.held_by = claims[sha]  # this desk's claim lapsed and another desk took it
        session.update(row)
        review.refresh_form()
        review.update_actions()
