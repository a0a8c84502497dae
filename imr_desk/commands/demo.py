"""``imr-desk demo [--count N] [--dir DIR] [--db DB]``: sample letters in a fresh demo database,
opened.

The README's "run it" command: it needs no real letters. Each run writes a new folder (or
reuses ``--dir`` if it holds no database yet), so the demo never touches the reviewer's data.
With ``--db`` (a team server, or a file of one's choosing) the letters are generated here and
imported into that project instead: a team tries the server out on letters that are not real.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

from imr_desk.commands.db_option import PLACES
from imr_desk.commands.open_app import add_start_arguments, launch

DEFAULT_COUNT: Final = 24
SEED: Final = 2016
DEMO_REVIEWER: Final = "demo"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Letter count, folder, project, reviewer, and the start-and-quit switches."""
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="letters to generate")
    parser.add_argument("--dir", help="folder for the letters and demo.db (default: a new one)")
    parser.add_argument(
        "--db",
        metavar="DB",
        help=f"import the letters into this project instead of a new demo.db: {PLACES}",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="generator seed")
    parser.add_argument(
        "--reviewer",
        help=f"reviewer name in the audit log (default: {DEMO_REVIEWER}; on a team server "
        "your login)",
    )
    add_start_arguments(parser)


def prepare_demo(folder: Path, *, count: int, seed: int) -> tuple[Path, list[Path]]:
    """Generate letters into ``folder/letters`` and name the demo database beside them."""
    from imr_desk.samples import generate_letters

    letters = folder / "letters"
    letters.mkdir(parents=True, exist_ok=True)
    pdfs = generate_letters(letters, count=count, seed=seed)
    return folder / "demo.db", pdfs


def run(args: argparse.Namespace) -> int:
    """Generate, then open the app importing the letters; 2 when ``--dir`` is already a demo."""
    if args.dir:
        folder = Path(args.dir)
        if args.db is None and (folder / "demo.db").exists():
            print(
                f"imr-desk demo: {folder} already holds demo.db; pick a new --dir", file=sys.stderr
            )
            return 2
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = Path(tempfile.mkdtemp(prefix=f"imr-desk-demo-{stamp}-"))
    demo_db, pdfs = prepare_demo(folder, count=args.count, seed=args.seed)
    db: str | Path = args.db or demo_db
    # --db is not echoed: a mistyped one may hold a password, which the store then refuses.
    into = "importing them into the project given with --db" if args.db else f"database {db}"
    print(f"imr-desk demo: {len(pdfs)} sample letters in {folder / 'letters'}, {into}")
    return launch(
        db,
        reviewer=args.reviewer if args.db else args.reviewer or DEMO_REVIEWER,
        paths=[str(folder / "letters")],
        smoke=args.smoke,
        quit_after_ms=args.quit_after_ms,
    )
