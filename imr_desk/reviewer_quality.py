"""How well each reviewer works: the figures a lead needs before vouching for the dataset.

Per reviewer, over the whole project (not one export's selection):

- ``letters``: letters they verified (a ``status`` audit row of theirs that made the letter,
  or their own review of a double-reviewed letter, verified), each letter once.
- ``median_seconds``: per letter, from their first audit row on it to the audit row where
  they first verified it; the median over their letters. The audit only sees changes, so the
  reading before the first change is not counted, and a letter verified without any change
  takes 0 s: a median near 0 is a reviewer who verifies without editing. (``stats``' pace
  table measures time between verifications instead, breaks cut out.)
- ``caught`` / ``missed``: their seeded checks (``LetterStore.check_results_by_reviewer``).
- Blind letters: verified letters of the blind sample whose values are theirs (a single
  review they verified last, or their own review of a double-reviewed blind letter). Each
  letter field and each field of a parser item they kept is one unit; it agrees when their
  value equals the parser's (``FieldValue.corrected`` false). Named "agreed with parser", not
  "accuracy": it is the parser's accuracy as this reviewer measured it, so a reviewer far
  below the others on the same kind of letters is worth a second look (the parser is right on
  almost every printed field).
- Agreement with others: over the double-reviewed letters with both reviews verified that
  they reviewed, the share of compared units equal in the two reviews. Units are those of
  ``agreement.differences``: each letter field, each field of an item both reviews have, and
  one unit for an item only one review has.

Pure: ``report`` takes the audit, the check counts and the letters; ``from_store`` gathers
them from a database (read-only).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from imr_desk.agreement import compared_units, differences
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS
from imr_desk.record import Letter
from imr_desk.storage import AuditEntry, LetterStore
from imr_desk.storage.blind_sample import marked

HEADERS: Final = (
    "reviewer",
    "letters",
    "median s/letter",
    "checks caught",
    "checks missed",
    "blind letters",
    "agreed with parser",
    "double letters",
    "agreed with others",
)


@dataclass(frozen=True)
class ReviewerQuality:
    """One reviewer's row of the report (see the module docstring for each figure)."""

    reviewer: str
    letters: int = 0
    median_seconds: float | None = None
    caught: int = 0
    missed: int = 0
    blind_letters: int = 0
    blind_fields: int = 0
    blind_agreed: int = 0
    double_letters: int = 0
    compared_fields: int = 0
    agreed_fields: int = 0

    @property
    def blind_share(self) -> float | None:
        """Share of blind units where they agreed with the parser; None with none."""
        return self.blind_agreed / self.blind_fields if self.blind_fields else None

    @property
    def agreement_share(self) -> float | None:
        """Share of units equal to the other reviewer's; None without double reviews."""
        return self.agreed_fields / self.compared_fields if self.compared_fields else None


@dataclass(frozen=True)
class DoubleReview:
    """A letter's two verified reviews, each with its reviewer."""

    sha256: str
    blind: bool
    first: tuple[str, Letter]
    second: tuple[str, Letter]


@dataclass
class _Tally:
    verified: dict[str, tuple[float, float]] = field(default_factory=dict)
    """sha256 -> (first audit row, first verification), in seconds."""
    started: dict[str, float] = field(default_factory=dict)
    blind_letters: int = 0
    blind_fields: int = 0
    blind_agreed: int = 0
    double_letters: int = 0
    compared: int = 0
    agreed: int = 0


def _seconds(at: str) -> float:
    return datetime.fromisoformat(at).timestamp()


def _read_audit(entries: Iterable[AuditEntry], tallies: dict[str, _Tally]) -> dict[str, str]:
    """Fill each reviewer's letter times from the audit (oldest first); returns each letter's
    last verifier (whose values a single-reviewed letter holds)."""
    last_verifier: dict[str, str] = {}
    for entry in entries:
        tally = tallies.setdefault(entry.reviewer, _Tally())
        moment = _seconds(entry.at)
        tally.started.setdefault(entry.sha256, moment)
        if entry.field == "status" and entry.new == "verified":
            last_verifier[entry.sha256] = entry.reviewer
            start = tally.started[entry.sha256]
            tally.verified.setdefault(entry.sha256, (start, moment))
    return last_verifier


def blind_units(letter: Letter) -> tuple[int, int]:
    """(units, agreed with the parser) of one verified blind letter: every letter field and
    every field of a parser item the reviewer kept (added items have no parser value)."""
    values = [letter.fields[spec.name] for spec in LETTER_FIELDS]
    kept = [item for item in letter.items if item.id in letter.parser_items]
    values += [item[spec.name] for item in kept for spec in ITEM_FIELDS]
    return len(values), sum(1 for value in values if not value.corrected)


def _add_blind(tally: _Tally, letter: Letter) -> None:
    units, agreed = blind_units(letter)
    tally.blind_letters += 1
    tally.blind_fields += units
    tally.blind_agreed += agreed


