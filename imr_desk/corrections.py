"""The parser's improvement backlog: every value a person changed from the parser's, and why.

The export writes one ``corrections.csv`` row per corrected field of each letter it carries
(exactly the fields its ``review.corrected`` lists, in that order) with the reason the
reviewer gave, and the dataset card counts the verified letters' corrections by reason, so
whoever improves the parser starts from the most frequent kind of error.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import astuple, dataclass
from typing import Any, Final

from imr_desk.domain import CORRECTION_REASON_TEXT
from imr_desk.record import FieldRef, Letter, export_paths, thaw

COLUMNS: Final = (
    "sha256",
    "case_number",
    "field",
    "item_id",
    "parser_value",
    "final_value",
    "reason",
    "reviewer",
)
NOT_GIVEN: Final = "(not given)"
CASE_NUMBER: Final = FieldRef("case_number")


@dataclass(frozen=True)
class Correction:
    """One corrected field: ``field`` is the export's path (items by index), ``item_id`` the
    item's stable id (None for a letter field), ``reviewer`` who set the final value."""

    sha256: str
    case_number: str | None
    field: str
    item_id: str | None
    parser_value: Any
    final_value: Any
    reason: str | None
    reviewer: str | None

    def values(self) -> tuple[Any, ...]:
        """The row's values in ``COLUMNS`` order."""
        return astuple(self)


def corrections(letter: Letter) -> list[Correction]:
    """Every field of the letter whose value differs from the parser's, in field order."""
    refs = letter.corrected()
    found = []
    for ref, path in zip(refs, export_paths(letter, refs), strict=True):
        field = letter.field(ref)
        found.append(
            Correction(
                sha256=letter.source.sha256,
                case_number=letter.value(CASE_NUMBER),
                field=path,
                item_id=ref.item,
                parser_value=thaw(field.parsed),
                final_value=thaw(field.value),
                reason=field.reason,
                reviewer=field.set_by,
            )
        )
    return found


_FILE_TEXT: Final = """`corrections.csv` has one row for every field of an exported letter whose
value differs from the parser's (the fields its `review.corrected` lists, in that order): the
parser's improvement backlog. Its columns: `sha256` and `case_number` of the letter; `field`,
the field path (items by their index in the record, as in `review.corrected`); `item_id`, the
item's stable id (empty for a letter field); `parser_value` and `final_value`, what the parser
read and the final value (lists joined with `; `, empty for none); `reason`, why the reviewer
changed it (below; empty when no reason was given); `reviewer`, who set the final value. Its
cells are made safe for a spreadsheet like the other CSV files'.
"""


def reasons_section(reasons: Counter, verified_letters: int) -> str:
    """The card's section on ``corrections.csv``: its columns, and the verified letters'
    corrections counted by reason (``reasons``: reason name or ``NOT_GIVEN`` -> count)."""
    total = sum(reasons.values())
    lines = [
        "## Corrections and their reasons\n",
        _FILE_TEXT,
        f"Corrections in the {verified_letters} verified letter{'s' * (verified_letters != 1)} "
        f"by reason (letters not yet verified are left out, as above): {total} in all.\n",
        "| reason | meaning | corrections | share |",
        "|---|---|---:|---:|",
    ]
    rows = [(name, meaning) for name, (_label, meaning) in CORRECTION_REASON_TEXT.items()]
    for name, meaning in [*rows, (NOT_GIVEN, "the reviewer gave no reason")]:
        count = reasons[name]
        shown = f"`{name}`" if name != NOT_GIVEN else name
        lines.append(f"| {shown} | {meaning} | {count} | {count / total if total else 0:.1%} |")
    return "\n".join(lines) + "\n"
