"""A project's review policy: which letters get two independent reviews, and who adjudicates.

The choice of letters is random but reproducible: a letter is chosen when a hash of the
project's seed and its SHA-256 falls under the share, so the same letters are chosen on every
desk, in any order, and raising the share only adds letters to those already chosen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Final

SCALE: Final = 2**32


@dataclass(frozen=True)
class ReviewPolicy:
    """``double_share``: the share of letters (0-1) reviewed twice; ``blind``: the second
    reviewer starts from the parser's values, not the first reviewer's; ``leads``: who may
    adjudicate and change the policy."""

    double_share: float = 0.0
    blind: bool = True
    seed: int = 0
    leads: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not 0.0 <= self.double_share <= 1.0:
            raise ValueError(
                f"the double-review share must be 0-100 %, not {self.double_share:.0%}"
            )

    def chooses(self, sha256: str) -> bool:
        """Whether a letter gets two independent reviews under this policy."""
        if self.double_share <= 0.0:
            return False
        digest = hashlib.sha256(f"{self.seed}:{sha256}".encode()).digest()
        return int.from_bytes(digest[:4], "big") < self.double_share * SCALE

    def is_lead(self, reviewer: str) -> bool:
        return reviewer in self.leads

    def to_json(self) -> dict[str, Any]:
        return {
            "double_share": self.double_share,
            "blind": self.blind,
            "seed": self.seed,
            "leads": list(self.leads),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewPolicy:
        return cls(
            double_share=float(data.get("double_share") or 0.0),
            blind=bool(data.get("blind", True)),
            seed=int(data.get("seed") or 0),
            leads=tuple(data.get("leads") or ()),
        )
