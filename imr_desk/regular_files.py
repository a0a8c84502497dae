"""Opening only regular files: a FIFO, device or socket named like a letter would block its
reader forever (no writer) or never end, so it is refused with a reason instead of opened."""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO, Final


class NotRegularFileError(OSError):
    """A path that is a FIFO, device or socket: reading it could block forever or never end.
    ``strerror`` is the reason in plain words ("not a regular file (a FIFO)")."""


_SPECIAL_KINDS: Final = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular_file(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading only if it is a regular file (a symlink to one is fine).

    Raises NotRegularFileError for a FIFO, device or socket, whose reader would wait forever
    for a writer or read without end; other OSErrors as ``open`` does. The type is checked on
    the path and again on the open file, which is opened without blocking in case the path
    became a FIFO in between."""
    _check_regular(path, os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _check_regular(path, os.fstat(fd).st_mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_regular(path: str | os.PathLike[str], mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    kind = next((name for test, name in _SPECIAL_KINDS if test(mode)), "a special file")
    raise NotRegularFileError(errno.EINVAL, f"not a regular file ({kind})", str(path))
