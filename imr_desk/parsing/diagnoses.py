"""The diagnoses a case summary names, by the rule of fields.md ("Diagnoses").

A diagnosis statement starts at a cue ("The current diagnoses are documented as", "was diagnosed
with", "Diagnoses:") and runs to the end of its sentence or clause. Its list is cut at commas,
semicolons, list numbers and ``and``/``&``/``as well as`` into parts; parts are then joined back
where they share one condition word or one site or only qualify the condition before them
(``conditions.classify`` tells which), so an entry is one diagnosis as printed. Entries keep their
character spans, which become the field's evidence boxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from imr_desk.domain import normalise_text
from imr_desk.parsing.conditions import CONDITION, QUALIFIER, UNKNOWN, Part, classify, words
from imr_desk.parsing.text import TextStream

CLEAN: Final = 0.95
# Confidence the list gets when one of these made it less sure (the lowest one counts).
UNSURE: Final = {
    "misprinted cue": 0.8,
    "shared word joined": 0.85,
    "unknown words split": 0.75,
    "long entry": 0.7,
    "entry names no condition": 0.6,
    "no sentence end": 0.5,
}
MAX_STATEMENT: Final = 700
LONG_ENTRY_WORDS: Final = 14

_NOTED: Final = r"(?:documented|listed|noted|recorded|reported|stated|given|identified|described)"
_VERB: Final = (
    r"(?P<verb>\s*:"
    r"|\s+include[sd]?\b|\s+including\b|\s+consist(?:s|ed)?\s+of\b"
    rf"|\s+{_NOTED}\s+(?:as|to\s+(?:be|include)|include[sd]?)\b"
    r"|(?P<misprint>\s+(?:documented|listed|noted)(?:\s+(?:is|are))?)\b"
    r"|\s+of\b)"
)
CUE: Final = re.compile(
    r"\bdiagnos(?:is|es)\b(?:\s*,?\s+(?:that|which)\b)?(?:\s+(?:also|currently|to\s+date))?"
    r"(?:(?:\s+(?:is|are|was|were|has\s+been|have\s+been|has|have|had))?"
    rf"(?:\s+(?:also|currently))?{_VERB}|\s+(?:is|are|was|were)\b)"
    r"|\bdiagnosed\s+(?:with|as(?:\s+having)?|having)\b"
    r"|(?<=working\s)diagnos(?:is|es)\b(?=\s+[a-z])",
    re.IGNORECASE,
)
CUE_TAIL: Final = re.compile(
    r"(?:\s*,?\s*but\s+(?:are|were|is|was)\s+not\s+limited\s+to\s*,?)?"
    r"(?:\s+(?:the\s+following|as\s+follows|follows)(?:\s+diagnos(?:is|es))?)?\s*:?\s*",
    re.IGNORECASE,
)
# Words before a cue that make it no statement of the worker's diagnoses ("to rule out the
# diagnosis of", "no diagnosis of", "filed a claim for the diagnosis of").
NOT_STATED: Final = re.compile(
    r"(?:\brule[ds]?\s+out|\br/o|\bno|\bwithout|\bnegative\s+for|\bclaim\s+for|\bexclude[ds]?)"
    r"(?:\s+(?:a|an|the|any))?(?:\s+(?:working|differential|current|new|prior|such))?\s*$",
    re.IGNORECASE,
)
# A cue followed by one of these is talk about the diagnosis, not a list of them.
NOT_A_LIST: Final = words(
    """
    given made not unclear unknown pending deferred confirmed established supported based
    consistent changed updated reviewed discussed that whether being been to in on at by for
    from and or none no also unchanged uncertain questionable
    """
)
SENTENCE_END: Final = re.compile(
    r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\bvs)(?<!\bNo)(?<!e\.g)(?<!i\.e)"
    r"(?<!\s[A-Z])\.(?=\s+[A-Z0-9\"\u201c(\[]|\s*$)"
    r"|(?<=[a-z)])\.(?=[A-Z][a-z])"
    r"|[?!](?=\s)"
    r"|(?<=[a-z)])(?=(?:The|This|These|He|She|His|Her|They|There|It|On|In|Per|According|"
    r"Treatment)\s)"
)
# A clause that is no longer the list: "..., and he was referred", "... which was treated".
_SUBJECT: Final = (
    r"(?:he|she|they|it|this|these|the\s+(?:patient|injured|applicant|claimant|worker|employee|"
    r"physician|provider|doctor|treating|attending))"
)
CLAUSE: Final = re.compile(
    r"\s*,?\s+(?:for|in|of|with|by|after|from)\s+(?:which|whom)\b"
    r"|\s+(?:was|were|is|are|has|had|have|will|would|which|who|whom|whose)\b"
    rf"|\s*[,;]\s*(?:(?:and|but|then)\s+)?{_SUBJECT}\b"
    rf"|\s+(?:and|but|then)\s+(?:{_SUBJECT}|his|her|underwent|received|started|began|"
    r"continued|returned|presented|reported|complained|denied|subsequently|later)\b",
    re.IGNORECASE,
)
SEPARATOR: Final = re.compile(
    r"(?P<semi>\s*;\s*(?:(?:and|&|as\s+well\s+as)\s+)?)"
    r"|(?P<comma_and>\s*,\s*(?:and|&|as\s+well\s+as)\s+)"
    r"|(?P<comma>\s*,\s*)"
    r"|(?P<and>\s+(?:and|as\s+well\s+as)\s+|\s*&\s*)",
    re.IGNORECASE,
)
FIRST_WORD: Final = re.compile(r"[\"'\u201c\u2018(\s]*([A-Za-z]+)")
FIRST_NUMBER: Final = re.compile(r"\(?1[.)]\s*(?=[A-Za-z(\"\u201c])")
TRAILING_LINK: Final = re.compile(r"(?:\s*(?:,|;|:|\band\b|&|\bor\b|\bas\s+well\s+as\b))+\s*$")
LEADING: Final = re.compile(r"^(?:[\s\"'\u201c\u2018]+|(?:a|an|the)\s+)+", re.IGNORECASE)
TRAILING: Final = re.compile(r"[\s.,;:\"'\u201d\u2019]+$")


@dataclass(frozen=True)
class Diagnoses:
    """A letter's diagnoses: entries in summary order, the span of each, and how sure."""

    entries: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    confidence: float
    doubts: tuple[str, ...] = ()

    def boxes(self, stream: TextStream) -> list[dict[str, object]]:
        """Evidence: the boxes of every entry's words, in entry order."""
        return [box for start, end in self.spans for box in stream.boxes(start, end)]


