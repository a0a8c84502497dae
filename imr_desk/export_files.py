"""The export folder's files: a staging folder per export, a recoverable swap, stale-folder cleanup.

An export writes its files into a hidden staging folder ``.export-<pid>-<host>-<random>``
inside the target, then swaps them in. Once every new file is complete and on disk a journal
(``swap.json``) is written beside them; only then are files renamed. So a staging folder
with a journal holds a complete export that may be half swapped in, and one without a journal
never touched the target. A process killed anywhere leaves one of those two states, and the
next export finishes it (``finish_interrupted``): it moves the remaining new files in (roll
forward: the folder then holds that whole export, never a mix) or, without a journal, just
deletes the staging folder. Staging folders of a live export (its pid still runs on this
machine) are left alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import IO, Final

_log = logging.getLogger(__name__)

FILES: Final = ("letters.jsonl", "letters.csv", "items.csv", "corrections.csv", "README.md")
LEGACY_FILES: Final = ("letters.jsonl", "letters.csv", "items.csv", "README.md")
"""The files of the release before the journal (and before ``corrections.csv``)."""
FILE_MODE: Final = 0o600
STAGING_PREFIX: Final = ".export-"
JOURNAL: Final = "swap.json"
EARLIER: Final = "earlier"
_JOURNAL_KIND: Final = "imr-desk export swap"
_OWNED: Final = re.compile(r"\.export-(\d+)-([A-Za-z0-9.]*)-[A-Za-z0-9_]+")
# Staging folders of exports running in this process (the app may run several, one by one):
# a folder named with our own pid that is not in here was left by an earlier export.
_ACTIVE: set[Path] = set()


class FolderError(OSError):
    """The export folder is in a state this module could not repair; the message says
    where its files are."""


def _host() -> str:
    """This machine's name as it goes into a staging folder's name."""
    return re.sub(r"[^A-Za-z0-9.]", "", socket.gethostname())[:40]


def create_private(path: Path) -> IO[str]:
    """A new text file readable by its owner only, from its first byte (no chmod window)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def make_staging(target: Path) -> Path:
    """A new staging folder in ``target`` named by this process, so others can tell when it
    is stale. Call ``release_staging`` when the export ends."""
    prefix = f"{STAGING_PREFIX}{os.getpid()}-{_host()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target))
    _ACTIVE.add(staging)
    return staging


def release_staging(staging: Path) -> None:
    """End of an export: delete its staging folder unless it holds a swap to finish (a
    journal: a failed swap whose earlier files could not all be put back), which the next
    export then completes."""
    _ACTIVE.discard(staging)
    if not _has_journal(staging):
        _remove(staging)


def swap_in(staging: Path, target: Path) -> None:
    """Move the new files from ``staging`` into ``target``, all or none.

    The journal goes first, then the earlier export's files are moved aside into
    ``staging/earlier`` and the new ones moved in. If a move fails (or is interrupted by an
    exception), the new files go back to the staging folder and the earlier ones to the
    target, so the folder never mixes two exports; if that too fails, the journal stays and
    the next export rolls the swap forward. A SIGKILL anywhere leaves the same journal.
    """
    _write_journal(staging)
    backup = staging / EARLIER
    aside: list[str] = []
    placed: list[str] = []
    try:
        backup.mkdir()
        for name in FILES:
            if os.path.lexists(target / name):
                os.replace(target / name, backup / name)
                aside.append(name)
        for name in FILES:
            os.replace(staging / name, target / name)
            placed.append(name)
    except BaseException:
        _roll_back(staging, target, aside, placed)
        raise
    fsync_folder(target)
    _remove(staging)


def _roll_back(staging: Path, target: Path, aside: list[str], placed: list[str]) -> None:
    """Undo a partial ``swap_in`` in an order the journal can still roll forward from at
    every step: a placed new file goes back to the staging folder before the earlier file
    of that name returns. What cannot be undone stays for the next export to roll forward."""
    kept_new = set()
    for name in reversed(placed):
        try:
            os.replace(target / name, staging / name)
        except OSError:
            kept_new.add(name)
    stranded = []
    for name in aside:
        try:
            if name in kept_new:  # its new file is in the target: the journal needs it there
                raise OSError(name)
            os.replace(staging / EARLIER / name, target / name)
        except OSError:
            stranded.append(name)
    if stranded or kept_new:
        raise _undo_error(target, staging, stranded, kept_new)
    # Undone: nothing to roll forward. A journal that cannot go only means the next export
    # moves this one's complete files in before writing its own; never a mix.
    with contextlib.suppress(OSError):
        (staging / EARLIER).rmdir()  # missing when making it was what failed
    with contextlib.suppress(OSError):
        (staging / JOURNAL).unlink()


