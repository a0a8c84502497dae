"""Hostile file names and invocations (issue 14, items 1, 7 and 9): names that are not UTF-8 or
hold escape sequences, MuPDF complaining on stdout, a closed pipe, ``-x.pdf``, ``imr-desk
exprot`` and no display. Every file is built here, at run time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imr_desk import names
from imr_desk.cli import EXIT_PIPE_CLOSED, main
from imr_desk.importer import import_paths
from imr_desk.pdf_source import PdfDocument
from imr_desk.samples import generate_letters
from imr_desk.storage import LetterStore

UNDECODABLE = b"a\xff.pdf"  # Latin-1 "aÿ.pdf": not UTF-8
ESCAPES = "\x1b[31mred\x1b]0;title\x07.pdf"  # colour, then an xterm title change
TIMEOUT = 60

BYTES_NAMES_ONLY = "Linux and macOS file names are bytes; Windows' are not"
BYTE_NAMES = pytest.mark.skipif(sys.platform == "win32", reason=BYTES_NAMES_ONLY)


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three synthetic letters to copy under hostile names."""
    return generate_letters(tmp_path_factory.mktemp("letters"), count=3, seed=14)


@pytest.fixture
def hostile_folder(tmp_path: Path, letters: list[Path]) -> Path:
    """A folder of letters named ``a\\xff.pdf`` (bytes), with escape sequences, and plainly."""
    if sys.platform == "win32":
        pytest.skip(BYTES_NAMES_ONLY)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(letters[0], os.path.join(os.fsencode(folder), UNDECODABLE))
    shutil.copy(letters[1], folder / ESCAPES)
    shutil.copy(letters[2], folder / "plain.pdf")
    return folder


def imr_desk(
    *args: str, cwd: Path, timeout: float = TIMEOUT, **env: str
) -> subprocess.CompletedProcess[bytes]:
    """Run ``imr-desk`` as a person would, its output kept as bytes (nothing decoded for it)."""
    environment = {**os.environ, "IMR_DESK_LOG_DIR": str(cwd / "logs"), **env}
    return subprocess.run(
        [sys.executable, "-m", "imr_desk", *args],
        capture_output=True,
        timeout=timeout,
        env=environment,
        cwd=cwd,
        check=False,
    )


def undecodable_path(folder: Path) -> str:
    return os.fsdecode(os.path.join(os.fsencode(folder), UNDECODABLE))


# --- names: printed and stored safely ------------------------------------------------------


def test_names_shown_escapes_undecodable_bytes_and_control_characters() -> None:
    assert names.shown(os.fsdecode(UNDECODABLE)) == "a\\xff.pdf"
    assert names.shown(ESCAPES) == "\\x1b[31mred\\x1b]0;title\\x07.pdf"
    assert names.shown("x\ny\u202e.pdf") == "x\\ny\\u202e.pdf"
    assert names.shown("Müller letter 1.pdf") == "Müller letter 1.pdf"


@BYTE_NAMES
def test_names_stored_path_is_utf8_and_turns_back_into_the_real_path() -> None:
    path = os.fsdecode(b"/in/100%/" + UNDECODABLE)
    stored = names.storable_path(path)
    assert stored == "file:///in/100%25/a%FF.pdf"
    stored.encode("utf-8")  # SQLite TEXT takes it
    assert names.real_path(stored) == path
    assert names.storable_path("/in/plain é.pdf") == "/in/plain é.pdf"  # ordinary: unchanged
    assert names.real_path("/in/plain é.pdf") == "/in/plain é.pdf"


