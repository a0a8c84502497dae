"""Seeded checks in the app: arm a letter's check when it opens, record what became of it.

The session shows the check's value and notices a correction (``ReviewSession.check``); this
helper of the controller decides when a letter carries a check (the policy chose it, it is
not reviewed blind, it still awaits verification, and this reviewer has not settled its check
yet), records caught and missed checks in the store, and tells the reviewer about a miss
right away, so vigilance is trained, not only measured.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from imr_desk.seeded_checks import caught_message, check_for, is_shown, missed_message
from imr_desk.storage import StorageError

if TYPE_CHECKING:
    from imr_desk.seeded_checks import Check
    from imr_desk.session import Change, ReviewSession
    from imr_desk.storage import LetterRow
    from imr_desk.ui.controller import ReviewController

MISSED_MS: Final = 30000
CAUGHT_MS: Final = 8000

_log = logging.getLogger(__name__)


class SeededChecks:
    """Arms, settles and records the seeded checks of one ``ReviewController``."""

    def __init__(self, review: ReviewController) -> None:
        self.review = review

    def arm(self, session: ReviewSession, row: LetterRow) -> None:
        """Give an opened letter its check when it carries one this reviewer has not
        settled yet (``seeded_checks.check_for``)."""
        if session.check is not None:
            return
        store = self.review.store
        try:
            check = check_for(store.policy(), row.sha256, session.letter)
            if check is not None and not store.has_check(row.sha256):
                session.check = check
        except StorageError as exc:  # no check this time; the review goes on
            _log.warning("seeded check of %s not armed: %s", row.sha256, exc)

    def record_settled(self, session: ReviewSession, change: Change | None) -> None:
        """Record the checks the reviewer's edits caught, and say so. Without a ``change``
        to write (they typed the letter's value back), the form shows the stored value now."""
        if not session.settled:
            return
        while session.settled:
            check, outcome = session.settled.pop(0)
            if self._record(session.sha256, check, outcome):
                self._say(caught_message(check, session.letter), CAUGHT_MS)
        if change is None:
            self.review.refresh_form()

    def verified(self, session: ReviewSession) -> None:
        """After a verify: a check still shown was missed. The store holds the letter's value
        (it never held the seeded one); the reviewer is told which value was wrong."""
        check = session.check
        if check is None:
            return
        session.check = None
        if self.review.session is session:
            self.review.refresh_form()
        if not is_shown(session.letter, check):
            return  # its item was removed: nothing was shown to miss
        if self._record(session.sha256, check, "missed"):
            self._say(missed_message(check, session.letter), MISSED_MS)

    def _record(self, sha256: str, check: Check, outcome: str) -> bool:
        try:
            return self.review.store.record_check(sha256, check, outcome)
        except StorageError as exc:
            _log.warning("seeded check of %s not recorded: %s", sha256, exc)
            return False

    def _say(self, message: str, ms: int) -> None:
        self.review.window.statusBar().showMessage(message, ms)