def _undo_error(target: Path, staging: Path, stranded: list[str], kept: set[str]) -> FolderError:
    told = f"the export to {target} failed half-way; the next export to this folder repairs it"
    if not stranded:
        return FolderError(f"{told} (the new {', '.join(sorted(kept))} could not be taken back)")
    return FolderError(
        f"{told}. The earlier {', '.join(stranded)} could not be put back: they are kept in "
        f"{staging / EARLIER}"
    )


def _write_journal(staging: Path) -> None:
    """Mark the new files complete and on disk: from here on, roll forward.

    Written in place, not renamed in: a journal cut short by a kill does not parse, which
    reads as "no journal", and no file has been renamed before it is complete.
    """
    fsync_folder(staging)
    with create_private(staging / JOURNAL) as handle:
        handle.write(json.dumps({"kind": _JOURNAL_KIND, "files": list(FILES)}))
        handle.flush()
        os.fsync(handle.fileno())
    fsync_folder(staging)


def _has_journal(staging: Path) -> bool:
    try:
        journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(journal, dict) and journal.get("kind") == _JOURNAL_KIND


def finish_interrupted(target: Path) -> list[str]:
    """Finish or discard every stale staging folder in ``target``; returns what was done,
    one line each (also logged). Raises ``FolderError`` when a swap cannot be finished: a
    new export must not go in while an older one may still roll forward over it."""
    done = []
    for staging in _staging_folders(target):
        if _owner_alive(staging) or not _holds_only_export_files(staging):
            continue
        try:
            if _has_journal(staging) or _is_legacy_half_swap(staging, target):
                _roll_forward(staging, target)
                done.append(f"completed the interrupted export in {staging.name}")
            else:
                done.append(f"removed the unfinished export {staging.name}")
        except OSError as exc:
            raise FolderError(
                f"an interrupted export in {target} could not be completed "
                f"({exc.strerror or exc}): its files are in {staging}"
            ) from exc
        _remove(staging)
    for line in done:
        _log.warning("%s: %s", target, line)
    return done


def _staging_folders(target: Path) -> list[Path]:
    """Real folders named ``.export-*`` (a symlink of that name is not ours to follow),
    the oldest journal first, so that the newest export is the one left in place."""
    try:
        entries = list(os.scandir(target))
    except FileNotFoundError:
        return []
    folders = [
        Path(e.path)
        for e in entries
        if e.name.startswith(STAGING_PREFIX) and e.is_dir(follow_symlinks=False)
    ]
    return sorted(folders, key=_journal_time)


def _journal_time(staging: Path) -> int:
    try:
        return (staging / JOURNAL).stat().st_mtime_ns
    except OSError:
        return 0


def _holds_only_export_files(staging: Path) -> bool:
    """A folder of that name holding anything else was not made by an export: leave it."""
    ours = {*FILES, JOURNAL, EARLIER}
    try:
        return all(entry.name in ours for entry in os.scandir(staging))
    except OSError:
        return False


def _is_legacy_half_swap(staging: Path, target: Path) -> bool:
    """A staging folder of the release before the journal, killed inside its swap (it had
    an ``earlier`` folder, made only once the new files were complete), while the target
    is still incomplete (no later export has filled it since)."""
    complete = all(os.path.lexists(target / name) for name in LEGACY_FILES)
    return (staging / EARLIER).is_dir() and not complete


def _roll_forward(staging: Path, target: Path) -> None:
    """Move each new file still in the staging folder into the target; the ones already
    moved are there. Repeating it after a kill is harmless."""
    for name in FILES:
        if os.path.lexists(staging / name):
            os.replace(staging / name, target / name)
    fsync_folder(target)


def _remove(staging: Path) -> None:
    """Delete a staging folder in an order that is safe to interrupt: the earlier files,
    then the journal (which would otherwise roll forward again), then the rest."""
    shutil.rmtree(staging / EARLIER, ignore_errors=True)
    (staging / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _owner_alive(staging: Path) -> bool:
    """Whether the export that made ``staging`` may still be running. Folders of another
    machine (a shared folder) are taken as live: their pid means nothing here."""
    owner = _OWNED.fullmatch(staging.name)
    if owner is None:
        return False  # the release before pids in names: its exports are long gone
    pid, host = int(owner[1]), owner[2]
    if host != _host():
        return True
    if pid == os.getpid():
        return staging in _ACTIVE
    return process_alive(pid)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not); a reused pid errs on the side of
    leaving a stale folder for later, never of touching a live export."""
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    else:  # an else, so that each platform's type check sees one reachable branch
        return _posix_process_alive(pid)


def _posix_process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): a zombie counts as alive until reaped
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


if sys.platform == "win32":
    import ctypes

    def _windows_process_alive(pid: int) -> bool:
        """``os.kill(pid, 0)`` would end the process on Windows: ask the kernel instead."""
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        query_and_wait = 0x1000 | 0x00100000  # PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE
        handle = kernel32.OpenProcess(query_and_wait, False, pid)
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == 0x102)  # WAIT_TIMEOUT
        finally:
            kernel32.CloseHandle(handle)


def fsync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