def test_import_stores_undecodable_and_escaped_names_and_a_rerun_works(
    tmp_path: Path, hostile_folder: Path
) -> None:
    (hostile_folder / "b\udcfe.pdf").write_bytes(b"")  # undecodable and unreadable: reported
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    args = ("import", str(hostile_folder), "--db", "r.db", "--workers", "1", "--no-progress")
    first = imr_desk(*args, cwd=tmp_path, **strict)
    assert first.returncode == 1, first.stderr  # the empty file failed; the batch went on
    assert b"imported 3," in first.stdout and b"failed 1" in first.stdout
    assert b"failed: " in first.stderr and b"b\\xfe.pdf: the file is empty" in first.stderr
    again = imr_desk(*args, cwd=tmp_path, **strict)
    assert again.returncode == 1
    assert b"imported 0, duplicates 3" in again.stdout
    assert b"duplicate: " in again.stdout and b"a\\xff.pdf (already" in again.stdout
    assert b"\\x1b[31mred\\x1b]0;title\\x07.pdf (already" in again.stdout
    for run in (first, again):
        assert b"Traceback" not in run.stderr and b"Logging error" not in run.stderr
        assert b"\x1b" not in run.stdout + run.stderr and b"\xff" not in run.stdout + run.stderr
    with LetterStore.open(tmp_path / "r.db") as store:
        by_name = {row.file_name: row for row in store.list_letters()}
    assert set(by_name) == {"a\\xff.pdf", names.shown(ESCAPES), "plain.pdf"}
    stored = by_name["a\\xff.pdf"]
    assert names.real_path(stored.source_path) == undecodable_path(hostile_folder)
    document = PdfDocument(names.real_path(stored.source_path))
    assert document.page_count == stored.pages
    document.close()


