"""Renders letter pages off the UI thread and keeps the recent ones in a small cache.

PyMuPDF documents are not thread-safe, so each pool thread opens its own ``PdfDocument``; the
workers only produce pixels (a ``QImage``, which unlike ``QPixmap`` may be built off the UI
thread) and hand them back through a queued signal. Typing never waits for a page, not even
for a newly opened letter's first one. A page that cannot be rendered is logged and remembered
with its reason (the view says so on the page) instead of being asked for again at every paint.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Final

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from imr_desk.pdf_source import PdfDocument, PdfError

CACHE_PAGES: Final = 24
"""Rendered pages kept: a few letters' worth, 3-5 MB each at screen size."""
WORKERS: Final = 2

_local = threading.local()
_log = logging.getLogger(__name__)


def _thread_document(path: str) -> PdfDocument:
    """The calling thread's own open document for ``path`` (one per thread, reused)."""
    current: PdfDocument | None = getattr(_local, "document", None)
    if current is None or current.path != path:
        if current is not None:
            current.close()
        current = PdfDocument(path)
        _local.document = current
    return current


def render_image(path: str, page: int, scale: float) -> QImage:
    """Render one page to a QImage that owns its memory (safe in any thread)."""
    rendered = _thread_document(path).render(page, scale)
    image = QImage(
        rendered.samples,
        rendered.width,
        rendered.height,
        rendered.stride,
        QImage.Format.Format_RGB888,
    )
    # RGB32 is the format the raster engine blits without converting; converting once here,
    # off the UI thread, makes every later paint of the page a plain copy (and owns the bytes).
    return image.convertToFormat(QImage.Format.Format_RGB32)


class _Relay(QObject):
    """Lives in the UI thread; workers emit through it so results arrive as queued signals."""

    done = Signal(str, int, float, QImage)
    failed = Signal(str, int, str)


class _RenderJob(QRunnable):
    def __init__(self, relay: _Relay, path: str, page: int, scale: float) -> None:
        super().__init__()
        self._relay, self._path, self._page, self._scale = relay, path, page, scale

    def run(self) -> None:
        try:
            image = render_image(self._path, self._page, self._scale)
        except Exception as exc:  # any failure must reach the view, or the page stays blank
            _log.exception("page %d of %s could not be rendered", self._page + 1, self._path)
            self._relay.failed.emit(self._path, self._page, failure_reason(exc))
            return
        self._relay.done.emit(self._path, self._page, self._scale, image)


def failure_reason(exc: Exception) -> str:
    """Why a page could not be rendered, in words for the page itself."""
    if isinstance(exc, PdfError):
        return exc.reason
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class PageRenderer(QObject):
    """Asks the pool for pages, de-duplicates requests and caches the results."""

    page_rendered = Signal(str, int, float)
    render_failed = Signal(str, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(WORKERS)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_relay_done)
        self._relay.failed.connect(self._on_relay_failed)
        self._cache: OrderedDict[tuple[str, int, float], QImage] = OrderedDict()
        self._pending: set[tuple[str, int, float]] = set()
        self._failures: dict[tuple[str, int], str] = {}

    def image(self, path: str, page: int, scale: float) -> QImage | None:
        """The cached image, or None (then ``request`` it)."""
        key = (path, page, round(scale, 3))
        image = self._cache.get(key)
        if image is not None:
            self._cache.move_to_end(key)
        return image

    def request(self, path: str, page: int, scale: float, *, urgent: bool = False) -> None:
        """Render a page in the background unless it is cached or already on its way;
        ``urgent`` pages (the first one a new letter shows) jump the queue."""
        key = (path, page, round(scale, 3))
        if key in self._cache or key in self._pending or (path, page) in self._failures:
            return
        self._pending.add(key)
        self._pool.start(_RenderJob(self._relay, path, page, key[2]), 1 if urgent else 0)

    def any_scale(self, path: str, page: int) -> QImage | None:
        """A cached image of the page at some other scale (drawn scaled until the right one
        lands), or None."""
        return next(
            (image for key, image in reversed(self._cache.items()) if key[:2] == (path, page)),
            None,
        )

    def failure(self, path: str, page: int) -> str | None:
        """Why the page could not be rendered, or None (not tried, or rendered)."""
        return self._failures.get((path, page))

    def drop_queued(self) -> None:
        """Forget renders not started yet (the letter they were for is no longer shown), and
        past failures, so a letter shown again is tried again."""
        self._pool.clear()
        self._pending.clear()
        self._failures.clear()

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until queued renders finish (used when closing and by the benchmark)."""
        return self._pool.waitForDone(msecs)

    def _store(self, key: tuple[str, int, float], image: QImage) -> None:
        self._cache[key] = image
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)

    def _on_relay_done(self, path: str, page: int, scale: float, image: QImage) -> None:
        key = (path, page, scale)
        self._pending.discard(key)
        self._store(key, image)
        self.page_rendered.emit(path, page, scale)

    def _on_relay_failed(self, path: str, page: int, reason: str) -> None:
        self._pending = {key for key in self._pending if key[:2] != (path, page)}
        self._failures[(path, page)] = reason
        self.render_failed.emit(path, page, reason)
