"""Import and export from the app, reusing the headless ``importer`` and ``export`` code.

Both run on a worker thread with their own ``LetterStore`` connection (SQLite connections
belong to the thread that opened them); the window keeps working, a progress dialog shows how
far it got, and Cancel stops an import between letters (what was imported stays imported).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, Signal

from imr_desk.export import ExportError, ExportSummary, export_dataset
from imr_desk.importer import ImportProgress, ImportSummary, import_paths
from imr_desk.storage import LetterStore
from imr_desk.ui import dialogs
from imr_desk.ui.controller import ReviewController
from imr_desk.ui.tasks import BackgroundTask, Report

LISTED_PROBLEMS: Final = 12

_log = logging.getLogger(__name__)


class BatchController(QObject):
    """Runs imports and exports for the window, one at a time."""

    import_finished = Signal(object)
    export_finished = Signal(object)

    def __init__(self, review: ReviewController, *, workers: int | None = None) -> None:
        super().__init__(review)
        self.review = review
        self.window = review.window
        self.workers = workers
        self.task: BackgroundTask | None = None
        self._dialog: dialogs.ProgressDialog | None = None
        self.window.action_set.open_folder.triggered.connect(self.ask_import)
        self.window.action_set.export.triggered.connect(self.ask_export)
        self.window.closing.connect(self._on_window_closing)

    def _store_target(self) -> str | Path:
        """What a worker opens the project with: the file, or the team server's connection
        string (each worker has a connection of its own)."""
        return self.review.store.target

    def _export_folder(self) -> Path:
        """The export dialog's first suggestion: ``export`` beside a project's file, or in
        the current folder for a project on a team server (which has no folder here)."""
        store = self.review.store
        return (store.path.parent if store.kind == "sqlite" else Path.cwd()) / "export"

    def _reviewer(self) -> str:
        return self.review.store.reviewer

    # --- import ----------------------------------------------------------------------------

    def ask_import(self) -> None:
        folder = dialogs.choose_folder(self.window, self.review.source_folder())
        if folder:
            self.start_import([folder])

    def start_import(self, paths: list[str]) -> BackgroundTask | None:
        """Import letters in the background; the queue reloads when it ends."""
        db, reviewer, workers = self._store_target(), self._reviewer(), self.workers

        def work(report: Report, should_stop: Callable[[], bool]) -> ImportSummary:
            def on_progress(progress: ImportProgress) -> None:
                name = Path(progress.last.path).name if progress.last else ""
                report(
                    progress.done, progress.total, f"{progress.done} of {progress.total}: {name}"
                )

            with LetterStore.open(db, reviewer=reviewer) as store:
                return import_paths(
                    store, paths, workers=workers, report=on_progress, should_stop=should_stop
                )

        return self._start("Importing letters", work, self._on_import_finished)

    def _on_import_finished(self, summary: ImportSummary) -> None:
        self.review.reload_queue()
        self.window.statusBar().showMessage("Import: " + import_counts(summary), 10000)
        problems = import_problems(summary)
        if problems is not None:
            dialogs.show_info(self.window, *problems)
        self.import_finished.emit(summary)

    # --- export ----------------------------------------------------------------------------

    def ask_export(self) -> None:
        choice = dialogs.ExportDialog.ask(self.window, str(self._export_folder()))
        if choice is not None:
            self.start_export(choice.folder, include_unverified=choice.include_unverified)

    def start_export(
        self, folder: Path, *, include_unverified: bool = False
    ) -> BackgroundTask | None:
        """Export the dataset in the background (atomic: a failed export replaces nothing).

        Not started (None) while typing in the form cannot be stored: its field says why."""
        if not self.review.commit_pending():
            return None
        db, reviewer = self._store_target(), self._reviewer()
        selection = "all" if include_unverified else "verified"

        def work(report: Report, _should_stop: Callable[[], bool]) -> ExportSummary:
            report(0, 1, f"Writing {folder}…")
            folder.mkdir(parents=True, exist_ok=True)
            with LetterStore.open(db, reviewer=reviewer) as store:
                return export_dataset(store, folder, selection=selection)

        return self._start("Exporting dataset", work, self._on_export_finished)

    def _on_export_finished(self, summary: ExportSummary) -> None:
        self.window.statusBar().showMessage(
            f"Exported {summary.letters} letters to {summary.out_dir}", 10000
        )
        self.export_finished.emit(summary)

    # --- running ---------------------------------------------------------------------------

    def _start(
        self, title: str, work: Callable[..., Any], done: Callable[[Any], None]
    ) -> BackgroundTask | None:
        if self.task is not None and self.task.is_running():
            dialogs.show_info(self.window, title, "Another import or export is still running.")
            return None
        task = BackgroundTask(_logged(title, work), self)
        dialog = dialogs.ProgressDialog(self.window, title)
        dialog.cancel_requested.connect(task.cancel)
        task.progressed.connect(dialog.set_progress)
        task.finished.connect(lambda result: self._end(dialog, done, result))
        task.failed.connect(lambda message: self._fail(dialog, title, message))
        self.task, self._dialog = task, dialog
        dialog.show()
        task.start()
        return task

    def _end(
        self, dialog: dialogs.ProgressDialog, done: Callable[[Any], None], result: Any
    ) -> None:
        dialog.hide()
        dialog.deleteLater()
        done(result)

    def _fail(self, dialog: dialogs.ProgressDialog, title: str, message: str) -> None:
        dialog.hide()
        dialog.deleteLater()
        hint = " (any earlier export in that folder is intact)" if "xport" in title else ""
        dialogs.show_error(self.window, f"{title} failed", message + hint)
        self.import_finished.emit(None) if "mport" in title else self.export_finished.emit(None)

    def _on_window_closing(self) -> None:
        if self.task is not None and self.task.is_running():
            self.task.cancel()
            self.task.wait(30)


def _logged(title: str, work: Callable[..., Any]) -> Callable[..., Any]:
    """``work`` that logs its exception with the traceback before it ends the task (the
    reviewer's message only names the exception)."""

    def run(report: Report, should_stop: Callable[[], bool]) -> Any:
        try:
            return work(report, should_stop)
        except Exception:
            _log.exception("%s failed", title)
            raise

    return run


def import_counts(summary: ImportSummary) -> str:
    """The status bar's account of an import: what came in, what did not."""
    parts = [f"{summary.imported} imported"]
    if summary.parser_errors:
        parts.append(f"{len(summary.parser_errors)} with parser errors (fill in by hand)")
    if summary.duplicates:
        parts.append(f"{len(summary.duplicates)} already there")
    if summary.failed:
        parts.append(f"{len(summary.failed)} could not be read")
    if summary.cancelled:
        parts.append("cancelled")
    return ", ".join(parts)


def import_problems(summary: ImportSummary) -> tuple[str, str] | None:
    """Title and text of the message listing files not imported and letters the parser
    failed on (stored, but with their values to fill in); None when there are none."""
    lines = [f"{Path(f.path).name}: {f.reason}" for f in summary.failed]
    lines += [
        f"{Path(f.path).name}: stored for review, but {f.parse_error}"
        for f in summary.parser_errors
    ]
    if not lines:
        return None
    title = "Some files were not imported" if summary.failed else "Some letters need filling in"
    more = len(lines) - LISTED_PROBLEMS
    return title, "\n".join(lines[:LISTED_PROBLEMS]) + (f"\n… and {more} more" if more > 0 else "")


__all__ = ["BatchController", "ExportError"]
