"""Render a sample letter record to a PDF in its layout (A, B or C).

Everything that varies in print but not in the record (paragraph breaks, comma spacing, the
decision word on its own line, encryption) is drawn from a generator seeded by the case
number, so rendering the same record twice gives the same PDF text.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from imr_desk.pdf_source import write_pdf
from imr_desk.samples.flow import Flow
from imr_desk.samples.layout_a import render_a
from imr_desk.samples.layout_b import render_b
from imr_desk.samples.layout_c import render_c

RENDERERS: Final[dict[str, Callable[[dict[str, Any], random.Random], Flow]]] = {
    "A": render_a,
    "B": render_b,
    "C": render_c,
}
ENCRYPTED_SHARE: Final = 0.4


@dataclass(frozen=True)
class RenderInfo:
    """What printing did: page count, whether the PDF is encrypted, which traps occurred."""

    pages: int
    encrypted: bool
    traps: Counter[str]


def render_letter(record: dict[str, Any], path: str | os.PathLike[str]) -> RenderInfo:
    """Write the letter ``record`` describes to ``path`` as a PDF in ``source.layout``."""
    layout = record["source"]["layout"]
    rng = random.Random(f"{record['letter']['case_number']}/{layout}")
    flow = RENDERERS[layout](record, rng)
    encrypted = rng.random() < ENCRYPTED_SHARE
    write_pdf(path, flow.pages, encrypt_empty_password=encrypted)
    return RenderInfo(len(flow.pages), encrypted, flow.traps)
