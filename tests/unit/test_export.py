"""Dataset export: file shapes, item ids, review.corrected, the card, atomic replacement."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fake_letters import fake_record

import imr_desk.export as export_module
from imr_desk.cli import main
from imr_desk.domain import ITEM_FIELDS, LETTER_FIELDS, empty_record
from imr_desk.edits import AddItem, MoveItem, RemoveItem, SetField
from imr_desk.export import FILES, ExportError, export_dataset
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

RECORD_KEYS = {"schema", "source", "status", "letter", "items", "provenance", "review"}
REVIEW_KEYS = {
    *("reviewer", "verified_at", "parser_version", "corrected", "removed_items", "note"),
    *("mode", "reviewers", "adjudicator", "disagreements", "blind", "not_in_letter"),
}


@pytest.fixture
def store(project: EngineProject) -> LetterStore:
    """ann's desk on four parsed letters (the first with two items), on each engine."""
    opened = project.open("ann")
    for n in range(1, 5):
        record = fake_record(n, decisions=("upheld", "overturned") if n == 1 else ("upheld",))
        opened.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    return opened


def shas(store: LetterStore) -> list[str]:
    return [row.sha256 for row in store.list_letters()]


def read_jsonl(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "letters.jsonl").read_text().splitlines()]


def test_export_writes_verified_letters_with_every_key(store: LetterStore, tmp_path: Path) -> None:
    first, second, *_ = shas(store)
    store.set_status(first, "verified", note="fine")
    store.set_status(second, "verified")
    summary = export_dataset(store, tmp_path / "out")
    assert (summary.letters, summary.items) == (2, 3)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)
    records = read_jsonl(tmp_path / "out")
    assert [r["source"]["sha256"] for r in records] == [first, second]
    for record in records:
        assert set(record) == RECORD_KEYS
        assert set(record["review"]) == REVIEW_KEYS
        assert list(record["letter"]) == [spec.name for spec in LETTER_FIELDS]
        assert all(list(i) == ["id", *(s.name for s in ITEM_FIELDS)] for i in record["items"])
        assert set(record["source"]) == {"file_name", "sha256", "pages", "layout", "needs_ocr"}
    review = records[0]["review"]
    assert (review["reviewer"], review["note"], review["parser_version"]) == ("ann", "fine", "p1")
    assert review["verified_at"].endswith("Z")


def test_all_selection_includes_every_status(store: LetterStore, tmp_path: Path) -> None:
    store.set_status(shas(store)[2], "flagged")
    export_dataset(store, tmp_path / "out", selection="all")
    statuses = [r["status"] for r in read_jsonl(tmp_path / "out")]
    assert statuses == ["parsed", "parsed", "flagged", "parsed"]
    assert read_jsonl(tmp_path / "out")[0]["review"]["verified_at"] is None


