"""corrections.csv, the parser's improvement backlog: one row per corrected field with its
reason and reviewer, swapped in with the other files, counted by reason in the card."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fake_letters import fake_record

from imr_desk import export_files
from imr_desk.corrections import COLUMNS
from imr_desk.edits import MoveItem, SetField, TagReason
from imr_desk.export import FILES, export_dataset
from imr_desk.record import FieldRef
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

AGE = FieldRef("patient_age")


@pytest.fixture
def store(project: EngineProject) -> LetterStore:
    """ann's desk on three parsed letters, the first with two items (p1, p2); on each engine."""
    opened = project.open("ann")
    for n in range(1, 4):
        record = fake_record(n, decisions=("upheld", "upheld") if n == 1 else ("upheld",))
        opened.add_letter(record, source_path=f"/in/{n}.pdf", parser_version="p1")
    return opened


def shas(store: LetterStore) -> list[str]:
    return [row.sha256 for row in store.list_letters()]


def rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "corrections.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def card_table(folder: Path) -> list[str]:
    card = (folder / "README.md").read_text(encoding="utf-8")
    section = card.split("## Corrections and their reasons\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]


def test_a_letter_with_two_corrections_one_tagged_gives_two_rows(
    project: EngineProject, store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    store.apply(sha, SetField(AGE, 50))
    store.apply(sha, TagReason(AGE, "misread"))
    store.release(sha)  # ann moves on; bob's desk takes the letter
    bob = project.open("bob")
    bob.apply(sha, SetField(FieldRef("treatment", "p2"), "=HYPERLINK(x)"))
    bob.apply(sha, MoveItem("p2", 0))  # the export names it by its new index
    bob.set_status(sha, "verified")
    export_dataset(store, tmp_path / "out")
    header = (tmp_path / "out" / "corrections.csv").read_text().splitlines()[0]
    assert header.split(",") == list(COLUMNS)
    assert rows(tmp_path / "out") == [
        {
            "sha256": sha,
            "case_number": "CM16-0000001",
            "field": "letter.patient_age",
            "item_id": "",
            "parser_value": "48",
            "final_value": "50",
            "reason": "misread",
            "reviewer": "ann",
        },
        {
            "sha256": sha,
            "case_number": "CM16-0000001",
            "field": "items.0.treatment",
            "item_id": "p2",
            "parser_value": "Treatment 1.1",
            "final_value": "'=HYPERLINK(x)",  # made safe like every CSV cell
            "reason": "",
            "reviewer": "bob",
        },
    ]


def test_the_rows_are_the_fields_the_record_lists_as_corrected(
    store: LetterStore, tmp_path: Path
) -> None:
    sha = shas(store)[0]
    store.apply(sha, SetField(FieldRef("decision", "p1"), "overturned"))  # moves the outcome
    store.apply(sha, SetField(FieldRef("reviewer_license_states"), ["California", "Nevada"]))
    export_dataset(store, tmp_path / "out", selection="all")
    found = rows(tmp_path / "out")
    corrected = ["letter.reviewer_license_states", "letter.outcome", "items.0.decision"]
    assert [row["field"] for row in found] == corrected
    assert found[0]["final_value"] == "California; Nevada"
    # The outcome followed the decisions: no person set it, so no reviewer is named.
    assert (found[1]["parser_value"], found[1]["final_value"], found[1]["reviewer"]) == (
        "upheld",
        "partially_overturned",
        "",
    )


def test_an_export_without_corrections_writes_the_header_only(
    store: LetterStore, tmp_path: Path
) -> None:
    export_dataset(store, tmp_path / "out", selection="all")
    assert (tmp_path / "out" / "corrections.csv").read_text().splitlines() == [",".join(COLUMNS)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)


def test_the_card_counts_the_verified_letters_corrections_by_reason(
    store: LetterStore, tmp_path: Path
) -> None:
    a, b, c = shas(store)
    for sha, reason in ((a, "misread"), (b, "misread"), (c, "letter_wrong")):
        store.apply(sha, SetField(AGE, 60))
        store.apply(sha, TagReason(AGE, reason))
    store.apply(a, SetField(FieldRef("patient_sex"), "female"))  # no reason given
    store.set_status(a, "verified")
    store.set_status(b, "verified")  # c stays in progress: in the file, not in the counts
    export_dataset(store, tmp_path / "out", selection="all")
    assert len(rows(tmp_path / "out")) == 4
    table = card_table(tmp_path / "out")
    assert table[0] == "| reason | meaning | corrections | share |"
    counts = {line.split(" | ")[0][2:]: line.rsplit(" | ", 2)[1:] for line in table[1:]}
    assert counts["`misread`"] == ["2", "66.7% |"]
    assert counts["`letter_wrong`"] == ["0", "0.0% |"]
    assert counts["(not given)"] == ["1", "33.3% |"]
    assert len(counts) == 7  # the six reasons and none given
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Corrections in the 2 verified letters by reason" in card
    assert "3 in all" in card
    assert "- `corrections.csv`: one row per value a reviewer changed" in card


def test_an_old_releases_whole_export_without_corrections_csv_is_not_a_half_swap(
    store: LetterStore, tmp_path: Path
) -> None:
    # The release before the journal wrote four files: a whole export of that release beside
    # one of its stale staging folders is whole, not a swap to roll forward.
    out = tmp_path / "out"
    export_dataset(store, out, selection="all")
    (out / "corrections.csv").unlink()
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    stale = out / ".export-k3j_x9q2"
    (stale / "earlier").mkdir(parents=True)
    (stale / "letters.jsonl").write_text("half\n")
    done = export_files.finish_interrupted(out)
    assert done == ["removed the unfinished export .export-k3j_x9q2"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
    export_dataset(store, out, selection="all")
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
