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
    adjudicate and change the policy; ``blind_share``: the share of letters opened with the
    parser's values hidden (the reviewer fills the form from the page); ``check_rate``: the
    share of letters with one seeded check (a value shown altered, to measure vigilance)."""

    double_share: float = 0.0
    blind: bool = True
    seed: int = 0
    leads: tuple[str, ...] = field(default_factory=tuple)
    blind_share: float = 0.0
    check_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in ("double_share", "blind_share", "check_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name.replace('_', ' ')} must be 0-100 %, not {value:.0%}")

    def chooses(self, sha256: str) -> bool:
        """Whether a letter gets two independent reviews under this policy."""
        return _under(self.double_share, f"{self.seed}:{sha256}")

    def chooses_blind(self, sha256: str) -> bool:
        """Whether a letter is reviewed blind (drawn apart from double review's choice)."""
        return _under(self.blind_share, f"{self.seed}:blind:{sha256}")

    def chooses_check(self, sha256: str) -> bool:
        """Whether a letter carries a seeded check (drawn apart from the other choices)."""
        return _under(self.check_rate, f"{self.seed}:check:{sha256}")

    def is_lead(self, reviewer: str) -> bool:
        return reviewer in self.leads

    def to_json(self) -> dict[str, Any]:
        return {
            "double_share": self.double_share,
            "blind": self.blind,
            "seed": self.seed,
            "leads": list(self.leads),
            "blind_share": self.blind_share,
            "check_rate": self.check_rate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewPolicy:
        return cls(
            double_share=float(data.get("double_share") or 0.0),
            blind=bool(data.get("blind", True)),
            seed=int(data.get("seed") or 0),
            leads=tuple(data.get("leads") or ()),
            blind_share=float(data.get("blind_share") or 0.0),
            check_rate=float(data.get("check_rate") or 0.0),
        )


def _under(share: float, key: str) -> bool:
    """A reproducible draw: whether the hash of ``key`` falls under ``share``."""
    if share <= 0.0:
        return False
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:4], "big") < share * SCALE
