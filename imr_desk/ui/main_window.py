"""MainWindow: the layout only (queue dock, page view, form dock), menus, toolbars, status bar.

No behaviour lives here beyond view plumbing (zoom buttons, remembering the dock layout); the
controller connects the actions to the work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imr_desk import __version__, logs
from imr_desk.ui.actions import GROUPS, Actions
from imr_desk.ui.evidence_strip import EvidenceStrip, page_boxes
from imr_desk.ui.field_form import FieldForm
from imr_desk.ui.icons import icon
from imr_desk.ui.letter_queue import LetterQueueModel, LetterQueueView
from imr_desk.ui.page_renderer import PageRenderer
from imr_desk.ui.pdf_view import PAGE_GAP, PdfView
from imr_desk.ui.queue_strip import QueueFitter

APP_TITLE: Final = "IMR Desk"
SEPARATED: Final = ("adjudication_queue",)
"""Actions a menu sets apart with a separator above them (a lead's tools)."""
LAYOUT_VERSION: Final = 2
"""2: the page gets the room (layouts saved by 1 squeezed it, so they are not restored)."""
PAGE_POINTS: Final = 612 + 2 * PAGE_GAP
"""A US Letter page and its margins in the view: what fit-width fits."""
WIDE_ZOOM: Final = 0.97
"""Fit-width zoom the default layout leaves the page, when the queue fits beside it."""
LAST_LETTER_KEY: Final = "review/last_letter"
"""The sha256 of the letter open when the window closed: the next start returns to it."""
QUEUE_WIDTH: Final = 430
"""The queue's default width when the screen has room for every column."""
TOOLBAR: Final = (
    "open_folder", "export", None, "undo", "redo", None, "next_review", "fill_selection", None,
    "verify_next", "flag", "skip", None, "zoom_out", "zoom_in", "fit_width", "fit_page",
)  # fmt: skip


class MainWindow(QMainWindow):
    """Docks around the page view; restores the reviewer's layout from QSettings."""

    closing = Signal()

    def __init__(
        self, queue_model: LetterQueueModel, settings: QSettings, *, remember_layout: bool = True
    ) -> None:
        super().__init__()
        self.settings = settings
        self.remember_layout = remember_layout
        """False for start-and-quit runs (--smoke, --quit-after-ms): the layout is not saved."""
        self._may_close: Callable[[], bool] = lambda: True
        self.setWindowIcon(icon("app"))
        self.setObjectName("mainWindow")
        # Closing stops the window for good (its store is closed). Qt must then free it: its
        # controllers, Qt children of it, keep references to it, so dropping ours never would.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks)
        self.action_set = Actions(self)
        self.renderer = PageRenderer(self)
        self.pdf_view = PdfView(self.renderer)
        self.empty_page = QLabel()
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_page.setWordWrap(True)
        self.centre = QStackedWidget()
        self.centre.addWidget(self.pdf_view)
        self.centre.addWidget(self.empty_page)
        self.setCentralWidget(self.centre)
        self.queue = LetterQueueView(queue_model)
        self.form = FieldForm()
        self.evidence_strip = EvidenceStrip()
        self.queue_dock = self._dock(
            "Letters", "queueDock", self.queue, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.form_dock = self._dock(
            "Fields", "formDock", self._form_panel(), Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._queue_fitter = QueueFitter(self.queue)
        self._layout_restored = False
        self._defaults_applied = False
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_view()
        self.show_letter_title(None)
        self._restore_layout()

    # --- construction ----------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _form_panel(self) -> QWidget:
        """The form dock's contents: the focused field's evidence strip above the form."""
        panel = QWidget()
        panel.setObjectName("formPanel")
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.evidence_strip)
        box.addWidget(self.form, 1)
        return panel

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for group in GROUPS:
            menu = bar.addMenu(f"&{group}")
            menu.setObjectName(f"menu{group}")
            for action in self.action_set.in_group(group):
                if action.objectName() in SEPARATED:
                    menu.addSeparator()
                menu.addAction(action)
            if group == "View":
                menu.addSeparator()
                self.show_queue_action = self._dock_toggle(menu, self.queue_dock)
                self.show_form_action = self._dock_toggle(menu, self.form_dock)
                menu.aboutToShow.connect(self._sync_dock_toggles)

    def _dock_toggle(self, menu: QWidget, dock: QDockWidget) -> QAction:
        """View → Letters / Fields. Qt's own toggle action is disabled unless a dock has a
        close button and only flips visibility; this one also raises a dock that is behind a
        tab or floated, so the menu always brings a dock to the reviewer."""
        action = QAction(dock.windowTitle(), self)
        action.setObjectName(f"toggle_{dock.objectName()}")
        action.setCheckable(True)
        action.triggered.connect(lambda _checked: self.toggle_dock(dock))
        dock.visibilityChanged.connect(lambda _shown: self._sync_dock_toggles())
        menu.addAction(action)
        return action

    def toggle_dock(self, dock: QDockWidget) -> None:
        """Hide a dock in view; show one hidden, behind a tab, or floated, and raise it."""
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            dock.hide()
        else:
            dock.show()
            dock.raise_()
            if dock.isFloating():
                dock.activateWindow()
        self._sync_dock_toggles()

    def _sync_dock_toggles(self) -> None:
        for action, dock in (
            (self.show_queue_action, self.queue_dock),
            (self.show_form_action, self.form_dock),
        ):
            action.setChecked(dock.isVisible())

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for name in TOOLBAR:
            if name is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(getattr(self.action_set, name))
        verify = toolbar.widgetForAction(self.action_set.verify_next)
        if isinstance(verify, QToolButton):  # what a toolbar makes for an action
            verify.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.page_label = QLabel()
        self.page_label.setMinimumWidth(90)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(56)
        toolbar.addWidget(self.zoom_label)
        toolbar.addSeparator()
        toolbar.addWidget(self.page_label)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        self.progress_label = QLabel()
        self.pace_label = QLabel()
        self.reviewer_label = QLabel()
        status = self.statusBar()
        status.addPermanentWidget(self.reviewer_label)
        status.addPermanentWidget(self.pace_label)
        status.addPermanentWidget(self.progress_label)

    def _connect_view(self) -> None:
        actions, view = self.action_set, self.pdf_view
        actions.zoom_in.triggered.connect(view.zoom_in)
        actions.zoom_out.triggered.connect(view.zoom_out)
        actions.fit_width.triggered.connect(view.fit_width)
        actions.fit_page.triggered.connect(view.fit_page)
        actions.next_page.triggered.connect(lambda: view.go_to_page(view.current_page() + 1))
        actions.previous_page.triggered.connect(lambda: view.go_to_page(view.current_page() - 1))
        actions.focus_queue.triggered.connect(self._focus_queue)
        actions.find.triggered.connect(self._focus_search)
        actions.quit.triggered.connect(self.close)
        actions.reset_layout.triggered.connect(self.reset_layout)
        view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))
        view.page_changed.connect(self._on_view_page_changed)
        # Queued: the controller shows the focused field's evidence on the page first.
        queued = Qt.ConnectionType.QueuedConnection
        self.form.field_focused.connect(self.show_focused_evidence, queued)
        self.form.state_shown.connect(self.show_focused_evidence, queued)

    def show_focused_evidence(self, *_args: object) -> None:
        """Crop the evidence the page highlights for the focused field into the strip."""
        view = self.pdf_view
        origins = [
            (view.page_origin(i).x(), view.page_origin(i).y()) for i in range(view.page_count())
        ]
        boxes = page_boxes(view.highlighted_rects(), origins)
        self.evidence_strip.show_evidence(view.document_path(), boxes)

    def _focus_queue(self) -> None:
        self.queue_dock.show()
        self.queue.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _focus_search(self) -> None:
        self.queue_dock.show()
        self.queue.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.queue.search.selectAll()

    def _on_view_page_changed(self, index: int, count: int) -> None:
        self.page_label.setText(f"Page {index + 1} / {count}" if count else "")

    # --- shown state -----------------------------------------------------------------------

    def show_letter_title(self, letter: str | None) -> None:
        """Title: app name, then the open letter (edits are saved at once: no '*')."""
        self.setWindowTitle(f"{APP_TITLE} — {letter}" if letter else APP_TITLE)

    def show_page_message(self, text: str | None) -> None:
        """Replace the page view by a message (no letter open, or its PDF is missing)."""
        if text:
            self.empty_page.setText(text)
            self.centre.setCurrentWidget(self.empty_page)
        else:
            self.centre.setCurrentWidget(self.pdf_view)

    def show_progress(self, verified: int, total: int, today: int, pace: float | None) -> None:
        self.progress_label.setText(f"Verified {verified} / {total}")
        pace_text = f" · {pace:.0f}/h" if pace else ""
        self.pace_label.setText(f"Today {today}{pace_text}")

    def show_reviewer(self, reviewer: str) -> None:
        self.reviewer_label.setText(f"Reviewer: {reviewer}")

    def about_text(self) -> str:
        """Help → About: version, purpose, and where the log file is (to send with a report)."""
        return (
            f"{APP_TITLE} {__version__}\nVerify IMR determination letters into a gold dataset."
            f"\n\nLog file: {logs.log_path()}"
        )

    # --- layout memory ---------------------------------------------------------------------

    def _layout_key(self, name: str) -> str:
        """A settings key of this screen size: a layout made on a laptop does not follow the
        reviewer to a large monitor, nor back."""
        size = screen_size(self)
        return f"window/{size.width()}x{size.height()}/{name}"

    def _restore_layout(self) -> None:
        geometry = self.settings.value(self._layout_key("geometry"))
        state = self.settings.value(self._layout_key("state"))
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._default_geometry()
        if isinstance(state, QByteArray) and not state.isEmpty():
            self._layout_restored = self.restoreState(state, LAYOUT_VERSION)

    def showEvent(self, event: QShowEvent) -> None:
        """The first show without a saved layout sizes the docks for the window's width."""
        super().showEvent(event)
        if not self._layout_restored and not self._defaults_applied:
            self._defaults_applied = True
            self._default_dock_sizes()

    def _default_geometry(self) -> None:
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width, height = 1440, 900
        if available is not None:
            width = min(width, available.width())
            height = min(height, available.height())
        self.resize(width, height)

    def _default_dock_sizes(self) -> None:
        """The page first: fit-width at ``WIDE_ZOOM`` beside the form at its narrowest, the
        queue in what is left; with too little left for its narrow strip (a small screen) the
        queue becomes a tab behind the form."""
        form = self.form.minimumWidth() + 8
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        page = round(PAGE_POINTS * WIDE_ZOOM) + bar + 8
        queue = min(self.width() - form - page - 16, QUEUE_WIDTH)
        if queue >= self.queue.minimumWidth():
            self.resizeDocks(
                [self.queue_dock, self.form_dock], [queue, form], Qt.Orientation.Horizontal
            )
        else:
            self.tabifyDockWidget(self.form_dock, self.queue_dock)
            self.form_dock.raise_()
            self.resizeDocks([self.form_dock], [form], Qt.Orientation.Horizontal)

    def reset_layout(self) -> None:
        """View → Reset layout: both docks shown, docked in their default places and sizes."""
        for dock, area in (
            (self.queue_dock, Qt.DockWidgetArea.LeftDockWidgetArea),
            (self.form_dock, Qt.DockWidgetArea.RightDockWidgetArea),
        ):
            dock.setFloating(False)
            self.addDockWidget(area, dock)
            dock.show()
        self._default_dock_sizes()

    def save_layout(self) -> None:
        """Remember window geometry and dock layout for the next start."""
        if not self.remember_layout:
            return
        self.settings.setValue(self._layout_key("geometry"), self.saveGeometry())
        self.settings.setValue(self._layout_key("state"), self.saveState(LAYOUT_VERSION))
        if self.queue.open_sha:
            self.settings.setValue(LAST_LETTER_KEY, self.queue.open_sha)
        self.settings.sync()

    def resume_last_letter(self, opened: SignalInstance) -> None:
        """Return to the letter open when the app last closed: once the start-up opens its
        first letter (``opened`` fires), select the remembered one instead, if the queue still
        holds it. A letter deleted since is simply not restored."""
        last = self.settings.value(LAST_LETTER_KEY)
        if not isinstance(last, str) or not last:
            return

        def first_open(sha256: str) -> None:
            opened.disconnect(first_open)
            if sha256 != last:  # after this selection change is over, not inside it
                QTimer.singleShot(0, self.queue, lambda: self.queue.select_letter(last))

        opened.connect(first_open)

    def set_close_check(self, may_close: Callable[[], bool]) -> None:
        """Asked before the window closes; returning False keeps it open."""
        self._may_close = may_close

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close():
            event.ignore()
            return
        self.closing.emit()
        self.save_layout()
        self.renderer.wait_idle(2000)
        super().closeEvent(event)


def screen_size(widget: QWidget) -> QSize:
    """The available size of the screen the window is on (the primary one before it shows)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen else QSize(0, 0)
