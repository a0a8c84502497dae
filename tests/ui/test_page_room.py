"""Issue 12, item 1: the page gets the room. The default layout at a laptop's and a small
screen's window size leaves the page fit-width at reading zoom; the queue narrows to a strip
of case numbers and status; View → Letters / Fields always work; layouts are remembered per
screen size and Reset layout brings the defaults back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt

from imr_desk.ui import main_window

pytestmark = pytest.mark.gui


def _open_at(qtbot, make_desk, db_path, settings, size: tuple[int, int]):
    desk = make_desk(db_path, settings=settings, reviewer="tester", import_workers=0)
    desk.window.resize(*size)
    desk.window.show()
    desk.review.open_first()
    qtbot.waitUntil(lambda: desk.window.pdf_view.page_count() > 0)
    qtbot.wait(50)  # the docks laid out
    return desk.window


def _fit_width_zoom(window) -> float:
    window.action_set.fit_width.trigger()
    return window.pdf_view.zoom()


@pytest.mark.parametrize(
    "case", [((1440, 900), 0.95), ((1024, 700), 0.70)], ids=["1440x900", "1024x700"]
)
def test_the_default_layout_gives_the_page_reading_zoom(
    qtbot, make_desk, db_path, settings, case
) -> None:
    size, least = case
    window = _open_at(qtbot, make_desk, db_path, settings, size)
    zoom = _fit_width_zoom(window)
    assert zoom >= least
    assert window.zoom_label.text() == f"{zoom:.0%}"
    assert window.form_dock.isVisible() and window.form.width() >= window.form.minimumWidth()
    window.close()


def test_at_1440_the_queue_stays_beside_the_page(qtbot, make_desk, db_path, settings) -> None:
    window = _open_at(qtbot, make_desk, db_path, settings, (1440, 900))
    assert window.queue_dock.isVisible() and not window.queue_dock.visibleRegion().isEmpty()
    table = window.queue.table
    assert not table.isColumnHidden(0) and not table.isColumnHidden(1)
    window.close()


def test_the_queue_narrows_to_case_numbers_and_status(qtbot, window) -> None:
    table = window.queue.table
    window.resizeDocks([window.queue_dock], [10], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: window.queue.width() <= window.queue.minimumWidth() + 2)
    case_number = table.fontMetrics().horizontalAdvance("CM00-0000000")
    assert [table.isColumnHidden(c) for c in range(5)] == [False, False, True, True, True]
    assert table.columnWidth(0) >= case_number
    assert not window.queue.status.isVisible()
    window.resizeDocks([window.queue_dock], [600], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not table.isColumnHidden(2))
    assert window.queue.status.isVisible()


def test_view_menu_toggles_show_docks_closed_floated_or_behind_a_tab(
    qtbot, make_desk, db_path, settings
) -> None:
    window = _open_at(qtbot, make_desk, db_path, settings, (1024, 700))
    letters, fields = window.show_queue_action, window.show_form_action
    letters.trigger()  # the queue starts as a tab behind the form at this size
    qtbot.waitUntil(lambda: not window.queue_dock.visibleRegion().isEmpty())
    assert letters.isEnabled() and letters.isChecked()
    window.queue_dock.close()
    assert not window.queue_dock.isVisible() and letters.isEnabled()
    letters.trigger()
    assert window.queue_dock.isVisible()
    window.form_dock.setFloating(True)
    fields.trigger()
    assert window.form_dock.isHidden() and not fields.isChecked()
    fields.trigger()
    assert window.form_dock.isVisible() and fields.isChecked()
    window.close()


def test_layouts_are_remembered_per_screen_size(
    qtbot, make_desk, db_path, settings, monkeypatch
) -> None:
    screen = {"size": QSize(1440, 900)}
    monkeypatch.setattr(main_window, "screen_size", lambda _widget: screen["size"])
    first = _open_at(qtbot, make_desk, db_path, settings, (1440, 900))
    first.queue_dock.hide()
    first.close()
    assert any(key.startswith("window/1440x900/") for key in settings.allKeys())
    screen["size"] = QSize(1024, 700)
    small = _open_at(qtbot, make_desk, db_path, settings, (1024, 700))
    assert not small.queue_dock.isHidden()  # this screen's defaults, not the other's layout
    small.close()
    screen["size"] = QSize(1440, 900)
    again = _open_at(qtbot, make_desk, db_path, settings, (1440, 900))
    assert again.queue_dock.isHidden()
    again.close()


def test_reset_layout_restores_the_default_sizes(qtbot, make_desk, db_path, settings) -> None:
    window = _open_at(qtbot, make_desk, db_path, settings, (1440, 900))
    window.resizeDocks([window.queue_dock], [600], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: _fit_width_zoom(window) < 0.95)
    window.queue_dock.setFloating(True)
    window.form_dock.close()
    window.action_set.reset_layout.trigger()
    assert not window.queue_dock.isFloating() and window.form_dock.isVisible()
    qtbot.waitUntil(lambda: _fit_width_zoom(window) >= 0.95)
    window.close()
