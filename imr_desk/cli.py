"""The command line: one sub-command per module in ``imr_desk.commands``, imported lazily.

Headless commands never import Qt, so ``parse``/``import``/``export`` start fast and run on
machines without a display. Without a command, the desktop app starts (``open``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Final, Protocol

from imr_desk import __version__

COMMANDS: Final = {
    "open": ("imr_desk.commands.open_app", "open the review app (the default command)"),
    "demo": (
        "imr_desk.commands.demo",
        "generate sample letters into a demo database and open them",
    ),
    "parse": ("imr_desk.commands.parse", "parse letters and print their records"),
    "samples": ("imr_desk.commands.samples", "write synthetic letters with expected records"),
    "import": ("imr_desk.commands.import_letters", "parse letters into a review database"),
    "export": ("imr_desk.commands.export", "export reviewed letters as a dataset"),
    "eval": ("imr_desk.commands.evaluate", "measure the parser against verified letters"),
    "stats": ("imr_desk.commands.stats", "counts and reviewer throughput"),
}
DEFAULT_COMMAND: Final = "open"


class CommandModule(Protocol):
    """What each command module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> CommandModule:
    module_name, _ = COMMANDS[name]
    return importlib.import_module(module_name)  # type: ignore[return-value]


def build_parser(command: str) -> argparse.ArgumentParser:
    """The argument parser of one command (modules add their own arguments)."""
    parser = argparse.ArgumentParser(prog=f"imr-desk {command}", description=COMMANDS[command][1])
    _load(command).add_arguments(parser)
    return parser


def _usage() -> str:
    lines = [f"usage: imr-desk [COMMAND] [ARGS...]   (IMR Desk {__version__})", "", "commands:"]
    lines += [f"  {name:<8} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += ["", "Without a command, 'open' starts the app. 'imr-desk COMMAND --help' for more."]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Dispatch to a command and return its exit code."""
    if argv and argv[0] in ("--version", "-V"):
        print(f"imr-desk {__version__}")
        return 0
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    command = argv[0] if argv and argv[0] in COMMANDS else DEFAULT_COMMAND
    rest = argv[1:] if argv and argv[0] == command else argv
    args = build_parser(command).parse_args(rest)
    try:
        return _load(command).run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
