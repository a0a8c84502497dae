"""Hostile exports (issue 14): formula cells and control characters from PDF text in the CSV
files, and exports killed with SIGKILL at every rename of the final file swap.

A killed export runs in a child process that SIGKILLs itself right after the Nth rename;
the test then runs the recovery every export starts with and checks that the folder holds
exactly one whole export (byte for byte the earlier one or the new one, never a mix) and no
hidden ``.export-*`` folder.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "unit"
sys.path.insert(0, str(UNIT))

from fake_letters import fake_record  # noqa: E402

from imr_desk import export_files  # noqa: E402
from imr_desk.cli import main  # noqa: E402
from imr_desk.export import FILES, export_dataset  # noqa: E402
from imr_desk.storage import LetterStore  # noqa: E402

EARLIER_TIME = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
NEW_TIME = datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC)
RENAMES = 2 * len(FILES)  # the earlier files moved aside, the new ones moved in

# The child: export (or recover) with os.replace counting renames; SIGKILL itself right after
# rename N (N = 0: just before the first); renames F to G fail with an I/O error.
CHILD = """
import os, signal, sys
from datetime import datetime
import imr_desk.export as export
from imr_desk.export_files import finish_interrupted
from imr_desk.storage import LetterStore

mode, db, out, kill_after, fail_from, fail_to, now = sys.argv[1:]
kill_after, fail_from, fail_to = int(kill_after), int(fail_from), int(fail_to)
real_replace, calls = os.replace, [0]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def replace(src, dst):
    if kill_after == 0:
        die()
    calls[0] += 1
    if fail_from <= calls[0] <= fail_to:
        raise OSError(5, "Input/output error")
    real_replace(src, dst)
    if calls[0] == kill_after:
        die()

if mode == "card":
    export.render_card = die
else:
    os.replace = replace
if mode == "recover":
    finish_interrupted(__import__("pathlib").Path(out))
else:
    store = LetterStore.open(db)
    now = datetime.fromisoformat(now)
    export.export_dataset(store, out, selection="all", now=lambda: now)
print("not killed")
"""


@pytest.fixture
def exports(tmp_path: Path) -> dict[str, object]:
    """A database of four letters (one verified); ``out`` holds its verified-only export
    (the earlier one); ``new`` is what an export of all letters writes there."""
    db = tmp_path / "letters.db"
    with LetterStore.open(db, reviewer="ann") as store:
        for n in range(1, 5):
            store.add_letter(fake_record(n), source_path=f"/in/{n}.pdf", parser_version="p1")
        store.set_status(store.list_letters()[0].sha256, "verified")
        export_dataset(store, tmp_path / "out", now=lambda: EARLIER_TIME)
        export_dataset(store, tmp_path / "expected", selection="all", now=lambda: NEW_TIME)
    return {
        "db": db,
        "out": tmp_path / "out",
        "earlier": whole_export(tmp_path / "out"),
        "new": whole_export(tmp_path / "expected"),
    }


def whole_export(folder: Path) -> dict[str, bytes]:
    """The folder's files; fails unless they are exactly the four files of an export and
    each describes the same records (card, JSONL and CSV counts agree)."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    files = {name: (folder / name).read_bytes() for name in FILES}
    records = [json.loads(line) for line in files["letters.jsonl"].decode().splitlines()]
    letters = list(csv.reader(files["letters.csv"].decode().splitlines()))[1:]
    items = list(csv.reader(files["items.csv"].decode().splitlines()))[1:]
    card = files["README.md"].decode()
    assert len(letters) == len(records)
    assert len(items) == sum(len(r["items"]) for r in records)
    assert f"- Letters: {len(records)}, items (disputed treatments): {len(items)}" in card
    return files


def staging_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".export-"))