def test_reparse_finds_an_undecodable_file_by_its_stored_path(
    tmp_path: Path, hostile_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LetterStore.open(tmp_path / "r.db") as store:
        import_paths(store, [hostile_folder], parser_version="0.9.0", workers=0)
    args = ["import", "--reparse", "--db", str(tmp_path / "r.db"), "--no-progress"]
    assert main([*args, "--workers", "0"]) == 0
    assert "re-parsed 3 (3 files" in capsys.readouterr().out


@pytest.mark.gui
def test_the_app_shows_the_pdf_of_a_letter_whose_name_is_not_utf8(
    qapp, tmp_path: Path, hostile_folder: Path
) -> None:
    from PySide6.QtCore import QSettings

    from imr_desk.app import build_desk

    args = ["import", str(hostile_folder), "--db", str(tmp_path / "r.db"), "--no-progress"]
    assert main([*args, "--workers", "0"]) == 0
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    desk = build_desk(tmp_path / "r.db", settings=settings, remember_layout=False)
    try:
        row = next(r for r in desk.store.list_letters() if r.file_name == "a\\xff.pdf")
        assert desk.review.open_letter(row.sha256)
        assert desk.window.pdf_view.page_count() == row.pages > 0
    finally:
        desk.window.close()


def test_parse_prints_an_undecodable_name_escaped_on_a_strict_utf8_stdout(
    tmp_path: Path, hostile_folder: Path
) -> None:
    path = undecodable_path(hostile_folder)
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    plain = imr_desk("parse", path, cwd=tmp_path, **strict)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith(b"a\\xff.pdf: layout ")
    as_json = imr_desk("parse", "--json", path, cwd=tmp_path, **strict)
    assert as_json.returncode == 0, as_json.stderr
    record = json.loads(as_json.stdout)
    assert record["source"]["file_name"] == "a\\xff.pdf"


def test_escape_sequences_in_file_names_reach_the_terminal_escaped(
    tmp_path: Path, hostile_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = hostile_folder / "\x1b[2Jgone.pdf"  # "clear the screen", and no PDF in it
    empty.write_bytes(b"")
    assert main(["parse", str(hostile_folder / ESCAPES), str(empty)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(names.shown(ESCAPES) + ": layout ")
    assert "\\x1b[2Jgone.pdf: the file is empty" in err
    assert "\x1b" not in out + err and "\x07" not in out + err


# --- parse --json: JSON lines only ----------------------------------------------------------


def hostile_pdfs(folder: Path, letter: Path) -> list[Path]:
    """A truncated letter, one whose xref points nowhere and one whose page stream is not the
    deflate data it claims: MuPDF complains about each."""
    data = letter.read_bytes()
    truncated = folder / "truncated.pdf"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    bad_xref = folder / "bad-xref.pdf"
    bad_xref.write_bytes(data[: data.rfind(b"startxref")] + b"startxref\n999999\n%%EOF\n")
    bad_stream = folder / "bad-stream.pdf"
    bad_stream.write_bytes(
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\n"
        b"endobj\n4 0 obj\n<< /Length 11 /Filter /FlateDecode >>\nstream\nnot deflate\n"
        b"endstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    return [truncated, bad_xref, bad_stream]


def test_parse_json_stdout_holds_only_json_lines_when_mupdf_complains(
    tmp_path: Path, letters: list[Path]
) -> None:
    files = [str(p) for p in hostile_pdfs(tmp_path, letters[0])] + [str(letters[1])]
    result = imr_desk("parse", "--json", *files, cwd=tmp_path)
    assert b"MuPDF error" in result.stderr  # the files did make MuPDF complain
    lines = result.stdout.decode("utf-8").splitlines()
    assert lines, result.stderr
    records = [json.loads(line) for line in lines]  # every line is a JSON record
    assert records[-1]["source"]["file_name"] == letters[1].name


# --- the command line -----------------------------------------------------------------------


def test_parse_into_a_pipe_closed_after_one_line_exits_quietly(
    tmp_path: Path, letters: list[Path]
) -> None:
    # Ten records (13 KB each) overfill the pipe, so the writer is still writing when the
    # reader leaves, as with `imr-desk parse *.pdf | head -1`.
    env = {**os.environ, "IMR_DESK_LOG_DIR": str(tmp_path / "logs")}
    process = subprocess.Popen(
        [sys.executable, "-m", "imr_desk", "parse", "--json", *[str(letters[0])] * 10],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    json.loads(process.stdout.readline())
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=TIMEOUT) == EXIT_PIPE_CLOSED
    assert err == b""


def test_a_file_name_starting_with_a_dash_needs_double_dash_and_the_error_says_so(
    tmp_path: Path,
    letters: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(letters[0], tmp_path / "-x.pdf")
    for argv in (["parse", "-x.pdf"], ["parse", str(letters[1]), "-x.pdf"]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        assert "put '--' before the files (imr-desk parse -- -x.pdf)" in capsys.readouterr().err
    assert main(["parse", "--", "-x.pdf"]) == 0
    assert capsys.readouterr().out.startswith("-x.pdf: layout ")


def test_an_unknown_command_names_the_nearest_one_and_starts_nothing(tmp_path: Path) -> None:
    result = imr_desk("exprot", cwd=tmp_path, timeout=20)  # the app would run until killed
    assert result.returncode == 2
    assert result.stderr.decode().startswith(
        "imr-desk: unknown command 'exprot'; did you mean 'export'?"
    )
    assert len(result.stderr.splitlines()) == 1 and result.stdout == b""


def test_a_word_naming_an_existing_file_still_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imr_desk.commands import open_app

    opened: list[list[str] | None] = []
    monkeypatch.setattr(open_app, "launch", lambda *_a, paths=None, **_k: opened.append(paths))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exprot").mkdir()
    main(["exprot"])
    assert opened == [["exprot"]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt needs no DISPLAY elsewhere")
def test_without_a_display_the_app_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["IMR_DESK_LOG_DIR"] = str(tmp_path / "logs")
    result = subprocess.run(
        [sys.executable, "-m", "imr_desk", "--db", "r.db"],
        capture_output=True,
        timeout=20,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imr-desk: no display: ")
    assert "set QT_QPA_PLATFORM=offscreen" in lines[0]
    assert not (tmp_path / "r.db").exists()  # stopped before touching anything
