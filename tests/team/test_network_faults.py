"""The team server stops mid-session and comes back: an edit is either written or shown
unsaved with its typing kept, never shown saved when it was not; the desk says the server
does not answer, reconnects by itself and writes the kept typing once the server answers.

The test server is really stopped (``pg_ctl stop``, every connection cut) and started again on
the same port. ``IMR_DESK_SERVER_WAIT`` makes an operation give up on a stopped server after a
second instead of five.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from imr_desk.edits import SetField
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore
from imr_desk.storage.errors import ServerUnavailableError
from imr_desk.storage.pg_engine import WAIT_ENV, Announcements
from tests.conftest import TeamProject
from tests.pg_server import PgServer
from tests.team.test_desk_live import AGE, imported, open_desk, typing_left_is_dropped_on_close
from tests.ui.conftest import type_into

pytestmark = pytest.mark.postgres

__all__ = ["typing_left_is_dropped_on_close"]  # the fixture applies here too
BACK_MS = 10000
"""Within this a desk has noticed the server is back and written what it kept."""


@pytest.fixture
def quick_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """An operation on a stopped server fails after a second."""
    monkeypatch.setenv(WAIT_ENV, "1")


@pytest.fixture
def outage(pg_server: PgServer) -> Iterator[PgServer]:
    """The test server, started again after the test whatever happens."""
    try:
        yield pg_server
    finally:
        pg_server.start()


def age(project: TeamProject, sha256: str) -> object:
    """The patient's age as stored, read through a fresh connection."""
    with LetterStore.open(project.url("lee")) as store:
        return store.get(sha256).letter.fields["patient_age"].value


@pytest.mark.usefixtures("quick_give_up")
def test_an_edit_while_the_server_is_down_is_refused_whole_and_the_next_one_reconnects(
    team_project: TeamProject, outage: PgServer
) -> None:
    (sha,) = imported(team_project, 1)
    with LetterStore.open(team_project.url("alice")) as store:
        store.apply(sha, SetField(FieldRef("patient_age"), 50))
        outage.stop()
        with pytest.raises(ServerUnavailableError, match="Nothing of this change was saved"):
            store.apply(sha, SetField(FieldRef("patient_age"), 77))
        outage.start()
        assert age(team_project, sha) == 50, "nothing of the refused edit was written"
        store.apply(sha, SetField(FieldRef("patient_age"), 61))  # the same store, reconnected
        assert age(team_project, sha) == 61
        assert [e.new for e in store.audit(sha) if e.field == AGE] == [50, 61]


@pytest.mark.usefixtures("quick_give_up")
def test_the_listener_hears_other_desks_and_comes_back_after_a_restart(
    team_project: TeamProject, outage: PgServer
) -> None:
    shas = imported(team_project, 2)
    with LetterStore.open(team_project.url("alice")) as alice:
        wait_for(lambda: heard(alice).resumed)  # listening from the first asking on
        with LetterStore.open(team_project.url("bob")) as bob:
            bob.set_status(shas[1], "verified")
        wait_for(lambda: shas[1] in heard(alice).letters)
        outage.stop()
        wait_for(lambda: not heard(alice).listening)
        outage.start()
        wait_for(lambda: heard(alice).resumed)  # what was said meanwhile is to be read again
        assert heard(alice).listening


def test_connections_the_server_cut_are_made_again(
    team_project: TeamProject, pg_server: PgServer
) -> None:
    (sha,) = imported(team_project, 1)
    with LetterStore.open(team_project.url("alice")) as alice:
        wait_for(lambda: heard(alice).resumed)
        cut = pg_server.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'"
        )
        assert len(cut) >= 2, "the pool's connection and the listener's"
        alice.apply(sha, SetField(FieldRef("patient_age"), 52))
        wait_for(lambda: heard(alice).resumed)
    assert age(team_project, sha) == 52


def heard(store: LetterStore) -> Announcements:
    """What the store's listener heard since it was last asked (each asking takes it)."""
    found = store.changed_letters()
    assert found is not None
    return found


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until ``condition`` holds (asked every 50 ms); fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "still not so after waiting"
        time.sleep(0.05)


@pytest.mark.gui
@pytest.mark.usefixtures("quick_give_up")
def test_typing_the_stopped_server_did_not_take_stays_unsaved_then_is_written(
    team_project: TeamProject, outage: PgServer, make_desk, qtbot, tmp_path: Path
) -> None:
    (sha,) = imported(team_project, 1)
    alice = open_desk(make_desk, team_project, "alice", tmp_path)
    window, form, state = alice.window, alice.window.form, alice.review.team.state
    assert alice.review.current_sha() == sha
    qtbot.waitUntil(lambda: alice.review.team.server_answers)
    outage.stop()
    qtbot.waitUntil(lambda: "Team server not answering" in state.text(), timeout=3000)
    widget = type_into(qtbot, window, AGE, "61")
    qtbot.keyClick(widget, Qt.Key.Key_Tab)  # leaves the field: the edit is sent

    assert form.value(AGE) == "61", "the typing stays in its field"
    assert form.editor(AGE).is_dirty()
    assert form.issue_text(AGE).startswith("Not saved: ")
    assert "does not answer" in window.statusBar().currentMessage()
    assert state.text().startswith("⚠ Not saved: 1 field")
    assert not alice.review.session.undo_stack, "nothing to undo: nothing was written"

    outage.start()
    qtbot.waitUntil(lambda: state.text() == "All changes saved", timeout=BACK_MS)
    assert age(team_project, sha) == 61
    assert not form.editor(AGE).is_dirty()
    assert not form.issue_text(AGE)
    assert alice.review.session.undo_stack, "written: it can be undone"
