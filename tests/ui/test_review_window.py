"""The main window driven as a reviewer would: every edit saved and audited at once, undo and
redo, evidence both ways, validation gating Verify, and the move to the next letter."""

from __future__ import annotations

import pytest
from conftest import reopen
from PySide6.QtCore import QPoint, Qt

from imr_desk.domain import FIELDS_BY_NAME, LETTER_FIELDS, split_entries, split_list
from imr_desk.ui import dialogs

pytestmark = pytest.mark.gui


def _commit(window, path: str, text: str) -> None:
    """Type into a field's editor and leave it, as a reviewer does."""
    form = window.form
    form.focus_field(path)
    editor = form.editor(path)
    widget = editor.widget
    if hasattr(widget, "setPlainText"):
        widget.setPlainText(text)
    else:
        widget.setText(text)
    editor._commit_if_changed() if hasattr(
        widget, "setPlainText"
    ) else widget.editingFinished.emit()


def test_window_title_names_the_open_letter(window, review) -> None:
    session = review.session
    assert window.windowTitle().startswith("IMR Desk")
    assert session.value("letter.case_number") in window.windowTitle()
    assert not window.isWindowModified()


def test_editing_a_field_writes_the_database_and_the_audit_log(window, review, db_path) -> None:
    sha = review.session.sha256
    _commit(window, "letter.claim_number", "WC-555")
    with reopen(db_path) as store:
        row = store.get(sha)
        assert row.full.fields["claim_number"].value == "WC-555"
        assert row.full.fields["claim_number"].set_by == "tester"
        entries = [e for e in store.audit(sha) if e.field == "letter.claim_number"]
    assert entries[-1].new == "WC-555" and entries[-1].reviewer == "tester"
    assert window.form.editor("letter.claim_number").widget.property("human") is True


def test_a_typed_date_is_stored_in_iso_form(window, review, db_path) -> None:
    sha = review.session.sha256
    _commit(window, "letter.injury_date", "3/4/15")
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["injury_date"].value == "2015-03-04"
    assert window.form.value("letter.injury_date") == "2015-03-04"


def test_a_value_that_is_not_a_date_is_refused_inline(window, review, db_path) -> None:
    sha = review.session.sha256
    before = review.session.value("letter.injury_date")
    _commit(window, "letter.injury_date", "13/45/2016")
    assert "not a date" in window.form.issue_text("letter.injury_date")
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["injury_date"].value == before


def test_undo_and_redo_write_back_through_the_store(window, review, db_path) -> None:
    sha = review.session.sha256
    original = review.session.value("letter.claim_number")
    _commit(window, "letter.claim_number", "FIRST")
    _commit(window, "letter.claim_number", "SECOND")
    window.action_set.undo.trigger()
    assert window.form.value("letter.claim_number") == "FIRST"
    window.action_set.undo.trigger()
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["claim_number"].value == original
    window.action_set.redo.trigger()
    with reopen(db_path) as store:
        assert store.get(sha).full.fields["claim_number"].value == "FIRST"
        audited = [e.new for e in store.audit(sha) if e.field == "letter.claim_number"]
    assert audited == ["FIRST", "SECOND", "FIRST", original, "FIRST"]
    assert window.action_set.redo.isEnabled()


def test_undo_history_is_kept_per_letter(window, review) -> None:
    first = review.session.sha256
    _commit(window, "letter.claim_number", "ON-FIRST")
    window.queue.move_selection(1)
    assert review.session.sha256 != first
    assert not window.action_set.undo.isEnabled()
    window.queue.select_letter(first)
    assert window.action_set.undo.isEnabled()
    window.action_set.undo.trigger()
    assert window.form.value("letter.claim_number") != "ON-FIRST"


def test_items_can_be_added_moved_and_removed(window, review, db_path) -> None:
    session = review.session
    count = session.item_count()
    window.action_set.add_item.trigger()
    assert session.item_count() == count + 1
    added = session.item_id(count)
    _commit(window, f"items.{added}.treatment", "Added MRI")
    review.move_item(added, 0)
    assert session.item_id(0) == added
    assert window.form.value(f"items.{added}.treatment") == "Added MRI"
    assert list(window.form.all_rows())[len(LETTER_FIELDS)] == f"items.{added}.treatment"
    review.remove_item(added)
    with reopen(db_path) as store:
        items = store.get(session.sha256).full.items
    assert len(items) == count and added not in [item.id for item in items]


def test_focusing_a_field_highlights_its_evidence_on_the_page(window, review) -> None:
    view, session = window.pdf_view, review.session
    window.form.focus_field("letter.case_number")
    rects = view.highlighted_rects()
    box = session.boxes("letter.case_number")[0]
    assert rects, "no highlight drawn"
    assert abs(rects[0].left() - box["rect"][0]) < 1
    assert view.mapToScene(view.viewport().rect()).boundingRect().intersects(rects[0])
    window.form.focus_field("items.p1.decision")
    assert view.highlighted_rects() and view.highlighted_rects()[0] != rects[0]


