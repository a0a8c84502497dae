"""The command line: one sub-command per module in ``imr_desk.commands``, imported lazily.

Headless commands never import Qt, so ``parse``/``import``/``export`` start fast and run on
machines without a display. Without a command, the desktop app starts (``open``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Final, Protocol

from imr_desk import __version__, logs

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
LOG_LEVEL_OPTION: Final = "--log-level"

_log = logging.getLogger(__name__)


class CommandModule(Protocol):
    """What each command module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> CommandModule:
    module_name, _ = COMMANDS[name]
    return importlib.import_module(module_name)


def build_parser(command: str) -> argparse.ArgumentParser:
    """The argument parser of one command (modules add their own arguments)."""
    parser = argparse.ArgumentParser(prog=f"imr-desk {command}", description=COMMANDS[command][1])
    _load(command).add_arguments(parser)
    add_log_level(parser)
    return parser


def add_log_level(parser: argparse.ArgumentParser) -> None:
    """``--log-level``, accepted after the command too (``imr-desk import --log-level DEBUG``)."""
    parser.add_argument(
        LOG_LEVEL_OPTION,
        type=str.upper,
        choices=logs.LEVELS,
        default=None,
        metavar="LEVEL",
        help=f"what the log file records: {', '.join(logs.LEVELS)} (default {logs.DEFAULT_LEVEL})"
        f"; the file is {logs.log_path()}",
    )


def _leading_log_level(argv: list[str]) -> tuple[str | None, list[str]]:
    """A ``--log-level LEVEL`` (or ``--log-level=LEVEL``) given before the command, and the
    arguments after it. The level is checked with the command's own options."""
    if argv and argv[0].startswith(LOG_LEVEL_OPTION + "="):
        return argv[0].partition("=")[2], argv[1:]
    if argv and argv[0] == LOG_LEVEL_OPTION:
        return (argv[1] if len(argv) > 1 else ""), argv[2:]
    return None, argv


def _usage() -> str:
    lines = [
        f"usage: imr-desk [--log-level LEVEL] [COMMAND] [ARGS...]   (IMR Desk {__version__})",
        "",
        "commands:",
    ]
    lines += [f"  {name:<8} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += [
        "",
        "Without a command, 'open' starts the app. 'imr-desk COMMAND --help' for more.",
        f"--log-level: {', '.join(logs.LEVELS)} (default {logs.DEFAULT_LEVEL});"
        f" the log file is {logs.log_path()}",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Dispatch to a command and return its exit code."""
    leading_level, argv = _leading_log_level(argv)
    if argv and argv[0] in ("--version", "-V"):
        print(f"imr-desk {__version__}")
        return 0
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    command = argv[0] if argv and argv[0] in COMMANDS else DEFAULT_COMMAND
    rest = argv[1:] if argv and argv[0] == command else argv
    if leading_level is not None:
        # Checked by the command's parser (a wrong level gets the usual usage error); one
        # given after the command comes later in the list, so it wins.
        rest = [LOG_LEVEL_OPTION, leading_level, *rest]
    args = build_parser(command).parse_args(rest)
    return _run(command, args)


def _run(command: str, args: argparse.Namespace) -> int:
    logs.setup(args.log_level or logs.DEFAULT_LEVEL)
    _log.info("imr-desk %s: %s started", __version__, command)
    try:
        return _load(command).run(args)
    except KeyboardInterrupt:
        _log.info("imr-desk %s interrupted", command)
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        _log.exception("imr-desk %s stopped on an unexpected error", command)
        raise
