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
    """Each sub-command's argument parser, by the name its usage line gives it."""
    parsers = (cli.build_parser(name) for name in cli.COMMANDS)
    return {parser.prog.split()[-1]: parser for parser in parsers}


def readme_rows() -> list[tuple[str | None, str]]:
    """(sub-command named, or None for the default command; the command cell) per row."""
    rows = []
    for cells in table_under(HEADING):
        words = cells[0].split()
        assert words[0] == "imr-desk", f"a row of the command table is not a command: {cells}"
        named = len(words) > 1 and SUB_COMMAND.fullmatch(words[1])
        rows.append((words[1] if named else None, cells[0]))
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
