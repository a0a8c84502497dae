"""Killing the app (SIGKILL) right after an edit loses nothing: each edit is committed at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from imr_desk.importer import import_paths
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore

pytestmark = [pytest.mark.gui, pytest.mark.slow]

APP_SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QSettings
    from imr_desk.app import build_desk, make_application

    app = make_application()
    settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
    desk = build_desk(sys.argv[1], settings=settings, reviewer="killed")
    desk.window.show()
    desk.review.open_first()
    form = desk.window.form
    form.focus_field("letter.claim_number")
    editor = form.editor("letter.claim_number")
    editor.widget.setText("SURVIVES-KILL")
    editor.widget.editingFinished.emit()
    print("EDITED", desk.review.session.sha256, flush=True)
    app.exec()
    """
)


def test_sigkill_right_after_an_edit_keeps_the_edit(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    generate_letters(letters, count=1, seed=3)
    db = tmp_path / "review.db"
    with LetterStore.open(db) as store:
        import_paths(store, [letters], workers=0)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-c", APP_SCRIPT, str(db), str(tmp_path / "s.ini")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline().split()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert line[:1] == ["EDITED"], "the app did not reach the edit"
    assert process.returncode == -signal.SIGKILL
    with LetterStore.open(db) as store:
        row = store.get(line[1])
        assert row.full.fields["claim_number"].value == "SURVIVES-KILL"
        assert any(e.new == "SURVIVES-KILL" for e in store.audit(line[1]))
