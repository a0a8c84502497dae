"""Desks on one team project see each other's work: another desk's verification shows in the
queue within about a second (LISTEN/NOTIFY), a letter open on another desk is read-only with a
banner saying whose desk, and an edit to a letter another desk took is refused, its typing
kept and shown unsaved, nothing written.

Each desk is the real app (``build_desk``) connected to the throwaway server as one of the
team's logins; the other desks are plain stores, or a second app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt

from imr_desk.storage import LetterStore
from imr_desk.storage.errors import ClaimLostError
from imr_desk.ui import dialogs
from imr_desk.ui.letter_queue import HOLDER_ROLE
from tests.conftest import TeamProject
from tests.ui.conftest import type_into
from tests.unit.fake_letters import fake_record

if TYPE_CHECKING:
    from collections.abc import Callable

    from imr_desk.app import Desk
    from imr_desk.ui.letter_queue import LetterQueueModel

pytestmark = [pytest.mark.postgres, pytest.mark.gui]

AGE = "letter.patient_age"
SOON_MS = 3000
"""Within this a desk shows what another did (it takes a fraction of a second)."""


def imported(project: TeamProject, count: int) -> list[str]:
    """``count`` letters on the team project (imported by the lead), in queue order."""
    with LetterStore.open(project.url("lee")) as store:
        for n in range(count):
            store.add_letter(fake_record(n + 1), source_path=f"/in/{n}.pdf", parser_version="1")
        return [row.sha256 for row in store.list_letters()]


def open_desk(
    make_desk: Callable[..., Desk], project: TeamProject, login: str, folder: Path
) -> Desk:
    """The app as ``login`` on the team project, shown, its first letter open."""
    settings = QSettings(str(folder / f"{login}.ini"), QSettings.Format.IniFormat)
    desk = make_desk(project.url(login), settings=settings, import_workers=0)
    desk.window.resize(1300, 850)
    desk.window.show()
    desk.review.open_first()
    return desk


@pytest.fixture(autouse=True)
def typing_left_is_dropped_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a desk with typing it could not store discards it without asking."""
    monkeypatch.setattr(dialogs, "confirm_discard_typing", lambda *_args: True)


def cell(model: LetterQueueModel, sha256: str, role: int) -> object:
    row = model.row_of(sha256)
    assert row is not None
    return model.data(model.index(row, 1, QModelIndex()), role)


def test_another_desks_verification_and_claims_show_in_the_queue_within_a_second(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path
) -> None:
    shas = imported(team_project, 3)
    alice = open_desk(make_desk, team_project, "alice", tmp_path)
    model = alice.window.queue.model
    assert alice.review.current_sha() == shas[0]
    assert "Verified 0 / 3" in alice.window.progress_label.text()
    with LetterStore.open(team_project.url("bob")) as bob:
        bob.set_status(shas[2], "verified")
        qtbot.waitUntil(
            lambda: cell(model, shas[2], Qt.ItemDataRole.DisplayRole) == "verified",
            timeout=SOON_MS,
        )
        qtbot.waitUntil(lambda: "Verified 1 / 3" in alice.window.progress_label.text())
        bob.claim(shas[1])
        qtbot.waitUntil(lambda: cell(model, shas[1], HOLDER_ROLE) == "bob", timeout=SOON_MS)
        tip = str(cell(model, shas[1], Qt.ItemDataRole.ToolTipRole))
        assert tip.startswith("Open on bob's desk until ")
        bob.release(shas[1])
        qtbot.waitUntil(lambda: cell(model, shas[1], HOLDER_ROLE) is None, timeout=SOON_MS)
    assert cell(model, shas[0], HOLDER_ROLE) is None, "alice's own letter is not shown held"


def test_a_letter_open_on_another_desk_is_read_only_and_an_edit_to_it_is_refused(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path
) -> None:
    shas = imported(team_project, 2)
    alice = open_desk(make_desk, team_project, "alice", tmp_path)
    assert alice.review.current_sha() == shas[0]
    bob = open_desk(make_desk, team_project, "bob", tmp_path)
    assert bob.review.current_sha() == shas[1], "bob's first letter skips the one alice has"
    form = bob.window.form
    assert bob.window.queue.select_letter(shas[0])
    qtbot.waitUntil(lambda: bob.review.current_sha() == shas[0])
    assert "Open on alice's desk until " in form.summary.text()
    assert "read-only" in form.summary.text()
    assert form.editor(AGE).widget.isReadOnly()
    assert not bob.window.action_set.verify_next.isEnabled()
    type_into(qtbot, bob.window, AGE, "77")
    assert form.value(AGE) == "48", "a read-only field takes no typing"

    assert not bob.review._on_form_field_committed(AGE, "77")  # an edit sent all the same
    message = bob.window.statusBar().currentMessage()
    assert "is open on alice's desk" in message and "not saved" in message
    with LetterStore.open(team_project.url("lee")) as lead:
        assert lead.get(shas[0]).letter.fields["patient_age"].value == 48
        assert all(entry.reviewer != "bob" for entry in lead.audit(shas[0]))


