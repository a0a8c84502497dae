"""The queue model: a correct Qt model, lazy loading, filters passed to the store."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QModelIndex

from imr_desk.storage import LetterStore
from imr_desk.ui.letter_queue import PAGE_SIZE, LetterQueueModel, LetterQueueView, QueueFilter

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class FakeRow:
    sha256: str
    case_number: str | None
    status: str = "parsed"
    outcome: str | None = "upheld"
    layout: str = "B"
    min_confidence: float = 0.9
    file_name: str = "x.pdf"
    source_path: str = "/x.pdf"


class FakeStore:
    """List-backed stand-in that records how the model queries it."""

    def __init__(self, count: int) -> None:
        self.rows = [FakeRow(f"{n:064x}", f"CM16-{n:07d}") for n in range(count)]
        self.calls: list[dict] = []

    def _match(self, status=None, outcome=None, layout=None, low_confidence=False, search=None):
        return [r for r in self.rows if search is None or search in (r.case_number or "")]

    def list_letters(self, *, offset=0, limit=100, **filters):
        self.calls.append({"offset": offset, "limit": limit, **filters})
        return self._match(**filters)[offset : offset + limit]

    def count_letters(self, **filters):
        return len(self._match(**filters))


def test_queue_model_passes_the_qt_model_tester(qtmodeltester) -> None:
    store = FakeStore(450)
    model = LetterQueueModel(store.list_letters, store.count_letters)
    model.reload()
    qtmodeltester.check(model)


def test_queue_model_loads_rows_a_page_at_a_time() -> None:
    store = FakeStore(450)
    model = LetterQueueModel(store.list_letters, store.count_letters)
    model.reload()
    assert model.rowCount() == PAGE_SIZE and model.total() == 450
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    assert not model.canFetchMore(QModelIndex())
    assert [c["offset"] for c in store.calls] == [0, PAGE_SIZE, 2 * PAGE_SIZE]


def test_queue_model_filters_through_the_store() -> None:
    store = FakeStore(30)
    model = LetterQueueModel(store.list_letters, store.count_letters)
    model.set_filter(QueueFilter(search="0000012"))
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "CM16-0000012"
    assert store.calls[-1]["search"] == "0000012"


def test_queue_view_selects_a_letter_beyond_the_first_page(qtbot) -> None:
    store = FakeStore(450)
    model = LetterQueueModel(store.list_letters, store.count_letters)
    model.reload()
    view = LetterQueueView(model)
    qtbot.addWidget(view)
    target = store.rows[420].sha256
    with qtbot.waitSignal(view.letter_selected) as blocker:
        assert view.select_letter(target)
    assert blocker.args == [target]


def test_queue_model_over_a_real_store_passes_the_model_tester(qtmodeltester, db_path) -> None:
    with LetterStore.open(db_path) as store:
        model = LetterQueueModel(store.list_letters, store.count_letters)
        model.reload()
        assert model.rowCount() == 4
        qtmodeltester.check(model)
        model.set_filter(QueueFilter(layout="A"))
        assert model.rowCount() == 1


def test_queue_search_filters_after_typing_pauses(qtbot) -> None:
    store = FakeStore(30)
    model = LetterQueueModel(store.list_letters, store.count_letters)
    model.reload()
    view = LetterQueueView(model)
    qtbot.addWidget(view)
    qtbot.keyClicks(view.search, "0000012")
    assert model.rowCount() == 30, "re-queried on every keystroke"
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.queue_filter().search == "0000012"