@dataclass
class _Statement:
    spans: list[tuple[int, int]] = field(default_factory=list)
    doubts: set[str] = field(default_factory=set)
    end: int = 0


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    joiner: str | None  # the separator before it: semi, comma_and, comma, and; None first
    part: Part


def find(text: str, start: int = 0, end: int | None = None) -> Diagnoses | None:
    """Every entry of every diagnosis statement in ``text[start:end]``, repeats dropped."""
    stop = len(text) if end is None else end
    entries: list[str] = []
    spans: list[tuple[int, int]] = []
    doubts: set[str] = set()
    seen: set[str] = set()
    for statement in _statements(text, start, stop):
        doubts |= statement.doubts
        for span in statement.spans:
            entry = normalise_text(text[span[0] : span[1]]) or ""
            key = entry.casefold()
            if entry and key not in seen:
                seen.add(key)
                entries.append(entry)
                spans.append(span)
    if not entries:
        return None
    confidence = min((UNSURE[d] for d in doubts), default=CLEAN)
    return Diagnoses(tuple(entries), tuple(spans), confidence, tuple(sorted(doubts)))


def _statements(text: str, start: int, stop: int) -> Iterator[_Statement]:
    for cue in _cues(text, start, stop):
        if cue.start() < start:
            continue
        if NOT_STATED.search(text, max(start, cue.start() - 40), cue.start()):
            continue
        body = CUE_TAIL.match(text, cue.end(), stop)
        body_start = body.end() if body else cue.end()
        statement = _statement(text, body_start, stop)
        if statement is None:
            continue
        if cue.group("misprint"):
            statement.doubts.add("misprinted cue")
        start = statement.end
        yield statement


def _cues(text: str, start: int, stop: int) -> Iterator[re.Match[str]]:
    """Cues in order. Every cue holds "diagnos", found first by a plain search: a letter's
    text is long and the cue pattern slow to try at every character."""
    lowered = text[start:stop].lower()
    found = lowered.find("diagnos")
    while found >= 0:
        cue = CUE.match(text, start + found, stop)
        if cue is not None:
            yield cue
        found = lowered.find("diagnos", found + 1)


