"""``imr-desk team init|add|list --db URL``: set up a team project on a PostgreSQL server.

Run by the server's admin (a login that may create roles and owns the database): ``init``
creates the project (tables, roles, the rules the server enforces), ``add`` a reviewer's or a
lead's login, ``list`` shows the team and what each one holds now. No password ever passes
through IMR Desk: ``add`` prints how the admin sets one with psql (which sends the server only
its hash) and how the reviewer's desk finds it (``~/.pgpass``, ``PGPASSWORD``, a service file).
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from imr_desk.commands.db_option import SERVER_HELP
from imr_desk.names import shown
from imr_desk.storage import StorageError
from imr_desk.storage.engine import is_server_target
from imr_desk.storage.errors import PermissionRefusedError

PROG: Final = "imr-desk team"
MAX_CLAIM_MINUTES: Final = 24 * 60
ADMIN_HINT: Final = (
    " (team init and team add run as the server's admin: a login that may create roles and "
    "owns the database)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One sub-command a task: init, add, list; each takes ``--db``."""
    from imr_desk.cli import add_log_level

    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", help="create the project (tables, roles, rules) in an empty database"
    )
    init.add_argument(
        "--claim-minutes",
        type=_minutes,
        metavar="N",
        help="how long a letter stays held by an idle desk (default 10 minutes)",
    )
    add = actions.add_parser(
        "add", help="create a reviewer's login (and print how to set its password)"
    )
    add.add_argument("login", metavar="NAME", help="the login: lower-case letters, digits, _ . -")
    add.add_argument(
        "--lead", action="store_true", help="a lead: adjudicates, sets the review policy"
    )
    actions.add_parser("list", help="the logins, leads marked, and the letters each holds now")
    for sub in actions.choices.values():
        sub.add_argument("--db", metavar="URL", required=True, help=SERVER_HELP)
        add_log_level(sub, default=argparse.SUPPRESS)


def _minutes(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of minutes: {text!r}") from None
    if not 1 <= minutes <= MAX_CLAIM_MINUTES:
        raise argparse.ArgumentTypeError(f"a claim lasts 1 to {MAX_CLAIM_MINUTES} minutes")
    return minutes


def run(args: argparse.Namespace) -> int:
    """Run the sub-command; 2 for a --db that names no server or a login that cannot be
    one, 1 when the server refuses or cannot be reached."""
    if not is_server_target(args.db):
        print(
            f"{PROG} {args.action}: --db must name a team server (postgresql://ADMIN@HOST/DB "
            f"or service=NAME), not {shown(args.db)!r}",
            file=sys.stderr,
        )
        return 2
    try:
        return {"init": _init, "add": _add, "list": _list}[args.action](args)
    except ValueError as exc:
        print(f"{PROG} {args.action}: {shown(str(exc))}", file=sys.stderr)
        return 2
    except StorageError as exc:
        hint = ADMIN_HINT if isinstance(exc, PermissionRefusedError) else ""
        print(f"{PROG} {args.action}: {shown(str(exc))}{hint}", file=sys.stderr)
        return 1


def _init(args: argparse.Namespace) -> int:
    from imr_desk.storage import team
    from imr_desk.storage.pg_engine import shown_location

    seconds = args.claim_minutes * 60 if args.claim_minutes else None
    created = team.init_project(args.db, claim_seconds=seconds)
    where = shown_location(args.db)
    if created:
        print(f"created the team project at {where}, with its reviewer and lead roles")
    else:
        print(f"the team project at {where} is already there; nothing was created")
    if args.claim_minutes:
        print(f"claim time: a letter is held {args.claim_minutes} idle minutes")
    print(f"next: {PROG} add NAME [--lead] --db {_quoted(args.db)}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from imr_desk.storage import team
    from imr_desk.storage.pg_engine import shown_location

    login, role = args.login, "lead" if args.lead else "reviewer"
    changed = team.add_member(args.db, login, lead=args.lead)
    where = shown_location(args.db)
    if changed:
        print(f"{login} is now a {role} of the team at {where}")
    else:
        print(f"{login} was already a {role} of the team at {where}; nothing changed")
    print(connect_instructions(args.db, login))
    return 0


def connect_instructions(admin_db: str, login: str) -> str:
    """How the admin sets the login's password and how its desk connects: psql's
    ``\\password`` (the server gets only a hash), then ``~/.pgpass``, PGPASSWORD or a
    service file on the desk, never the command line."""
    from imr_desk.storage import team

    desk = team.member_conninfo(admin_db, login)
    return "\n".join(
        [
            "Set its password (psql asks for it twice and sends the server only its hash):",
            f'  psql "{admin_db}" -c "\\password {login}"',
            f"{login}'s desk connects with:",
            f"  imr-desk --db {_quoted(desk)}",
            "finding the password in ~/.pgpass (chmod 600 ~/.pgpass), one line:",
            f"  {team.pgpass_line(desk)}",
            "or in the PGPASSWORD environment variable, or through a service in "
            "~/.pg_service.conf (then --db service=NAME).",
        ]
    )


def _list(args: argparse.Namespace) -> int:
    from imr_desk.storage import team
    from imr_desk.storage.pg_engine import shown_location

    members = team.members(args.db)
    held = team.live_claims_by_login(args.db)
    if not members:
        print(f"no logins yet in the team at {shown_location(args.db)}")
        print(f"add one: {PROG} add NAME [--lead] --db {_quoted(args.db)}")
        return 0
    width = max(len("login"), *(len(m.login) for m in members))
    print(f"{'login':{width}s}  role      letters held")
    for member in members:
        role = "lead" if member.lead else "reviewer"
        print(f"{member.login:{width}s}  {role:8s}  {held.get(member.login, 0):12d}")
    return 0


def _quoted(conninfo: str) -> str:
    """A connection string as a shell word (``service=imr user=alice`` has a space)."""
    return f'"{conninfo}"' if " " in conninfo else conninfo
