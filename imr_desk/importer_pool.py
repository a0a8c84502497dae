"""Parser worker processes for the import. Each parses one file at a time and the parent knows
which, so that every crash, time-out and memory failure is charged to the file that caused it
and no file can stall a batch.

Workers only parse; the parent stores. A worker is bound to its parent: it dies with it (Linux
``PR_SET_PDEATHSIG``, plus a watchdog thread elsewhere), runs under a memory limit, and is
killed when its file takes longer than the time limit. Stopping (Cancel, Ctrl+C, SIGTERM) kills
the files in hand at once: they were not stored, so the next run parses them again.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from multiprocessing.process import BaseProcess
from typing import Any, Final, Generic, TypeVar

Item = TypeVar("Item")
Result = tuple[str, Any]
Job = Callable[[str], Result]

DEFAULT_TIME_LIMIT: Final = 60.0  # seconds per file; real letters take well under one
DEFAULT_MEMORY_LIMIT: Final = 2 << 30  # bytes of address space per worker (Linux only)
POLL_SECONDS: Final = 0.2  # how often a wait looks at the stop flag
# Files sent to a worker at once: the one it parses and the next, so that it never waits while
# the parent stores a letter. Only the first can be at fault when the worker dies or hangs.
QUEUED_PER_WORKER: Final = 2
CRASHED: Final = "the parser crashed on this file (damaged PDF?)"
PR_SET_PDEATHSIG: Final = 1
_PARENT_WATCH_SECONDS: Final = 0.5


def timed_out_reason(limit: float) -> str:
    """The failure reported for a file that took longer than the time limit."""
    return f"timed out: still not read after {limit:g} s, so it was stopped and skipped"


@dataclass
class _Task(Generic[Item]):
    item: Item
    path: str
    attempts: int = 1


@dataclass
class _Worker(Generic[Item]):
    """One parser process, the parent's end of its pipe and the files sent to it, in order:
    ``tasks[0]`` is the one being parsed. ``started`` is when that one began to count against
    the time limit: when the file before it came back, when it was sent to an idle worker, or
    when a starting worker said it was ready (importing the parser is not the file's time)."""

    process: BaseProcess
    conn: Connection
    ready: bool = False
    tasks: deque[_Task[Item]] = field(default_factory=deque)
    started: float | None = None

    def next_started(self) -> None:
        """The clock for the next file in hand, which starts now (if it can start at all)."""
        self.started = time.monotonic() if self.tasks and self.ready else None


@dataclass
class WorkerPool(Generic[Item]):
    """Runs ``job(path)`` for each item in up to ``count`` worker processes and hands every
    result to ``finish`` in this process. ``time_limit`` (seconds) and ``memory_limit`` (bytes,
    None for no limit) bound each file."""

    job: Job
    count: int
    time_limit: float = DEFAULT_TIME_LIMIT
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT
    _workers: list[_Worker[Item]] = field(default_factory=list)
    _retries: deque[_Task[Item]] = field(default_factory=deque)

    def run(
        self,
        items: Iterator[tuple[Item, str]],
        finish: Callable[[Item, Result], None],
        stop: Callable[[], bool],
    ) -> bool:
        """Parse every (item, path) and ``finish`` it; True when ``stop()`` ended the run
        early. The workers are gone when this returns, however it returns."""
        try:
            while not stop():
                self._hand_out(items)
                if not any(w.tasks for w in self._workers):
                    return stop()
                self._collect(finish)
                self._expire(finish)
            return True
        finally:
            self.close()

    def close(self) -> None:
        """End every worker: idle ones see their pipe close and exit, busy ones are killed."""
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.tasks:
                worker.process.kill()
            worker.conn.close()
        for worker in workers:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()

    # --- handing out ---------------------------------------------------------------------

    def _hand_out(self, items: Iterator[tuple[Item, str]]) -> None:
        """Give files to workers with room, starting workers up to ``count`` as needed."""
        while True:
            worker = self._worker_with_room()
            if worker is None:
                return
            task = self._next_task(items)
            if task is None:
                return
            self._send(worker, task)

    def _worker_with_room(self) -> _Worker[Item] | None:
        """An idle worker, else a new one, else one whose queue is not full."""
        idle = next((w for w in self._workers if not w.tasks), None)
        if idle is None and len(self._workers) < self.count:
            idle = self._start_worker()
        if idle is None:
            idle = next((w for w in self._workers if len(w.tasks) < QUEUED_PER_WORKER), None)
        return idle

    def _next_task(self, items: Iterator[tuple[Item, str]]) -> _Task[Item] | None:
        if self._retries:
            return self._retries.popleft()
        nxt = next(items, None)
        return None if nxt is None else _Task(nxt[0], nxt[1])

    def _send(self, worker: _Worker[Item], task: _Task[Item]) -> None:
        worker.tasks.append(task)
        if len(worker.tasks) == 1:
            worker.next_started()
        with contextlib.suppress(OSError):  # died while idle: the wait sees it and re-runs it
            worker.conn.send(task.path)

    def _start_worker(self) -> _Worker[Item]:
        context = multiprocessing.get_context("spawn")  # no fork of a process that may run Qt
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_worker_main,
            args=(theirs, self.job, os.getpid(), self.memory_limit),
            name="imr-desk-parser",
            daemon=True,
        )
        process.start()
        theirs.close()  # so that the worker's death reads as the end of the pipe here
        worker: _Worker[Item] = _Worker(process, ours)
        self._workers.append(worker)
        return worker

    # --- collecting ----------------------------------------------------------------------

    def _collect(self, finish: Callable[[Item, Result], None]) -> None:
        """Wait (a short while at most) for answers, and finish the files that have one."""
        busy = [w for w in self._workers if w.tasks]
        for conn in wait_for([w.conn for w in busy], timeout=self._wait_seconds()):
            worker = next(w for w in busy if w.conn is conn)
            try:
                kind, result = worker.conn.recv()
            except (EOFError, OSError):
                self._lost(worker, finish)
                continue
            if kind == "ready":
                worker.ready = True
                worker.next_started()
            else:
                task = worker.tasks.popleft()
                worker.next_started()  # it is already parsing the next file it holds
                finish(task.item, result)

    def _wait_seconds(self) -> float:
        """Until the nearest deadline, but never longer than ``POLL_SECONDS``."""
        now, wait = time.monotonic(), POLL_SECONDS
        for worker in self._workers:
            if worker.tasks and worker.started is not None:
                wait = min(wait, worker.started + self.time_limit - now)
        return max(wait, 0.0)

    def _lost(self, worker: _Worker[Item], finish: Callable[[Item, Result], None]) -> None:
        """A worker died on the file it was parsing. That file is tried once more in a fresh
        worker (the system may have killed it for reasons of its own); a second death is the
        file's doing. The files queued behind it go to other workers."""
        self._remove(worker)
        if not worker.tasks:
            return
        culprit = worker.tasks.popleft()
        self._retries.extendleft(reversed(worker.tasks))
        if culprit.attempts < 2:
            self._retries.append(_Task(culprit.item, culprit.path, culprit.attempts + 1))
        else:
            finish(culprit.item, ("failed", CRASHED))

    def _expire(self, finish: Callable[[Item, Result], None]) -> None:
        """Kill the workers whose file is over its time; each such file fails alone, and the
        files queued behind it go to other workers."""
        now = time.monotonic()
        for worker in list(self._workers):
            if not worker.tasks or worker.started is None:
                continue
            if now - worker.started >= self.time_limit:
                worker.process.kill()
                self._remove(worker)
                late = worker.tasks.popleft()
                self._retries.extendleft(reversed(worker.tasks))
                finish(late.item, ("failed", timed_out_reason(self.time_limit)))

    def _remove(self, worker: _Worker[Item]) -> None:
        self._workers.remove(worker)
        worker.conn.close()
        worker.process.join(2)


