"""README.md's tables as rows of cells, so tests can hold the README to the code it describes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

README: Final = Path(__file__).resolve().parents[1] / "README.md"
CELL_BORDER: Final = re.compile(r"(?<!\\)\|")
"""A pipe that separates cells; ``\\|`` is a pipe inside a cell."""


def table_under(heading: str) -> list[list[str]]:
    """The body rows of the first table in the section that starts at the line ``heading``.

    Header and rule rows are dropped; cells lose their spaces and the backticks around code.
    A section without a table gives no rows, so a test over it fails instead of passing empty.
    """
    lines = README.read_text(encoding="utf-8").splitlines()
    section = _section(lines, heading)
    start = next((i for i, line in enumerate(section) if line.startswith("|")), len(section))
    end = next((i for i in range(start, len(section)) if not section[i].startswith("|")), None)
    return [_cells(line) for line in section[start:end][2:]]


def _section(lines: list[str], heading: str) -> list[str]:
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [cell.strip().strip("`").replace("\\|", "|") for cell in CELL_BORDER.split(inner)]
