"""Renders letter pages off the UI thread and keeps the recent ones in a small cache.

A pool thread asks the render process (``render_process``: PyMuPDF keeps Python's lock while
it renders, so it renders in a process of its own) for a page's pixels, makes them a
``QImage`` (which unlike ``QPixmap`` may be built off the UI thread) and hands it back through
a queued signal. Typing never waits for a page, not even for a newly opened letter's first one.
A page that cannot be rendered is logged and remembered with its reason (the view says so on
the page) instead of being asked for again at every paint.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from typing import Final

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from imr_desk.ui import render_process
from imr_desk.ui.render_process import failure_reason

CACHE_PAGES: Final = 24
"""Rendered pages kept: a few letters' worth, 3-5 MB each at screen size."""
WORKERS: Final = 1
"""One page at a time: the render process renders one anyway, and in page order a letter's
later pages reuse the fonts its first one loaded."""

_log = logging.getLogger(__name__)


def render_image(path: str, page: int, scale: float) -> QImage:
    """Render one page to a QImage that owns its memory (safe in any thread)."""
    rendered = render_process.shared().render(path, page, scale)
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


Key = tuple[str, int, float]
"""A page asked for: the PDF's path, the page's index, the scale."""


class _Waiting:
    """Pages asked for and not started, urgent ones first, each kind in the order asked.
    The pool's jobs take from here: QThreadPool drops a job's priority when it hands it to
    an idle thread, so a letter's second page could overtake its first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._urgent: deque[Key] = deque()
        self._other: deque[Key] = deque()

    def put(self, key: Key, *, urgent: bool) -> None:
        with self._lock:
            (self._urgent if urgent else self._other).append(key)

    def take(self) -> Key | None:
        with self._lock:
            queue = self._urgent or self._other
            return queue.popleft() if queue else None

    def first(self) -> Key | None:
        """The page ``take`` would give now."""
        with self._lock:
            queue = self._urgent or self._other
            return queue[0] if queue else None

    def clear(self) -> None:
        with self._lock:
            self._urgent.clear()
            self._other.clear()


class _RenderJob(QRunnable):
    """Renders the first page waiting (one job is started for every page asked for)."""

    def __init__(self, relay: _Relay, waiting: _Waiting) -> None:
        super().__init__()
        self._relay, self._waiting = relay, waiting

    def run(self) -> None:
        key = self._waiting.take()
        if key is None:  # dropped: the letter it was for is no longer shown
            return
        path, page, scale = key
        try:
            image = render_image(path, page, scale)
        except Exception as exc:  # any failure must reach the view, or the page stays blank
            _log.exception("page %d of %s could not be rendered", page + 1, path)
            self._relay.failed.emit(path, page, failure_reason(exc))
            return
        self._relay.done.emit(path, page, scale, image)


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
        render_process.shared().start()  # its imports run while the window is built
        self._waiting = _Waiting()
        self._cache: OrderedDict[Key, QImage] = OrderedDict()
        self._pending: set[Key] = set()
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
        self._waiting.put(key, urgent=urgent)
        if self._waiting.first() == key:  # the next to render: the helper may start it now
            render_process.shared().send_ahead(*key)
        self._pool.start(_RenderJob(self._relay, self._waiting))

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
        self._waiting.clear()
        self._pending.clear()
        self._failures.clear()

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until queued renders finish (used when closing and by the benchmark)."""
        return self._pool.waitForDone(msecs)

    def _store(self, key: Key, image: QImage) -> None:
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
