"""Help → My statistics: a reviewer sees their own reviewer quality row, a lead everyone's."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from imr_desk.app import Desk
from imr_desk.review_policy import ReviewPolicy
from imr_desk.reviewer_quality import HEADERS
from imr_desk.storage import LetterStore, StorageError
from imr_desk.ui import my_statistics
from imr_desk.ui.my_statistics import MyStatisticsDialog

pytestmark = pytest.mark.gui


def shown_by_the_menu(desk: Desk, monkeypatch) -> MyStatisticsDialog:
    """Trigger Help → My statistics and return the dialog it opened (not run modally)."""
    opened: list[MyStatisticsDialog] = []
    monkeypatch.setattr(MyStatisticsDialog, "exec", lambda self: opened.append(self) or 0)
    menus = desk.window.menuBar().findChildren(QMenu)
    help_menu = next(m for m in menus if m.title().replace("&", "") == "Help")
    assert desk.window.action_set.my_statistics in help_menu.actions()
    desk.window.action_set.my_statistics.trigger()
    (dialog,) = opened
    return dialog


def two_reviewers_verify(desk: Desk, db_path: Path, *, leads: tuple[str, ...]) -> None:
    """tester verifies the first letter, ann the second; the policy names ``leads``."""
    first, second = (row.sha256 for row in desk.store.list_letters()[:2])
    desk.store.set_status(first, "verified")
    with LetterStore.open(db_path, reviewer="ann") as ann:
        ann.set_status(second, "verified")
        ann.set_policy(ReviewPolicy(leads=leads))


def test_a_reviewer_sees_only_their_own_row(desk: Desk, db_path: Path, monkeypatch) -> None:
    two_reviewers_verify(desk, db_path, leads=("ann",))
    dialog = shown_by_the_menu(desk, monkeypatch)
    assert dialog.windowTitle() == "My statistics"
    assert [dialog.table.horizontalHeaderItem(c).text() for c in range(len(HEADERS))] == list(
        HEADERS
    )
    (row,) = dialog.row_texts()
    assert row[:2] == ["tester", "1"]
    assert row[3:] == ["0", "0", "0", "-", "0", "-"]  # no checks, blind or double letters


def test_a_lead_sees_every_reviewer(desk: Desk, db_path: Path, monkeypatch) -> None:
    two_reviewers_verify(desk, db_path, leads=("ann", "tester"))
    dialog = shown_by_the_menu(desk, monkeypatch)
    assert dialog.windowTitle() == "Reviewer statistics"
    assert sorted((row[0], row[1]) for row in dialog.row_texts()) == [
        ("ann", "1"),
        ("tester", "1"),
    ]


def test_a_reviewer_with_nothing_done_gets_an_empty_row(desk: Desk, monkeypatch) -> None:
    dialog = shown_by_the_menu(desk, monkeypatch)
    assert dialog.row_texts() == [["tester", "0", "-", "0", "0", "0", "-", "0", "-"]]


def test_an_unreadable_database_is_said_so_not_raised(desk: Desk, monkeypatch) -> None:
    errors: list[str] = []

    def broken(_store):
        raise StorageError("the database is locked")

    monkeypatch.setattr(my_statistics, "from_store", broken)
    monkeypatch.setattr(
        my_statistics.dialogs, "show_error", lambda _p, _t, text: errors.append(text)
    )
    desk.window.action_set.my_statistics.trigger()
    assert errors == ["the database is locked"]
