"""Adjudication from the keyboard: a lead settles two differing reviews of a letter with A, B,
a typed value and Ctrl+Enter, and the gold record in the database is exactly what was chosen.

Two reviewers ("ann" first, so review A; "bob", review B) review the sample letters on one
database under a policy that double-reviews every letter; the desk is opened as the lead "lea".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import reopen
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from imr_desk.edits import AddItem, Edit, SetField
from imr_desk.record import Box, FieldRef, Item
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore
from imr_desk.ui import dialogs
from imr_desk.ui.adjudication_view import COLOUR_A, COLOUR_B, AdjudicationView, evidence_key
from imr_desk.ui.page_items import EvidenceItem

if TYPE_CHECKING:
    from imr_desk.app import Desk

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
PRIORITY, AGE = "letter.priority", "letter.patient_age"
OUTCOME, DECISION = "letter.outcome", "items.p1.decision"
BOX_A = Box(0, (72.0, 100.0, 160.0, 112.0))
BOX_B = Box(0, (72.0, 300.0, 140.0, 312.0))


# --- the database: a policy, two reviewers ----------------------------------------------------


def letters(db_path: Path) -> list[str]:
    """The sample letters' SHA-256, in the queue's order; sets the double-review policy."""
    with LetterStore.open(db_path, reviewer="lea") as store:
        store.set_policy(ReviewPolicy(double_share=1.0, leads=("lea",)))
        return [row.sha256 for row in store.list_letters()]


def review(db_path: Path, reviewer: str, sha: str, *edits: Edit) -> None:
    """One reviewer's own review of a letter: the edits, then Verify."""
    with LetterStore.open(db_path, reviewer=reviewer) as store:
        for edit in edits:
            store.apply(sha, edit)
        store.set_status(sha, "verified")


def differing_reviews(db_path: Path, sha: str) -> None:
    """Ann marks the letter expedited, Bob reads the patient's age as 33: two differences
    (priority: expedited / unset; age: the parser's / 33), each with its own evidence."""
    review(db_path, "ann", sha, SetField(FieldRef("priority"), "expedited", (BOX_A,)))
    review(db_path, "bob", sha, SetField(FieldRef("patient_age"), 33, (BOX_B,)))


@pytest.fixture
def messages(monkeypatch) -> list[str]:
    """What the desk told the lead in message boxes (replaced: they would wait for a click)."""
    shown: list[str] = []
    for name in ("show_error", "show_info"):
        monkeypatch.setattr(dialogs, name, lambda _parent, title, text: shown.append(text))
    return shown


@pytest.fixture
def open_desk(make_desk, db_path: Path) -> Callable[[str], Desk]:
    def open_as(reviewer: str) -> Desk:
        desk = make_desk(db_path, reviewer=reviewer, import_workers=0)
        desk.window.show()
        return desk

    return open_as


def open_queue(qtbot, desk: Desk) -> AdjudicationView:
    """Review → Adjudication queue, as the lead does; waits for the view to have the keys."""
    desk.window.action_set.adjudication_queue.trigger()
    view = desk.adjudication.view
    assert view is not None
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table)
    return view


