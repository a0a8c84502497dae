"""The record being built: field values with their provenance, emitted in field order."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from imr_desk.calibration import calibrated
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, empty_item
from imr_desk.parsing import ocr, summary
from imr_desk.parsing.category import suggest_category
from imr_desk.parsing.items import ItemSpans, Span
from imr_desk.parsing.text import TextStream
from imr_desk.record import parser_item_id


class RecordBuilder:
    """Collects field values with their provenance, then emits the record in field order."""

    def __init__(
        self, record: dict[str, Any], stream: TextStream, scanned: Iterable[int] = ()
    ) -> None:
        self.record = record
        self.stream = stream
        self.evidence: dict[str, tuple[float, list[dict[str, object]]]] = {}
        self.scanned = frozenset(scanned)  # pages read by OCR
        self.doubts: dict[str, float] = {}  # factors on calibrated confidences, by field path

    def put(self, name: str, value: Any, confidence: float, boxes: list[dict[str, object]]) -> None:
        """Set a letter field unless an earlier, preferred rule already did."""
        if value in (None, []) or self.record["letter"].get(name) not in (None, []):
            return
        self.record["letter"][name] = value
        self.evidence[f"letter.{name}"] = (confidence, boxes)

    def doubt(self, name: str, factor: float) -> None:
        """Lower a letter field's confidence by ``factor`` after calibration: for a doubt the
        rule's own confidence does not know of (a value put right after OCR)."""
        self.doubts[f"letter.{name}"] = self.doubts.get(f"letter.{name}", 1.0) * factor

    def put_span(self, name: str, found: summary.Found | None) -> None:
        """Set a letter field from a prose match."""
        if found is not None:
            self.put(name, found.value, found.confidence, self.stream.boxes(found.start, found.end))

    def provenance(self) -> list[dict[str, Any]]:
        """One entry per letter and item field, in field order; 0 where nothing was found."""
        entries = [self._entry(spec.path()) for spec in LETTER_FIELDS]
        for index, _ in enumerate(self.record["items"]):
            entries += [self._entry(spec.path(index)) for spec in ITEM_FIELDS]
        return entries

    def _entry(self, path: str) -> dict[str, Any]:
        """A provenance entry: the rule's confidence calibrated (``imr_desk.calibration``), so
        that among values given c, about c are right; 0 stays 0 (nothing found)."""
        confidence, boxes = self.evidence.get(path, (0.0, []))
        if confidence > 0:
            confidence = calibrated(path, confidence) * self.doubts.get(path, 1.0)
            if self.scanned and any(box["page"] in self.scanned for box in boxes):
                confidence *= ocr.value_confidence(self.stream.words_under(boxes))
        return {"field": path, "confidence": round(confidence, 3), "boxes": boxes}


def add_item(builder: RecordBuilder, spans: ItemSpans) -> None:
    """Append one item from its spans, with provenance for every field."""
    stream = builder.stream
    index = len(builder.record["items"])
    item = {"id": parser_item_id(index), **empty_item()}
    evidence = builder.evidence
    for name in (spec.name for spec in ITEM_FIELDS if spec.kind == "text"):
        span: Span | None = getattr(spans, name)
        if span is None:
            continue
        item[name] = span.text(stream)
        evidence[f"items.{index}.{name}"] = (span.confidence, stream.boxes(span.start, span.end))
    item["decision"] = spans.decision
    confidence = _decision_confidence(spans.decision, item["rationale"])
    evidence[f"items.{index}.decision"] = (
        confidence,
        stream.boxes(spans.decision_span.start, spans.decision_span.end),
    )
    cited = item["maximus_guideline"] or item["claims_administrator_guideline"]
    item["category"] = suggest_category(item["treatment"], cited)
    if item["category"]:
        evidence[f"items.{index}.category"] = (0.5, [])
    builder.record["items"].append(item)


def _decision_confidence(decision: str, rationale: str | None) -> float:
    """Cross-check the decision word against the rationale's conclusion."""
    if not rationale:
        return 0.9
    tail = rationale[-300:].lower()
    says_not = bool(
        re.search(r"not (?:medically )?(?:necessary|appropriate|established|supported)", tail)
    )
    says_yes = bool(
        re.search(r"(?<!not )(?:is|are|was|deemed|be) (?:considered )?medically necessary", tail)
    )
    if decision == "upheld" and says_yes and not says_not:
        return 0.6
    if decision == "overturned" and says_not and not says_yes:
        return 0.6
    return 1.0
