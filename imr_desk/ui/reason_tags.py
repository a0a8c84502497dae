"""ReasonTags: the correction-reason keys (Alt+1 to Alt+6, Alt+0 for none) on the focused field.

Split from the controller so each stays small. A key becomes the core's ``TagReason`` edit,
written through the controller like every edit (so Ctrl+Z takes it back); the core decides
which fields take a reason, and a refusal is said in the status bar, not in a dialog, since
the reviewer is mid-typing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from imr_desk.domain import CORRECTION_REASONS
from imr_desk.edits import TagReason, reason_refusal
from imr_desk.record import FieldRef
from imr_desk.session import Change

if TYPE_CHECKING:
    from imr_desk.ui.controller import ReviewController

MESSAGE_MS: Final = 5000
ACTION_NAMES: Final = (*(f"reason_{name}" for name in CORRECTION_REASONS), "reason_none")
"""The reason actions (``ui.actions.REASON_ACTIONS``), reason by reason, then none."""


class ReasonTags:
    """Tags the open letter's focused field with the reason of a ``ReviewController``."""

    def __init__(self, review: ReviewController) -> None:
        self.review = review
        actions = review.window.action_set
        for name, reason in zip(ACTION_NAMES, (*CORRECTION_REASONS, None), strict=True):
            getattr(actions, name).triggered.connect(lambda _=False, r=reason: self.tag(r))

    def tag(self, reason: str | None) -> bool:
        """Give the focused field ``reason`` (None: take it away), once any typing there is
        stored (so "type the fix, press Alt+1" is one gesture). False when nothing was
        written: no field focused, typing refused, or a field that takes no reason."""
        review = self.review
        session, path = review.session, review.window.form.focused_path()
        if session is None or not review.commit_pending():
            return False
        field = session.field(path) if path else None
        if path is None or field is None:
            return self._say("Focus the field whose value you changed first")
        ref = FieldRef.parse(path)
        refused = reason_refusal(field, reason)
        if refused:
            return self._say(f"{ref.spec.label}: {refused}")
        if field.reason == reason:
            return False
        edit = TagReason(ref, reason)
        return review.apply(Change(edit.label, edit, focus=path))

    def _say(self, message: str) -> bool:
        self.review.window.statusBar().showMessage(message, MESSAGE_MS)
        return False
