"""The letter queue: a lazy table model over the database plus its filter bar.

The model loads rows a page at a time (``canFetchMore``/``fetchMore``) through injected
``fetch``/``count`` callables, so a 100,000-letter database opens instantly and the widget never
imports storage. Rows are whatever the store returns (``LetterRow``-like objects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imr_desk.domain import LAYOUTS, OUTCOMES, STATUSES
from imr_desk.ui.icons import icon
from imr_desk.ui.queue_cells import Holder, confidence_colour, status_icon, tooltip

PAGE_SIZE: Final = 200
SEARCH_DELAY_MS: Final = 200
FOLLOW_PAGES: Final = 5
"""Pages loaded at most to find the open letter after a filter change: beyond them it is
left unselected rather than loading a very large queue on every keystroke."""
COLUMNS: Final = ("Case number", "Status", "Outcome", "Layout", "Conf.")
CONFIDENCE_COLUMN: Final = 4
HOLDER_ROLE: Final = Qt.ItemDataRole.UserRole + 1
"""The login of the desk that has a row's letter open (None when no other desk has)."""
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; the keyword names match ``LetterStore.list_letters``."""

    status: str | None = None
    outcome: str | None = None
    layout: str | None = None
    low_confidence: bool = False
    search: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)


Fetch = Callable[..., list[Any]]
Count = Callable[..., int]


def _column_widths(table: QTableView) -> list[int]:
    """Widths of the status, outcome, layout and confidence columns, sized once from the
    longest value each can show, so a row changing status never shifts the columns."""
    values = (
        [s.replace("_", " ") for s in STATUSES],
        [o.replace("_", " ") for o in OUTCOMES],
        list(LAYOUTS),
        ["100%"],
    )
    cells, heads = table.fontMetrics(), table.horizontalHeader().fontMetrics()
    widths = []
    for column, texts in enumerate(values, start=1):
        widest = max(cells.horizontalAdvance(text) for text in texts)
        widest += 20 if column == 1 else 0  # the status dot
        widths.append(max(widest, heads.horizontalAdvance(COLUMNS[column]) + 8) + 16)
    return widths


class LetterQueueModel(QAbstractTableModel):
    """Letters matching a filter, loaded lazily a page at a time."""

    def __init__(self, fetch: Fetch, count: Count, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch, self._count = fetch, count
        self._filter = QueueFilter()
        self._rows: list[Any] = []
        self._total = 0
        self._icons: dict[tuple[str, bool], QIcon] = {}
        self._holders: Mapping[str, Holder] = {}

    def set_filter(self, queue_filter: QueueFilter) -> None:
        """Show another selection of letters (reloads the first page)."""
        self._filter = queue_filter
        self.reload()

    def queue_filter(self) -> QueueFilter:
        return self._filter

    def reload(self) -> None:
        """Re-read the count and the first page (after an import, or a filter change)."""
        self.beginResetModel()
        self._total = self._count(**self._filter.as_kwargs())
        self._rows = self._fetch(**self._filter.as_kwargs(), offset=0, limit=PAGE_SIZE)
        self.endResetModel()

    def total(self) -> int:
        """How many letters match the filter (loaded or not)."""
        return self._total

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid():
            return
        more = self._fetch(**self._filter.as_kwargs(), offset=len(self._rows), limit=PAGE_SIZE)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        Role = Qt.ItemDataRole
        if role == Role.DisplayRole:
            return self._display(row, column)
        holder = self.holder(row)
        if role == Role.DecorationRole and column == 1:
            key = (row.status, holder is not None)
            return self._icons.setdefault(key, status_icon(row.status, held=key[1]))
        if role == Role.ForegroundRole and column == CONFIDENCE_COLUMN:
            return confidence_colour(row.min_confidence)
        if role == Role.TextAlignmentRole and column == CONFIDENCE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        extra: dict[int, str | None] = {
            Role.ToolTipRole: tooltip(row, holder),
            Role.UserRole: row.sha256,
            HOLDER_ROLE: holder.reviewer if holder is not None else None,
        }
        return extra.get(role)

    def holder(self, row: Any) -> Holder | None:
        """Another desk's claim on a listed letter; none on a letter under double review,
        which each of its reviewers works on at once."""
        if getattr(row, "stage", None) is not None:
            return None
        return self._holders.get(row.sha256)

    def set_holders(self, holders: Mapping[str, Holder]) -> None:
        """Which letters other desks have open now (by SHA-256): their rows show a padlock."""
        before, self._holders = self._holders, dict(holders)
        for sha in before.keys() | self._holders.keys():
            if before.get(sha) != self._holders.get(sha):
                self._row_changed(sha)

    def _display(self, row: Any, column: int) -> str:
        values = (
            row.case_number or "—",
            row.status.replace("_", " "),
            (row.outcome or "").replace("_", " "),
            row.layout,
            f"{row.min_confidence:.0%}",
        )
        return values[column]

    def sha_at(self, row: int) -> str | None:
        return self._rows[row].sha256 if 0 <= row < len(self._rows) else None

    def row_of(self, sha256: str) -> int | None:
        """Where a letter sits among the loaded rows (None when not loaded)."""
        return next((n for n, r in enumerate(self._rows) if r.sha256 == sha256), None)

    def update_row(self, updated: Any) -> None:
        """Show a letter's new state (after an edit or a status change) without a reload."""
        row = self.row_of(updated.sha256)
        if row is not None:
            self._rows[row] = updated
            self._row_changed(updated.sha256)

    def _row_changed(self, sha256: str) -> None:
        row = self.row_of(sha256)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))


