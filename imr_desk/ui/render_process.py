"""Pages are rendered in a helper process, so that rendering runs beside the UI thread.

PyMuPDF keeps Python's lock for the whole of a render (5-10 ms a page), so a render on a
thread of the app stalls every Python call of the UI thread meanwhile: opening a letter, its
form filling and painting would wait for its pages. The helper renders on another core while
the thread that asked waits on a socket, without the lock.

One helper serves the whole app (the windows' renderers take turns). It keeps the last letter
open, so the next pages of a letter are rendered without loading its fonts again; it runs under
the importer's memory limit, and when it dies (a damaged PDF can crash MuPDF) the page it was
rendering is reported as failed and the next page starts a fresh one. This module imports no
Qt: the helper process loads only the PDF reader.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import socket
import struct
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
ANSWER: Final = struct.Struct("<?IIIQ")
"""An answer's head: rendered (else failed), width, height, stride, then the size of what
follows (the pixels, or why they cannot be had in UTF-8)."""


def failure_reason(exc: Exception) -> str:
    """Why a page could not be rendered, in words for the page itself."""
    if isinstance(exc, PdfError):
        return exc.reason
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Link:
    """A connection to or from the helper. Requests cross it pickled; an answer crosses as
    bytes read in two calls (head, then pixels) that leave Python's lock free until all have
    arrived: ``recv`` reads in pieces of 64 KB and takes the lock back after each, and each
    time waits for it while the UI thread runs Python (a page took 30 ms to cross, not 1).
    On Windows, where ``Pipe`` is no socket, the answer goes through the connection itself."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        try:
            self._socket: socket.socket | None = socket.socket(fileno=os.dup(conn.fileno()))
        except OSError:
            self._socket = None

    def answer(
        self, dimensions: tuple[int, int, int], pixels: bytes | bytearray, failed: str = ""
    ) -> None:
        """Send one page's pixels (``failed``: why there are none)."""
        body = failed.encode() if failed else pixels
        head = ANSWER.pack(not failed, *dimensions, len(body))
        if self._socket is None:
            self.conn.send_bytes(head + body)
        else:
            self._socket.sendall(head)
            self._socket.sendall(body)

    def receive(self, path: str, seconds: float) -> tuple[int, int, int, bytearray]:
        """The next answer: width, height, stride and pixels; PdfError when it is a failure
        or none came within ``seconds`` (TimeoutError)."""
        if self._socket is None:
            if not self.conn.poll(seconds):
                raise TimeoutError
            data = bytearray(self.conn.recv_bytes())
            head, body = data[: ANSWER.size], data[ANSWER.size :]
        else:
            self._socket.settimeout(seconds)
            head = self._read(ANSWER.size)
            self._socket.settimeout(None)
            body = self._read(ANSWER.unpack(head)[4])
        rendered, width, height, stride, _size = ANSWER.unpack(head)
        if not rendered:
            raise PdfError(path, body.decode())
        return width, height, stride, body

    def _read(self, size: int) -> bytearray:
        assert self._socket is not None
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            count = self._socket.recv_into(view[got:], size - got, socket.MSG_WAITALL)
            if count == 0:
                raise EOFError("the helper closed its end")
            got += count
        return data

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self.conn.close()


Request = tuple[str, int, float, Clip | None]
"""A page asked of the helper: the PDF's path, the page's index, the zoom, the clip."""


