"""Apply the learned category suggestion to a parser record before it is stored.

The parser's keyword rules run without knowing the project; the store knows what its
reviewers verified. ``suggested_record`` lets the model (``category_model.decide``) replace an
item's category where it is sure, and writes the model's score as that field's provenance
confidence, so the form's colours and F8 treat the suggestion as exactly as sure as it is.
"""

from __future__ import annotations

import copy
from typing import Any

from imr_desk.category_model import CategoryModel, decide


def suggested_record(record: dict[str, Any], model: CategoryModel) -> dict[str, Any]:
    """The record with the model's categories where it overrules the rules (a copy; the
    record given is left alone). A record without items, or an empty model, comes back as is."""
    items = record.get("items") or []
    if not len(model) or not items:
        return record
    result = copy.deepcopy(record)
    evidence = {e.get("field"): e for e in result.get("provenance") or [] if isinstance(e, dict)}
    for index, item in enumerate(result["items"]):
        entry = evidence.get(f"items.{index}.category")
        confidence = float(entry.get("confidence") or 0) if entry else 0.0
        cited = item.get("maximus_guideline") or item.get("claims_administrator_guideline")
        chosen = decide(
            item.get("category"), confidence, model.suggest(item.get("treatment"), cited)
        )
        if chosen.source != "model":
            continue
        item["category"] = chosen.category
        if entry is not None:
            entry["confidence"] = chosen.confidence
    return result
