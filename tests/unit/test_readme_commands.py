"""README.md's command table names each sub-command the command line has, and no other.

The commands come from ``imr_desk.cli`` (each one's own argument parser), never from a list
written here, so a command added, renamed or removed fails this test until the README says so.
"""

from __future__ import annotations

import argparse
import re
from typing import Final

from imr_desk import cli
from tests.readme_tables import table_under

HEADING: Final = "## Commands"
SUB_COMMAND: Final = re.compile(r"[a-z][a-z-]*")
OPTION: Final = re.compile(r"--[a-z][a-z-]*")


def cli_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each sub-command's argument parser, by the name its usage line gives it; a command
    made of actions (``team init``, ``team add``) by each action's, named with both words."""
    found: dict[str, argparse.ArgumentParser] = {}
    for parser in (cli.build_parser(name) for name in cli.COMMANDS):
        actions = _actions(parser)
        if actions:
            found.update({" ".join(sub.prog.split()[1:]): sub for sub in actions.values()})
        else:
            found[parser.prog.split()[-1]] = parser
    return found


def _actions(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(
        (
            dict(action.choices)
            for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
        ),
        {},
    )


def readme_rows() -> list[tuple[str | None, str]]:
    """(sub-command named, or None for the default command; the command cell) per row."""
    grouped = {name for name in cli.COMMANDS if _actions(cli.build_parser(name))}
    rows = []
    for cells in table_under(HEADING):
        words = cells[0].split()
        assert words[0] == "imr-desk", f"a row of the command table is not a command: {cells}"
        named = len(words) > 1 and SUB_COMMAND.fullmatch(words[1])
        name = words[1] if named else None
        if name in grouped and len(words) > 2:
            name = f"{name} {words[2]}"
        rows.append((name, cells[0]))
    return rows


def test_readme_command_table_lists_each_sub_command_of_the_cli_once() -> None:
    rows = readme_rows()
    named = [name for name, _cell in rows if name is not None]
    assert len(named) == len(set(named)), f"a command has two rows: {sorted(named)}"
    listed = set(named)
    if any(name is None for name, _cell in rows):
        listed.add(cli.DEFAULT_COMMAND)  # `imr-desk` alone runs it
    assert listed == set(cli_parsers())


def test_readme_command_table_names_only_options_its_commands_accept() -> None:
    parsers = cli_parsers()
    # The default command's rows show top-level options (--version); the test above reports
    # a row for a command the cli does not have.
    named = [(name, cell) for name, cell in readme_rows() if name in parsers]
    for name, cell in named:
        accepted = set(OPTION.findall(parsers[name].format_usage()))
        assert set(OPTION.findall(cell)) <= accepted, f"{cell}: accepted are {sorted(accepted)}"