def test_clicking_a_highlighted_value_focuses_its_field(qtbot, window) -> None:
    view = window.pdf_view
    window.form.focus_field("letter.claim_number")
    rect = view.evidence_rect("letter.decision_date")
    assert rect is not None
    view.ensureVisible(rect)
    point = view.mapFromScene(rect.center())
    with qtbot.waitSignal(window.form.field_focused) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == ["letter.decision_date"]


def test_selecting_page_text_fills_the_focused_field(qtbot, window, review, db_path) -> None:
    view, session = window.pdf_view, review.session
    box = session.boxes("letter.case_number")[0]
    page = box["page"]
    window.form.focus_field("letter.claim_number")
    x0, y0, x1, y1 = box["rect"]
    start = view.mapFromScene(view.page_origin(page) + _pt(x0 + 1, y0 + 2))
    end = view.mapFromScene(view.page_origin(page) + _pt(x1 - 1, y1 - 2))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert view.selection().text == session.value("letter.case_number")
    window.action_set.fill_selection.trigger()
    assert window.form.value("letter.claim_number") == session.value("letter.case_number")
    with reopen(db_path) as store:
        row = store.get(session.sha256)
    boxes = row.full.fields["claim_number"].boxes
    assert boxes and boxes[0].page == page
    window.form.focus_field("letter.claim_number")
    assert view.highlighted_rects()


def test_filling_diagnoses_from_the_page_splits_entries_not_commas(window, review) -> None:
    view, session = window.pdf_view, review.session
    box = session.boxes("letter.diagnoses")[0]  # a printed line of the list, with commas
    window.form.focus_field("letter.diagnoses")
    selection = view.select_rect(box["page"], tuple(box["rect"]))
    assert "," in selection.text and ";" not in selection.text
    window.action_set.fill_selection.trigger()
    filled = session.value("letter.diagnoses")
    assert list(filled) == split_entries(FIELDS_BY_NAME["diagnoses"], selection.text)
    assert len(filled) == 1 and "," in filled[0]  # commas stay inside the entry
    assert split_list(selection.text) != list(filled)  # as another list field would split


