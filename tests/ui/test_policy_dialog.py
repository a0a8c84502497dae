"""Review → Review policy: a lead (or anyone, while the project has none) sets the share of
letters reviewed twice, blind or not, and the leads; the store keeps it; a reviewer who is not
a lead is refused; a policy the store refuses is asked for again as it was typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import reopen
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore
from imr_desk.ui import dialogs
from imr_desk.ui.policy_dialog import PolicyDialog, parse_leads

if TYPE_CHECKING:
    from imr_desk.app import Desk

pytestmark = pytest.mark.gui

Step = Callable[[PolicyDialog], None]


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, title, text: shown.append(text))
    return shown


def type_over(qtbot, widget, text: str) -> None:
    """Select what a field shows and type over it with real keys."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(widget, text)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Delete)


def save(qtbot, dialog: PolicyDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def drive(steps: list[Step]) -> list[int]:
    """Answer each modal policy dialog as it opens with the next step (``ask`` runs its own
    event loop, so the steps run from timers inside it); the list returned counts the dialogs
    answered (each is deleted once closed, so none is kept)."""
    answered: list[int] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PolicyDialog) or dialog.property("answered"):
            QTimer.singleShot(10, poll)
            return
        dialog.setProperty("answered", True)
        answered.append(1)
        step = steps.pop(0)
        try:
            step(dialog)
        except BaseException:
            dialog.reject()  # a failed step must not leave the test waiting on the dialog
            steps.clear()
            raise
        if steps:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return answered


def test_the_dialog_reads_share_blind_and_leads_from_its_fields(qtbot) -> None:
    dialog = PolicyDialog(None, ReviewPolicy(double_share=0.1, seed=7, leads=("lea",)), "lea")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.share.value() == 10.0 and dialog.blind.isChecked()
    assert dialog.leads.text() == "lea" and dialog.warning.isHidden()
    type_over(qtbot, dialog.share, "25")
    dialog.blind.setFocus()
    qtbot.keyClick(dialog.blind, Qt.Key.Key_Space)
    type_over(qtbot, dialog.leads, " lea, max,, lea ")
    assert dialog.policy() == ReviewPolicy(
        double_share=0.25, blind=False, seed=7, leads=("lea", "max")
    )
    type_over(qtbot, dialog.leads, "max")
    assert dialog.warning.isVisible() and "lea is not among" in dialog.warning.text()


def test_leads_are_split_at_commas_trimmed_and_not_repeated() -> None:
    assert parse_leads(" lea ,max, ,lea,") == ("lea", "max")
    assert parse_leads("") == ()


@pytest.fixture
def desk_as(make_desk, db_path: Path) -> Callable[[str], Desk]:
    def open_as(reviewer: str) -> Desk:
        desk = make_desk(db_path, reviewer=reviewer, import_workers=0)
        desk.window.show()
        return desk

    return open_as


def test_the_first_lead_sets_the_policy_from_the_review_menu(
    qtbot, desk_as, db_path, errors
) -> None:
    desk = desk_as("lea")  # the project has no lead yet: anyone may name the first

    def fill(dialog: PolicyDialog) -> None:
        assert dialog.leads.text() == "lea"  # offered: whoever sets it first
        type_over(qtbot, dialog.share, "50")
        save(qtbot, dialog)

    seen = drive([fill])
    desk.window.action_set.review_policy.trigger()
    assert len(seen) == 1 and not errors
    with reopen(db_path) as store:
        assert store.policy() == ReviewPolicy(double_share=0.5, blind=True, leads=("lea",))
    assert "50%" in desk.window.statusBar().currentMessage()


def test_a_policy_the_store_refuses_is_shown_and_asked_again_as_typed(
    qtbot, desk_as, db_path, errors
) -> None:
    desk = desk_as("lea")

    def without_leads(dialog: PolicyDialog) -> None:
        type_over(qtbot, dialog.share, "30")
        type_over(qtbot, dialog.leads, "")
        save(qtbot, dialog)

    def again(dialog: PolicyDialog) -> None:
        assert dialog.share.value() == 30.0 and dialog.leads.text() == ""  # nothing lost
        type_over(qtbot, dialog.leads, "lea, max")
        save(qtbot, dialog)

    seen = drive([without_leads, again])
    desk.window.action_set.review_policy.trigger()
    assert len(seen) == 2
    assert errors == ["a review policy names at least one lead"]
    with reopen(db_path) as store:
        assert store.policy() == ReviewPolicy(double_share=0.3, leads=("lea", "max"))


def test_a_reviewer_who_is_not_a_lead_cannot_open_the_policy(
    desk_as, db_path, errors, monkeypatch
) -> None:
    policy = ReviewPolicy(double_share=0.2, leads=("lea",))
    with LetterStore.open(db_path, reviewer="lea") as store:
        store.set_policy(policy)
    asked: list[object] = []
    monkeypatch.setattr(PolicyDialog, "ask", classmethod(lambda *args: asked.append(args)))
    desk = desk_as("bob")
    desk.window.action_set.review_policy.trigger()
    assert not asked
    assert errors == ["Only a lead may change the review policy (bob is not one; leads: lea)."]
    with reopen(db_path) as store:
        assert store.policy() == policy


def test_cancel_leaves_the_policy_as_it_was(qtbot, desk_as, db_path, errors) -> None:
    desk = desk_as("lea")

    def cancel(dialog: PolicyDialog) -> None:
        type_over(qtbot, dialog.share, "80")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    seen = drive([cancel])
    desk.window.action_set.review_policy.trigger()
    assert len(seen) == 1 and not errors
    with reopen(db_path) as store:
        assert store.policy() == ReviewPolicy()
