"""End to end, double review: a lead sets the policy, two reviewers review the same letters
in the app and disagree on three things (a claim number, an item's decision, an added item),
the lead adjudicates, and the export and the agreement table are what a hand calculation says.

The letters (generated, seed 8): L = CM16-0932432, decisions upheld, upheld, overturned,
upheld (partially overturned), no claim number; M = CM15-0920253, five items overturned.
- ann: L's claim number to A-1; verifies L and M.
- bob: L's first item to overturned (still partially overturned), adds a fifth item
  (Acupuncture x6, upheld); verifies L and M.
M's reviews agree: gold. L's differ on exactly letter.claim_number, items.p1.decision and the
added item: the lead takes A, B, B.

Agreement by hand (two letters):
- letter.claim_number: 2 units, 1 agreed: 50 %.
- letter.outcome: 2 units, 2 agreed: 100 %; values partially, partially, overturned,
  overturned: n = 4, alpha = 1 - (n - 1) * 2 * 0 / (16 - (4 + 4)) = 1.
- items (the list): L has 4 items in both + 1 in bob's only, M 5 in both: 10 units, 9 agreed:
  90 %.
- items.decision: 9 units (4 + 5), 8 agreed: 88.9 %. Values over both reviews:
  upheld 3 (ann) + 2 (bob) = 5, overturned 6 + 7 = 13, n = 18, one disagreeing unit:
  alpha = 1 - (18 - 1) * 2 * 1 / (18**2 - (5**2 + 13**2)) = 1 - 34/130 = 48/65 = 0.738.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from imr_desk.agreement import agreement
from imr_desk.cli import main
from imr_desk.importer import import_paths
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore

pytestmark = pytest.mark.gui

L_CASE, M_CASE = "CM16-0932432", "CM15-0920253"


def _type(desk, path: str, value: str) -> None:
    """Type a value into a field's editor and leave it, as a reviewer does (leaving a text
    box is what stores it: here, the controller's commit of pending typing)."""
    form = desk.window.form
    form.focus_field(path)
    widget = form.editor(path).widget
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(widget.findData(value))
        widget.activated.emit(widget.currentIndex())
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
        assert desk.review.commit_pending()
    elif isinstance(widget, QLineEdit):
        widget.setText(value)
        widget.editingFinished.emit()


def _open(qtbot, desk, case: str) -> str:
    store = desk.review.store
    sha = next(row.sha256 for row in store.list_letters() if row.case_number == case)
    desk.window.queue.select_letter(sha)
    qtbot.waitUntil(lambda: desk.review.current_sha() == sha)
    return sha


def _verify(qtbot, desk) -> None:
    sha = desk.review.current_sha()
    desk.window.action_set.verify_next.trigger()
    qtbot.waitUntil(lambda: desk.review.store.get(sha).status == "verified")


def _ann_reviews(qtbot, ann) -> None:
    ann.window.show()
    _open(qtbot, ann, L_CASE)
    _type(ann, "letter.claim_number", "A-1")
    _verify(qtbot, ann)
    _open(qtbot, ann, M_CASE)
    _verify(qtbot, ann)
    ann.window.close()


def _bob_reviews(qtbot, bob) -> tuple[str, str]:
    """Bob's reviews; the sha256 of L and the id of the item he added."""
    bob.window.show()
    l_sha = _open(qtbot, bob, L_CASE)
    assert bob.window.form.value("letter.claim_number") != "A-1"  # blind to ann's review
    _type(bob, "items.p1.decision", "overturned")
    bob.window.action_set.add_item.trigger()
    added = bob.review.session.item_id(4)
    _type(bob, f"items.{added}.treatment", "Acupuncture x6")
    _type(bob, f"items.{added}.decision", "upheld")
    _verify(qtbot, bob)
    _open(qtbot, bob, M_CASE)
    _verify(qtbot, bob)
    bob.window.close()
    return l_sha, added


def test_two_reviewers_and_a_lead_make_gold_the_hand_calculation_confirms(
    qtbot, make_desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "letters.db")
    with LetterStore.open(db, reviewer="lea") as store:
        import_paths(store, generate_letters(tmp_path / "in", count=2, seed=8), workers=0)
    assert main(["policy", "--db", db, "--reviewer", "lea", "--double-share", "100"]) == 0
    assert main(["policy", "--db", db, "--reviewer", "lea", "--lead", "lea"]) == 0

    _ann_reviews(qtbot, make_desk(db, reviewer="ann", import_workers=0))
    l_sha, added = _bob_reviews(qtbot, make_desk(db, reviewer="bob", import_workers=0))

    with LetterStore.open(db, reviewer="lea") as lea:
        assert lea.adjudication_queue() == [l_sha]
        assert lea.pipeline() == {
            "awaiting_second_review": 0,
            "awaiting_adjudication": 1,
            "gold": 1,
        }
        lea.adjudicate(
            l_sha,
            {"letter.claim_number": "a", "items.p1.decision": "b", f"items.{added}": "b"},
        )
        rows = {
            row.field: row
            for row in agreement([(a.letter, b.letter) for _, a, b in lea.review_pairs()])
        }
    expected = {
        "letter.claim_number": (2, 1),
        "letter.outcome": (2, 2),
        "items": (10, 9),
        "items.decision": (9, 8),
    }
    assert {name: (rows[name].units, rows[name].agreed) for name in expected} == expected
    assert rows["letter.claim_number"].percent == pytest.approx(50.0)
    assert rows["items"].percent == pytest.approx(90.0)
    assert rows["items.decision"].alpha == pytest.approx(48 / 65)
    assert rows["letter.outcome"].alpha == pytest.approx(1.0)

    capsys.readouterr()
    assert main(["agreement", "--db", db]) == 0
    table = capsys.readouterr().out
    assert "items.decision" in table and "0.738" in table

    assert main(["export", "--db", db, "--out", str(tmp_path / "out")]) == 0
    lines = (tmp_path / "out" / "letters.jsonl").read_text().splitlines()
    records = {r["letter"]["case_number"]: r for r in map(json.loads, lines)}
    gold = records[L_CASE]
    assert gold["letter"]["claim_number"] == "A-1"
    decisions = [item["decision"] for item in gold["items"]]
    assert decisions == ["overturned", "upheld", "overturned", "upheld", "upheld"]
    assert gold["items"][4]["id"] == added and gold["items"][4]["treatment"] == "Acupuncture x6"
    assert {
        k: gold["review"][k] for k in ("mode", "reviewers", "adjudicator", "disagreements")
    } == {
        "mode": "adjudicated",
        "reviewers": ["ann", "bob"],
        "adjudicator": "lea",
        "disagreements": ["letter.claim_number", "items.0.decision", "items.4"],
    }
    assert records[M_CASE]["review"]["mode"] == "double"
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Agreement between reviewers" in card
