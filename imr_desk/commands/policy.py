"""``imr-desk policy [--db DB] [--double-share PERCENT] [--blind|--not-blind] [--seed N]
[--lead NAME...] [--blind-share PERCENT] [--check-rate PERCENT]``: show or set which letters
get two independent reviews, which are reviewed blind, which carry a seeded check, and who leads.

Only a lead may change a policy that has leads; the first person to set one becomes its lead
unless they name others, since a policy without a lead could never be changed again. On a team
server the leads are the server's lead logins (``imr-desk team add LOGIN --lead``), and the
server itself refuses a policy change from any other login.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any, Final

from imr_desk.commands.db_option import add_db_argument, note_ignored_reviewer
from imr_desk.names import shown
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore, NoDatabaseError, StorageError

PROG: Final = "imr-desk policy"
CHANGES: Final = ("double_share", "blind", "seed", "leads", "blind_share", "check_rate")
"""The options that change the policy; with none of them given the command only shows it."""
SERVER_LEADS: Final = (
    "on a team server the leads are its lead logins, not names in the policy: the admin makes "
    "one with `imr-desk team add LOGIN --lead`"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Database, who is asking, and the parts of the policy to change."""
    add_db_argument(parser)
    parser.add_argument(
        "--reviewer",
        help="who changes the policy; must be a lead (default: OS user; on a team server "
        "your login)",
    )
    parser.add_argument(
        "--double-share",
        dest="double_share",
        type=_percent,
        metavar="PERCENT",
        help="share of letters (0-100) that get two independent reviews, chosen at random",
    )
    parser.add_argument(
        "--blind-share",
        dest="blind_share",
        type=_percent,
        metavar="PERCENT",
        help="share of letters (0-100) opened with the parser's values hidden (blind sample)",
    )
    parser.add_argument(
        "--check-rate",
        dest="check_rate",
        type=_percent,
        metavar="PERCENT",
        help="share of letters (0-100) showing one value altered, to measure vigilance",
    )
    blind = parser.add_mutually_exclusive_group()
    blind.add_argument(
        "--blind",
        dest="blind",
        action="store_true",
        default=None,
        help="a second review starts from the parser's values (the default)",
    )
    blind.add_argument(
        "--not-blind",
        dest="blind",
        action="store_false",
        help="a second review starts from the first reviewer's verified values",
    )
    parser.add_argument(
        "--seed", type=int, help="seed of the random choice of letters (same seed, same letters)"
    )
    parser.add_argument(
        "--lead",
        dest="leads",
        nargs="+",
        action="extend",
        type=_name,
        metavar="NAME",
        help="who may adjudicate and change the policy (replaces the list of leads; on a team "
        "server the leads are its lead logins)",
    )


def _percent(text: str) -> float:
    """A share given in percent, as the fraction the policy keeps."""
    try:
        percent = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= percent <= 100.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"a share is 0 to 100 (percent), not {text}")
    return percent / 100.0


def _name(text: str) -> str:
    name = text.strip()
    if not name:
        raise argparse.ArgumentTypeError("a lead's name cannot be empty")
    return name


def run(args: argparse.Namespace) -> int:
    """Show the policy, or change it and show the result. Exit 2 without a database, 1 when
    the change is refused (not a lead) or the database cannot be used."""
    changes = {name: getattr(args, name) for name in CHANGES if getattr(args, name) is not None}
    try:
        with LetterStore.open(args.db, reviewer=args.reviewer, create=False) as store:
            note_ignored_reviewer(PROG, args.reviewer, store)
            if "leads" in changes and store.kind == "postgresql":
                print(f"{PROG}: {SERVER_LEADS}", file=sys.stderr)
                return 2
            policy = store.policy()
            if changes and store.kind == "postgresql" and not policy.leads:
                print(f"{PROG}: {_no_lead_yet(store.reviewer)}", file=sys.stderr)
                return 1
            if changes:
                policy = _changed(policy, changes, store.reviewer)
                store.set_policy(policy)
    except NoDatabaseError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"{PROG}: {shown(str(exc))}", file=sys.stderr)
        return 1
    if changes:
        print("review policy changed:")
    print(render(policy))
    return 0


def _no_lead_yet(login: str) -> str:
    """Why a team server without a lead login refuses every policy change (its row security
    lets only a lead write the policy)."""
    return (
        f"only a lead may change the review policy ({shown(login)} is not one; the team has no "
        "lead yet: the admin makes one with `imr-desk team add LOGIN --lead`)"
    )


def _changed(policy: ReviewPolicy, changes: dict[str, Any], reviewer: str) -> ReviewPolicy:
    """The policy with the given parts replaced, the others kept. A project without leads
    gets the person setting the policy as its lead, unless leads are named (never on a team
    server, where the leads are its lead logins and one without any is refused before)."""
    if "leads" in changes:
        changes["leads"] = tuple(dict.fromkeys(changes["leads"]))
    elif not policy.leads:
        changes["leads"] = (reviewer,)
    return replace(policy, **changes)


def _share(share: float) -> str:
    return f"{share * 100:g}% of letters" if share > 0 else "off"


def render(policy: ReviewPolicy) -> str:
    """The policy as the command prints it."""
    if policy.double_share > 0:
        share = f"{policy.double_share * 100:g}% of letters, chosen with seed {policy.seed}"
    else:
        share = f"off (0% of letters; seed {policy.seed})"
    blind = (
        "blind (each reviewer starts from the parser's values)"
        if policy.blind
        else "not blind (the second reviewer starts from the first one's verified values)"
    )
    leads = ", ".join(shown(lead) for lead in policy.leads) or "none yet"
    sample = f"{policy.blind_share * 100:g}% of letters" if policy.blind_share > 0 else "off"
    return (
        f"double review: {share}\nsecond review: {blind}\n"
        f"blind sample (parser's values hidden): {sample}\n"
        f"seeded checks (one value shown altered): {_share(policy.check_rate)}\nleads: {leads}"
    )
