"""Entry point: ``imr-desk COMMAND ...`` runs a headless command, plain ``imr-desk`` the app."""

from __future__ import annotations

import multiprocessing
import sys

from imr_desk.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    # The importer's worker pool spawns sys.executable: in the packaged app that is this program,
    # which must run the worker it was started as, not the app again (a fork bomb otherwise).
    multiprocessing.freeze_support()
    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
