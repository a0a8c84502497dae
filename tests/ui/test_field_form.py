"""The field form: built from the field specs, mirrors state, reports commits and focus."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, empty_item, empty_record
from imr_desk.record import FieldRef, FieldValue, Letter
from imr_desk.ui.field_form import FieldForm, FormState

pytestmark = pytest.mark.gui

WIDGET_FOR_KIND = {
    "str": QLineEdit,
    "date": QLineEdit,
    "int": QLineEdit,
    "enum": QComboBox,
    "text": QPlainTextEdit,
    "list": QPlainTextEdit,
}


def _state(items: int = 2, **letter) -> FormState:
    record = empty_record(file_name="a.pdf", sha256="abc", pages=1)
    record["letter"].update(case_number="CM16-0213037", outcome="upheld", **letter)
    record["items"] = [
        dict(empty_item(), treatment=f"T{n}", decision="upheld") for n in range(items)
    ]
    letter = Letter.from_parsed(record)
    for name, value in (
        ("case_number", FieldValue("CM16-0213037", "CM16-0213037", 1.0)),
        ("injury_date", FieldValue(letter.fields["injury_date"].value, None, 0.3)),
        ("claim_number", FieldValue("WC-1", None, 1.0, (), "ann")),
    ):
        letter = letter.with_field(FieldRef(name), value)
    return FormState(record=letter, issues={"items.p2.treatment": ["Treatment is required"]})


@pytest.fixture
def form(qtbot) -> FieldForm:
    widget = FieldForm()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_form_has_an_editor_of_the_right_kind_for_every_field(form: FieldForm) -> None:
    form.set_state(_state(items=2))
    for spec in LETTER_FIELDS:
        assert isinstance(form.editor(spec.path()).widget, WIDGET_FOR_KIND[spec.kind])
    for index in range(2):
        for spec in ITEM_FIELDS:
            editor = form.editor(f"items.p{index + 1}.{spec.name}")
            assert isinstance(editor.widget, WIDGET_FOR_KIND[spec.kind])
    assert len(form.all_rows()) == len(LETTER_FIELDS) + 2 * len(ITEM_FIELDS)


def test_set_state_shows_values_without_reporting_commits(qtbot, form: FieldForm) -> None:
    with qtbot.assertNotEmitted(form.field_committed):
        form.set_state(_state(injury_date="2016-10-13", diagnoses=["Back pain", "PTSD"]))
    assert form.value("letter.case_number") == "CM16-0213037"
    assert form.value("letter.diagnoses") == "Back pain\nPTSD"
    assert form.value("letter.outcome") == "upheld"


def test_a_finished_line_edit_reports_one_commit(qtbot, form: FieldForm) -> None:
    form.set_state(_state())
    line = form.editor("letter.claim_number").widget
    line.setText("ABC-1")
    with qtbot.waitSignal(form.field_committed) as blocker:
        line.editingFinished.emit()
    assert blocker.args == ["letter.claim_number", "ABC-1"]


def test_a_list_editor_commits_its_lines_as_a_list(qtbot, form: FieldForm) -> None:
    form.set_state(_state())
    editor = form.editor("letter.diagnoses")
    editor.widget.setPlainText("Back pain\n\n PTSD ")
    with qtbot.waitSignal(form.field_committed) as blocker:
        form.focus_field("letter.diagnoses")
        form.focus_field("letter.case_number")
        editor._commit_if_changed()
    assert blocker.args == ["letter.diagnoses", ["Back pain", "PTSD"]]


def test_choosing_an_enum_reports_its_value(qtbot, form: FieldForm) -> None:
    form.set_state(_state())
    combo = form.editor("letter.priority").widget
    combo.setCurrentIndex(combo.findData("expedited"))
    with qtbot.waitSignal(form.field_committed) as blocker:
        combo.activated.emit(combo.currentIndex())
    assert blocker.args == ["letter.priority", "expedited"]


def test_date_editor_rejects_letters_as_they_are_typed(qtbot, form: FieldForm) -> None:
    form.set_state(_state())
    line = form.editor("letter.injury_date").widget
    qtbot.keyClicks(line, "10/1x3/2016")
    assert line.text() == "10/13/2016"


def test_fields_are_marked_by_confidence_human_edits_and_issues(form: FieldForm) -> None:
    form.set_state(_state(injury_date="2016-10-13", claim_number="X"))
    assert form.editor("letter.injury_date").widget.property("confidence") == "low"
    assert form.editor("letter.case_number").widget.property("confidence") == "high"
    assert form.editor("letter.claim_number").widget.property("human") is True
    assert form.editor("items.p2.treatment").widget.property("invalid") is True
    assert form.issue_text("items.p2.treatment") == "Treatment is required"


def test_item_groups_follow_the_items_by_id(form: FieldForm) -> None:
    state = _state(items=3)
    letter = state.record
    moved = letter.with_items((letter.items[2], letter.items[0], letter.items[1]))
    form.set_state(FormState(record=moved))
    # The first group now shows p3: its editors carry p3's paths and values.
    assert form.value("items.p3.treatment") == "T2"
    assert form.editor("items.p3.treatment") is form.all_rows()["items.p3.treatment"].editor
    assert form.value("items.p1.treatment") == "T0"
    assert [path for path in form.all_rows() if path.endswith(".treatment")] == [
        "items.p3.treatment",
        "items.p1.treatment",
        "items.p2.treatment",
    ]


def test_item_groups_follow_the_item_count(form: FieldForm) -> None:
    form.set_state(_state(items=3))
    assert form.editor("items.p3.decision") is not None
    form.set_state(_state(items=1))
    assert form.editor("items.p2.decision") is None
    assert form.items_title.text() == "Items (1)"


def test_item_buttons_report_intents(qtbot, form: FieldForm) -> None:
    form.set_state(_state(items=2))
    with qtbot.waitSignal(form.move_item_requested) as moved:
        _button(form, "arrow-down:0").click()
    assert moved.args == ["p1", 1]
    with qtbot.waitSignal(form.remove_item_requested) as removed:
        _button(form, "trash:1").click()
    assert removed.args == ["p2"]
    with qtbot.waitSignal(form.add_item_requested):
        form.add_item_button.click()


def _button(form: FieldForm, name: str):
    from PySide6.QtWidgets import QToolButton

    return form.findChild(QToolButton, name)


def test_focus_field_reports_the_focused_path(qtbot, form: FieldForm) -> None:
    form.set_state(_state())
    with qtbot.waitSignal(form.field_focused) as blocker:
        assert form.focus_field("items.p2.rationale")
    assert blocker.args == ["items.p2.rationale"]
    assert form.focused_path() == "items.p2.rationale"
