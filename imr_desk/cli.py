"""The command line: one sub-command per module in ``imr_desk.commands``, imported lazily.

Headless commands never import Qt, so ``parse``/``import``/``export`` start fast and run on
machines without a display. Without a command, the desktop app starts (``open``); a first
argument that is neither a command nor an existing file or folder is an unknown command.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import os
import sys
from typing import Final, NoReturn, Protocol

from imr_desk import __version__, logs
from imr_desk.names import shown

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
    "policy": ("imr_desk.commands.policy", "show or set the double-review policy"),
    "agreement": ("imr_desk.commands.agreement", "how far two reviewers of a letter agree"),
    "team": (
        "imr_desk.commands.team",
        "set up a team server: create the project, add reviewers and leads, list them",
    ),
    "db": ("imr_desk.commands.db", "copy a project between a SQLite file and a team server"),
}
DEFAULT_COMMAND: Final = "open"
LOG_LEVEL_OPTION: Final = "--log-level"
FILE_NAME_MARKS: Final = "./\\"
"""A dot or a slash (either way) makes an argument a file name rather than a command word."""
EXIT_USAGE: Final = 2
EXIT_PIPE_CLOSED: Final = 141
"""What a shell reports for a program killed by SIGPIPE (128 + 13): ``| head`` closed stdout."""

_log = logging.getLogger(__name__)


class CommandModule(Protocol):
    """What each command module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> CommandModule:
    module_name, _ = COMMANDS[name]
    return importlib.import_module(module_name)


class CommandParser(argparse.ArgumentParser):
    """argparse, with errors that print file names escaped and that tell how to pass a file
    whose name starts with ``-`` (argparse takes ``-x.pdf`` for an unknown option)."""

    dashed_names: tuple[str, ...] = ()
    """Arguments that look like file names starting with ``-``, set by ``parse_command_line``."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error (with the ``--`` hint when it applies), exit 2."""
        if self.dashed_names:
            name = self.dashed_names[0]
            message += (
                f"; a file name that starts with '-' is read as an option: put '--' before"
                f" the files ({self.prog} -- {name}) or write ./{name}"
            )
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown(message)}\n")


def build_parser(command: str) -> CommandParser:
    """The argument parser of one command (modules add their own arguments)."""
    parser = CommandParser(prog=f"imr-desk {command}", description=COMMANDS[command][1])
    _load(command).add_arguments(parser)
    add_log_level(parser)
    return parser


def parse_command_line(parser: CommandParser, arguments: list[str]) -> argparse.Namespace:
    """``parser.parse_args``, told first which arguments may be dash-led file names."""
    parser.dashed_names = _dashed_names(arguments)
    return parser.parse_args(arguments)


def _dashed_names(arguments: list[str]) -> tuple[str, ...]:
    """Arguments before ``--`` that start with ``-`` but read as files: a dot or a slash
    before any ``=value`` (no option has one), or the name of something on disk."""
    before = arguments[: arguments.index("--")] if "--" in arguments else arguments
    return tuple(
        argument
        for argument in before
        if argument.startswith("-") and argument != "-" and _names_a_file(argument)
    )


def _names_a_file(argument: str) -> bool:
    """Whether ``argument`` reads as a file name: it names something on disk, or has a dot or
    a slash (before any ``=value``, which options have no need of)."""
    mentioned = argument.partition("=")[0] if argument.startswith("-") else argument
    return any(mark in mentioned for mark in FILE_NAME_MARKS) or os.path.lexists(argument)


def add_log_level(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    """``--log-level``, accepted after the command too (``imr-desk import --log-level DEBUG``).

    A command's sub-command (``team add``) takes it too, with ``default=argparse.SUPPRESS``:
    a sub-command's default would otherwise replace a level given before it."""
    parser.add_argument(
        LOG_LEVEL_OPTION,
        type=str.upper,
        choices=logs.LEVELS,
        default=default,
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
    width = max(map(len, COMMANDS))
    lines += [f"  {name:<{width}} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += [
        "",
        "Without a command, 'open' starts the app. 'imr-desk COMMAND --help' for more.",
        f"--log-level: {', '.join(logs.LEVELS)} (default {logs.DEFAULT_LEVEL});"
        f" the log file is {logs.log_path()}",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Dispatch to a command and return its exit code.

    When the reader of stdout goes away (``imr-desk parse *.pdf | head -1``), the command
    stops quietly with ``EXIT_PIPE_CLOSED`` instead of a BrokenPipeError traceback."""
    try:
        code = _dispatch(argv)
        sys.stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
    except BrokenPipeError:
        return _stdout_closed()
    return code


def _stdout_closed() -> int:
    """Point stdout at the null device, so that the flush at exit cannot fail again."""
    _log.info("stdout was closed by its reader; stopped")
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (an in-process run): nothing to flush
        pass
    return EXIT_PIPE_CLOSED


def _dispatch(argv: list[str]) -> int:
    leading_level, argv = _leading_log_level(argv)
    if argv and argv[0] in ("--version", "-V"):
        print(f"imr-desk {__version__}")
        return 0
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if argv and (unknown := _unknown_command(argv[0])) is not None:
        print(unknown, file=sys.stderr)
        return EXIT_USAGE
    command = argv[0] if argv and argv[0] in COMMANDS else DEFAULT_COMMAND
    rest = argv[1:] if argv and argv[0] == command else argv
    if leading_level is not None:
        # Checked by the command's parser (a wrong level gets the usual usage error); one
        # given after the command comes later in the list, so it wins.
        rest = [LOG_LEVEL_OPTION, leading_level, *rest]
    args = parse_command_line(build_parser(command), rest)
    return _run(command, args)


def _unknown_command(word: str) -> str | None:
    """The error for a first argument that is a bare word (no dot, no slash: not a file
    name) naming no command and nothing on disk; None for anything the app may open. Such a
    word used to start the app, which then failed to import it (``imr-desk exprot``)."""
    if word in COMMANDS or word.startswith("-") or _names_a_file(word):
        return None
    nearest = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f"; did you mean '{nearest[0]}'?" if nearest else ""
    return (
        f"imr-desk: unknown command '{shown(word)}'{hint} (and no file or folder of that name"
        f" to open; the commands are {', '.join(COMMANDS)}; see imr-desk --help)"
    )


def _run(command: str, args: argparse.Namespace) -> int:
    logs.setup(args.log_level or logs.DEFAULT_LEVEL)
    _log.info("imr-desk %s: %s started", __version__, command)
    try:
        return _load(command).run(args)
    except BrokenPipeError:  # the reader of stdout left: no error of ours, see main()
        raise
    except KeyboardInterrupt:
        _log.info("imr-desk %s interrupted", command)
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        _log.exception("imr-desk %s stopped on an unexpected error", command)
        raise
