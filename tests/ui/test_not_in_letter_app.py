"""The evidence check in the app: a typed value the letter's text does not print is stored,
with a warning beside the field, and the letter can still be verified; one it prints is not
marked."""

from __future__ import annotations

import pytest
from conftest import reopen, type_into
from PySide6.QtCore import Qt

from imr_desk.ui.field_form import NOT_IN_LETTER_NOTE

pytestmark = pytest.mark.gui

CLAIM = "letter.claim_number"
CASE = "letter.case_number"


def _type_and_leave(qtbot, window, path: str, text: str) -> None:
    """Click into a field, type over what it shows and Tab out (which stores it)."""
    widget = type_into(qtbot, window, path, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def _warning_shown(window, path: str) -> bool:
    row = window.form.all_rows()[path]
    return window.form.not_in_letter_shown(path) and row.evidence.text() == NOT_IN_LETTER_NOTE


def test_a_claim_number_not_in_the_letter_warns_and_the_letter_still_verifies(
    qtbot, window, review, db_path
) -> None:
    sha = review.session.sha256
    assert not _warning_shown(window, CLAIM)
    _type_and_leave(qtbot, window, CLAIM, "ZZ-4711-NOWHERE")
    assert review.session.value(CLAIM) == "ZZ-4711-NOWHERE"  # stored: a warning, no refusal
    assert _warning_shown(window, CLAIM)
    assert window.form.issue_text(CLAIM) == ""  # not a validation issue
    assert review.verify_and_next()
    with reopen(db_path) as store:
        row = store.get(sha)
        assert row.status == "verified"
        assert row.full.fields["claim_number"].not_in_letter


def test_a_claim_number_the_letter_prints_is_not_marked_and_undo_takes_the_mark_back(
    qtbot, window, review
) -> None:
    _type_and_leave(qtbot, window, CLAIM, "ZZ-4711-NOWHERE")
    assert _warning_shown(window, CLAIM)
    printed = review.session.value(CASE)  # a string the letter prints, whatever its field
    assert printed and printed in review.session.letter_text()
    _type_and_leave(qtbot, window, CLAIM, printed.lower())  # case blind
    assert review.session.value(CLAIM) == printed.lower()
    assert not _warning_shown(window, CLAIM)
    review.undo()
    assert review.session.value(CLAIM) == "ZZ-4711-NOWHERE"
    assert _warning_shown(window, CLAIM)
