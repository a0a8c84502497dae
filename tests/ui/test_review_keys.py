"""The review window driven from the keyboard with real key events: typing that cannot be
stored stops Verify/Flag/Skip/next letter, and Tab after an edit goes to the next field."""

from __future__ import annotations

import pytest
from conftest import reopen, type_into
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from imr_desk.ui import dialogs

pytestmark = pytest.mark.gui

BAD_DATE = "13/45/2016"


def test_ctrl_enter_with_an_invalid_date_typed_does_not_verify(
    qtbot, window, review, db_path
) -> None:
    sha = review.session.sha256
    before = review.session.value("letter.injury_date")
    widget = type_into(qtbot, window, "letter.injury_date", BAD_DATE)
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert review.session.sha256 == sha
    assert widget.text() == BAD_DATE
    assert "not a date" in window.form.issue_text("letter.injury_date")
    assert QApplication.focusWidget() is widget
    with reopen(db_path) as store:
        row = store.get(sha)
    assert row.status != "verified"
    assert row.full.fields["injury_date"].value == before


def test_refused_typing_also_stops_skip_flag_and_next_letter(
    qtbot, window, review, db_path, monkeypatch
) -> None:
    asked = []
    monkeypatch.setattr(
        dialogs.FlagDialog, "ask", classmethod(lambda cls, p, note="": asked.append(1) or "x")
    )
    sha = review.session.sha256
    widget = type_into(qtbot, window, "letter.injury_date", BAD_DATE)
    for key in (Qt.Key.Key_S, Qt.Key.Key_F):  # Skip, Flag
        qtbot.keyClick(
            widget, key, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    window.action_set.next_letter.trigger()
    assert review.session.sha256 == sha and not asked
    queue = window.queue
    queue.move_selection(1)  # a click on another letter in the queue
    assert review.session.sha256 == sha
    qtbot.waitUntil(lambda: queue.model.sha_at(queue.table.currentIndex().row()) == sha)
    assert widget.text() == BAD_DATE
    with reopen(db_path) as store:
        assert store.get(sha).status == "parsed"


def test_refused_typing_survives_leaving_the_field_and_still_blocks_verify(
    qtbot, window, review, db_path
) -> None:
    sha = review.session.sha256
    widget = type_into(qtbot, window, "letter.injury_date", BAD_DATE)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert "not a date" in window.form.issue_text("letter.injury_date")
    type_into(qtbot, window, "letter.claim_number", "WC-1")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert widget.text() == BAD_DATE
    assert review.verify_and_next() is False
    assert window.form.focused_path() == "letter.injury_date"
    with reopen(db_path) as store:
        row = store.get(sha)
    assert row.status != "verified" and row.full.fields["claim_number"].value == "WC-1"


def test_a_refused_value_once_corrected_is_stored_and_verify_goes_on(
    qtbot, window, review, db_path
) -> None:
    sha = review.session.sha256
    widget = type_into(qtbot, window, "letter.injury_date", BAD_DATE)
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, "4/5/2001")
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert review.session.sha256 != sha, window.statusBar().currentMessage()
    with reopen(db_path) as store:
        row = store.get(sha)
    assert (row.status, row.full.fields["injury_date"].value) == ("verified", "2001-04-05")


def test_tab_after_an_edit_moves_to_the_next_field(qtbot, window, review, db_path) -> None:
    sha = review.session.sha256
    widget = type_into(qtbot, window, "letter.claim_number", "WC-77")
    following = window.form.editor("letter.date_assigned").widget
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is following
    assert window.form.focused_path() == "letter.date_assigned"
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["claim_number"].value == "WC-77"


