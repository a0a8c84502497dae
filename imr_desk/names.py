"""File names as the program prints and stores them, whatever bytes the file system allows.

On Linux a name is any bytes; Python hands the ones that are not UTF-8 over as lone surrogates
(``a\\xff.pdf`` is ``'a\\udcff.pdf'``), which a strict UTF-8 stdout and SQLite TEXT both refuse,
and a name may hold terminal escape sequences. So:

- ``shown(name)`` is what is printed (and stored as a letter's ``file_name``): printable
  characters as they are, a byte that is not UTF-8 as ``\\xff``, any other non-printable
  character (ESC, newline, a bidi override) as Python writes it in a string (``\\x1b``,
  ``\\n``, ``\\u202e``). A label for people: it is not turned back into a name.
- ``storable_path(path)`` is what is stored as a letter's ``source_path``: the path unchanged
  when it is valid UTF-8 (every ordinary path, and every path stored before this rule), else
  ``file://`` followed by the path's bytes percent-encoded (``file:///in/a%FF.pdf``, as
  ``Path.as_uri`` writes it on Linux). Stored paths are absolute, so none starts with ``file:``
  by itself; ``real_path`` turns either form back into the path that opens the file.
"""

from __future__ import annotations

import os
from typing import Any, Final
from urllib.parse import quote_from_bytes, unquote_to_bytes

ENCODED_PATH_PREFIX: Final = "file://"
_ESCAPED_BYTES: Final = range(0xDC80, 0xDD00)  # surrogateescape: byte 0x80-0xFF -> U+DC80-U+DCFF


def shown(name: str | os.PathLike[str]) -> str:
    """``name`` safe to print on any terminal and to store as text (see the module docstring)."""
    text = os.fspath(name)
    if text.isprintable():
        return text
    return "".join(_shown_char(char) for char in text)


def _shown_char(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return repr(char)[1:-1]  # a printable character never gets here, so no quote either


def storable_path(path: str | os.PathLike[str]) -> str:
    """The text stored as a letter's ``source_path``: valid UTF-8, turned back by ``real_path``."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ENCODED_PATH_PREFIX + quote_from_bytes(_path_bytes(text))
    return text


def _path_bytes(text: str) -> bytes:
    """The bytes the file system knows the path by. A lone surrogate outside U+DC80-U+DCFF
    names no file on Linux (only Windows has them, and its ``fsencode`` takes them): such a
    text is kept as bytes all the same rather than refused, it just opens nothing."""
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def real_path(stored: str) -> str:
    """The path a stored ``source_path`` names, ready to open (the inverse of ``storable_path``)."""
    if not stored.startswith(ENCODED_PATH_PREFIX):
        return stored
    return os.fsdecode(unquote_to_bytes(stored.removeprefix(ENCODED_PATH_PREFIX)))


def storable_record(record: dict[str, Any]) -> dict[str, Any]:
    """A parser record whose ``source.file_name`` is ``shown``: the record itself when the name
    needs no escaping, else a copy (the parser's record is left as it was)."""
    source = record.get("source") or {}
    name = source.get("file_name")
    if not isinstance(name, str) or shown(name) == name:
        return record
    return {**record, "source": {**source, "file_name": shown(name)}}
