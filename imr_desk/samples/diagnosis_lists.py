"""Diagnosis statements for sample case summaries, in every form the diagnoses rule names.

A statement is a cue ("The current diagnoses are documented as", "was diagnosed with", the
misprint "documented is", "Diagnoses:") and a list: numbered (``1. A 2. B``, ``1) A, 2) B``,
``(1) A; (2) B``, run together ``1.A2.B``), or joined by commas, semicolons, ``and``, ``&`` or
``as well as``. Entries that hold commas or ``and`` but name one diagnosis come in too: a shared
condition word ("lumbar, hip, and neck strain"), a shared site ("strain in right hip, ankle, and
foot"), an ICD qualifier ("..., lumbosacral region"), two conditions of one site ("wrist
tendinitis and bursitis") and paired titles ("dizziness and giddiness"). Some summaries name a
diagnosis again in a later statement (a repeat, dropped from the entries) and some carry
sentences that are no cue ("Diagnostic studies ...", "rule out", "filed a claim for", "is being
treated for"). Each builder returns the sentences and the entries the rule reads from them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from imr_desk.samples.prose import lower_first
from imr_desk.samples.vocabulary import (
    DIAGNOSES,
    ICD_CONDITIONS,
    PAIRED_DIAGNOSES,
    SHARED_CONDITIONS,
    SHARED_SITES,
    SITE_CONDITIONS,
    SPINE_REGIONS,
)

LIST_CUES: Final = (
    "{His} diagnoses include {list}.",
    "Diagnoses include {list}.",
    "The diagnoses included {list}.",
    "The current diagnoses are documented as {list}.",
    "The diagnoses are listed as {list}.",
    "The diagnoses were noted as {list}.",
    "The diagnoses were noted to be {list}.",
    "The diagnoses consist of {list}.",
    "The diagnoses consisted of {list}.",
    "Diagnoses: {list}.",
    "The diagnoses are {list}.",
    "The diagnoses were {list}.",
    "{He} was diagnosed with {list}.",
    "{He} was diagnosed as having {list}.",
    "{He} was diagnosed as {list}.",
    "The working diagnoses are {list}.",
    "{He} is being treated for the diagnoses of {list}.",
    "{He} was being treated for diagnoses of {list}.",
    "The records show diagnoses that include {list}.",
    "The current diagnosis documented is {list}.",
    "The current diagnoses are documented {list}.",
)
ONE_CUES: Final = (
    "The current diagnosis is documented as {list}.",
    "The diagnosis is {list}.",
    "The diagnosis was noted as {list}.",
    "{He} has a working diagnosis of {list}.",
    "{He} was given a diagnosis of {list}.",
    "The working diagnosis is {list}.",
)
NUMBERED_CUES: Final = (
    "Diagnoses: {list}.",
    "The diagnoses are as follows: {list}.",
    "Diagnoses include {list}.",
)
ARTICLE_CUES: Final = ("{He} was diagnosed with {list}.", "{He} was given a diagnosis of {list}.")
DECOYS: Final = (
    "Diagnostic studies included an MRI of the {body}.",
    "Diagnostic testing to date has included x-rays of the {body}.",
    "An MRI was requested to rule out {condition}.",
    "The treating physician wished to rule out the diagnosis of {condition}.",
    "{He} filed a claim for {condition}.",
    "{He} is being treated for {condition}.",
    "{He} has been treated for {condition}.",
    "{He} is undergoing treatment for {condition}.",
)
CODE_LETTERS: Final = "MS"


@dataclass(frozen=True)
class Entry:
    """A diagnosis as printed, and whether a plain ``and`` may stand before it: one that starts
    with a bare condition word or a site list would share words across that ``and``."""

    text: str
    after_and: bool = True


def _shared_condition(rng: random.Random) -> Entry:
    sites, condition = rng.sample(SHARED_SITES, rng.choice((2, 3))), rng.choice(SHARED_CONDITIONS)
    if len(sites) == 2:
        return Entry(f"{sites[0]} and {sites[1]} {condition}", after_and=False)
    return Entry(f"{sites[0]}, {sites[1]}, and {sites[2]} {condition}", after_and=False)


def _shared_site(rng: random.Random) -> Entry:
    condition, side = rng.choice(SHARED_CONDITIONS), rng.choice(("right", "left"))
    sites = rng.sample(("hip", "ankle", "foot", "knee", "wrist", "hand", "elbow"), 3)
    if rng.random() < 0.5:
        return Entry(f"{condition} in {side} {sites[0]}, {sites[1]}, and {sites[2]}")
    return Entry(f"{condition} of the {side} {sites[0]} and {sites[1]}")


def _icd_qualified(rng: random.Random) -> Entry:
    roll = rng.random()
    if roll < 0.5:
        return Entry(f"{rng.choice(ICD_CONDITIONS)}, {rng.choice(SPINE_REGIONS)} region")
    if roll < 0.8:
        encounter = rng.choice(("initial", "subsequent"))
        site = rng.choice(("lumbar spine", "cervical spine", "left knee", "right wrist"))
        return Entry(f"sprain of ligaments of the {site}, {encounter} encounter")
    return Entry(f"{rng.choice(('dorsalgia', 'cervicalgia', 'low back pain'))}, unspecified")


def _one_site_two_conditions(rng: random.Random) -> Entry:
    first, second = rng.sample(SITE_CONDITIONS, 2)
    site = rng.choice(("wrist", "elbow", "shoulder", "knee", "ankle", "hip"))
    return Entry(f"{site} {first} and {second}")


def _paired(rng: random.Random) -> Entry:
    if rng.random() < 0.5:
        return Entry(rng.choice(PAIRED_DIAGNOSES), after_and=False)
    site = rng.choice(("lumbar spine", "the left ankle", "the cervical spine", "the right knee"))
    return Entry(f"sprain and strain of {site}", after_and=False)


COMPOUNDS: Final[tuple[Callable[[random.Random], Entry], ...]] = (
    _shared_condition,
    _shared_site,
    _icd_qualified,
    _one_site_two_conditions,
    _paired,
)


def pick_entries(rng: random.Random, *, lower: bool) -> list[Entry]:
    """One to five distinct diagnoses, about a third of them ones that hold commas or "and"."""
    count = rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 4, 3, 2))[0]
    entries: list[Entry] = []
    while len(entries) < count:
        if rng.random() < 0.35:
            entry = rng.choice(COMPOUNDS)(rng)
        else:
            entry = Entry(rng.choice(DIAGNOSES))
            if rng.random() < 0.1:
                entry = Entry(f"{entry.text} ({_code(rng)})")
        text = lower_first(entry.text) if lower else entry.text[0].upper() + entry.text[1:]
        if all(text.casefold() != e.text.casefold() for e in entries):
            entries.append(Entry(text, entry.after_and))
    return entries


def _code(rng: random.Random) -> str:
    """A made-up ICD-style code."""
    return f"{rng.choice(CODE_LETTERS)}{rng.randint(10, 99)}.{rng.randint(0, 99)}"


def joined(rng: random.Random, entries: list[Entry]) -> str:
    """Entries joined as a list; ``and`` only before a last entry that allows it."""
    texts = [e.text for e in entries]
    if len(texts) == 1:
        return texts[0]
    if not entries[-1].after_and:
        return rng.choice(("; ", ", ")).join(texts)
    if len(texts) == 2:
        return f"{texts[0]} {rng.choice(('and', 'and', '&', 'as well as'))} {texts[1]}"
    head, last = texts[:-1], texts[-1]
    before_last = rng.choice((", and ", "; ", "; and ", " and ", ", as well as "))
    return ("; " if before_last.startswith(";") else ", ").join(head) + before_last + last


def numbered(rng: random.Random, entries: list[Entry], *, run_together: bool) -> str:
    """A numbered list: ``1.A2.B`` run together, or ``1. A 2. B``, ``1) A, 2) B``, ``(1) A;``."""
    texts = [e.text for e in entries]
    if run_together:
        return "".join(f"{i}.{t}" for i, t in enumerate(texts, 1))
    style = rng.choice(("dot", "dot_stop", "paren", "both"))
    if style == "dot":
        return " ".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
    if style == "dot_stop":
        return ". ".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
    if style == "paren":
        return ", ".join(f"{i}) {t}" for i, t in enumerate(texts, 1))
    return "; ".join(f"({i}) {t}" for i, t in enumerate(texts, 1))


def listed_statement(rng: random.Random, words: dict[str, str]) -> tuple[str, list[str]]:
    """A cued list in prose ("The diagnoses are documented as a, b, and c.") and its entries."""
    entries = pick_entries(rng, lower=True)
    allowed = [e for e in entries if e.after_and]
    if allowed and not entries[-1].after_and:  # end on an entry a plain "and" may precede
        entries.remove(allowed[-1])
        entries.append(allowed[-1])
    expected = [e.text for e in entries]
    if len(entries) == 1:
        if rng.random() < 0.1:  # quoted: the quotes are not part of the entry
            return rng.choice(ONE_CUES).format(list=f'"{expected[0]}"', **words), expected
        cue = rng.choice(ONE_CUES + LIST_CUES)
    else:
        cue = rng.choice(LIST_CUES)
    if rng.random() < 0.25:  # "diagnosed with a ...": the article is not part of the entry
        cue = rng.choice(ARTICLE_CUES)
        first = entries[0].text
        article = "an" if first[0].lower() in "aeiou" else "a"
        entries[0] = Entry(f"{article} {first}", entries[0].after_and)
    return cue.format(list=joined(rng, entries), **words), expected


def numbered_statement(
    rng: random.Random, noun: str, *, run_together: bool
) -> tuple[str, list[str]]:
    """A numbered list; run together it has no full stop (the next sentence runs on)."""
    entries = pick_entries(rng, lower=False)
    expected = [e.text for e in entries]
    if run_together:
        listed = numbered(rng, entries, run_together=True)
        return f"The {noun}'s diagnoses include the following:{listed}", expected
    listed = numbered(rng, entries, run_together=False)
    return rng.choice(NUMBERED_CUES).format(list=listed), expected


def repeat_statement(
    rng: random.Random, words: dict[str, str], expected: list[str]
) -> tuple[str, list[str]]:
    """A later statement naming an earlier diagnosis again (in other letter case) and a new one."""
    again = rng.choice(expected)
    again = again.upper() if rng.random() < 0.5 else again[0].swapcase() + again[1:]
    new = lower_first(rng.choice(DIAGNOSES))
    if any(new.casefold() == e.casefold() for e in expected):
        return f"{words['He']} was later diagnosed with {again}.", []
    return f"{words['He']} was later diagnosed with {again}; {new}.", [new]


def decoy(rng: random.Random, words: dict[str, str], body: str) -> str:
    """A sentence with no diagnosis cue that still names a condition or diagnostic work."""
    condition = lower_first(rng.choice(DIAGNOSES))
    return rng.choice(DECOYS).format(condition=condition, body=body, **words)
