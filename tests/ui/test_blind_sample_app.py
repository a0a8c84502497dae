"""The blind sample in the app: a blind letter shows no value and no evidence; the reviewer
fills it from the page, and what they select is what is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import reopen
from PySide6.QtCore import QPointF, Qt

from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore


@pytest.fixture
def db_path(db_path: Path) -> Path:
    """The sample database with every letter in the blind sample, set before any is opened."""
    with LetterStore.open(db_path, reviewer="tester") as store:
        store.set_policy(ReviewPolicy(blind_share=1.0, leads=("tester",)))
    return db_path


def parser_read(db_path: Path, sha: str, name: str) -> tuple[int, list[float], str]:
    """Where the parser read a letter field and what (the reviewer's desk is never told)."""
    with reopen(db_path) as store:
        row = next(r for r in store.iter_letters() if r.sha256 == sha)
    found = next(p for p in row.parsed["provenance"] if p["field"] == f"letter.{name}")
    box = found["boxes"][0]
    return box["page"], box["rect"], row.full.fields[name].parsed


def test_a_blind_letter_shows_no_value_and_no_evidence(window, review) -> None:
    rows = window.form.all_rows()
    assert rows and all(window.form.value(path) == "" for path in rows)
    assert all(window.form.reason_text(path) == "" for path in rows)
    for path in ("letter.case_number", "letter.decision_date", "items.p1.decision"):
        window.form.focus_field(path)
        assert window.pdf_view.highlighted_rects() == []
    assert not any(review.session.boxes(path) for path in rows)


def test_the_reviewer_fills_a_blind_letter_from_the_page(qtbot, window, review, db_path) -> None:
    view, sha = window.pdf_view, review.session.sha256
    page, (x0, y0, x1, y1), truth = parser_read(db_path, sha, "case_number")
    window.form.focus_field("letter.case_number")
    start = view.mapFromScene(view.page_origin(page) + QPointF(x0 + 1, y0 + 2))
    end = view.mapFromScene(view.page_origin(page) + QPointF(x1 - 1, y1 - 2))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    window.action_set.fill_selection.trigger()
    assert window.form.value("letter.case_number") == truth
    assert window.form.value("letter.claim_number") == ""  # the rest stays blank
    assert window.form.reason_text("letter.case_number") == ""
    window.form.focus_field("letter.case_number")
    assert view.highlighted_rects()  # the reviewer's own selection is its evidence
    with reopen(db_path) as store:
        stored = next(r for r in store.iter_letters() if r.sha256 == sha)
    assert stored.review_info == {"blind": True}
    assert stored.full.fields["claim_number"].value is None
    assert stored.full.fields["case_number"].value == truth
    assert stored.full.fields["case_number"].set_by == "tester"


def test_the_policy_dialog_sets_the_blind_share_and_keeps_what_it_does_not_show(qtbot) -> None:
    from imr_desk.ui.policy_dialog import PolicyDialog

    policy = ReviewPolicy(blind_share=0.05, check_rate=0.02, seed=3, leads=("tester",))
    dialog = PolicyDialog(None, policy, "tester")
    qtbot.addWidget(dialog)
    assert dialog.blind_share.value() == 5.0
    dialog.blind_share.setValue(12.5)
    assert dialog.policy() == ReviewPolicy(
        blind_share=0.125, check_rate=0.02, seed=3, leads=("tester",)
    )
