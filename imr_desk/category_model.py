"""A treatment-category suggestion learned from the categories reviewers chose.

The model is the verified treatments themselves: a new treatment is compared with each by
IDF-weighted Jaccard overlap of normalised tokens (the treatment's words, and with a lower
weight the words of the guideline the letter cites), and the categories of the ``K`` most
similar vote, each by its similarity. Every suggestion names the verified treatment it
resembles most, so a reviewer can see why it was made. Pure: no I/O, no storage.

The keyword rules (``parsing.category``) stay the default; ``decide`` lets the model overrule
them only when a verified treatment is close enough to be the same request (a reviewer's
"Salonpas pad" filed under Pharmaceuticals teaches the next "Salonpas pad"), or when the
rules have nothing to say.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

K: Final = 3
# A guideline word counts this fraction of a treatment word: the cited chapter hints at the
# kind of treatment but is shared by very different requests ("Chronic Pain").
GUIDELINE_WEIGHT: Final = 0.3
# The model overrules the rules only from a treatment at least this similar and a vote at
# least this sure (chosen on the real development letters by the two-fold split).
OVERRULE_SIMILARITY: Final = 0.6
OVERRULE_SCORE: Final = 0.6
FORMAT: Final = 1

_WORD: Final = re.compile(r"[a-z]+")
_STOP: Final = frozenset(
    "an the of and or to for with in on per by as at from without".split()  # noqa: SIM905
)


def tokens(treatment: str | None, guideline: str | None) -> frozenset[str]:
    """Normalised tokens: lower-case words of two letters or more, numbers, doses and filler
    dropped; guideline words marked ``g:`` so they never match a treatment word."""
    words = {w for w in _WORD.findall((treatment or "").lower()) if len(w) > 1} - _STOP
    cited = {w for w in _WORD.findall((guideline or "").lower()) if len(w) > 2} - _STOP
    return frozenset(words | {f"g:{w}" for w in cited})


@dataclass(frozen=True)
class Example:
    """One verified treatment and the category its reviewer chose."""

    treatment: str
    guideline: str
    category: str


class Suggestion(NamedTuple):
    """The model's category, how sure it is (0-1) and the verified treatment nearest."""

    category: str
    score: float
    nearest: Example
    similarity: float


class CategoryModel:
    """Verified treatments with their categories, and the token statistics that weigh them."""

    def __init__(self) -> None:
        self._examples: list[Example] = []
        self._tokens: list[frozenset[str]] = []
        self._df: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._examples)

    def learn(self, examples: Iterable[Sequence[str | None]]) -> CategoryModel:
        """Add ``(treatment, guideline_text, category)`` examples; those without a treatment or
        a category teach nothing and are skipped. Returns the model."""
        for treatment, guideline, category in examples:
            if not treatment or not category:
                continue
            example = Example(treatment, guideline or "", category)
            found = tokens(treatment, guideline)
            self._examples.append(example)
            self._tokens.append(found)
            self._df.update(found)
        return self

    def _weight(self, token: str) -> float:
        idf = math.log((len(self._examples) + 1) / (self._df.get(token, 0) + 1)) + 1
        return idf * (GUIDELINE_WEIGHT if token.startswith("g:") else 1.0)

    def _similarity(self, query: frozenset[str], other: frozenset[str]) -> float:
        union = sum(self._weight(t) for t in query | other)
        return sum(self._weight(t) for t in query & other) / union if union else 0.0

    def suggest(self, treatment: str | None, guideline: str | None = None) -> Suggestion | None:
        """The category the most similar verified treatments share, or None when the model
        knows nothing or no verified treatment shares a word with this one.

        Score: the winning category's share of the similarity-weighted vote times the
        similarity of its nearest example, so a near-identical treatment with a unanimous
        vote scores near 1 and a loose resemblance scores low."""
        query = tokens(treatment, guideline)
        ranked = sorted(
            ((self._similarity(query, t), i) for i, t in enumerate(self._tokens)),
            key=lambda pair: (-pair[0], pair[1]),
        )[:K]
        ranked = [(s, i) for s, i in ranked if s > 0]
        if not ranked:
            return None
        votes: dict[str, float] = {}
        for similarity, index in ranked:
            category = self._examples[index].category
            votes[category] = votes.get(category, 0.0) + similarity
        category, weight = max(votes.items(), key=lambda pair: (pair[1], pair[0]))
        similarity, index = next(
            (s, i) for s, i in ranked if self._examples[i].category == category
        )
        score = weight / sum(votes.values()) * similarity
        return Suggestion(category, round(score, 3), self._examples[index], round(similarity, 3))

    def to_json(self) -> str:
        """The examples (the statistics are recomputed from them on load)."""
        rows = [[e.treatment, e.guideline, e.category] for e in self._examples]
        return json.dumps({"format": FORMAT, "examples": rows}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CategoryModel:
        """The model ``to_json`` wrote; ValueError for anything else."""
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a category model (unknown format)")
        rows = data.get("examples")
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == 3 and all(isinstance(v, str) for v in r) for r in rows
        ):
            raise ValueError("a category model's examples must be [treatment, guideline, category]")
        return cls().learn(rows)


class Decision(NamedTuple):
    """The category to suggest, its confidence and where it came from (rules or model)."""

    category: str | None
    confidence: float
    source: str


def decide(rule_category: str | None, rule_confidence: float, found: Suggestion | None) -> Decision:
    """The rules' category unless the model has a near-identical verified treatment that says
    otherwise, or the rules found none; the model's score is then the confidence."""
    if found is None:
        return Decision(rule_category, rule_confidence, "rules")
    close = found.similarity >= OVERRULE_SIMILARITY and found.score >= OVERRULE_SCORE
    if rule_category is None or (close and found.category != rule_category):
        return Decision(found.category, found.score, "model")
    return Decision(rule_category, rule_confidence, "rules")