class LetterQueueView(QWidget):
    """Filter bar over the queue table; reports which letter the reviewer picked."""

    letter_selected = Signal(str)

    def __init__(self, model: LetterQueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.open_sha: str | None = None
        """The letter open in the review (its row is selected whenever the filter shows it)."""
        self._following = False
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search case number…")
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.status = self._combo("Any status", STATUSES)
        self.outcome = self._combo("Any outcome", OUTCOMES)
        self.layout_filter = self._combo("Any layout", LAYOUTS)
        self.low_confidence = QCheckBox("Low confidence")
        self.table = self._make_table()
        filters = QHBoxLayout()
        filters.setSpacing(4)
        for widget in (self.status, self.outcome, self.layout_filter):
            filters.addWidget(widget, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.search)
        box.addLayout(filters)
        box.addWidget(self.low_confidence)
        box.addWidget(self.table, 1)
        # Never so narrow that a saved layout cuts the case number or a column.
        case_number = self.table.fontMetrics().horizontalAdvance("CM00-0000000") + 24
        self.setMinimumWidth(case_number + sum(_column_widths(self.table)) + 24)
        # Typing a case number re-queries after a short pause, not on every keystroke, so
        # the search stays responsive over a very large database.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_filters_changed)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (self.status, self.outcome, self.layout_filter):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.low_confidence.toggled.connect(self._on_filters_changed)
        self.search.returnPressed.connect(self.open_first_match)
        self.search.installEventFilter(self)
        model.modelReset.connect(self._follow_open_letter)

    def _combo(self, any_text: str, choices: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(any_text, None)
        for choice in choices:
            combo.addItem(choice.replace("_", " "), choice)
        return combo

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(20)
        for column, width in enumerate(_column_widths(table), start=1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            table.setColumnWidth(column, width)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        return table

    def current_filter(self) -> QueueFilter:
        return QueueFilter(
            status=self.status.currentData(),
            outcome=self.outcome.currentData(),
            layout=self.layout_filter.currentData(),
            low_confidence=self.low_confidence.isChecked(),
            search=self.search.text().strip() or None,
        )

    def _on_filters_changed(self, *_args: Any) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.current_filter())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box opens the first match, as Enter does."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.open_first_match()
            return True
        return False

    def open_first_match(self) -> None:
        """Apply the typed search now (not after the pause) and open its first letter; the
        keys then move through the matches in the table."""
        if self._search_timer.isActive():
            self._on_filters_changed()
        if self.model.rowCount() > 0:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def follow_letter(self, sha256: str) -> None:
        """The review opened a letter (from the queue or not): select its row."""
        self.open_sha = sha256
        self._follow_open_letter()

    def _follow_open_letter(self) -> None:
        """Select the open letter's row, or no row when the filter hides it: a selected row
        is always the letter on screen, never another one left over from an earlier list."""
        row = self._find_row(self.open_sha, FOLLOW_PAGES) if self.open_sha else None
        self._following = True
        try:
            if row is None:
                self.table.selectionModel().clear()
            elif self.table.currentIndex().row() != row:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
        finally:
            self._following = False

    def _find_row(self, sha256: str, max_pages: int | None = None) -> int | None:
        """The letter's row, loading further pages (at most ``max_pages``) to find it."""
        row, pages = self.model.row_of(sha256), 0
        while row is None and self.model.canFetchMore(QModelIndex()):
            if max_pages is not None and pages >= max_pages:
                return None
            self.model.fetchMore(QModelIndex())
            row, pages = self.model.row_of(sha256), pages + 1
        return row

    def set_status_filter(self, status: str | None) -> None:
        self.status.setCurrentIndex(max(self.status.findData(status), 0))

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        sha = self.model.sha_at(current.row()) if current.isValid() else None
        if sha and not self._following:
            self.letter_selected.emit(sha)

    def select_letter(self, sha256: str) -> bool:
        """Make a letter the current row (loading more rows if needed); emits letter_selected."""
        row = self._find_row(sha256)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def move_selection(self, step: int) -> None:
        """Select the next (+1) or previous (-1) letter in the queue."""
        current = self.table.currentIndex().row()
        target = min(max(current + step, 0), self.model.rowCount() - 1)
        if target >= 0 and target != current:
            self.table.selectRow(target)

    def replace_filter(self, **changes: Any) -> None:
        """Change some filter settings from code (e.g. 'show flagged')."""
        self.model.set_filter(replace(self.current_filter(), **changes))