def run_child(
    mode: str, exports: dict, *, kill_after: int = -1, fail: tuple[int, int] = (-1, -1)
) -> subprocess.CompletedProcess:
    args = [mode, exports["db"], exports["out"], kill_after, *fail, NEW_TIME.isoformat()]
    return subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def killed(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == -signal.SIGKILL


@pytest.mark.parametrize("renames", range(RENAMES + 1), ids=lambda n: f"after-{n}-renames")
def test_an_export_killed_at_any_rename_of_the_swap_is_completed_by_the_recovery(
    exports: dict, renames: int
) -> None:
    out = exports["out"]
    result = run_child("export", exports, kill_after=renames)
    assert killed(result), result.stderr
    assert len(staging_folders(out)) == 1  # the killed swap, as the next export finds it
    if 0 < renames < RENAMES:  # really half-way: neither export is whole in the folder
        names = {p.name for p in out.iterdir() if p.is_file()}
        files = {name: (out / name).read_bytes() for name in names}
        assert files not in (exports["earlier"], exports["new"])

    (staging,) = staging_folders(out)
    done = export_files.finish_interrupted(out)

    assert done == [f"completed the interrupted export in {staging}"]
    assert whole_export(out) == exports["new"]  # its files were complete: rolled forward
    assert staging_folders(out) == []


def test_an_export_killed_while_writing_its_files_leaves_the_earlier_one(
    exports: dict,
) -> None:
    out = exports["out"]
    assert killed(run_child("card", exports))
    assert len(staging_folders(out)) == 1
    assert export_files.finish_interrupted(out)[0].startswith("removed the unfinished export")
    assert whole_export(out) == exports["earlier"]
    assert staging_folders(out) == []


def test_a_journal_cut_short_by_a_kill_counts_as_none(exports: dict) -> None:
    out = exports["out"]
    assert killed(run_child("export", exports, kill_after=0))
    (staging,) = staging_folders(out)
    journal = out / staging / export_files.JOURNAL
    journal.write_bytes(journal.read_bytes()[:10])
    assert export_files.finish_interrupted(out)[0].startswith("removed the unfinished export")
    assert whole_export(out) == exports["earlier"]
    assert staging_folders(out) == []


@pytest.mark.parametrize("renames", [1, 3], ids=lambda n: f"after-{n}-renames")
def test_a_recovery_killed_half_way_is_finished_by_the_next_one(
    exports: dict, renames: int
) -> None:
    out = exports["out"]
    assert killed(run_child("export", exports, kill_after=5))
    assert killed(run_child("recover", exports, kill_after=renames))
    export_files.finish_interrupted(out)
    assert whole_export(out) == exports["new"]
    assert staging_folders(out) == []


@pytest.mark.parametrize("renames", [7, 8, 10, 11], ids=lambda n: f"after-{n}-renames")
def test_an_export_killed_while_undoing_a_failed_swap_is_recovered_whole(
    exports: dict, renames: int
) -> None:
    # Rename 6 (the second new file moved in) fails; 7 takes the first new file back, 8-11
    # put the four earlier files back.
    out = exports["out"]
    assert killed(run_child("export", exports, kill_after=renames, fail=(6, 6)))
    export_files.finish_interrupted(out)
    assert whole_export(out) == exports["new"]
    assert staging_folders(out) == []


def test_a_failed_swap_is_undone_and_leaves_no_staging_folder(exports: dict) -> None:
    out = exports["out"]
    result = run_child("export", exports, fail=(6, 6))
    assert "Input/output error" in result.stderr
    assert whole_export(out) == exports["earlier"]
    assert staging_folders(out) == []


def test_a_failed_swap_that_could_not_be_undone_is_finished_by_the_next_export(
    exports: dict,
) -> None:
    out = exports["out"]
    result = run_child("export", exports, fail=(6, 99))  # and every rename of the undo
    assert "the next export to this folder repairs it" in result.stderr
    assert len(staging_folders(out)) == 1
    export_files.finish_interrupted(out)
    assert whole_export(out) == exports["new"]
    assert staging_folders(out) == []


def test_the_next_export_completes_a_killed_one_then_writes_its_own(exports: dict) -> None:
    out = exports["out"]
    assert killed(run_child("export", exports, kill_after=3))
    with LetterStore.open(exports["db"]) as store:
        summary = export_dataset(store, out, now=lambda: EARLIER_TIME)
    assert summary.letters == 1
    assert whole_export(out) == exports["earlier"]  # the same selection and time as before
    assert staging_folders(out) == []


def test_the_cli_export_after_a_killed_one_leaves_no_staging_folder(exports: dict) -> None:
    out = exports["out"]
    assert killed(run_child("export", exports, kill_after=6))
    assert main(["export", "--db", str(exports["db"]), "--out", str(out)]) == 0
    assert whole_export(out)["letters.jsonl"] == exports["earlier"]["letters.jsonl"]
    assert staging_folders(out) == []


def fill_staging(folder: Path, files: dict[str, bytes], *, journal: bool) -> Path:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if journal:
        (folder / export_files.JOURNAL).write_text(
            json.dumps({"kind": "imr-desk export swap", "files": list(FILES)})
        )
    return folder


def test_the_staging_folder_of_a_live_export_is_left_alone(exports: dict) -> None:
    out = exports["out"]
    live = f".export-{os.getppid()}-{export_files._host()}-abcd1234"
    fill_staging(out / live, exports["new"], journal=True)
    assert export_files.finish_interrupted(out) == []
    assert staging_folders(out) == [live]
    assert sorted(p.name for p in (out / live).iterdir()) == sorted([*FILES, "swap.json"])


def test_a_staging_folder_this_process_left_earlier_is_recovered(exports: dict) -> None:
    out = exports["out"]
    ours = f".export-{os.getpid()}-{export_files._host()}-abcd1234"
    fill_staging(out / ours, exports["new"], journal=True)
    assert export_files.finish_interrupted(out) == [f"completed the interrupted export in {ours}"]
    assert whole_export(out) == exports["new"]


def test_a_staging_folder_of_another_machine_is_left_alone(exports: dict) -> None:
    out = exports["out"]
    other = ".export-1-another.host-abcd1234"
    fill_staging(out / other, exports["new"], journal=True)
    assert export_files.finish_interrupted(out) == []
    assert staging_folders(out) == [other]
    assert {name: (out / name).read_bytes() for name in FILES} == exports["earlier"]


def test_a_half_swap_of_the_release_before_the_journal_is_rolled_forward(exports: dict) -> None:
    # That release killed after two new files moved in: two earlier files in the folder are
    # gone (aside in the hidden folder), two new ones are in, the others still staged.
    out = exports["out"]
    legacy = fill_staging(out / ".export-k3j_x9q2", {}, journal=False)
    (legacy / "earlier").mkdir()
    for name in FILES:
        (out / name).rename(legacy / "earlier" / name)
    for name in FILES[:2]:
        (out / name).write_bytes(exports["new"][name])
    for name in FILES[2:]:
        (legacy / name).write_bytes(exports["new"][name])
    export_files.finish_interrupted(out)
    assert whole_export(out) == exports["new"]
    assert staging_folders(out) == []


def test_an_old_staging_folder_beside_a_whole_export_is_removed(exports: dict) -> None:
    out = exports["out"]
    legacy = fill_staging(out / ".export-k3j_x9q2", exports["new"], journal=False)
    (legacy / "earlier").mkdir()
    assert export_files.finish_interrupted(out) == [
        "removed the unfinished export .export-k3j_x9q2"
    ]
    assert whole_export(out) == exports["earlier"]
    assert staging_folders(out) == []


def test_things_named_like_staging_folders_that_are_not_are_left_alone(
    exports: dict, tmp_path: Path
) -> None:
    out = exports["out"]
    elsewhere = tmp_path / "elsewhere"
    fill_staging(elsewhere, exports["new"], journal=True)
    (out / ".export-link").symlink_to(elsewhere, target_is_directory=True)
    (out / ".export-file").write_text("a file")
    notes = fill_staging(out / ".export-notes", {"notes.txt": b"mine"}, journal=False)
    assert export_files.finish_interrupted(out) == []
    assert staging_folders(out) == [".export-file", ".export-link", ".export-notes"]
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted([*FILES, "swap.json"])
    assert (notes / "notes.txt").read_bytes() == b"mine"
    assert {n: (out / n).read_bytes() for n in FILES} == exports["earlier"]


# --- CSV cells from hostile PDF text -------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"
CONTROL = "a\x00b\x1b[31mc\r\nd\re\x85f"  # NUL, ESC, CRLF, CR, a C1 control (NEL)


def hostile_letter(store: LetterStore) -> str:
    """A verified letter whose text fields start with formula characters; returns its sha."""
    record = fake_record(7)
    record["source"]["file_name"] = "=cmd.pdf"
    record["letter"].update(
        claim_number="-2+3",
        diagnoses=[DDE, "Lumbar strain"],
        case_summary=CONTROL,
        reviewer_specialties=["\tTab first", "Orthopedics"],
    )
    record["items"][0].update(
        treatment=HYPERLINK,
        original_request="+1+1",
        authorized_portion="\r=1+1",
        rationale="  =1+1",
        claims_administrator_guideline="'quoted",
        maximus_guideline="MTUS = Chronic pain; -5 mg",
    )
    store.add_letter(record, source_path="/in/=cmd.pdf", parser_version="p1")
    store.set_status(record["source"]["sha256"], "verified", note="@note")
    return record["source"]["sha256"]


@pytest.fixture
def hostile_export(tmp_path: Path) -> Path:
    with LetterStore.open(tmp_path / "letters.db", reviewer="ann") as store:
        hostile_letter(store)
        export_dataset(store, tmp_path / "out")
    return tmp_path / "out"


def csv_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_quote(hostile_export: Path) -> None:
    (letter,) = csv_rows(hostile_export, "letters.csv")
    (item,) = csv_rows(hostile_export, "items.csv")
    assert item["treatment"] == "'" + HYPERLINK
    assert letter["diagnoses"] == f"'{DDE}; Lumbar strain"
    assert (letter["file_name"], letter["claim_number"], letter["note"]) == (
        "'=cmd.pdf",
        "'-2+3",
        "'@note",
    )
    assert letter["reviewer_specialties"] == "'\tTab first; Orthopedics"
    assert item["original_request"] == "'+1+1"
    assert item["authorized_portion"] == "'\n=1+1"  # CR first: a line break, still quoted
    assert item["rationale"] == "'  =1+1"  # a formula after spaces is one too
    assert item["claims_administrator_guideline"] == "''quoted"  # so one ' is always ours
    assert item["maximus_guideline"] == "MTUS = Chronic pain; -5 mg"  # not at the start
    assert (letter["patient_age"], item["item_index"]) == ("48", "0")  # numbers stay numbers


def test_control_characters_never_reach_the_csv_files(hostile_export: Path) -> None:
    (letter,) = csv_rows(hostile_export, "letters.csv")
    assert letter["case_summary"] == "a\ufffdb\ufffd[31mc\nd\ne\ufffdf"
    for name in ("letters.csv", "items.csv"):
        text = (hostile_export / name).read_text(encoding="utf-8").replace("\r\n", "")
        assert [c for c in text if ord(c) < 0x20 and c not in "\t\n"] == []
        assert [c for c in text if 0x7F <= ord(c) <= 0x9F] == []


def test_the_jsonl_keeps_every_hostile_value_exactly(hostile_export: Path) -> None:
    (record,) = [json.loads(line) for line in (hostile_export / "letters.jsonl").open()]
    assert record["source"]["file_name"] == "=cmd.pdf"
    assert record["letter"]["diagnoses"] == [DDE, "Lumbar strain"]
    assert record["letter"]["case_summary"] == CONTROL
    assert record["letter"]["claim_number"] == "-2+3"
    assert record["items"][0]["treatment"] == HYPERLINK
    assert record["items"][0]["authorized_portion"] == "\r=1+1"
    assert record["items"][0]["claims_administrator_guideline"] == "'quoted"
    assert record["review"]["note"] == "@note"


def test_dropping_the_added_quote_gives_back_the_exact_text(hostile_export: Path) -> None:
    # The card's rule for readers who need the exact text from the CSV (control characters
    # aside): remove one leading ' from every cell that starts with one.
    (record,) = [json.loads(line) for line in (hostile_export / "letters.jsonl").open()]
    (item,) = csv_rows(hostile_export, "items.csv")
    for name, value in record["items"][0].items():
        if isinstance(value, str) and "\r" not in value:
            cell = item["item_id" if name == "id" else name]
            assert (cell[1:] if cell.startswith("'") else cell) == value, name