def _statement(text: str, start: int, stop: int) -> _Statement | None:
    first_word = FIRST_WORD.match(text, start, stop)
    if first_word is None and not FIRST_NUMBER.match(text, start, stop):
        return None
    if first_word and first_word.group(1).lower() in NOT_A_LIST:
        return None
    if FIRST_NUMBER.match(text, start, stop):
        return _numbered(text, start, stop)
    statement = _Statement()
    limit = min(stop, start + MAX_STATEMENT)
    end_match = SENTENCE_END.search(text, start, limit)
    if end_match is None:
        statement.doubts.add("no sentence end")
    end = end_match.start() if end_match else limit
    clause = CLAUSE.search(text, start, end)
    end = clause.start() if clause else end
    statement.end = end
    statement.spans = list(_group(_pieces(text, start, end), statement.doubts))
    return _trimmed(text, statement)


def _numbered(text: str, start: int, stop: int) -> _Statement:
    """A numbered list ("1. A 2. B", "(1) A (2) B", run together "1.A2.B"): one entry each."""
    statement = _Statement()
    first = FIRST_NUMBER.match(text, start, stop)
    item_start = first.end() if first else start
    number = 1
    while True:
        limit = min(stop, item_start + MAX_STATEMENT)
        end_match = SENTENCE_END.search(text, item_start, limit)
        end = end_match.start() if end_match else limit
        gap = end + 1
        while gap < limit and text[gap].isspace():
            gap += 1
        following = _number_pattern(number + 1).search(text, item_start, min(stop, gap + 8))
        if following is not None and following.start() <= gap:
            statement.spans.append((item_start, following.start()))
            item_start, number = following.end(), number + 1
            continue
        statement.spans.append((item_start, end))
        statement.end = end
        if end_match is None:
            statement.doubts.add("no sentence end")
        break
    return _trimmed(text, statement)


def _trimmed(text: str, statement: _Statement) -> _Statement:
    """The statement's entries without article, quotes and end punctuation, and the doubts
    each raises (no condition word, very long)."""
    statement.spans = [s for s in (_trim(text, *span) for span in statement.spans) if s]
    for start, end in statement.spans:
        _doubt_entry(text[start:end], statement.doubts)
    return statement


def _number_pattern(number: int) -> re.Pattern[str]:
    """List number ``number`` after a space or punctuation, or run on to a lower-case word."""
    return re.compile(
        rf"(?:(?<=[\s,;:.])|(?<=[a-z)]))(?<!\d\.)\(?{number}[.)](?!\d)\s*(?=[A-Za-z(\"\u201c])"
    )


def _pieces(text: str, start: int, end: int) -> list[_Piece]:
    """The statement cut at every separator outside parentheses."""
    cuts: list[tuple[int, int, str]] = []
    depth, scanned = 0, start
    for match in SEPARATOR.finditer(text, start, end):
        depth += _depth_change(text[scanned : match.start()])
        scanned = match.start()
        if depth == 0:
            cuts.append((match.start(), match.end(), match.lastgroup or "comma"))
    pieces: list[_Piece] = []
    piece_start, joiner = start, None
    for cut_start, cut_end, kind in [*cuts, (end, end, "")]:
        if cut_start > piece_start:
            part = classify(text[piece_start:cut_start])
            pieces.append(_Piece(piece_start, cut_start, joiner, part))
        piece_start, joiner = cut_end, kind
    return pieces


def _depth_change(text: str) -> int:
    return text.count("(") + text.count("[") - text.count(")") - text.count("]")


def _group(pieces: list[_Piece], doubts: set[str]) -> Iterator[tuple[int, int]]:
    """Join pieces into entries: split only where the next part names another condition."""
    groups: list[list[_Piece]] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if piece.part.kind == QUALIFIER and groups and _names_condition(groups[-1]):
            run_end = _qualifier_run(pieces, index)
            split = _forward_start(pieces, index, run_end, groups[-1])
            groups[-1].extend(pieces[index:split])
            if split < run_end:  # "..., lumbar, hip, and neck strain": sites share "strain"
                doubts.add("shared word joined")
                groups.append(pieces[split : run_end + 1])
                run_end += 1
            index = run_end
            continue
        qualified = _qualified_after(pieces, index)
        if not groups or not _joins(groups[-1], piece, qualified, doubts):
            if groups and piece.part.kind == UNKNOWN:
                doubts.add("unknown words split")
            groups.append([piece])
        else:
            groups[-1].append(piece)
        index += 1
    for group in groups:
        yield group[0].start, group[-1].end


