"""Entry point: ``imr-desk COMMAND ...`` runs a headless command, plain ``imr-desk`` the app."""

from __future__ import annotations

import sys

from imr_desk.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