class Keys:
    """Key presses sent where the keyboard focus is, counted."""

    def __init__(self, qtbot) -> None:
        self.qtbot, self.count = qtbot, 0

    def press(self, key: Qt.Key | str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        widget = QApplication.focusWidget()
        assert widget is not None
        self.qtbot.keyClick(widget, key, modifier)
        self.count += 1

    def settle(self) -> None:
        self.press(Qt.Key.Key_Return, CTRL)


def gold(db_path: Path, sha: str) -> Any:
    with reopen(db_path) as store:
        return store.get(sha)


def queue(db_path: Path) -> list[str]:
    with LetterStore.open(db_path, reviewer="lea") as store:
        return store.adjudication_queue()


# --- the target: two differing fields in three keys ------------------------------------------


def test_a_lead_settles_two_differing_fields_with_a_b_and_ctrl_enter(
    qtbot, open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    differing_reviews(db_path, sha)
    with reopen(db_path) as store:
        parsed = store.get(sha).letter
    desk = open_desk("lea")
    view = open_queue(qtbot, desk)
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_A)  # priority: Ann's "expedited"
    assert view.current_path() == AGE  # the next undecided field is selected
    keys.press(Qt.Key.Key_B)  # age: Bob's 33
    keys.settle()
    assert keys.count == 3 <= 5
    row = gold(db_path, sha)
    assert row.status == "verified" and row.stage == "gold"
    letter = row.letter
    assert letter.value(FieldRef("priority")) == "expedited"
    assert letter.value(FieldRef("patient_age")) == 33
    settled = {PRIORITY, AGE}
    assert all(
        letter.value(ref) == parsed.value(ref) for ref in parsed.refs() if str(ref) not in settled
    )  # what both reviews left as the parser read it stays so
    assert row.review_info == {
        "mode": "adjudicated",
        "reviewers": ["ann", "bob"],
        "adjudicator": "lea",
        "disagreements": [PRIORITY, AGE],
    }
    assert sha not in queue(db_path)
    qtbot.waitUntil(lambda: desk.adjudication.view is None)  # the queue is empty: it closes
    assert "queue is empty" in desk.window.statusBar().currentMessage()
    assert not messages


def test_the_view_lists_only_the_differing_fields_with_both_reviewers_values(
    qtbot, open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    differing_reviews(db_path, sha)
    view = open_queue(qtbot, open_desk("lea"))
    assert view.paths() == [PRIORITY, AGE]  # the fields the reviews agree on are settled
    header = [view.table.horizontalHeaderItem(c).text() for c in range(1, 3)]
    assert header == ["A · ann", "B · bob"]
    cells = [[view.table.item(r, c).text() for c in range(3)] for r in range(2)]
    assert cells[0] == ["Priority", "expedited", "(empty)"]
    assert cells[1][0] == "Patient age" and cells[1][2] == "33"
    assert view.current_path() == PRIORITY


def highlighted(view: AdjudicationView) -> dict[str, QColor]:
    """The evidence boxes drawn strongly on the page, by name, with their pen colour."""
    items = [i for i in view.page.scene().items() if isinstance(i, EvidenceItem) and i.focused]
    return {item.path: item.pen().color() for item in items}


def test_each_reviews_evidence_of_the_selected_field_is_drawn_in_its_own_colour(
    qtbot, open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    differing_reviews(db_path, sha)
    view = open_queue(qtbot, open_desk("lea"))
    shown = highlighted(view)
    assert shown[evidence_key("a", PRIORITY)] == COLOUR_A  # Ann's selection
    assert evidence_key("b", PRIORITY) not in shown  # Bob left it unset: no box
    rect = view.page.evidence_rect(evidence_key("a", PRIORITY))
    assert rect is not None and (rect.width(), rect.height()) == (88.0, 12.0)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    shown = highlighted(view)
    assert shown[evidence_key("b", AGE)] == COLOUR_B
    assert evidence_key("a", PRIORITY) not in shown
    assert COLOUR_A != COLOUR_B
    view.page.setFocus()  # looking at the page: A and B still choose
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.page)
    qtbot.keyClick(view.page, Qt.Key.Key_B)
    assert view.table.item(1, 2).font().bold() and view.editor(AGE).text() == "33"


# --- a third value, refusals ------------------------------------------------------------------


def test_a_typed_third_value_is_kept_with_enter_and_one_it_cannot_hold_is_refused(
    qtbot, open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    differing_reviews(db_path, sha)
    view = open_queue(qtbot, open_desk("lea"))
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_A)
    keys.press("x")  # typing starts in the age row's editor
    editor = view.editor(AGE)
    assert QApplication.focusWidget() is editor and editor.text() == "x"
    keys.press(Qt.Key.Key_Return)
    assert "not a whole number" in view.message.text()
    assert QApplication.focusWidget() is editor and editor.text() == "x"  # typing kept
    keys.settle()  # the refused typing is no choice: nothing is saved
    assert sha in queue(db_path)
    keys.press(Qt.Key.Key_F2)
    assert QApplication.focusWidget() is editor
    qtbot.keyClicks(editor, "45")  # over the selected text
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.text() == "45" and view.message.text() == ""
    keys.settle()
    letter = gold(db_path, sha).letter
    assert letter.value(FieldRef("patient_age")) == 45
    assert letter.value(FieldRef("priority")) == "expedited"
    assert letter.field(FieldRef("patient_age")).set_by == "lea"


def test_ctrl_enter_before_every_difference_has_a_choice_saves_nothing(
    qtbot, open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    differing_reviews(db_path, sha)
    view = open_queue(qtbot, open_desk("lea"))
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_B)
    keys.settle()
    assert sha in queue(db_path)
    assert AGE in view.message.text() and view.current_path() == AGE
    keys.press(Qt.Key.Key_A)
    keys.settle()
    assert sha not in queue(db_path)
    letter = gold(db_path, sha).letter
    assert letter.value(FieldRef("priority")) is None  # Bob's: unset
    assert letter.value(FieldRef("patient_age")) != 33  # Ann's: the parser's


def test_a_refused_gold_record_is_shown_in_the_view_and_no_choice_is_lost(
    qtbot, open_desk, db_path, messages
) -> None:
    """Ann overturns the first item (the outcome follows: partially overturned); Bob leaves it
    upheld. Taking Ann's outcome with Bob's decision makes a record Verify refuses."""
    sha = letters(db_path)[0]
    review(db_path, "ann", sha, SetField(FieldRef("decision", "p1"), "overturned"))
    review(db_path, "bob", sha, SetField(FieldRef("patient_age"), 33))
    view = open_queue(qtbot, open_desk("lea"))
    assert view.paths() == [AGE, OUTCOME, DECISION]
    keys = Keys(qtbot)
    for key in (Qt.Key.Key_A, Qt.Key.Key_A, Qt.Key.Key_B):
        keys.press(key)
    keys.settle()
    assert "not saved" in view.message.text() and "Outcome" in view.message.text()
    assert sha in queue(db_path) and view.isVisible()
    assert view.table.item(0, 0).text().startswith("✓")  # the choices are all still there
    view.select(OUTCOME)
    keys.press(Qt.Key.Key_B)  # Bob's outcome: upheld, like the decisions taken
    keys.settle()
    letter = gold(db_path, sha).letter
    assert letter.value(FieldRef("outcome")) == "upheld"
    assert letter.value(FieldRef("decision", "p1")) == "upheld"
    assert letter.value(FieldRef("patient_age")) != 33


def test_an_item_only_one_review_has_is_kept_or_left_out_never_typed(
    qtbot, open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    added = Item.blank("n0000beef")
    review(
        db_path,
        "ann",
        sha,
        AddItem(added),
        SetField(FieldRef("treatment", added.id), "Aquatic therapy"),
        SetField(FieldRef("decision", added.id), "upheld"),
    )
    review(db_path, "bob", sha)
    view = open_queue(qtbot, open_desk("lea"))
    path = f"items.{added.id}"
    assert view.paths() == [path]
    assert view.table.item(0, 1).text() == "has the item: Aquatic therapy"
    assert view.table.item(0, 2).text() == "no such item"
    keys = Keys(qtbot)
    keys.press("x")
    assert "kept" in view.message.text() and QApplication.focusWidget() is view.table
    keys.press(Qt.Key.Key_A)
    keys.settle()
    items = gold(db_path, sha).letter.items
    assert [i.id for i in items][-1] == added.id and len(items) == 4


# --- the queue and who may use it -------------------------------------------------------------


def test_settling_a_letter_opens_the_next_one_in_the_queue(
    qtbot, open_desk, db_path, messages
) -> None:
    first, second = letters(db_path)[:2]
    differing_reviews(db_path, first)
    differing_reviews(db_path, second)
    desk = open_desk("lea")
    view = open_queue(qtbot, desk)
    assert desk.adjudication.sha256 == first
    keys = Keys(qtbot)
    for key in (Qt.Key.Key_A, Qt.Key.Key_A):
        keys.press(key)
    keys.settle()
    assert desk.adjudication.sha256 == second and desk.adjudication.view is view
    assert view.current_path() == PRIORITY and not desk.adjudication.choices
    assert queue(db_path) == [second]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table)
    for key in (Qt.Key.Key_B, Qt.Key.Key_B):
        keys.press(key)
    keys.settle()
    assert queue(db_path) == []
    qtbot.waitUntil(lambda: desk.adjudication.view is None)


def test_a_reviewer_who_is_not_a_lead_is_told_only_a_lead_may_adjudicate(
    open_desk, db_path, messages
) -> None:
    sha = letters(db_path)[0]
    differing_reviews(db_path, sha)
    desk = open_desk("ann")
    desk.window.action_set.adjudication_queue.trigger()
    assert desk.adjudication.view is None
    assert messages == ["Only a lead may adjudicate (ann is not one; leads: lea)."]
    assert sha in queue(db_path)


def test_an_empty_queue_is_said_and_opens_nothing(open_desk, db_path, messages) -> None:
    letters(db_path)
    desk = open_desk("lea")
    desk.window.action_set.adjudication_queue.trigger()
    assert desk.adjudication.view is None
    assert len(messages) == 1 and "queue is empty" in messages[0]
