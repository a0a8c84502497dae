"""How well the category suggestion agrees with reviewers: the rules alone, and the learned
model measured honestly by a two-fold split by letter (learn on one half of the letters,
suggest for the other half, and the reverse), so no letter is scored by a model that saw it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from imr_desk.category_model import CategoryModel, decide
from imr_desk.parsing.category import suggest_category

# The rules' confidence as the parser states it; only its presence matters to ``decide``.
_RULE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Agreement:
    """Items whose suggested category is the reviewer's, of the items with a category."""

    right: int
    total: int

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.right + other.right, self.total + other.total)

    def __str__(self) -> str:
        return f"{self.right}/{self.total} {self.rate:.3f}"


@dataclass(frozen=True)
class CategoryReport:
    """Rules alone over every item; per fold and overall, the model alone and the model with
    the rules (what the importer suggests)."""

    rules: Agreement
    model_folds: tuple[Agreement, Agreement]
    learned_folds: tuple[Agreement, Agreement]

    @property
    def model(self) -> Agreement:
        return self.model_folds[0] + self.model_folds[1]

    @property
    def learned(self) -> Agreement:
        return self.learned_folds[0] + self.learned_folds[1]


def _guideline(item: dict[str, Any]) -> str | None:
    return item.get("maximus_guideline") or item.get("claims_administrator_guideline")


def _items(letters: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for letter in letters for i in letter.get("items") or [] if i.get("category")]


def examples(letters: Iterable[dict[str, Any]]) -> list[tuple[str | None, str | None, str]]:
    """``(treatment, guideline, category)`` of every item a reviewer gave a category."""
    return [(i.get("treatment"), _guideline(i), i["category"]) for i in _items(letters)]


def rules_agreement(letters: Iterable[dict[str, Any]]) -> Agreement:
    """The keyword and guideline rules alone."""
    items = _items(letters)
    right = sum(suggest_category(i.get("treatment"), _guideline(i)) == i["category"] for i in items)
    return Agreement(right, len(items))


def _fold(
    train: Sequence[dict[str, Any]], test: Sequence[dict[str, Any]]
) -> tuple[Agreement, Agreement]:
    """Learn on ``train``, score ``test``: (model alone, model with the rules)."""
    model = CategoryModel().learn(examples(train))
    items = _items(test)
    alone = learned = 0
    for item in items:
        found = model.suggest(item.get("treatment"), _guideline(item))
        rule = suggest_category(item.get("treatment"), _guideline(item))
        alone += found is not None and found.category == item["category"]
        learned += decide(rule, _RULE_CONFIDENCE, found).category == item["category"]
    return Agreement(alone, len(items)), Agreement(learned, len(items))


def cross_validate(letters: Sequence[dict[str, Any]]) -> CategoryReport:
    """Rules alone, and the two folds of alternate letters (in the order given)."""
    first, second = list(letters[::2]), list(letters[1::2])
    a_model, a_learned = _fold(first, second)
    b_model, b_learned = _fold(second, first)
    return CategoryReport(rules_agreement(letters), (a_model, b_model), (a_learned, b_learned))


def report_text(result: CategoryReport) -> str:
    """The ``eval`` section: one line per measure."""
    return "\n".join(
        [
            "category agreement with reviewers (two-fold split by letter):",
            f"  rules alone                {result.rules}",
            f"  model alone                {result.model}  (folds {result.model_folds[0]}, "
            f"{result.model_folds[1]})",
            f"  learned (model and rules)  {result.learned}  (folds {result.learned_folds[0]}, "
            f"{result.learned_folds[1]})",
        ]
    )
