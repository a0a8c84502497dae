"""Licence states read by OCR checked against the states that exist.

A reviewer's licence states are a closed list, so a state OCR misread ("Jowa", "Ilowa") is put
right when exactly one state's name is within a small edit distance of it. Only OCR words are
corrected: a text layer's states are kept as printed, misprints included (fields.md).
"""

from __future__ import annotations

from typing import Final

US_STATES: Final = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois",
    "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts",
    "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Puerto Rico", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia",
    "Washington", "West Virginia", "Wisconsin", "Wyoming",
)  # fmt: skip
_BY_KEY: Final = {name.casefold(): name for name in US_STATES}
CORRECTED: Final = 0.9  # a corrected list's confidence, as a factor


def known_states(states: list[str]) -> tuple[list[str], float]:
    """The states with each misread one replaced by the only state close to it, and the
    factor on the list's confidence (1 when nothing was replaced)."""
    corrected = [_nearest(state) or state for state in states]
    return corrected, (1.0 if corrected == states else CORRECTED)


def _nearest(state: str) -> str | None:
    """The one state within the allowed distance of a name that is not a state, else None."""
    key = state.casefold()
    if key in _BY_KEY:
        return None
    allowed = max(1, len(key) // 4)
    close = [name for k, name in _BY_KEY.items() if _distance(key, k, allowed) <= allowed]
    return close[0] if len(close) == 1 else None


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = previous[j - 1] + (char != other)
            current.append(min(previous[j] + 1, current[j - 1] + 1, cost))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
