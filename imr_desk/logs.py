"""The log file: where the app and every command record what went wrong, with tracebacks.

A message on screen is gone once it is closed; the rotating file in the user log folder keeps
the traceback behind it, so a failure someone saw (or nobody saw) can still be looked into.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Final

from platformdirs import user_log_dir

LOG_DIR_ENV: Final = "IMR_DESK_LOG_DIR"
LOG_FILE: Final = "imr-desk.log"
MAX_BYTES: Final = 1_000_000
BACKUPS: Final = 5
LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LEVEL: Final = "INFO"
LOGGER: Final = "imr_desk"
"""Only the package's own loggers are written: library chatter at DEBUG would drown them."""
LIBRARY_LOGGERS: Final = ("psycopg",)
"""Libraries whose warnings go to the file too: with no handler Python prints them on stderr
(the connection pool's reconnection attempts would crowd a command's one-line message)."""
HANDLER_NAME: Final = "imr-desk-file"
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"

_log = logging.getLogger(__name__)


def log_dir() -> Path:
    """The folder the log file is written to: ``$IMR_DESK_LOG_DIR`` or the user log folder."""
    override = os.environ.get(LOG_DIR_ENV)
    return Path(override) if override else Path(user_log_dir("imr-desk", appauthor=False))


def log_path() -> Path:
    """The current log file (older ones sit beside it as ``imr-desk.log.1`` … ``.5``)."""
    return log_dir() / LOG_FILE


def setup(level: str = DEFAULT_LEVEL) -> Path | None:
    """Send the package's log records at ``level`` and above to the rotating log file.

    Called once at the start of every command; calling it again (tests run many commands in
    one process) replaces the earlier file handler instead of writing every line twice.
    Returns the file's path, or None when it cannot be written: then WARNING and above go to
    stderr instead, and the reason is printed there, so nothing fails unseen.
    """
    logger = logging.getLogger(LOGGER)
    logger.setLevel(level.upper())
    _remove_handler(logger)
    path = log_path()
    handler: logging.Handler | None = _file_handler(path)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    for name in LIBRARY_LOGGERS:  # at their own level (the root's WARNING unless set)
        library = logging.getLogger(name)
        _remove_handler(library)
        library.addHandler(handler)
    return path if isinstance(handler, RotatingFileHandler) else None


def _file_handler(path: Path) -> RotatingFileHandler | None:
    """The rotating file handler, or None after saying on stderr why it cannot be made."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A file name that is not UTF-8 reaches the log as "\udcff", not as a logging error.
        return RotatingFileHandler(
            path,
            maxBytes=MAX_BYTES,
            backupCount=BACKUPS,
            encoding="utf-8",
            errors="backslashreplace",
        )
    except OSError as exc:
        print(f"imr-desk: cannot write the log file {path} ({exc})", file=sys.stderr)
        return None


def close() -> None:
    """Detach and close the log file, and forget the level (the next ``setup`` starts anew).
    The programs leave this to their exit; tests call it so no file stays open."""
    logger = logging.getLogger(LOGGER)
    _remove_handler(logger)
    logger.setLevel(logging.NOTSET)
    for name in LIBRARY_LOGGERS:
        _remove_handler(logging.getLogger(name))


def _remove_handler(logger: logging.Logger) -> None:
    for handler in [h for h in logger.handlers if h.get_name() == HANDLER_NAME]:
        logger.removeHandler(handler)
        handler.close()


def log_uncaught(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    """Write an exception nobody caught to the log, with its traceback."""
    if not issubclass(kind, KeyboardInterrupt):
        _log.critical("uncaught exception", exc_info=(kind, value, trace))


@contextmanager
def uncaught_exceptions_logged() -> Iterator[None]:
    """While the block runs, exceptions that reach ``sys.excepthook`` (Qt's event loop hands
    a slot's exception there and carries on) are logged, then passed on to the previous hook,
    which still prints them as before."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
        log_uncaught(kind, value, trace)
        previous(kind, value, trace)

    sys.excepthook = hook
    try:
        yield
    finally:
        sys.excepthook = previous