def test_clicking_another_field_after_an_edit_keeps_the_click(qtbot, window, review) -> None:
    type_into(qtbot, window, "letter.claim_number", "WC-78")
    target = window.form.editor("letter.case_summary").widget
    qtbot.mouseClick(target.viewport(), Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is target
    assert review.session.value("letter.claim_number") == "WC-78"


def test_undo_puts_the_cursor_back_in_the_field_it_changed(qtbot, window, review) -> None:
    widget = type_into(qtbot, window, "letter.claim_number", "WC-79")
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is widget
    assert review.session.value("letter.claim_number") != "WC-79"


def _ask_on_quit(monkeypatch, answer: bool) -> list:
    asked: list = []
    monkeypatch.setattr(
        dialogs, "confirm_discard_typing", lambda _parent, *why: asked.append(why) or answer
    )
    return asked


def test_ctrl_q_with_refused_typing_asks_and_keep_editing_stays(qtbot, window, monkeypatch) -> None:
    asked = _ask_on_quit(monkeypatch, False)
    widget = type_into(qtbot, window, "letter.decision_date", "2013-02-30")
    qtbot.keyClick(widget, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert [field for field, _reason in asked] == ["Decision date"]
    assert window.isVisible()
    assert widget.text() == "2013-02-30"
    assert window.form.issue_text("letter.decision_date")
    assert QApplication.focusWidget() is widget
    _ask_on_quit(monkeypatch, True)  # let the test's end close the window


def test_ctrl_q_with_refused_typing_can_discard_it_and_quit(
    qtbot, window, review, db_path, monkeypatch
) -> None:
    asked = _ask_on_quit(monkeypatch, True)
    sha = review.session.sha256
    before = review.session.value("letter.decision_date")
    widget = type_into(qtbot, window, "letter.decision_date", "2013-02-30")
    qtbot.keyClick(widget, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert asked and not window.isVisible()
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["decision_date"].value == before


def test_ctrl_q_after_valid_typing_stores_it_without_asking(
    qtbot, window, review, db_path, monkeypatch
) -> None:
    asked = _ask_on_quit(monkeypatch, False)
    sha = review.session.sha256
    widget = type_into(qtbot, window, "letter.claim_number", "WC-80")
    qtbot.keyClick(widget, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not asked and not window.isVisible()
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["claim_number"].value == "WC-80"


def test_verify_and_next_puts_the_cursor_in_the_next_letters_first_field_to_review(
    qtbot, window, review
) -> None:
    sha = review.session.sha256
    window.activateWindow()
    window.form.focus_field("letter.diagnoses")
    diagnoses = window.form.editor("letter.diagnoses").widget
    qtbot.waitUntil(lambda: QApplication.focusWidget() is diagnoses)
    qtbot.keyClick(diagnoses, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    session = review.session
    assert session.sha256 != sha
    expected = session.next_needing_review() or "letter.case_number"
    target = window.form.editor(expected).widget
    assert QApplication.focusWidget() is target
    assert window.form.focused_path() == expected
    qtbot.keyClicks(QApplication.focusWidget(), "2")  # a digit fits any text or date field
    assert "2" in window.form.value(expected)


def test_the_banner_counts_typing_that_could_not_be_stored(qtbot, window) -> None:
    summary = window.form.summary
    before, stored = summary.text(), window.form.value("letter.decision_date")
    widget = type_into(qtbot, window, "letter.decision_date", "2013-02-30")
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert window.form.issue_text("letter.decision_date")
    assert summary.text() != "Ready to verify" and "to fix" in summary.text()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, stored)  # corrected back to what is stored
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert summary.text() == before


def test_cancelling_the_flag_dialog_gives_the_focus_back_to_the_field(qtbot, window) -> None:
    widget = type_into(qtbot, window, "letter.claim_number", "WC-81")

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)

    QTimer.singleShot(0, cancel)
    qtbot.keyClick(
        widget,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
    assert window.form.focused_path() == "letter.claim_number"


def test_after_flagging_the_keys_go_to_the_next_letters_form(qtbot, window, review) -> None:
    sha = review.session.sha256
    widget = type_into(qtbot, window, "letter.claim_number", "WC-82")

    def confirm() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        note = dialog.note
        qtbot.keyClicks(note, "Page 2 missing")
        qtbot.keyClick(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    QTimer.singleShot(0, confirm)
    qtbot.keyClick(
        widget,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert review.session.sha256 != sha
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert QApplication.focusWidget() is window.form.editor(window.form.focused_path()).widget
