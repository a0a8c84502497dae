"""A parser bug on one letter keeps the letter, says so in the record and logs the traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from imr_desk import parser
from imr_desk.pdf_source import read_pdf
from imr_desk.samples import generate_letters


def test_a_parser_bug_is_kept_in_the_record_and_logged_with_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pdf = read_pdf(generate_letters(tmp_path, count=1, seed=3)[0])

    def broken(*_args: object) -> None:
        raise ValueError("no header here")

    monkeypatch.setattr(parser, "_read_fields", broken)
    with caplog.at_level(logging.ERROR, logger="imr_desk.parser"):
        record = parser.parse(pdf)
    assert record["source"]["parse_error"] == "ValueError: no header here"
    assert record["source"]["sha256"] == pdf.sha256 and record["items"] == []
    (logged,) = caplog.records
    assert pdf.file_name in logged.getMessage() and logged.exc_info is not None
