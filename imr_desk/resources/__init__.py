"""Files the running app loads (icons), shipped inside the wheel and read with importlib."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def icon_svg(name: str) -> str:
    """The SVG text of a named icon in ``resources/icons`` (FileNotFoundError if unknown)."""
    return resources.files(__package__).joinpath("icons", f"{name}.svg").read_text("utf-8")


def icon_names() -> list[str]:
    """Every icon the app ships, for the shortcut help and tests."""
    folder = resources.files(__package__).joinpath("icons")
    return sorted(p.name.removesuffix(".svg") for p in folder.iterdir() if p.name.endswith(".svg"))