def _pt(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_validation_blocks_verify_and_points_at_the_field(window, review, db_path) -> None:
    sha = review.session.sha256
    _commit(window, "letter.case_number", "")
    assert review.verify_and_next() is False
    assert review.session.sha256 == sha
    assert window.form.focused_path() == "letter.case_number"
    assert "required" in window.form.issue_text("letter.case_number")
    with reopen(db_path) as store:
        assert store.get(sha).status != "verified"


def test_verify_and_next_marks_verified_and_opens_the_next_letter(window, review, db_path) -> None:
    sha = review.session.sha256
    window.action_set.verify_next.trigger()
    assert review.session.sha256 != sha
    with reopen(db_path) as store:
        assert store.get(sha).status == "verified"
        assert store.get(sha).verified_at
    assert "Verified 1 / 4" in window.progress_label.text()


def test_flag_stores_the_note_and_moves_on(window, review, db_path, monkeypatch) -> None:
    monkeypatch.setattr(
        dialogs.FlagDialog, "ask", classmethod(lambda cls, p, note="": "Page 2 missing")
    )
    sha = review.session.sha256
    window.action_set.flag.trigger()
    with reopen(db_path) as store:
        row = store.get(sha)
    assert (row.status, row.note) == ("flagged", "Page 2 missing")
    assert review.session.sha256 != sha


def test_skip_moves_on_without_verifying(window, review, db_path) -> None:
    sha = review.session.sha256
    window.action_set.skip.trigger()
    with reopen(db_path) as store:
        assert store.get(sha).status == "skipped"
    assert review.session.sha256 != sha


def test_next_review_key_goes_to_a_field_that_needs_review(window, review) -> None:
    _commit(window, "letter.case_number", "")
    window.form.focus_field("letter.outcome")
    window.action_set.next_review.trigger()
    path = window.form.focused_path()
    assert path is not None and review.session.needs_review(
        path, {i.path for i in review.session.issues()}
    )


def test_shortcut_help_lists_every_action(qtbot, window) -> None:
    dialog = dialogs.ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.keys_for("Verify & next") == "Ctrl+Return, Ctrl+Enter"
    assert dialog.keys_for("Undo") == "Ctrl+Z"
    assert dialog.table.rowCount() == len(window.action_set.all())


def test_zoom_and_fit_change_the_page_scale(window) -> None:
    view = window.pdf_view
    window.action_set.fit_width.trigger()
    fitted = view.zoom()
    window.action_set.zoom_in.trigger()
    assert view.zoom() == pytest.approx(fitted * 1.25)
    window.action_set.fit_page.trigger()
    assert view.zoom() < fitted
    assert window.zoom_label.text().endswith("%")


def test_dock_layout_is_remembered(make_desk, db_path, settings) -> None:
    first = make_desk(db_path, settings=settings, reviewer="tester").window
    first.show()
    first.queue_dock.hide()
    first.close()
    second = make_desk(db_path, settings=settings, reviewer="tester").window
    second.show()
    assert second.queue_dock.isHidden()
    second.close()


def test_click_outside_evidence_clears_selection(qtbot, window) -> None:
    view = window.pdf_view
    view.select_rect(0, (0, 0, 600, 200))
    assert not view.selection().empty
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert view.selection().empty


def test_a_saved_layout_cannot_squeeze_the_form_or_the_queue(
    qtbot, make_desk, db_path, settings
) -> None:
    first = make_desk(db_path, settings=settings, reviewer="tester").window
    first.resize(1300, 850)
    first.show()
    qtbot.wait(50)  # the default layout in place first
    for widget in (first.form, first.queue):  # as an older version could save it
        widget.setMinimumWidth(0)
    first.resizeDocks([first.queue_dock, first.form_dock], [40, 90], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: first.form_dock.width() < 200)
    first.close()
    second = make_desk(db_path, settings=settings, reviewer="tester").window
    second.show()
    form = second.form
    label = form.fontMetrics().horizontalAdvance("Application received *")
    assert form.minimumWidth() >= label + 160
    qtbot.waitUntil(lambda: form.width() >= form.minimumWidth())
    case_number = second.queue.table.fontMetrics().horizontalAdvance("CM00-0000000")
    assert second.queue.width() >= second.queue.minimumWidth() > case_number + 24
    second.close()


def test_reset_layout_brings_back_both_docks(qtbot, window) -> None:
    window.queue_dock.hide()
    window.form_dock.setFloating(True)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    for dock in (window.queue_dock, window.form_dock):
        assert dock.isVisible() and not dock.isFloating()
    assert window.dockWidgetArea(window.form_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    dialog = dialogs.ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.keys_for("Reset layout") == "Ctrl+Shift+L"


def test_a_start_and_quit_run_leaves_the_saved_layout_alone(make_desk, db_path, settings) -> None:
    main = make_desk(db_path, settings=settings, reviewer="t", remember_layout=False).window
    main.show()
    main.close()
    assert settings.allKeys() == []


def test_queue_columns_keep_their_widths_when_a_status_changes(qtbot, window, review) -> None:
    table = window.queue.table
    window.resizeDocks([window.queue_dock], [600], Qt.Orientation.Horizontal)  # every column
    qtbot.waitUntil(lambda: not table.isColumnHidden(3))
    widths = [table.columnWidth(column) for column in range(1, 5)]
    metrics = table.fontMetrics()
    assert widths[0] > metrics.horizontalAdvance("in progress") + 12  # with its dot
    assert widths[1] > metrics.horizontalAdvance("partially overturned")
    sha = review.session.sha256
    _commit(window, "letter.claim_number", "WC-WIDTH")
    assert review.session.status == "in_progress"
    row = window.queue.model.row_of(sha)
    qtbot.waitUntil(lambda: "in progress" in window.queue.model.index(row, 1).data())
    assert [table.columnWidth(column) for column in range(1, 5)] == widths


def test_an_edit_updates_the_queue_from_the_row_it_wrote_without_reading_it_back(
    window, review, monkeypatch
) -> None:
    store = review.store
    monkeypatch.setattr(store, "get", lambda sha: pytest.fail(f"letter {sha} read back"))
    _commit(window, "letter.case_number", "CM16-0000999")
    model = window.queue.model
    row = model.row_of(review.session.sha256)
    assert model.data(model.index(row, 0)) == "CM16-0000999"
    assert model.data(model.index(row, 1)) == "in progress"


def test_undoing_an_item_removal_brings_back_the_same_parser_item(window, review, db_path) -> None:
    sha = review.session.sha256
    _commit(window, "items.p1.treatment", "Edited before removal")  # no longer matches the parser
    review.remove_item("p1")
    window.action_set.undo.trigger()
    with reopen(db_path) as store:
        item = store.get(sha).full.items[0]
    assert (item.id, item.value("treatment")) == ("p1", "Edited before removal")
    assert item["treatment"].parsed != "Edited before removal"  # the parser's value is kept


def test_a_letter_the_parser_failed_on_says_so_in_the_form_banner(qtbot, window, review) -> None:
    from imr_desk.domain import empty_record

    record = empty_record(file_name="broken.pdf", sha256="f" * 64, pages=1)
    record["source"]["parse_error"] = "the parser failed (ValueError: no header)"
    review.store.add_letter(record, source_path="/nowhere/broken.pdf", parser_version="1")
    review.reload_queue(select="f" * 64)
    qtbot.waitUntil(lambda: review.current_sha() == "f" * 64)
    banner = window.form.summary.text()
    assert "the parser failed (ValueError: no header)" in banner
    assert "issue" in banner  # its required fields are empty: Verify is blocked
    assert window.form.summary.property("clean") is False
