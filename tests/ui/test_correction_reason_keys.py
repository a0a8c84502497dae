"""Correction reasons from the keyboard: Alt+1 to Alt+6 tag the focused field a reviewer
changed, the form shows the reason under it, Ctrl+Z takes it back, and it is still there when
the letter is opened again by a new window on the same database."""

from __future__ import annotations

import pytest
from conftest import reopen, type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui

AGE = "letter.patient_age"
ALT = Qt.KeyboardModifier.AltModifier


def _new_age(review) -> str:
    """An age the parser did not read for the open letter."""
    return "77" if review.session.value(AGE) != 77 else "78"


def test_typing_a_fix_then_alt_1_stores_it_tagged_misread(
    qtbot, window, review, db_path, make_desk
) -> None:
    sha = review.session.sha256
    age = _new_age(review)
    widget = type_into(qtbot, window, AGE, age)
    qtbot.keyClick(widget, Qt.Key.Key_1, ALT)
    field = review.session.field(AGE)
    assert (field.value, field.reason, field.set_by) == (int(age), "misread", "tester")
    assert window.form.reason_text(AGE) == "Why changed: misread"
    assert QApplication.focusWidget() is widget  # still typing there
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["patient_age"].reason == "misread"
        audit = [(e.field, e.old, e.new) for e in store.audit(sha)]
    assert audit[-1] == ("letter.patient_age#reason", None, "misread")
    window.close()
    again = make_desk(db_path, reviewer="tester", import_workers=0)
    again.window.show()
    assert again.review.open_letter(sha)
    assert again.window.form.reason_text(AGE) == "Why changed: misread"


def test_a_changed_field_offers_the_keys_and_another_key_changes_the_reason(
    qtbot, window, review
) -> None:
    widget = type_into(qtbot, window, AGE, _new_age(review))
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.form.reason_text(AGE) != "")
    assert window.form.reason_text(AGE) == "Why changed? Alt+1 to Alt+6"
    assert "Alt+5  letter itself wrong" in window.form.all_rows()[AGE].reason.toolTip()
    window.form.focus_field(AGE)
    qtbot.keyClick(widget, Qt.Key.Key_5, ALT)
    assert review.session.field(AGE).reason == "letter_wrong"
    qtbot.keyClick(widget, Qt.Key.Key_0, ALT)
    assert review.session.field(AGE).reason is None
    assert window.form.reason_text(AGE) == "Why changed? Alt+1 to Alt+6"


def test_ctrl_z_takes_the_reason_back_and_keeps_the_fix(qtbot, window, review) -> None:
    age = _new_age(review)
    widget = type_into(qtbot, window, AGE, age)
    qtbot.keyClick(widget, Qt.Key.Key_3, ALT)
    assert review.session.field(AGE).reason == "normalisation"
    qtbot.keyClick(widget, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    field = review.session.field(AGE)
    assert (field.value, field.reason) == (int(age), None)
    assert window.form.reason_text(AGE) == "Why changed? Alt+1 to Alt+6"


def test_a_field_holding_the_parsers_value_is_not_tagged_and_says_why(
    qtbot, window, review, db_path
) -> None:
    sha = review.session.sha256
    assert window.form.reason_text(AGE) == ""  # the parser's value: nothing offered
    window.form.focus_field(AGE)
    qtbot.keyClick(window.form.editor(AGE).widget, Qt.Key.Key_1, ALT)
    assert review.session.field(AGE).reason is None
    assert "only a value changed from the parser's" in window.statusBar().currentMessage()
    assert not review.session.undo_stack
    with reopen(db_path) as store:
        assert store.audit(sha) == []


def test_putting_the_parsers_value_back_takes_the_reason_away(qtbot, window, review) -> None:
    parsed = str(review.session.value(AGE))
    widget = type_into(qtbot, window, AGE, _new_age(review))
    qtbot.keyClick(widget, Qt.Key.Key_2, ALT)
    assert review.session.field(AGE).reason == "wrong_boundary"
    widget = type_into(qtbot, window, AGE, parsed)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: review.session.field(AGE).reason is None)
    assert window.form.reason_text(AGE) == ""
