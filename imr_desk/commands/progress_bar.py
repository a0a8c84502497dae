"""A one-line progress bar on stderr: done/total, percent, rate and ETA, redrawn at most 10/s."""

from __future__ import annotations

import sys
import time
from typing import Final, TextIO

REDRAW_SECONDS: Final = 0.1


def format_eta(seconds: float | None) -> str:
    """``h:mm:ss`` (or ``--:--`` before there is a rate)."""
    if seconds is None:
        return "--:--"
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def format_bar(done: int, total: int, rate: float, eta: float | None, *, width: int = 30) -> str:
    """The bar's text, e.g. ``[#######.......]  120/500  24%  38.2/s  ETA 0:00:10``."""
    fraction = done / total if total else 1.0
    filled = int(width * fraction)
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(total))}}/{total} "
        f"{fraction:4.0%}  {rate:6.1f}/s  ETA {format_eta(eta)}"
    )


class ProgressBar:
    """Draws ``format_bar`` in place on a terminal; silent when stderr is not a terminal."""

    def __init__(self, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last_draw = 0.0
        self._shown = False

    def update(
        self, done: int, total: int, rate: float, eta: float | None, extra: str = ""
    ) -> None:
        """Redraw unless drawn less than ``REDRAW_SECONDS`` ago (the last update always draws)."""
        now = time.monotonic()
        if not self.enabled or (now - self._last_draw < REDRAW_SECONDS and done < total):
            return
        self._last_draw = now
        self.stream.write(
            "\r" + format_bar(done, total, rate, eta) + (f"  {extra}" if extra else "")
        )
        self.stream.flush()
        self._shown = True

    def message(self, text: str) -> None:
        """Print a line above the bar (the bar is redrawn at the next update)."""
        self.clear()
        print(text, file=self.stream)

    def clear(self) -> None:
        """Erase the bar so other output starts on a clean line."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
            self._last_draw = 0.0