# --- in the worker ---------------------------------------------------------------------------


def _worker_main(conn: Connection, job: Job, parent_pid: int, memory_limit: int | None) -> None:
    """A worker's life: prepare, say it is ready, then parse whatever path comes until the
    parent closes the pipe (or is gone: nobody is left to read the answer)."""
    prepare_worker(parent_pid, memory_limit)
    try:
        conn.send(("ready", None))
        while True:
            conn.send(("done", job(conn.recv())))
    except (EOFError, OSError):
        return


def prepare_worker(parent_pid: int, memory_limit: int | None) -> None:
    """Tie this process to its parent and bound its memory. Ctrl+C and SIGTERM are the
    parent's to handle: it stops the batch and ends the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    if memory_limit is not None:
        limit_memory(memory_limit)


def _die_with_parent(parent_pid: int) -> None:
    """A worker must not outlive an import that was killed. On Linux the kernel kills it (the
    death signal is tied to the parent *thread*, which lives as long as the pool); a watchdog
    thread covers other systems and the moment before the signal was set."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the watchdog alone will do
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True
    ).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_WATCH_SECONDS)
    os._exit(1)


def limit_memory(limit: int) -> None:
    """Cap this process's address space (Linux), so a PDF bomb fails its file with a memory
    error instead of taking the machine's memory. Elsewhere there is no reliable cap."""
    if not sys.platform.startswith("linux"):
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
