"""The app's look: Fusion style, a palette that follows the system's light/dark scheme, and
the few style rules that colour fields by confidence, human edits and issues.

Colours are chosen per scheme so tinted fields stay readable in both; the rules key on dynamic
properties (``confidence``, ``human``, ``invalid``) that the editors set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from imr_desk.ui import icons


@dataclass(frozen=True)
class Scheme:
    """Colours of one scheme."""

    dark: bool
    low: str
    medium: str
    human: str
    invalid: str
    issue_text: str
    ok_text: str
    section: str
    warning_text: str
    focus: str = "#1a73e8"
    """The frame of the multi-line field with the cursor (its caret alone is easy to lose)."""


LIGHT: Final = Scheme(
    False, "#fde3e1", "#fff3cd", "#2f6fdf", "#d93025", "#b3261e", "#1e7b34", "#5f6368", "#8a5300"
)
DARK: Final = Scheme(
    True,
    "#5c2b29",
    "#574a1e",
    "#7aa7ff",
    "#f28b82",
    "#f28b82",
    "#81c995",
    "#aab0b6",
    "#fdd663",
    focus="#8ab4f8",
)


def is_dark() -> bool:
    """Whether the system asks for a dark scheme (Qt 6.5+ reports it; unknown means light)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication) -> None:
    """Style the whole app for the current scheme and follow later scheme changes."""
    app.setStyle("Fusion")
    _apply(app)
    hints = QGuiApplication.styleHints()
    if not getattr(app, "_imr_theme_connected", False):
        hints.colorSchemeChanged.connect(lambda _scheme: _apply(app))
        app._imr_theme_connected = True  # type: ignore[attr-defined]


def _apply(app: QApplication) -> None:
    scheme = DARK if is_dark() else LIGHT
    app.setPalette(_dark_palette() if scheme.dark else app.style().standardPalette())
    app.setStyleSheet(style_sheet(scheme))
    icons.clear_cache()


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Highlight: "#3d6fd8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2d2f33",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#8a8f96",
        QPalette.ColorRole.Link: "#8ab4f8",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b6f75"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6b6f75"))
    return palette


def style_sheet(scheme: Scheme) -> str:
    """The style rules for field marks, issues and section headers."""
    editors = ("QLineEdit", "QPlainTextEdit", "QComboBox")
    rules = []
    for editor in editors:
        rules += [
            f'{editor}[confidence="low"] {{ background: {scheme.low}; }}',
            f'{editor}[confidence="medium"] {{ background: {scheme.medium}; }}',
            f'{editor}[human="true"] {{ border: 1px solid {scheme.human};'
            f" border-left: 4px solid {scheme.human}; padding-left: 2px; }}",
            f'{editor}[invalid="true"] {{ border: 1px solid {scheme.invalid};'
            f" border-left: 4px solid {scheme.invalid}; }}",
        ]
    rules += [
        f"QPlainTextEdit:focus {{ border: 2px solid {scheme.focus}; }}",
        f'QPlainTextEdit[invalid="true"]:focus {{ border: 2px solid {scheme.focus};'
        f" border-left: 4px solid {scheme.invalid}; }}",
        f"QLabel#issue {{ color: {scheme.issue_text}; font-size: 9pt; }}",
        f"QLabel#evidence {{ color: {scheme.warning_text}; font-size: 9pt; }}",
        f"QLabel#section {{ color: {scheme.section}; font-weight: 600; font-size: 10pt;"
        " padding-top: 8px; }",
        f"QLabel#summary {{ color: {scheme.issue_text}; font-weight: 600; padding: 4px 0; }}",
        f'QLabel#summary[clean="true"] {{ color: {scheme.ok_text}; }}',
        "QGroupBox { font-weight: 600; margin-top: 14px; padding-top: 6px; }",
        "QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }",
        "QStatusBar QLabel { padding: 0 8px; }",
    ]
    return "\n".join(rules)


def legend_colours() -> dict[str, str]:
    """Colours used for the form legend (low, medium confidence; human edit)."""
    scheme = DARK if is_dark() else LIGHT
    return {"low": scheme.low, "medium": scheme.medium, "human": scheme.human}
