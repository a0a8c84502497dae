"""Seeded checks: one pre-filled value of a letter shown altered, to measure vigilance.

A reviewer who is shown the parser's values learns to accept them without reading. A letter
the review policy chooses for a check (``ReviewPolicy.chooses_check``) shows one value the
parser filled in altered to a plausible wrong one (a date moved by 1-30 days, a decision
flipped, a category swapped, a word dropped from a treatment, an age changed). Which field
and how is drawn from a key, so the same letter always carries the same check.

This module only plans the check and builds what the reviewer sees; the stored letter never
holds the shown value (the session overlays it, the store records only the outcome).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from imr_desk.domain import CATEGORIES, DECISIONS
from imr_desk.record import FieldRef, Letter, is_empty
from imr_desk.review_policy import ReviewPolicy

KINDS: Final = ("date", "decision", "category", "treatment", "age")
OUTCOMES: Final = ("caught", "missed")
AWAITING: Final = ("parsed", "in_progress")
"""The statuses of a letter whose review a check can still test."""
MAX_DAYS: Final = 30
MAX_AGE_STEP: Final = 9
AGES: Final = range(0, 121)


@dataclass(frozen=True)
class Check:
    """A seeded check: the field, how it was altered, the letter's value and the one shown."""

    ref: FieldRef
    kind: str
    original: Any
    shown: Any

    @property
    def path(self) -> str:
        return str(self.ref)


def plan_check(letter: Letter, key: str) -> Check | None:
    """The check a letter carries, drawn from ``key`` (the same key, the same check); None
    when no value the parser filled in can be altered plausibly."""
    candidates = list(_candidates(letter))
    if not candidates:
        return None
    draw = random.Random(hashlib.sha256(key.encode()).digest())
    ref, kind = candidates[draw.randrange(len(candidates))]
    original = letter.value(ref)
    return Check(ref, kind, original, ALTER[kind](original, draw))


def check_key(seed: int, sha256: str) -> str:
    """The key a letter's check is drawn from: the policy's seed and the letter."""
    return f"{seed}:check:{sha256}"


def check_for(policy: ReviewPolicy, sha256: str, letter: Letter) -> Check | None:
    """The check a letter opened for review shows under ``policy``: one when the policy
    chose it for a check and not for a blind review (a blind form shows no value to alter),
    and the letter still awaits verification. Whether the reviewer has settled it already
    is the store's to say."""
    if letter.status not in AWAITING or not policy.chooses_check(sha256):
        return None
    if policy.chooses_blind(sha256):
        return None
    return plan_check(letter, check_key(policy.seed, sha256))


def _candidates(letter: Letter) -> Iterator[tuple[FieldRef, str]]:
    """Fields holding a value the parser filled in (not a person's) that a kind can alter."""
    for ref in letter.refs():
        found = letter.field(ref)
        if found.is_human or is_empty(found.value):
            continue
        kind = _kind(ref, found.value)
        if kind is not None:
            yield ref, kind


def _kind(ref: FieldRef, value: Any) -> str | None:
    """The check kind that can alter this field's value, if any."""
    spec = ref.spec
    if spec.kind == "date":
        return "date" if _is_date(value) else None
    if spec.name == "decision":
        return "decision" if value in DECISIONS else None
    if spec.name == "category":
        return "category" if value in CATEGORIES else None
    if spec.name == "treatment":
        return "treatment" if isinstance(value, str) and len(value.split()) >= 2 else None
    if spec.name == "patient_age":
        return "age" if isinstance(value, int) and value in AGES else None
    return None


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _moved_date(value: str, draw: random.Random) -> str:
    days = draw.randint(1, MAX_DAYS) * draw.choice((-1, 1))
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def _flipped(value: str, draw: random.Random) -> str:
    return next(d for d in DECISIONS if d != value)


def _swapped(value: str, draw: random.Random) -> str:
    return draw.choice([c for c in CATEGORIES if c != value])


def _word_dropped(value: str, draw: random.Random) -> str:
    words = value.split()
    del words[draw.randrange(len(words))]
    return " ".join(words)


def _age_changed(value: int, draw: random.Random) -> int:
    ages = [
        value + step * sign
        for step in range(1, MAX_AGE_STEP + 1)
        for sign in (-1, 1)
        if value + step * sign in AGES
    ]
    return draw.choice(ages)


ALTER: Final[dict[str, Callable[[Any, random.Random], Any]]] = {
    "date": _moved_date,
    "decision": _flipped,
    "category": _swapped,
    "treatment": _word_dropped,
    "age": _age_changed,
}


def shown_letter(letter: Letter, check: Check | None) -> Letter:
    """The letter as the reviewer sees it: the seeded value in place of the stored one, as
    if the parser had read it (so nothing marks it as changed). Unchanged without a check,
    or when the field is gone or no longer holds the checked value."""
    if check is None or not letter.has(check.ref):
        return letter
    found = letter.field(check.ref)
    if found.value != check.original:
        return letter
    return letter.with_field(check.ref, replace(found, value=check.shown, parsed=check.shown))


def is_shown(letter: Letter, check: Check | None) -> bool:
    """Whether the reviewer sees the check's value (its field still holds the letter's)."""
    return shown_letter(letter, check) is not letter


def describe(check: Check, letter: Letter) -> str:
    """The field's name as the reviewer knows it: its label, with the item's number."""
    label = check.ref.spec.label
    if check.ref.item is None or not letter.has(check.ref):
        return label
    return f"{label} of item {letter.item_index(check.ref.item) + 1}"


def missed_message(check: Check, letter: Letter) -> str:
    """What the reviewer is told when they verified with the seeded value still shown."""
    return (
        f"Seeded check missed: {describe(check, letter)} was shown as {_spelled(check.shown)}, "
        f"but the letter says {_spelled(check.original)}. The letter's value is what is stored."
    )


def caught_message(check: Check, letter: Letter) -> str:
    return f"Seeded check caught: {describe(check, letter)} had been altered. Well spotted."


def _spelled(value: Any) -> str:
    return f"'{value}'"
