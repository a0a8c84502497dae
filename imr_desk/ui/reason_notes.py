"""What the form says about a correction's reason: the note under a changed value and the
tooltip listing the reason keys (kept apart from the form, which only places them)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QKeySequence

from imr_desk.domain import CORRECTION_REASON_TEXT
from imr_desk.record import FieldValue
from imr_desk.ui.actions import REASON_ACTIONS


def _keys(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def reason_note(field: FieldValue) -> str:
    """What the form says under a value a person changed from the parser's: the reason they
    gave, or the keys that give one ('' for a value that is the parser's)."""
    if not field.corrected:
        return ""
    if field.reason:
        return f"Why changed: {CORRECTION_REASON_TEXT.get(field.reason, (field.reason,))[0]}"
    first, last = REASON_ACTIONS[0].shortcuts[0], REASON_ACTIONS[-2].shortcuts[0]
    return f"Why changed? {_keys(first)} to {_keys(last)}"


@cache
def reason_tip() -> str:
    """The reason keys, one a line (made once an application runs: keys print per platform)."""
    keys = [f"{_keys(s.shortcuts[0])}  {s.text.removeprefix('Reason: ')}" for s in REASON_ACTIONS]
    return "\n".join(["Why the value differs from the parser's:", *keys])