class RenderProcess:
    """The app's end of the helper: starts it, sends it one page at a time, restarts it.
    ``serve_pages`` is the helper's main function (tests give one that crashes or hangs).

    One request is with the helper at a time; ``_busy`` says one is, and ``_ahead`` which,
    while it was sent ahead (``send_ahead``) and nobody has come to read its answer yet."""

    def __init__(self, serve_pages: Callable[[Connection, int], None] | None = None) -> None:
        self._serve = serve_pages or serve
        self._turn = threading.Condition()
        self._busy = False
        self._ahead: Request | None = None
        self._process: BaseProcess | None = None
        self._link: Link | None = None

    def start(self) -> None:
        """Start the helper now (as the window is built), so its imports are done by the
        time the first letter asks for a page."""
        with self._turn:
            if not self._busy:
                self._connection()

    def send_ahead(self, path: str, page: int, zoom: float) -> bool:
        """Send a page's request now, when the helper is idle (the UI thread does, opening a
        letter): it starts rendering at once instead of once the thread that will read the
        answer gets Python's lock, which the UI thread filling the form held for up to 20 ms.
        ``render`` for the same page then only reads the answer. False: nothing was sent."""
        with self._turn:
            if self._busy:
                return False
            try:
                self._connection().conn.send((path, page, zoom, None))
            except OSError:
                self._stop()
                return False
            self._busy, self._ahead = True, (path, page, zoom, None)
            return True

    def render(self, path: str, page: int, zoom: float, clip: Clip | None = None) -> RenderedPage:
        """Pixels of one page (or its ``clip`` rectangle, points) at ``zoom`` times 72 dpi;
        PdfError says why not. A request sent ahead for another page (no longer asked for)
        is answered first and its answer dropped."""
        request = (path, page, zoom, clip)
        with self._turn:
            while self._busy and self._ahead is None:  # another thread reads an answer
                self._turn.wait()
            sent, dropped = self._ahead == request, self._busy and self._ahead != request
            link = self._link if self._busy else self._connection()
            self._busy, self._ahead = True, None
        try:
            return self._exchange(link, request, sent=sent, dropped=dropped)
        finally:
            with self._turn:
                self._busy = False
                self._turn.notify_all()

    def _exchange(
        self, link: Link | None, request: Request, *, sent: bool, dropped: bool
    ) -> RenderedPage:
        path, _page, zoom, _clip = request
        try:
            if link is None:
                raise EOFError("the helper is gone")
            if dropped:
                with contextlib.suppress(PdfError):
                    link.receive(path, RENDER_SECONDS)
            if not sent:
                link.conn.send(request)
            width, height, stride, pixels = link.receive(path, RENDER_SECONDS)
        except TimeoutError:
            self._stop()
            raise PdfError(path, f"not rendered after {RENDER_SECONDS:g} s") from None
        except (EOFError, OSError):
            self._stop()
            raise PdfError(path, STOPPED) from None
        return RenderedPage(pixels, width, height, stride, zoom)

    def pid(self) -> int | None:
        """The helper's process id, None when none runs (the benchmark reads its memory)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def close(self) -> None:
        """End the helper (the app is exiting); a later page would start a new one."""
        if self._turn.acquire(timeout=2):
            try:
                self._stop()
            finally:
                self._turn.release()
        elif self._process is not None:
            self._process.kill()

    def _connection(self) -> Link:
        if self._link is None or self._process is None or not self._process.is_alive():
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
            self._link = Link(ours)
        return self._link

    def _stop(self) -> None:
        if self._link is not None:
            self._link.close()  # an idle helper reads the end of the pipe and exits
            self._link = None
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
    link = Link(conn)
    try:
        while True:
            path, page, zoom, clip = conn.recv()
            if document is None or document.path != path:
                if document is not None:
                    document.close()
                document = _open(link, path)
            if document is not None:
                serve_one(link, document, page, zoom, clip)
    except (EOFError, OSError):
        return


def _open(link: Link, path: str) -> PdfDocument | None:
    """The letter, or None once the app is told why it cannot be opened."""
    try:
        return PdfDocument(path)
    except Exception as exc:
        link.answer((0, 0, 0), b"", failure_reason(exc))
        return None


def serve_one(
    link: Link, document: PdfDocument, page: int, zoom: float, clip: Clip | None = None
) -> None:
    """Render one page (or a clip of it) and send its pixels, or why they cannot be had."""
    try:
        rendered = document.render(page, zoom, clip)
    except Exception as exc:  # the page fails, the helper goes on
        link.answer((0, 0, 0), b"", failure_reason(exc))
        return
    link.answer((rendered.width, rendered.height, rendered.stride), rendered.samples)
