"""The log file: where it is written, tracebacks, rotation, uncaught exceptions, --log-level."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from imr_desk import logs
from imr_desk.cli import main
from imr_desk.samples import generate_letters


def written(log_dir: Path) -> str:
    return (log_dir / logs.LOG_FILE).read_text(encoding="utf-8")


def test_setup_creates_the_log_file_in_the_folder_it_is_given(log_dir: Path) -> None:
    path = logs.setup()
    assert path == log_dir / "imr-desk.log" == logs.log_path()
    logging.getLogger("imr_desk.importer").info("hello from the importer")
    assert "INFO imr_desk.importer" in written(log_dir)
    assert "hello from the importer" in written(log_dir)


def test_a_logged_exception_carries_its_traceback(log_dir: Path) -> None:
    logs.setup()
    try:
        int("page two")
    except ValueError:
        logging.getLogger("imr_desk.ui.batch").exception("Importing letters failed")
    text = written(log_dir)
    assert "ERROR imr_desk.ui.batch" in text
    assert "Traceback (most recent call last)" in text
    assert "ValueError: invalid literal for int() with base 10: 'page two'" in text


def test_setting_up_twice_writes_each_line_once(log_dir: Path) -> None:
    logs.setup()
    logs.setup("DEBUG")
    logging.getLogger("imr_desk").warning("only once")
    assert written(log_dir).count("only once") == 1


def test_the_file_rotates_and_keeps_a_few_old_ones(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 400)
    logs.setup()
    for n in range(200):
        logging.getLogger("imr_desk").info("line %d of a long session", n)
    names = sorted(p.name for p in log_dir.iterdir())
    assert names == ["imr-desk.log", *(f"imr-desk.log.{n}" for n in range(1, logs.BACKUPS + 1))]
    assert "line 199 of a long session" in written(log_dir)


def test_an_unwritable_log_folder_is_said_on_stderr_and_nothing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    try:
        assert logs.setup() is None
        logging.getLogger("imr_desk").error("still seen")
    finally:
        logs.close()
    err = capsys.readouterr().err
    assert f"cannot write the log file {blocker / 'logs' / 'imr-desk.log'}" in err
    assert "still seen" in err


def test_uncaught_exceptions_are_logged_then_handed_to_the_previous_hook(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed_on: list[type[BaseException]] = []
    previous = lambda kind, value, trace: handed_on.append(kind)  # noqa: E731
    monkeypatch.setattr(sys, "excepthook", previous)
    logs.setup()
    with logs.uncaught_exceptions_logged():
        try:
            raise KeyError("sha256")
        except KeyError:
            sys.excepthook(*sys.exc_info())
    assert sys.excepthook is previous
    assert handed_on == [KeyError]
    text = written(log_dir)
    assert "CRITICAL imr_desk.logs" in text and "uncaught exception" in text
    assert "Traceback (most recent call last)" in text and "KeyError: 'sha256'" in text


@pytest.fixture(scope="module")
def one_letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_letters(tmp_path_factory.mktemp("letter"), count=1, seed=3)[0]


def import_with(log_dir: Path, letter: Path, *options: str, after: tuple = ()) -> str:
    """Run ``imr-desk OPTIONS import LETTER ... AFTER`` into a new database; the log's text."""
    db = log_dir.parent / f"letters-{len(options)}-{len(after)}.db"
    argv = [*options, "import", str(letter), "--db", str(db), "--workers", "0", "--no-progress"]
    assert main([*argv, *after]) == 0
    return written(log_dir)


def test_log_level_before_the_command_changes_what_is_written(
    log_dir: Path, one_letter: Path
) -> None:
    default = import_with(log_dir, one_letter)
    assert "INFO imr_desk.cli" in default and ": import started" in default
    assert "DEBUG" not in default
    verbose = import_with(log_dir, one_letter, "--log-level", "DEBUG")
    assert "DEBUG imr_desk.importer [" in verbose
    assert f"imported: {one_letter}" in verbose


def test_log_level_after_the_command_works_too_and_wins(log_dir: Path, one_letter: Path) -> None:
    text = import_with(log_dir, one_letter, "--log-level=DEBUG", after=("--log-level", "warning"))
    assert text == ""


def test_a_wrong_log_level_is_a_usage_error(
    log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--log-level", "LOUD", "stats"])
    assert stopped.value.code == 2
    assert "invalid choice: 'LOUD'" in capsys.readouterr().err
