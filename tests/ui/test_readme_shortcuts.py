"""README.md's keyboard table lists every action that has keys, with the keys Help → Keyboard
shortcuts (F1) shows: both read the one action table, so the README cannot drift from the keys."""

from __future__ import annotations

from typing import Final

import pytest
from PySide6.QtGui import QKeySequence

from imr_desk.ui.actions import shortcut_rows
from tests.readme_tables import table_under

pytestmark = pytest.mark.gui

HEADING: Final = "## Reviewing letters"


def as_shown(keys: str) -> str:
    """README keys as the F1 dialog prints them here (on macOS, Ctrl prints as ⌘)."""
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(QKeySequence(key).toString(native) for key in keys.split(", "))


def test_readme_keyboard_table_matches_the_actions_and_their_keys(qapp) -> None:
    rows = table_under(HEADING)
    commands = [cells[0] for cells in rows]
    assert len(commands) == len(set(commands)), f"a command has two rows: {sorted(commands)}"
    readme = {cells[0]: as_shown(cells[1]) for cells in rows}
    # An action without keys (About) has no place in a keyboard table.
    actions = {text: keys for _group, text, keys in shortcut_rows() if keys}
    assert readme == actions