def _qualifier_run(pieces: list[_Piece], index: int) -> int:
    """The index after a run of qualifier-only pieces starting at ``index``."""
    end = index
    while end < len(pieces) and pieces[end].part.kind == QUALIFIER:
        end += 1
    return end


def _forward_start(pieces: list[_Piece], index: int, run_end: int, before: list[_Piece]) -> int:
    """Where the sites of a qualifier run start sharing the condition after it.

    Sites listed with commas and closed by ``and <site> <condition>`` share that condition
    ("..., lumbar, hip, and neck strain"); every other qualifier belongs to the condition
    before it ("disc displacement, lumbosacral region"; "strain in right hip, ankle, and foot").
    Returns ``run_end`` when the whole run qualifies what precedes.
    """
    following = pieces[run_end] if run_end < len(pieces) else None
    if (
        following is None
        or following.joiner not in ("and", "comma_and")
        or following.part.kind != CONDITION
        or not following.part.site_first
    ):
        return run_end
    for start in range(index, run_end):
        run = pieces[start:run_end]
        if not all(p.part.all_sites for p in run):
            continue
        if any(p.joiner != "comma" for p in run[1:]):
            continue
        joiner = run[0].joiner
        if joiner in ("comma", "semi") or (start == index and not before[-1].part.ends_in_site):
            return start
    return run_end


def _qualified_after(pieces: list[_Piece], index: int) -> bool:
    """Whether qualifiers after a comma belong to the piece at ``index`` ("radiculopathy,
    cervical region"), rather than start sites that share a later condition word."""
    after = index + 1
    if after >= len(pieces) or pieces[after].part.kind != QUALIFIER:
        return False
    if pieces[after].joiner != "comma":
        return False
    return _forward_start(pieces, after, _qualifier_run(pieces, after), [pieces[index]]) > after


def _joins(group: list[_Piece], piece: _Piece, qualified: bool, doubts: set[str]) -> bool:
    """Whether ``piece`` continues the entry ``group`` rather than starting a new one
    (``qualified``: qualifiers follow that give ``piece`` a site of its own)."""
    if not _names_condition(group):
        return True  # "lumbar, hip, and neck strain": the sites share the condition word
    if piece.part.continues and piece.joiner == "comma":
        return True  # "lumbar strain, with radiculopathy" qualifies the strain
    if piece.joiner == "and" and group[-1].part.pairs:
        return True  # "associated with both psychological factors and a medical condition"
    if piece.joiner != "and" or len(group) != 1 or piece.part.kind != CONDITION:
        return False
    if not qualified and _shares_with(group[0].part, piece.part):
        doubts.add("shared word joined")
        return True
    return False


def _shares_with(before: Part, after: Part) -> bool:
    """Two conditions joined by a plain "and" that make one diagnosis: a paired title
    ("dizziness and giddiness"), or two conditions of one site ("sprain and strain of lumbar
    spine", "wrist tendinitis and bursitis")."""
    if before.bare and after.bare:
        return not (before.systemic or after.systemic)
    if before.self_sited or after.self_sited:
        return False
    return (before.bare and after.has_site) or (after.bare and before.has_site)


def _names_condition(group: list[_Piece]) -> bool:
    return any(piece.part.kind != QUALIFIER for piece in group)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """An entry's span without leading article or quotes and without trailing punctuation."""
    chunk = text[start:end]
    tail = TRAILING_LINK.search(chunk)
    if tail:
        chunk = chunk[: tail.start()]
    chunk = TRAILING.sub("", chunk)
    lead = LEADING.match(chunk)
    offset = lead.end() if lead else 0
    if offset >= len(chunk):
        return None
    return start + offset, start + len(chunk)


def _doubt_entry(entry: str, doubts: set[str]) -> None:
    if classify(entry).kind != CONDITION:
        doubts.add("entry names no condition")
    if len(entry.split()) > LONG_ENTRY_WORDS:
        doubts.add("long entry")
