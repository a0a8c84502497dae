"""Layout A, the 2013 "Notice of Independent Medical Review Determination"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from imr_desk.parsing.text import TextStream

if TYPE_CHECKING:
    from imr_desk.parser import RecordBuilder

NOTICE_TITLE: Final = re.compile(
    r"Notice of Independent Medical Review Determination", re.IGNORECASE
)


def is_notice(text: str) -> bool:
    """Whether the text is a 2013 notice."""
    return bool(NOTICE_TITLE.search(text))


def read(builder: RecordBuilder, stream: TextStream) -> None:
    """Read the notice's fields into the builder."""