def test_corrected_lists_fields_whose_value_differs_from_the_parser(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    store.apply(sha, SetField(FieldRef("patient_age"), 50))
    store.apply(sha, SetField(FieldRef("patient_sex"), "female"))
    store.apply(sha, SetField(FieldRef("patient_sex"), "male"))  # back to the parser's value
    store.apply(sha, SetField(FieldRef("decision", "p2"), "upheld"))  # outcome follows
    store.apply(sha, SetField(FieldRef("case_summary"), "  "))  # was already empty
    store.set_status(sha, "verified")
    export_dataset(store, tmp_path / "out")
    corrected = read_jsonl(tmp_path / "out")[0]["review"]["corrected"]
    assert corrected == ["letter.patient_age", "letter.outcome", "items.1.decision"]


def exported_review(store: LetterStore, sha: str, folder: Path) -> dict:
    store.set_status(sha, "verified")
    export_dataset(store, folder)
    return read_jsonl(folder)[0]["review"]


def add_item(store: LetterStore, sha: str, index: int, **values: str) -> str:
    """Add a blank item at ``index`` and type ``values`` into it; returns the id the store
    gave it."""
    row, _ = store.apply(sha, AddItem(index=index))
    item_id = row.full.items[index].id
    for name, value in values.items():
        store.apply(sha, SetField(FieldRef(name, item_id), value))
    return item_id


def test_items_that_only_shifted_or_moved_are_not_corrected(
    store: LetterStore, tmp_path: Path
) -> None:
    # Regression: items were compared by position, so removing the first item counted every
    # field of the item that moved up as corrected (rates above 100% in the card).
    sha = shas(store)[0]
    add_item(store, sha, 0, treatment="Added", decision="upheld")
    store.apply(sha, MoveItem("p1", 2))
    store.apply(sha, RemoveItem("p1"))  # the parser's first item
    review = exported_review(store, sha, tmp_path / "out")
    items = store.get(sha).full.items
    assert [i.value("treatment") for i in items] == ["Added", "Treatment 1.1"]
    assert review["corrected"] == ["items.0.treatment", "items.0.decision"]
    assert review["removed_items"] == 1


def test_a_removed_item_put_back_by_undo_is_the_parser_item_again(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    before = store.get(sha).full.items
    _, undo = store.apply(sha, RemoveItem("p1"))
    assert [i.id for i in store.get(sha).full.items] == ["p2"]
    store.apply(sha, undo)
    assert store.get(sha).full.items == before  # same ids, values and evidence
    review = exported_review(store, sha, tmp_path / "out")
    assert (review["corrected"], review["removed_items"]) == ([], 0)


def test_items_moved_but_not_changed_are_not_corrected(store: LetterStore, tmp_path: Path) -> None:
    sha = shas(store)[0]
    store.apply(sha, MoveItem("p2", 0))
    review = exported_review(store, sha, tmp_path / "out")
    assert [i["id"] for i in read_jsonl(tmp_path / "out")[0]["items"]] == ["p2", "p1"]
    assert (review["corrected"], review["removed_items"]) == ([], 0)


def test_corrected_names_items_by_their_index_in_the_exported_order(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    store.apply(sha, SetField(FieldRef("category", "p2"), "Surgery"))
    assert exported_review(store, sha, tmp_path / "before")["corrected"] == ["items.1.category"]
    store.apply(sha, MoveItem("p2", 0))
    review = exported_review(store, sha, tmp_path / "after")
    record = read_jsonl(tmp_path / "after")[0]
    assert (record["items"][0]["id"], record["items"][0]["category"]) == ("p2", "Surgery")
    assert (review["corrected"], review["removed_items"]) == (["items.0.category"], 0)


def test_exported_items_carry_their_stable_ids(store: LetterStore, tmp_path: Path) -> None:
    sha = shas(store)[0]
    added = add_item(store, sha, 2, treatment="Added", decision="upheld")
    store.apply(sha, MoveItem("p2", 0))
    export_dataset(store, tmp_path / "out", selection="all")
    records = read_jsonl(tmp_path / "out")
    assert re.fullmatch(r"n[0-9a-f]{8}", added)
    assert [i["id"] for i in records[0]["items"]] == ["p2", "p1", added]
    assert [i["treatment"] for i in records[0]["items"]] == [
        "Treatment 1.1",
        "Treatment 1.0",
        "Added",
    ]
    assert [[i["id"] for i in r["items"]] for r in records[1:]] == [["p1"]] * 3


def test_items_csv_has_the_item_id_after_the_item_index_as_in_the_jsonl(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    added = add_item(store, sha, 0, treatment="Added", decision="upheld")
    store.apply(sha, MoveItem("p1", 2))
    export_dataset(store, tmp_path / "out", selection="all")
    with (tmp_path / "out" / "items.csv").open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[header.index("item_index") + 1] == "item_id"
    by_key = {(r[0], r[header.index("item_index")]): r[header.index("item_id")] for r in rows}
    from_jsonl = {
        (record["source"]["sha256"], str(index)): item["id"]
        for record in read_jsonl(tmp_path / "out")
        for index, item in enumerate(record["items"])
    }
    assert by_key == from_jsonl
    assert [by_key[(sha, str(n))] for n in range(3)] == [added, "p2", "p1"]


def test_a_letter_the_parser_failed_on_keeps_its_parse_error(
    store: LetterStore, tmp_path: Path
) -> None:
    record = empty_record(file_name="broken.pdf", sha256="f" * 64, pages=1)
    record["source"]["parse_error"] = "the parser failed (ValueError: x)"
    store.add_letter(record, source_path="/in/broken.pdf", parser_version="p1")
    export_dataset(store, tmp_path / "out", selection="all")
    exported = {r["source"]["sha256"]: r for r in read_jsonl(tmp_path / "out")}
    assert exported["f" * 64]["source"]["parse_error"] == "the parser failed (ValueError: x)"
    assert exported["f" * 64]["items"] == []
    others = [r for sha, r in exported.items() if sha != "f" * 64]
    assert len(others) == 4
    assert all("parse_error" not in r["source"] for r in others)


def test_the_card_counts_removed_items_apart_and_no_rate_exceeds_100_percent(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    store.apply(sha, RemoveItem("p1"))
    exported_review(store, sha, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Parser items reviewers removed: 1." in card
    assert "| `items.*.treatment` | 0 | 1 | 0.0% |" in card
    rates = [
        float(line.rsplit("|", 2)[1].strip(" %"))
        for line in card.splitlines()
        if line.startswith("| `") and line.endswith("% |")
    ]
    assert rates and max(rates) <= 100


def test_csv_files_are_flat_tables_keyed_by_sha256(store: LetterStore, tmp_path: Path) -> None:
    sha = shas(store)[0]
    store.apply(sha, SetField(FieldRef("reviewer_license_states"), ["California", "Nevada"]))
    store.set_status(sha, "verified")
    export_dataset(store, tmp_path / "out")
    with (tmp_path / "out" / "letters.csv").open(newline="") as handle:
        letters = list(csv.DictReader(handle))
    with (tmp_path / "out" / "items.csv").open(newline="") as handle:
        items = list(csv.DictReader(handle))
    assert letters[0]["reviewer_license_states"] == "California; Nevada"
    assert letters[0]["corrected"] == "letter.reviewer_license_states"
    assert (letters[0]["item_count"], letters[0]["claim_number"]) == ("2", "")
    assert [(i["sha256"], i["item_index"], i["item_id"], i["decision"]) for i in items] == [
        (sha, "0", "p1", "upheld"),
        (sha, "1", "p2", "overturned"),
    ]


def test_dataset_card_has_counts_reviewers_and_correction_rates(
    store: LetterStore, tmp_path: Path
) -> None:
    a, b, *_ = shas(store)
    store.apply(a, SetField(FieldRef("patient_age"), 50))
    for sha in (a, b):
        store.set_status(sha, "verified")
    export_dataset(store, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Schema: `imr-desk.letter/1`" in card
    assert "Letters: 2, items (disputed treatments): 3" in card
    assert "| partially_overturned | 1 | 50.0% |" in card
    assert "| Pharmaceuticals | 3 | 100.0% |" in card
    assert "| ann | 2 | 100.0% | 1 |" in card
    assert "| `letter.patient_age` | 1 | 2 | 50.0% |" in card
    assert "| `items.*.decision` | 0 | 3 | 0.0% |" in card
    assert "Decision dates: 2016-12-09 to 2016-12-09" in card


def test_the_card_counts_reviewers_and_corrections_over_verified_letters_only(
    project: EngineProject, store: LetterStore, tmp_path: Path
) -> None:
    # Regression: under --status all, unverified letters (whose fields nobody checked)
    # counted in the denominators, overstating the parser's accuracy.
    a, b, c, _ = shas(store)
    store.apply(a, SetField(FieldRef("patient_age"), 50))
    store.set_status(a, "verified")
    bob = project.open("bob")
    bob.apply(b, SetField(FieldRef("patient_age"), 51))
    bob.apply(b, SetField(FieldRef("patient_sex"), "female"))
    bob.set_status(b, "verified")
    bob.apply(c, SetField(FieldRef("patient_age"), 52))  # in progress: not counted
    export_dataset(store, tmp_path / "out", selection="all")
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Verified letters: 2, items: 3" in card
    assert "| `letter.patient_age` | 2 | 2 | 100.0% |" in card
    assert "| `letter.patient_sex` | 1 | 2 | 50.0% |" in card
    assert "| `items.*.decision` | 0 | 3 | 0.0% |" in card
    assert "Counted over the 2 verified letters (3 items) only" in card
    reviewers = card.split("## Reviewers\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in reviewers.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == ["| ann | 1 | 50.0% | 1 |", "| bob | 1 | 50.0% | 2 |"]


def test_an_all_export_card_is_titled_by_its_selection_and_counts_verified_categories(
    store: LetterStore, tmp_path: Path
) -> None:
    a, _, c, _ = shas(store)
    store.apply(a, SetField(FieldRef("category", "p1"), "Surgery"))
    store.set_status(a, "verified")
    store.apply(
        c, SetField(FieldRef("category", "p1"), "Injection")
    )  # the unverified: a parser's guess
    export_dataset(store, tmp_path / "out", selection="all")
    card = (tmp_path / "out" / "README.md").read_text()
    assert "verified records" not in card.splitlines()[card.splitlines().index("---", 1) + 1]
    assert "# IMR Final Determination letters: all records, verified or not" in card
    categories = card.split("## Items by category (verified letters)\n", 1)[1].split("\n## ")[0]
    assert "| Surgery | 1 | 50.0% |" in categories
    assert "| Pharmaceuticals | 1 | 50.0% |" in categories
    assert "Injection" not in categories
    export_dataset(store, tmp_path / "verified")
    verified_card = (tmp_path / "verified" / "README.md").read_text()
    assert "# IMR Final Determination letters: verified records" in verified_card


def test_the_card_describes_every_csv_column_and_record_key(
    store: LetterStore, tmp_path: Path
) -> None:
    store.set_status(shas(store)[0], "verified")
    export_dataset(store, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text()
    # A column is described when a record key or field of the same last name has a row in
    # the card's tables, or when the card lists it as a CSV-only column.
    table_keys = re.findall(r"^\| `([\w.*]+)` \|", card, flags=re.MULTILINE)
    csv_only = card.split("Only in the CSV files: ", 1)[1].split("\n", 1)[0]
    described = {key.rsplit(".", 1)[-1] for key in table_keys}
    described |= set(re.findall(r"`(\w+)`: ", csv_only))
    for name in ("letters.csv", "items.csv"):
        with (tmp_path / "out" / name).open(newline="") as handle:
            header = next(csv.reader(handle))
        assert [column for column in header if column not in described] == []
    record = read_jsonl(tmp_path / "out")[0]
    keys = [*record, *(f"source.{k}" for k in record["source"])]
    keys += [f"review.{k}" for k in record["review"]]
    assert [key for key in keys if f"| `{key}` |" not in card] == []


def test_the_card_says_items_csv_is_keyed_by_sha256_and_item_index_or_item_id(
    store: LetterStore, tmp_path: Path
) -> None:
    export_dataset(store, tmp_path / "out", selection="all")
    card = " ".join((tmp_path / "out" / "README.md").read_text().split())
    files = card.split("## Files ", 1)[1].split(" ## ", 1)[0]
    items_csv = files.split("- `items.csv`: ", 1)[1].split(" - `", 1)[0]
    assert "keyed by `sha256` and `item_index`" in items_csv
    assert "`item_id`" in items_csv
    assert "`item_id`: the item's stable `id`" in card


def test_the_card_says_when_no_letter_is_verified(store: LetterStore, tmp_path: Path) -> None:
    export_dataset(store, tmp_path / "out", selection="all")
    card = (tmp_path / "out" / "README.md").read_text()
    assert "## Reviewers\n\nNo letter in this export has been verified yet." in card
    assert "| `letter.patient_age` | 0 | 0 | 0.0% |" in card


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_failed_export_leaves_the_earlier_one_intact(
    store: LetterStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    store.set_status(shas(store)[0], "verified")
    export_dataset(store, out)
    before = snapshot(out)
    for sha in shas(store)[1:]:
        store.set_status(sha, "verified")

    def full_disk(record: dict) -> list:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "item_csv_rows", full_disk)
    with pytest.raises(ExportError, match="No space left on device"):
        export_dataset(store, out)
    assert snapshot(out) == before  # no staging folder left behind either


def test_an_interrupted_export_leaves_the_earlier_one_intact(
    store: LetterStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    store.set_status(shas(store)[0], "verified")
    export_dataset(store, out)
    before = snapshot(out)

    def interrupt(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "render_card", interrupt)
    with pytest.raises(KeyboardInterrupt):
        export_dataset(store, out, selection="all")
    assert snapshot(out) == before


def failing_replace(monkeypatch: pytest.MonkeyPatch, *, from_call: int, to_call: int) -> None:
    """Make ``os.replace`` fail on calls ``from_call`` to ``to_call`` (counting from 1)."""
    real_replace = os.replace
    calls = []

    def replace(src: object, dst: object) -> None:
        calls.append(src)
        if from_call <= len(calls) <= to_call:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(export_module.os, "replace", replace)


@pytest.mark.parametrize("call", [3, 6], ids=["moving-the-earlier-aside", "moving-the-new-in"])
def test_a_move_that_fails_midway_leaves_every_earlier_file_as_it_was(
    store: LetterStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: int
) -> None:
    # Regression: the files were replaced one by one, so a failed third rename left two new
    # files beside two of the earlier export.
    out = tmp_path / "out"
    store.set_status(shas(store)[0], "verified")
    export_dataset(store, out)
    before = snapshot(out)
    for sha in shas(store)[1:]:
        store.set_status(sha, "verified")
    failing_replace(monkeypatch, from_call=call, to_call=call)
    with pytest.raises(ExportError, match="Input/output error"):
        export_dataset(store, out)
    assert snapshot(out) == before


def test_a_failed_first_export_leaves_no_partial_files(
    store: LetterStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_replace(monkeypatch, from_call=3, to_call=3)
    with pytest.raises(ExportError):
        export_dataset(store, tmp_path / "out", selection="all")
    assert snapshot(tmp_path / "out") == {}


def test_earlier_files_that_cannot_be_put_back_are_kept_and_named(
    store: LetterStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    export_dataset(store, out, selection="all")
    before = snapshot(out)
    failing_replace(monkeypatch, from_call=3, to_call=99)
    with pytest.raises(ExportError, match="could not be put back: they are kept in") as raised:
        export_dataset(store, out, selection="all")
    kept = Path(str(raised.value).rsplit(" ", 1)[-1])
    left = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert {**left, **snapshot(kept)} == before


def test_exported_files_are_readable_by_their_owner_only(
    store: LetterStore, tmp_path: Path
) -> None:
    # The letters are medical records: the export is as private as the database (0600).
    out = tmp_path / "out"
    out.mkdir()
    (out / "letters.csv").write_text("an earlier, world-readable export")
    (out / "letters.csv").chmod(0o644)
    export_dataset(store, out, selection="all")
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == dict.fromkeys(
        FILES, 0o600
    )


def test_an_export_into_a_path_inside_a_file_fails_clearly_and_keeps_the_earlier_one(
    store: LetterStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Runs as root too (unlike the read-only folder test below): no permission bit can help
    # when a path component is a regular file.
    out = tmp_path / "out"
    export_dataset(store, out, selection="all")
    before = snapshot(out)
    inside_a_file = out / "README.md" / "dataset"
    args = ["export", "--db", str(store.target), "--out", str(inside_a_file)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"cannot write to {inside_a_file}: Not a directory" in err
    assert "Any earlier export in that folder is unchanged." in err
    assert snapshot(out) == before


def test_a_folder_that_cannot_be_written_gives_a_clear_error(
    store: LetterStore, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match=r"cannot write to .*a-file/out"):
        export_dataset(store, blocker / "out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_folder_keeps_its_earlier_export(store: LetterStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_dataset(store, out, selection="all")
    before = snapshot(out)
    out.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="cannot write"):
            export_dataset(store, out)
    finally:
        out.chmod(0o700)
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-5", "'-5"),  # text, even when it reads as a negative number
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("\n=1", "'\n=1"),
        ("   =1", "'   =1"),
        ("'kept", "''kept"),
        ("a=b", "a=b"),
        ("Back pain; -x", "Back pain; -x"),
        ("line\r\nbreak\rhere", "line\nbreak\nhere"),
        ("nul\x00esc\x1bdel\x7fnel\x85", "nul\ufffdesc\ufffddel\ufffdnel\ufffd"),
        ("", ""),
        ("   ", "   "),
    ],
)
def test_csv_text_quotes_formula_starts_and_replaces_control_characters(
    text: str, cell: str
) -> None:
    # Issue 14: PDF text reached the CSV cells as it was, formulas and NUL/ESC included.
    assert export_module.csv_text(text) == cell


def test_csv_number_cells_are_written_as_numbers(store: LetterStore, tmp_path: Path) -> None:
    export_dataset(store, tmp_path / "out", selection="all")
    record = read_jsonl(tmp_path / "out")[0]
    row = export_module.letter_csv_row(record)
    numbers = {
        column
        for column, cell in zip(export_module.LETTER_COLUMNS, row, strict=True)
        if isinstance(cell, int)
    }
    assert numbers == {"pages", "patient_age", "item_count", "removed_items"}
    card = " ".join((tmp_path / "out" / "README.md").read_text().split())
    named = card.split("number columns (", 1)[1].split(")", 1)[0]
    assert set(re.findall(r"`(\w+)`", named)) == numbers | {"item_index"}


def test_the_card_says_how_the_csv_cells_are_made_safe(store: LetterStore, tmp_path: Path) -> None:
    export_dataset(store, tmp_path / "out", selection="all")
    card = " ".join((tmp_path / "out" / "README.md").read_text().split())
    files = card.split("## Files ", 1)[1].split(" ## ", 1)[0]
    assert "OWASP" in files
    quoted = files.split("first character (after any spaces) is ", 1)[1].split(" gets one", 1)[0]
    for start in "=+-@'":
        assert f"`{start}`" in quoted
        assert export_module.csv_text(start + "x") == "'" + start + "x"
    assert "a tab, a line break" in quoted
    assert "`letters.jsonl` keeps every value exactly" in files
