"""Pages are rendered in a helper process, so that rendering runs beside the UI thread.

PyMuPDF keeps Python's lock for the whole of a render (5-10 ms a page), so a render on a
thread of the app stalls every Python call of the UI thread meanwhile: opening a letter, its
form filling and painting would wait for its pages. The helper renders on another core while
the thread that asked waits on a pipe, without the lock.

One helper serves the whole app (the windows' renderers take turns). It keeps the last letter
open, so the next pages of a letter are rendered without loading its fonts again; it runs under
the importer's memory limit, and when it dies (a damaged PDF can crash MuPDF) the page it was
rendering is reported as failed and the next page starts a fresh one. This module imports no
Qt: the helper process loads only the PDF reader.
"""

from __future__ import annotations

import atexit
import multiprocessing
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Final

from imr_desk.importer_pool import DEFAULT_MEMORY_LIMIT, limit_memory
from imr_desk.pdf_source import Clip, PdfDocument, PdfError, RenderedPage

RENDER_SECONDS: Final = 60.0
"""A page not rendered by then is reported as failed (and its helper replaced)."""
STOPPED: Final = "the page renderer stopped while rendering it (damaged PDF?)"


def failure_reason(exc: Exception) -> str:
    """Why a page could not be rendered, in words for the page itself."""
    if isinstance(exc, PdfError):
        return exc.reason
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class RenderProcess:
    """The app's end of the helper: starts it, sends it one page at a time, restarts it.
    ``serve_pages`` is the helper's main function (tests give one that crashes or hangs)."""

    def __init__(self, serve_pages: Callable[[Connection, int], None] | None = None) -> None:
        self._serve = serve_pages or serve
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def start(self) -> None:
        """Start the helper now (as the window is built), so its imports are done by the
        time the first letter asks for a page."""
        with self._lock:
            self._connection()

    def render(self, path: str, page: int, zoom: float, clip: Clip | None = None) -> RenderedPage:
        """Pixels of one page (or its ``clip`` rectangle, points) at ``zoom`` times 72 dpi;
        PdfError says why not."""
        with self._lock:
            conn = self._connection()
            try:
                conn.send((path, page, zoom, clip))
                if not conn.poll(RENDER_SECONDS):
                    self._stop()
                    raise PdfError(path, f"not rendered after {RENDER_SECONDS:g} s")
                kind, answer = conn.recv()
                if kind == "failed":
                    raise PdfError(path, answer)
                width, height, stride = answer
                return RenderedPage(conn.recv_bytes(), width, height, stride, zoom)
            except (EOFError, OSError):
                self._stop()
                raise PdfError(path, STOPPED) from None

    def pid(self) -> int | None:
        """The helper's process id, None when none runs (the benchmark reads its memory)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def close(self) -> None:
        """End the helper (the app is exiting); a later page would start a new one. A page
        still rendering after 2 s is not waited for."""
        if self._lock.acquire(timeout=2):
            try:
                self._stop()
            finally:
                self._lock.release()
        elif self._process is not None:
            self._process.kill()

    def _connection(self) -> Connection:
        if self._conn is None or self._process is None or not self._process.is_alive():
            self._stop()
            context = multiprocessing.get_context("spawn")  # no fork of a process running Qt
            ours, theirs = context.Pipe()
            self._process = context.Process(
                target=self._serve,
                args=(theirs, DEFAULT_MEMORY_LIMIT),
                name="imr-desk-render",
                daemon=True,
            )
            self._process.start()
            theirs.close()  # so that the helper's death reads as the end of the pipe here
            self._conn = ours
        return self._conn

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()  # an idle helper reads the end of the pipe and exits
            self._conn = None
        process, self._process = self._process, None
        if process is not None and process.pid is not None:  # None: it never started
            if process.is_alive():
                process.kill()  # a busy one would finish its page first
            process.join(2)


_shared: RenderProcess | None = None
_shared_lock = threading.Lock()


def shared() -> RenderProcess:
    """The app's one helper (created on first use, ended when the app exits)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RenderProcess()
            atexit.register(_shared.close)
        return _shared


# --- in the helper process -------------------------------------------------------------------


def serve(conn: Connection, memory_limit: int) -> None:
    """The helper's life: render each page asked for until the app closes the pipe (or is
    gone: nobody is left to read the answer). The last letter stays open for its next page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the app, which ends us
    limit_memory(memory_limit)
    document: PdfDocument | None = None
    try:
        while True:
            path, page, zoom, clip = conn.recv()
            if document is None or document.path != path:
                if document is not None:
                    document.close()
                document = _open(conn, path)
            if document is not None:
                serve_one(conn, document, page, zoom, clip)
    except (EOFError, OSError):
        return


def _open(conn: Connection, path: str) -> PdfDocument | None:
    """The letter, or None once the app is told why it cannot be opened."""
    try:
        return PdfDocument(path)
    except Exception as exc:
        conn.send(("failed", failure_reason(exc)))
        return None


def serve_one(
    conn: Connection, document: PdfDocument, page: int, zoom: float, clip: Clip | None = None
) -> None:
    """Render one page (or a clip of it) and send its pixels, or why they cannot be had."""
    try:
        rendered = document.render(page, zoom, clip)
    except Exception as exc:  # the page fails, the helper goes on
        conn.send(("failed", failure_reason(exc)))
        return
    conn.send(("page", (rendered.width, rendered.height, rendered.stride)))
    conn.send_bytes(rendered.samples)
