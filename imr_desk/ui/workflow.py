"""ReviewWorkflow: the status moves that end a letter's review (verify, flag, skip) and the
move to the next letter, plus the progress shown in the status bar.

Split from the controller so each stays small; it works on the controller's open letter and
writes only statuses, through the same store.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Final

from imr_desk.domain import STATUSES
from imr_desk.edits import VerifyRefused
from imr_desk.storage import StorageError
from imr_desk.ui import dialogs

if TYPE_CHECKING:
    from imr_desk.session import ReviewSession
    from imr_desk.ui.controller import ReviewController

UNVERIFIED: Final = ("parsed", "in_progress")
PACE_AFTER_HOURS: Final = 5 / 60


class ReviewWorkflow:
    """Verify & next, flag, skip and the progress figures, for one ``ReviewController``."""

    def __init__(self, review: ReviewController) -> None:
        self.review = review
        self._first_verified: float | None = None
        self._verified_here = 0

    def _ready(self) -> ReviewSession | None:
        """The open letter's session once whatever the reviewer typed is stored; None when no
        letter is open or typing cannot be stored (an input error, shown at its field, stops
        the move so the typing is neither lost nor verified as it was)."""
        session = self.review.session
        return session if session is not None and self.review.commit_pending() else None

    def verify_and_next(self) -> bool:
        """Run the rules; if none blocks, mark verified and open the next unverified letter."""
        session = self._ready()
        if session is None:
            return False
        if not self._set_status(session, "verified"):
            return False
        self._verified_here += 1
        self._first_verified = self._first_verified or time.monotonic()
        self.refresh_progress()
        self._advance()
        self.review.checks.verified(session)  # after the move, so its message stays in view
        return True

    def flag(self) -> bool:
        """Flag the letter with a note (asked for) and move on."""
        session = self._ready()
        if session is None:
            return False
        review = self.review
        form = review.window.form
        path = form.focused_path()
        note = dialogs.FlagDialog.ask(review.window, session.letter.note or "")
        review.window.activateWindow()  # the keys go to the form again, not nowhere
        if note is None:
            if path is not None:
                form.focus_field(path)  # back where the reviewer was typing
            return False
        return self._set_status(session, "flagged", note=note) and self._advance()

    def skip(self) -> bool:
        """Mark the letter skipped and move on."""
        session = self._ready()
        return session is not None and self._set_status(session, "skipped") and self._advance()

    def _set_status(self, session: ReviewSession, status: str, *, note: str | None = None) -> bool:
        review = self.review
        try:
            row = review.store.set_status(session.sha256, status, note=note)
        except VerifyRefused as refused:  # the core's Verify gate: say why, go to the field
            review.refresh_form()
            review.window.form.focus_field(refused.issues[0].path)
            review.window.statusBar().showMessage(str(refused), 8000)
            return False
        except StorageError as exc:
            if not review.team.not_saved(exc, None):
                dialogs.show_error(review.window, "Status not saved", str(exc))
            review.refresh_form()  # another desk's banner, if it has the letter now
            review.update_actions()
            return False
        except (KeyError, ValueError) as exc:
            dialogs.show_error(review.window, "Status not saved", str(exc))
            return False
        session.update(row)
        review.window.queue.model.update_row(row)
        self.refresh_progress()
        return True

    def _advance(self) -> bool:
        review = self.review
        sha = review.current_sha()
        following = review.store.next_letter(sha, statuses=UNVERIFIED)
        if following is None:
            review.refresh_form()
            review.window.statusBar().showMessage("Every letter is reviewed. Well done.", 8000)
            return True
        if not review.window.queue.select_letter(following):
            review.open_letter(following)
        review.focus_first_review()
        return True

    def refresh_progress(self) -> None:
        """Status bar: verified / total, verified today, and this sitting's pace per hour."""
        counts = self.review.store.progress()
        total = sum(counts.get(status, 0) for status in STATUSES)
        self.review.window.show_progress(
            counts.get("verified", 0), total, counts.get("verified_today", 0), self._pace()
        )

    def _pace(self) -> float | None:
        """Letters per hour since the first verification of this sitting; shown only after a
        few minutes, when the rate means something."""
        if self._first_verified is None or self._verified_here < 2:
            return None
        hours = (time.monotonic() - self._first_verified) / 3600
        return (self._verified_here - 1) / hours if hours >= PACE_AFTER_HOURS else None
