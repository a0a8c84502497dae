"""Seeded checks in the app, with real keys: a letter chosen for a check shows one value
altered; correcting it is a caught check, verifying it as shown a missed one that the
reviewer is told about at once. Either way the database holds the letter's own value."""

from __future__ import annotations

import pytest
from conftest import reopen, type_into
from PySide6.QtCore import Qt

from imr_desk.review_policy import ReviewPolicy
from imr_desk.seeded_checks import Check, check_for

pytestmark = pytest.mark.gui


def _open_with_date_check(qtbot, desk) -> Check:
    """Set a policy (as the lead "tester") that gives the queue's second letter a check on
    a date, open that letter and return its check."""
    review = desk.review
    sha = desk.window.queue.model.sha_at(1)
    letter = review.store.get(sha).full
    for seed in range(200):
        policy = ReviewPolicy(check_rate=1.0, seed=seed, leads=("tester",))
        check = check_for(policy, sha, letter)
        if check is not None and check.kind == "date":
            break
    else:
        pytest.fail("no seed gives a date check")
    review.store.set_policy(policy)
    assert desk.window.queue.select_letter(sha)
    qtbot.waitUntil(lambda: review.current_sha() == sha)
    assert review.session.check == check
    return check


def test_a_seeded_check_corrected_by_the_reviewer_is_caught(qtbot, desk, db_path) -> None:
    window, review = desk.window, desk.review
    check = _open_with_date_check(qtbot, desk)
    sha = review.current_sha()
    assert window.form.editor(check.path).text() == check.shown  # the altered date is shown
    widget = type_into(qtbot, window, check.path, check.original)  # as the page prints it
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: review.session.check is None)
    assert window.form.editor(check.path).text() == check.original
    assert "Seeded check caught" in window.statusBar().currentMessage()
    with reopen(db_path) as store:
        assert store.check_results("tester") == {"caught": 1, "missed": 0}
        row = store.get(sha)
        assert row.full.value(check.ref) == check.original
        assert store.audit(sha) == []  # typing the letter's value back changes nothing stored
    review.open_letter(window.queue.model.sha_at(0))
    review.open_letter(sha)
    assert review.session.check is None  # a settled check is not shown again
    assert window.form.editor(check.path).text() == check.original


def test_a_seeded_check_verified_as_shown_is_missed_and_the_reviewer_told(
    qtbot, desk, db_path
) -> None:
    window, review = desk.window, desk.review
    check = _open_with_date_check(qtbot, desk)
    sha = review.current_sha()
    widget = window.form.editor("letter.case_number").widget
    window.activateWindow()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: review.current_sha() != sha)
    message = window.statusBar().currentMessage()
    assert "Seeded check missed" in message
    assert check.ref.spec.label in message
    assert f"'{check.shown}'" in message and f"'{check.original}'" in message
    with reopen(db_path) as store:
        assert store.check_results("tester") == {"caught": 0, "missed": 1}
        row = store.get(sha)
        assert row.status == "verified"  # the stored record is right: the letter is verified
        assert row.full.value(check.ref) == check.original
        assert [entry.field for entry in store.audit(sha)] == ["status"]


def test_no_check_is_shown_without_a_check_rate(qtbot, desk) -> None:
    review = desk.review
    sha = desk.window.queue.model.sha_at(1)
    review.store.set_policy(ReviewPolicy(leads=("tester",)))
    assert desk.window.queue.select_letter(sha)
    qtbot.waitUntil(lambda: review.current_sha() == sha)
    assert review.session.check is None
    assert review.session.shown == review.session.letter


def test_the_policy_dialog_sets_the_check_rate_and_keeps_the_rest(qtbot) -> None:
    from imr_desk.ui.policy_dialog import PolicyDialog

    policy = ReviewPolicy(blind_share=0.05, check_rate=0.02, seed=3, leads=("tester",))
    dialog = PolicyDialog(None, policy, "tester")
    qtbot.addWidget(dialog)
    assert dialog.check_rate.value() == 2.0
    dialog.check_rate.setValue(10.0)
    assert dialog.policy() == ReviewPolicy(
        blind_share=0.05, check_rate=0.1, seed=3, leads=("tester",)
    )