def _add_double(tallies: dict[str, _Tally], pair: DoubleReview) -> None:
    (name_a, a), (name_b, b) = pair.first, pair.second
    units = compared_units(a, b)
    agreed = units - len(differences(a, b))
    for name, letter in ((name_a, a), (name_b, b)):
        tally = tallies.setdefault(name, _Tally())
        tally.double_letters += 1
        tally.compared += units
        tally.agreed += agreed
        if pair.blind:
            _add_blind(tally, letter)


def report(
    audit: Iterable[AuditEntry],
    checks: Mapping[str, Mapping[str, int]],
    blind_singles: Iterable[tuple[str, Letter]] = (),
    doubles: Iterable[DoubleReview] = (),
) -> list[ReviewerQuality]:
    """One row per reviewer, most letters first. ``audit``: oldest first; ``checks``:
    reviewer -> {"caught": n, "missed": n}; ``blind_singles``: (sha256, letter) of verified
    single-reviewed blind letters, each credited to its last verifier; ``doubles``: letters
    with two verified reviews."""
    tallies: dict[str, _Tally] = {}
    last_verifier = _read_audit(audit, tallies)
    for sha, letter in blind_singles:
        if sha in last_verifier:
            _add_blind(tallies.setdefault(last_verifier[sha], _Tally()), letter)
    for pair in doubles:
        _add_double(tallies, pair)
    for name in checks:
        tallies.setdefault(name, _Tally())
    rows = [_row(name, tally, checks.get(name, {})) for name, tally in tallies.items()]
    return sorted(rows, key=lambda r: (-r.letters, r.reviewer))


def _row(name: str, tally: _Tally, checks: Mapping[str, int]) -> ReviewerQuality:
    spans = [end - start for start, end in tally.verified.values()]
    return ReviewerQuality(
        reviewer=name,
        letters=len(tally.verified),
        median_seconds=statistics.median(spans) if spans else None,
        caught=checks.get("caught", 0),
        missed=checks.get("missed", 0),
        blind_letters=tally.blind_letters,
        blind_fields=tally.blind_fields,
        blind_agreed=tally.blind_agreed,
        double_letters=tally.double_letters,
        compared_fields=tally.compared,
        agreed_fields=tally.agreed,
    )


def from_store(store: LetterStore) -> list[ReviewerQuality]:
    """The report of one database. Read-only."""
    singles = (
        (row.sha256, row.full)
        for row in store.iter_letters(status="verified")
        if row.stage is None and marked(row)
    )
    doubles = (
        DoubleReview(row.sha256, marked(row), (a.reviewer, a.letter), (b.reviewer, b.letter))
        for row, a, b in store.review_pairs()
    )
    return report(store.audit(), store.check_results_by_reviewer(), singles, doubles)


# --- presentation ------------------------------------------------------------------------------


def _share(share: float | None, part: int, whole: int) -> str:
    return "-" if share is None else f"{share:.1%} ({part}/{whole})"


def cells(row: ReviewerQuality) -> tuple[str, ...]:
    """The row as text, in ``HEADERS`` order ("-" where nothing was measured)."""
    median = "-" if row.median_seconds is None else f"{row.median_seconds:.0f}"
    return (
        row.reviewer,
        str(row.letters),
        median,
        str(row.caught),
        str(row.missed),
        str(row.blind_letters),
        _share(row.blind_share, row.blind_agreed, row.blind_fields),
        str(row.double_letters),
        _share(row.agreement_share, row.agreed_fields, row.compared_fields),
    )


def text_lines(rows: list[ReviewerQuality]) -> list[str]:
    """The report as aligned text lines (``imr-desk stats``)."""
    if not rows:
        return ["  (no reviews yet)"]
    table = [HEADERS, *(cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    return [
        "  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(
            zip(line, widths, strict=True))).rstrip()
        for line in table
    ]  # fmt: skip


NOTE: Final = (
    "Median seconds per letter run from a reviewer's first change of a letter to their "
    "verification of it (reading before the first change is not seen: 0 s is a letter verified "
    "unchanged). Seeded checks: letters shown with one value altered; caught when the reviewer "
    "corrected it. Agreed with parser: on letters of the blind sample (parser's values hidden), "
    "the share of fields where the reviewer's value equals the parser's. Agreed with others: "
    "on letters two reviewers reviewed, the share of fields both gave the same value."
)


def markdown_section(rows: list[ReviewerQuality]) -> str:
    """The dataset card's reviewer quality section."""
    title = "## Reviewer quality\n"
    if not rows:
        return f"{title}\nNo reviewer has worked on this project yet.\n"
    lines = [title, "Every reviewer of the project, over all its letters.\n"]
    lines += ["| " + " | ".join(HEADERS) + " |", "|---|" + "---:|" * (len(HEADERS) - 1)]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join([*lines, "", NOTE]) + "\n"
