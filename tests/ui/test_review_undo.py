"""Undo in the review window gives back what the parser said, not only the value: its
confidence, its evidence boxes and the field's standing as not yet confirmed by a person."""

from __future__ import annotations

import pytest
from conftest import reopen

from imr_desk.domain import LOW_CONFIDENCE

pytestmark = pytest.mark.gui


def test_undo_of_an_edit_restores_confidence_boxes_and_review_need(window, db_path) -> None:
    review, form = window.review, window.form
    session = review.session
    path = "letter.diagnoses"  # the parser is unsure of it (below LOW_CONFIDENCE), boxes drawn
    before = dict(session.provenance(path))
    assert before["boxes"] and before["confidence"] < LOW_CONFIDENCE
    assert session.needs_review(path) and not session.is_human(path)
    form.focus_field(path)
    form.editor(path).widget.setPlainText("Typed by hand")
    assert review.commit_pending()
    assert session.is_human(path) and session.confidence(path) == 1.0
    window.action_set.undo.trigger()
    assert session.provenance(path) == before
    assert not session.is_human(path) and session.needs_review(path)
    assert form.editor(path).widget.property("human") is False
    form.focus_field("letter.case_number")
    seen = {review.next_review() for _ in range(40)}
    assert path in seen, "next field needing review skips the undone field"
    with reopen(db_path) as store:
        row = store.get(session.sha256)
    assert path not in row.human_fields
    assert next(p for p in row.current["provenance"] if p["field"] == path) == before


def test_undo_of_removing_an_item_restores_its_provenance(window, db_path) -> None:
    review = window.review
    session = review.session
    entries = [dict(p) for p in session.record["provenance"] if p["field"].startswith("items.0.")]
    assert any(p["boxes"] for p in entries) and any(p["confidence"] < 1 for p in entries)
    item = dict(session.record["items"][0])
    review.remove_item(0)
    window.action_set.undo.trigger()
    assert session.record["items"][0] == item
    assert [p for p in session.record["provenance"] if p["field"].startswith("items.0.")] == (
        entries
    )
    with reopen(db_path) as store:
        row = store.get(session.sha256)
    restored = [p for p in row.current["provenance"] if p["field"].startswith("items.0.")]
    assert restored == entries


def test_undo_of_removing_an_edited_item_keeps_its_human_marks(window) -> None:
    review, form = window.review, window.form
    session = review.session
    path = "items.0.treatment"
    form.focus_field(path)
    form.editor(path).widget.setPlainText("Edited treatment")
    assert review.commit_pending()
    review.remove_item(0)
    window.action_set.undo.trigger()
    assert session.is_human(path) and session.value(path) == "Edited treatment"
    window.action_set.undo.trigger()
    assert not session.is_human(path)


def test_letters_keep_their_session_up_to_a_limit_and_the_oldest_goes(window, monkeypatch) -> None:
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
    review, model = window.review, window.queue.model
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
