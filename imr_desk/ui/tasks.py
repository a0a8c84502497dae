"""Long jobs (import, export) on a worker thread, reporting back through queued signals.

The work function gets a ``report(done, total, text)`` callback and a ``should_stop()`` poll,
both safe to call from the worker; the window keeps painting and the reviewer can cancel.
Following Anki's rule, the work never touches a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

Report = Callable[[int, int, str], None]
Work = Callable[[Report, Callable[[], bool]], Any]


class BackgroundTask(QObject):
    """Runs one work function once on its own thread."""

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="imr-desk-task", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next check (between files)."""
        self._stop.set()

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, seconds: float | None = None) -> bool:
        """Block until the work ends (closing the app); True when it has."""
        if self._thread is not None:
            self._thread.join(seconds)
        return not self.is_running()

    def _run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self._stop.is_set)
        except Exception as exc:  # the reviewer gets one message; the app keeps running
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished.emit(result)
