"""Every command of the app as a QAction: text, shortcut, icon and tip, and nothing else.

One table is the single source for menus, toolbars and Help → Keyboard shortcuts, so the
shortcut list can never drift from what the keys really do. Behaviour is connected elsewhere
(the controller and the main window).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from imr_desk.domain import CORRECTION_REASON_TEXT
from imr_desk.ui.icons import icon


class ActionSpec(NamedTuple):
    """How one action looks and which keys trigger it."""

    name: str
    text: str
    shortcuts: tuple[str, ...]
    icon: str | None
    tip: str
    group: str


REASON_ACTIONS: Final = (
    *(
        ActionSpec(
            f"reason_{name}",
            f"Reason: {label}",
            (f"Alt+{number}",),
            None,
            f"Why the focused field differs from the parser's value: {meaning}",
            "Edit",
        )
        for number, (name, (label, meaning)) in enumerate(CORRECTION_REASON_TEXT.items(), 1)
    ),
    ActionSpec("reason_none", "Reason: none", ("Alt+0",), None, "Take the reason away", "Edit"),
)
"""One key per correction reason, for the focused field a person changed (Alt+0: none)."""

ACTION_SPECS: Final[tuple[ActionSpec, ...]] = (
    ActionSpec(
        "open_folder",
        "&Import letters…",
        ("Ctrl+O",),
        "import",
        "Import a folder of letters",
        "File",
    ),
    ActionSpec(
        "export", "&Export dataset…", ("Ctrl+Shift+E",), "export", "Export verified letters", "File"
    ),
    ActionSpec("quit", "&Quit", ("Ctrl+Q",), "quit", "Close IMR Desk", "File"),
    ActionSpec("undo", "&Undo", ("Ctrl+Z",), "undo", "Undo the last edit of this letter", "Edit"),
    ActionSpec(
        "redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", "Redo the edit just undone", "Edit"
    ),
    ActionSpec(
        "next_review",
        "Next field to &review",
        ("F8",),
        "next-review",
        "Go to the next field that needs review",
        "Edit",
    ),
    ActionSpec(
        "previous_review",
        "Previous field to review",
        ("Shift+F8",),
        None,
        "Go back to the previous field that needs review",
        "Edit",
    ),
    ActionSpec(
        "fill_selection",
        "&Fill field from selection",
        ("Ctrl+E",),
        "fill-selection",
        "Put the text selected on the page into the focused field, with its boxes as evidence",
        "Edit",
    ),
    ActionSpec(
        "add_item", "&Add item", ("Ctrl+Shift+N",), "plus", "Add a disputed treatment", "Edit"
    ),
    ActionSpec(
        "find",
        "&Search case number",
        ("Ctrl+F",),
        "search",
        "Search the queue by case number",
        "Edit",
    ),
    *REASON_ACTIONS,
    ActionSpec(
        "verify_next",
        "&Verify && next",
        ("Ctrl+Return", "Ctrl+Enter"),
        "verify",
        "Check the rules, mark verified, open the next unverified letter",
        "Review",
    ),
    ActionSpec(
        "flag",
        "&Flag…",
        ("Ctrl+Shift+F",),
        "flag",
        "Flag this letter with a note and move on",
        "Review",
    ),
    ActionSpec(
        "skip", "&Skip", ("Ctrl+Shift+S",), "skip", "Skip this letter for now and move on", "Review"
    ),
    ActionSpec(
        "next_letter",
        "Next letter",
        ("Alt+Down",),
        "next-letter",
        "Open the next letter in the queue",
        "Review",
    ),
    ActionSpec(
        "previous_letter",
        "Previous letter",
        ("Alt+Up",),
        "previous-letter",
        "Open the previous letter in the queue",
        "Review",
    ),
    ActionSpec(
        "adjudication_queue",
        "&Adjudication queue…",
        (),
        None,
        "Settle the letters whose two reviews differ (leads)",
        "Review",
    ),
    ActionSpec(
        "review_policy",
        "Review &policy…",
        (),
        None,
        "Share of letters reviewed twice, blind second review, leads (leads only)",
        "Review",
    ),
    ActionSpec("zoom_in", "Zoom &in", ("Ctrl++", "Ctrl+="), "zoom-in", "Zoom in", "View"),
    ActionSpec("zoom_out", "Zoom &out", ("Ctrl+-",), "zoom-out", "Zoom out", "View"),
    ActionSpec(
        "fit_width",
        "Fit &width",
        ("Ctrl+1",),
        "fit-width",
        "Fit the page width to the window",
        "View",
    ),
    ActionSpec("fit_page", "Fit &page", ("Ctrl+2",), "fit-page", "Show a whole page", "View"),
    ActionSpec("next_page", "Next page", ("Ctrl+PgDown",), None, "Scroll to the next page", "View"),
    ActionSpec(
        "previous_page",
        "Previous page",
        ("Ctrl+PgUp",),
        None,
        "Scroll to the previous page",
        "View",
    ),
    ActionSpec(
        "focus_queue",
        "Go to &queue",
        ("Ctrl+L",),
        None,
        "Move the keyboard focus to the letter queue",
        "View",
    ),
    ActionSpec(
        "focus_form",
        "Go to f&orm",
        ("Ctrl+K",),
        None,
        "Move the keyboard focus to the first field",
        "View",
    ),
    ActionSpec(
        "reset_layout",
        "&Reset layout",
        ("Ctrl+Shift+L",),
        None,
        "Put the letter queue and the fields back in their default places and sizes",
        "View",
    ),
    ActionSpec(
        "shortcuts", "&Keyboard shortcuts", ("F1",), "keyboard", "List every shortcut", "Help"
    ),
    ActionSpec(
        "my_statistics",
        "My &statistics…",
        (),
        None,
        "Your letters, time per letter, seeded checks caught, agreement (a lead sees everyone's)",
        "Help",
    ),
    ActionSpec("about", "&About IMR Desk", (), "app", "Version and licence", "Help"),
)

GROUPS: Final = ("File", "Edit", "Review", "View", "Help")


class Actions:
    """The app's actions by name (``actions.verify_next``), parented to the main window."""

    def __init__(self, parent: QObject) -> None:
        self._actions: dict[str, QAction] = {}
        for spec in ACTION_SPECS:
            action = QAction(spec.text, parent)
            action.setObjectName(spec.name)
            action.setShortcuts([QKeySequence(k) for k in spec.shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if spec.icon:
                action.setIcon(icon(spec.icon))
            keys = ", ".join(spec.shortcuts)
            action.setToolTip(f"{spec.tip} ({keys})" if keys else spec.tip)
            action.setStatusTip(spec.tip)
            self._actions[spec.name] = action

    def __getattr__(self, name: str) -> QAction:
        try:
            return self.__dict__["_actions"][name]
        except KeyError:
            raise AttributeError(name) from None

    def all(self) -> list[QAction]:
        return list(self._actions.values())

    def in_group(self, group: str) -> list[QAction]:
        return [self._actions[s.name] for s in ACTION_SPECS if s.group == group]


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(group, action text, keys as the platform prints them) for the shortcut help."""
    rows = []
    for spec in ACTION_SPECS:
        keys = ", ".join(
            QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in spec.shortcuts
        )
        text = spec.text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip("…")
        rows.append((spec.group, text, keys))
    return rows
