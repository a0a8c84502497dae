"""Small things a reviewer hits every hour (issue 12, item 5): the queue's search keys, its
selection following the open letter, a flag's note and filter, returning to the last letter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from imr_desk.ui import dialogs
from imr_desk.ui.letter_queue import LetterQueueView

pytestmark = pytest.mark.gui


def _shas(queue: LetterQueueView) -> list[str]:
    return [queue.model.sha_at(n) or "" for n in range(queue.model.rowCount())]


def _case(queue: LetterQueueView, sha: str) -> str:
    row = queue.model.row_of(sha)
    assert row is not None
    return str(queue.model.index(row, 0).data())


def _selected(queue: LetterQueueView) -> list[str]:
    rows = queue.table.selectionModel().selectedRows()
    return [queue.model.sha_at(index.row()) or "" for index in rows]


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Down])
def test_enter_or_down_in_the_search_box_opens_the_first_match(qtbot, window, review, key):
    queue = window.queue
    target = _shas(queue)[2]
    assert review.current_sha() != target
    queue.search.setFocus()
    qtbot.keyClicks(queue.search, _case(queue, target))
    qtbot.keyClick(queue.search, key)  # at once, without waiting for the search pause
    assert queue.model.rowCount() == 1
    assert review.current_sha() == target
    assert _selected(queue) == [target]


def test_the_selection_follows_the_open_letter_under_any_filter(qtbot, window, review):
    queue = window.queue
    first, second = _shas(queue)[:2]
    queue.select_letter(second)
    assert review.current_sha() == second
    queue.search.setText(_case(queue, first))  # a filter that hides the open letter
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1)
    assert review.current_sha() == second
    assert _selected(queue) == []  # no row rather than a wrong one
    assert not queue.table.currentIndex().isValid()
    queue.search.clear()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 4)
    assert _selected(queue) == [second]  # shown again: its row is selected
    review.open_letter(first)  # opened without the queue (as Verify & next may)
    assert _selected(queue) == [first]
    queue.set_status_filter("verified")  # none verified: an empty list, nothing selected
    assert queue.model.rowCount() == 0 and _selected(queue) == []
    assert review.current_sha() == first


def test_a_flag_note_shows_in_the_queue_tooltip_and_the_flagged_filter(window, review, monkeypatch):
    queue = window.queue
    sha = review.current_sha()
    monkeypatch.setattr(
        dialogs.FlagDialog, "ask", classmethod(lambda cls, p, note="": "Page 2 missing")
    )
    window.action_set.flag.trigger()
    row = queue.model.row_of(sha)
    assert row is not None
    tip = queue.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Flagged: Page 2 missing\n")
    other = next(n for n in range(queue.model.rowCount()) if n != row)
    assert "Flagged" not in queue.model.index(other, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert queue.status.findData("flagged") > 0
    queue.set_status_filter("flagged")
    assert _shas(queue) == [sha]


def test_reopening_the_app_returns_to_the_last_letter(qtbot, make_desk, db_path: Path, tmp_path):
    ini = str(tmp_path / "resume.ini")
    desk = make_desk(db_path, settings=QSettings(ini, QSettings.Format.IniFormat))
    desk.window.show()
    desk.review.open_first()
    first, _second, third, _fourth = _shas(desk.window.queue)
    assert desk.review.current_sha() == first
    desk.window.queue.select_letter(third)
    assert desk.review.current_sha() == third
    desk.window.close()
    again = make_desk(db_path, settings=QSettings(ini, QSettings.Format.IniFormat))
    again.window.show()
    again.review.open_first()
    qtbot.waitUntil(lambda: again.review.current_sha() == third)
    assert _selected(again.window.queue) == [third]


def test_a_remembered_letter_no_longer_in_the_database_is_not_restored(
    qtbot, make_desk, db_path: Path, tmp_path
):
    ini = str(tmp_path / "gone.ini")
    settings = QSettings(ini, QSettings.Format.IniFormat)
    settings.setValue("review/last_letter", "0" * 64)
    settings.sync()
    desk = make_desk(db_path, settings=QSettings(ini, QSettings.Format.IniFormat))
    desk.window.show()
    desk.review.open_first()
    first = _shas(desk.window.queue)[0]
    qtbot.wait(50)
    assert desk.review.current_sha() == first
    assert _selected(desk.window.queue) == [first]


def test_a_flag_note_shows_in_the_form_banner(window, review) -> None:
    sha = review.current_sha()
    review.store.set_status(sha, "flagged", note="page 2 missing")
    review.reload_queue(select=sha)
    review.session.update(review.store.get(sha))
    review.refresh_form()
    assert "Flagged: page 2 missing" in window.form.summary.text()
