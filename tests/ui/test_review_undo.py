"""Undo in the review window gives back what the parser said, not only the value: its
confidence, its evidence boxes and the field's standing as not yet confirmed by a person."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import reopen
from PySide6.QtWidgets import QLineEdit

from imr_desk.domain import LOW_CONFIDENCE
from imr_desk.edits import RestoreField
from imr_desk.record import FieldRef

pytestmark = pytest.mark.gui


def _unsure_field(review) -> tuple[str, str]:
    """A sample letter (not the open one) and a field of it the parser read with evidence,
    made unsure: stored with a confidence below LOW_CONFIDENCE, as a doubtful parse leaves it
    (the calibrated parser is sure of every value of the sample letters)."""
    row = next(r for r in review.store.list_letters(full=True) if r.sha256 != review.current_sha())
    letter = row.full
    ref = next(ref for ref in letter.refs() if letter.field(ref).boxes)
    unsure = replace(letter.field(ref), confidence=LOW_CONFIDENCE / 2)
    review.store.apply(row.sha256, RestoreField(ref, unsure))
    return row.sha256, str(ref)


def test_undo_of_an_edit_restores_confidence_boxes_and_review_need(
    qtbot, window, review, db_path
) -> None:
    form = window.form
    sha, path = _unsure_field(review)
    window.queue.select_letter(sha)
    qtbot.waitUntil(lambda: review.current_sha() == sha)
    session = review.session
    before = session.field(path)
    assert session.needs_review(path) and not session.is_human(path)
    form.focus_field(path)
    widget = form.editor(path).widget
    typed = "2001-02-03" if FieldRef.parse(path).spec.kind == "date" else "Typed by hand"
    (widget.setText if isinstance(widget, QLineEdit) else widget.setPlainText)(typed)
    assert review.commit_pending()
    assert session.is_human(path) and session.confidence(path) == 1.0
    window.action_set.undo.trigger()
    assert session.field(path) == before
    assert not session.is_human(path) and session.needs_review(path)
    assert form.editor(path).widget.property("human") is False
    form.focus_field("letter.case_number")
    seen = {review.next_review() for _ in range(40)}
    assert path in seen, "next field needing review skips the undone field"
    with reopen(db_path) as store:
        assert store.get(sha).full.field(FieldRef.parse(path)) == before


def test_undo_of_removing_an_item_restores_it_whole(window, review, db_path) -> None:
    session = review.session
    item = session.letter.items[0]
    assert any(v.boxes for v in item.fields.values())
    assert not any(v.is_human for v in item.fields.values())  # the parser's, to come back
    review.remove_item(item.id)
    assert item.id not in [i.id for i in session.letter.items]
    window.action_set.undo.trigger()
    assert session.letter.items[0] == item  # same id, values, parser values, evidence, marks
    with reopen(db_path) as store:
        assert store.get(session.sha256).full.items[0] == item


def test_undo_of_removing_an_edited_item_keeps_its_human_marks(window, review) -> None:
    form = window.form
    session = review.session
    path = "items.p1.treatment"
    form.focus_field(path)
    form.editor(path).widget.setPlainText("Edited treatment")
    assert review.commit_pending()
    review.remove_item("p1")
    window.action_set.undo.trigger()
    assert session.is_human(path) and session.value(path) == "Edited treatment"
    window.action_set.undo.trigger()
    assert not session.is_human(path)


def test_letters_keep_their_session_up_to_a_limit_and_the_oldest_goes(
    window, review, monkeypatch
) -> None:
    from imr_desk.ui import controller
    from imr_desk.ui.controller import ReviewSession

    built: list[str] = []
    real = ReviewSession.from_row.__func__
    monkeypatch.setattr(
        ReviewSession,
        "from_row",
        classmethod(lambda cls, row: built.append(row.sha256) or real(cls, row)),
    )
    monkeypatch.setattr(controller, "SESSIONS_KEPT", 2)
    model = window.queue.model
    shas = [model.sha_at(n) for n in range(model.rowCount())]
    first = review.session.sha256
    window.form.focus_field("letter.claim_number")
    review._on_form_field_committed("letter.claim_number", "KEPT-1")
    review.open_letter(shas[1])
    review.open_letter(first)
    assert built == [shas[1]], "a letter opened again reuses its session"
    assert review.session.undo_stack, "with its undo history"
    others = [sha for sha in shas if sha != first][1:3]
    for sha in others:
        review.open_letter(sha)
    assert len(review._sessions) == 2 and review.current_sha() in review._sessions
    review.open_letter(first)
    assert built[-1] == first and not review.session.undo_stack


def test_undo_of_a_field_another_desk_changed_since_is_refused_and_dropped(
    window, review, db_path, monkeypatch
) -> None:
    from imr_desk.edits import SetField
    from imr_desk.ui import dialogs

    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, _title, text: shown.append(text))
    session = review.session
    for path, text in (("letter.claim_number", "MINE-1"), ("letter.patient_age", "61")):
        window.form.focus_field(path)
        window.form.editor(path).widget.setText(text)
        assert review.commit_pending()
    review.store.release(session.sha256)  # this desk's claim ran out: another desk took it
    with reopen(db_path) as other:  # another desk changes the age after this desk did
        other.apply(session.sha256, SetField(FieldRef("patient_age"), 70))
    window.action_set.undo.trigger()
    assert shown and "changed by checker since" in shown[0]
    assert session.value("letter.patient_age") == 70  # theirs, not overwritten
    assert window.form.value("letter.patient_age") == "70"
    window.action_set.undo.trigger()  # the refused undo is gone: the one before it runs
    assert session.value("letter.claim_number") != "MINE-1"
    assert len(shown) == 1