def test_an_edit_to_a_letter_another_desk_took_keeps_its_typing_unsaved(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path
) -> None:
    shas = imported(team_project, 1)
    with LetterStore.open(team_project.url("lee")) as lead:
        lead.set_claim_seconds(1)
    bob = open_desk(make_desk, team_project, "bob", tmp_path)
    assert bob.review.current_sha() == shas[0]
    form = bob.window.form
    widget = type_into(qtbot, bob.window, AGE, "77")
    qtbot.wait(2500)  # bob stops, his typing not yet committed: his claim runs out
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.claim(shas[0])
        qtbot.wait(400)  # the announcement arrives: bob's typing is left alone
        assert form.value(AGE) == "77"
        qtbot.keyClick(widget, Qt.Key.Key_Tab)

        assert form.value(AGE) == "77", "the typing stays"
        assert form.editor(AGE).is_dirty()
        assert form.issue_text(AGE).startswith("Not saved: ")
        message = bob.window.statusBar().currentMessage()
        assert "is open on alice's desk" in message and "your change was not saved" in message
        assert "Not saved: 1 field" in bob.review.team.state.text()
        assert "Open on alice's desk" in form.summary.text()
        assert alice.get(shas[0]).letter.fields["patient_age"].value == 48
        assert all(entry.reviewer != "bob" for entry in alice.audit(shas[0]))


def test_a_letter_let_go_on_another_desk_becomes_editable(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path
) -> None:
    shas = imported(team_project, 2)
    with LetterStore.open(team_project.url("alice")) as alice:
        alice.claim(shas[0])
        bob = open_desk(make_desk, team_project, "bob", tmp_path)
        assert bob.window.queue.select_letter(shas[0])
        qtbot.waitUntil(lambda: bob.review.current_sha() == shas[0])
        assert bob.window.form.editor(AGE).widget.isReadOnly()
        alice.release(shas[0])
        qtbot.waitUntil(
            lambda: not bob.window.form.editor(AGE).widget.isReadOnly(), timeout=SOON_MS
        )
    assert "Open on" not in bob.window.form.summary.text()
    assert bob.window.action_set.verify_next.isEnabled()
    with LetterStore.open(team_project.url("alice")) as alice:
        assert alice.live_claims()[shas[0]].reviewer == "bob", "bob's desk took it"


def test_moving_to_another_letter_gives_back_the_one_left(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path
) -> None:
    shas = imported(team_project, 3)
    bob = open_desk(make_desk, team_project, "bob", tmp_path)
    queue = bob.window.queue
    with (
        LetterStore.open(team_project.url("alice")) as alice,
        LetterStore.open(team_project.url("lee")) as lead,
    ):

        def held() -> dict[str, str]:
            return {sha: claim.reviewer for sha, claim in lead.live_claims().items()}

        alice.claim(shas[2])
        assert held() == {shas[0]: "bob", shas[2]: "alice"}
        queue.select_letter(shas[1])
        qtbot.waitUntil(lambda: bob.review.current_sha() == shas[1])
        assert held() == {shas[1]: "bob", shas[2]: "alice"}
        queue.select_letter(shas[2])  # alice's: read-only, and bob's letter is given back
        qtbot.waitUntil(lambda: bob.review.current_sha() == shas[2])
        assert bob.window.form.editor(AGE).widget.isReadOnly()
        assert held() == {shas[2]: "alice"}


def test_a_desk_on_a_sqlite_file_has_nothing_to_listen_to(tmp_path: Path) -> None:
    with LetterStore.open(tmp_path / "solo.db", reviewer="solo") as store:
        assert store.changed_letters() is None


def test_a_desk_at_work_keeps_its_letter_and_a_quiet_one_lets_it_go(
    team_project: TeamProject, make_desk, qtbot, tmp_path: Path
) -> None:
    (sha,) = imported(team_project, 1)
    with LetterStore.open(team_project.url("lee")) as lead:
        lead.set_claim_seconds(1)
    bob = open_desk(make_desk, team_project, "bob", tmp_path)
    assert bob.review.current_sha() == sha
    fields = ["letter.case_number", "letter.patient_age", "letter.patient_sex"]
    for step in range(12):  # bob goes from field to field for longer than the claim time
        bob.window.form.focus_field(fields[step % len(fields)])
        qtbot.wait(200)
    with LetterStore.open(team_project.url("alice")) as alice:
        with pytest.raises(ClaimLostError, match="open on bob's desk"):
            alice.claim(sha)
        qtbot.wait(2500)  # bob's desk is left alone
        alice.claim(sha)
