"""The sample letter generator: deterministic, every layout, every trap, readable PDFs."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from imr_desk.cli import main as cli_main
from imr_desk.domain import CATEGORIES, ITEM_FIELDS, LETTER_FIELDS, derive_outcome, normalise_text
from imr_desk.pdf_source import Word, open_document, read_pdf
from imr_desk.samples import generate_letters, generate_record, render_letter
from imr_desk.samples.prose import WEANING

# The item fields fields.md defines as printed text (a literal copy: the test must not share
# the code's own selection of them).
TEXT_FIELDS = (
    "treatment",
    "original_request",
    "authorized_portion",
    "claims_administrator_guideline",
    "maximus_guideline",
    "rationale",
)
FOOTER_TOP = 740.0


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """Four hundred records (no PDFs), layouts taking turns, fixed seed."""
    rng = random.Random(2024)
    return [generate_record(rng, "BCA"[i % 3]) for i in range(400)]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Ninety written letters with their JSON, fixed seed."""
    return generate_letters(tmp_path_factory.mktemp("samples"), count=90, seed=11)


def printed_text(words: tuple[Word, ...]) -> str:
    """The PDF's words as lines (page furniture dropped), normalised like a field value."""
    lines: list[list[Word]] = []
    body = sorted((w for w in words if w.y1 < FOOTER_TOP), key=lambda w: (w.page, w.y1))
    for word in body:
        last = lines[-1][-1] if lines else None
        if last is not None and last.page == word.page and abs(last.y1 - word.y1) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    ordered = [sorted(line, key=lambda w: w.x0) for line in lines]
    return normalise_text("\n".join(" ".join(w.text for w in ws) for ws in ordered)) or ""


def test_generate_letters_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = generate_letters(tmp_path / "one", count=6, seed=5)
    second = generate_letters(tmp_path / "two", count=6, seed=5)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert (
            json.loads(a.with_suffix(".json").read_text())["letter"]
            == json.loads(b.with_suffix(".json").read_text())["letter"]
        )
        assert [w.text for w in read_pdf(a).words] == [w.text for w in read_pdf(b).words]
    other = generate_letters(tmp_path / "three", count=6, seed=6)
    assert [p.name for p in other] != [p.name for p in first]


def test_generate_record_gives_every_field_in_the_record_shape(records: list[dict]) -> None:
    for record in records:
        assert list(record["letter"]) == [f.name for f in LETTER_FIELDS]
        assert 1 <= len(record["items"]) <= 12
        # The parser names its items p1, p2, ... in letter order, and so does the expected record.
        assert [item["id"] for item in record["items"]] == [
            f"p{n}" for n in range(1, len(record["items"]) + 1)
        ]
        for item in record["items"]:
            assert list(item) == ["id", *(f.name for f in ITEM_FIELDS)]
            assert item["category"] in CATEGORIES
        assert record["letter"]["outcome"] == derive_outcome(i["decision"] for i in record["items"])


def test_every_layout_appears_and_prints_its_own_headings(rendered: list[Path]) -> None:
    marks = {
        "A": "Notice of Independent Medical Review Determination",
        "B": "State(s) of Licensure:",
        "C": "Final Determination Letter",
    }
    seen: Counter[str] = Counter()
    for pdf in rendered:
        layout = json.loads(pdf.with_suffix(".json").read_text())["source"]["layout"]
        seen[layout] += 1
        assert marks[layout] in printed_text(read_pdf(pdf).words)
    assert set(seen) == {"A", "B", "C"}


def test_record_traps_appear_across_a_few_hundred_letters(records: list[dict]) -> None:
    items = [item for record in records for item in record["items"]]
    letters = [record["letter"] for record in records]
    counts = Counter(len(record["items"]) for record in records)
    assert counts[1] >= 20
    assert counts[12] >= 2
    assert sum(1 for x in letters if x["outcome"] == "partially_overturned") >= 30
    part = [i for i in items if i["original_request"] is not None]
    assert sum(1 for i in part if i["treatment"] == i["original_request"]) >= 5
    assert sum(1 for i in part if i["treatment"] != i["original_request"]) >= 5
    assert sum(1 for i in items if "DOS:" in i["treatment"]) >= 10
    assert sum(1 for i in items if i["treatment"].startswith("Associated surgical service:")) >= 5
    assert sum(1 for i in items if len(i["treatment"]) > 90) >= 10
    assert sum(1 for i in items if (i["rationale"] or "").endswith(WEANING)) >= 5
    assert sum(1 for i in items if "1)" in (i["rationale"] or "")) >= 30
    assert sum(1 for i in items if i["claims_administrator_guideline"] is None) >= 10
    assert sum(1 for x in letters if len(x["reviewer_license_states"]) > 1) >= 20
    assert sum(1 for x in letters if len(x["reviewer_specialties"]) > 1) >= 40
    assert sum(1 for x in letters if x["patient_age"] is None) >= 10
    assert sum(1 for x in letters if x["patient_sex"] is None) >= 5
    assert sum(1 for x in letters if x["claim_number"]) >= 40
    assert sum(1 for x in letters if x["priority"] == "expedited") >= 3


def test_case_summaries_vary_age_phrasing_dates_and_diagnoses(records: list[dict]) -> None:
    summaries = [r["letter"]["case_summary"] for r in records]
    for phrase in ("year old", "-year-old", "a now ", "following:1.", "Diagnoses include"):
        assert any(phrase in s for s in summaries), phrase
    assert any(" was diagnosed with " in s for s in summaries)
    assert any("2016" in s and ", 2016" in s for s in summaries)  # "August 30, 2016"
    assert any("-16 " in s or "-16." in s or "-16," in s for s in summaries)  # "10-13-16"
    mailed = [r["letter"] for r in records if r["source"]["layout"] == "C"]
    assert all(x["records_from"] and x["records_to"] for x in mailed)
    assert all("being challenged is dated" in x["case_summary"] for x in mailed)


def test_print_traps_appear(tmp_path: Path) -> None:
    rng = random.Random(99)
    traps: Counter[str] = Counter()
    encrypted = 0
    for index in range(60):
        record = generate_record(rng, "BCA"[index % 3])
        info = render_letter(record, tmp_path / "letter.pdf")
        traps.update(info.traps)
        encrypted += info.encrypted
    for trap in ("page_break_before_guidelines", "decision_own_line", "no_blank_before_item"):
        assert traps[trap] >= 3, trap
    assert traps["hyphen_break"] >= 2
    assert traps["specialty_wrapped"] >= 1
    assert 5 <= encrypted <= 55


def test_pdfs_open_and_print_every_expected_value(rendered: list[Path]) -> None:
    for pdf in rendered:
        record = json.loads(pdf.with_suffix(".json").read_text())
        text = printed_text(read_pdf(pdf).words)
        letter = record["letter"]
        assert letter["case_number"] in text
        assert letter["case_summary"] in text
        for item in record["items"]:
            for name in TEXT_FIELDS:
                if item[name] is not None:
                    assert item[name] in text, (pdf.name, name, item[name])


def test_some_pdfs_are_encrypted_with_an_empty_password(rendered: list[Path]) -> None:
    flags = []
    for pdf in rendered:
        doc = open_document(pdf)
        flags.append(bool(doc.is_encrypted or doc.metadata.get("encryption")))
        doc.close()
    assert any(flags) and not all(flags)


def test_json_beside_each_pdf_names_its_source(rendered: list[Path]) -> None:
    pdf = rendered[0]
    record = json.loads(pdf.with_suffix(".json").read_text())
    assert record["source"]["file_name"] == pdf.name
    assert record["source"]["pages"] == read_pdf(pdf).pages
    assert record["source"]["sha256"] == read_pdf(pdf).sha256


def test_samples_command_writes_pdf_and_json_pairs(tmp_path: Path, capsys) -> None:
    code = cli_main(["samples", "--out", str(tmp_path), "--count", "4", "--layouts", "C,A"])
    assert code == 0
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 4
    assert all(p.with_suffix(".json").exists() for p in pdfs)
    layouts = {json.loads(p.with_suffix(".json").read_text())["source"]["layout"] for p in pdfs}
    assert layouts == {"A", "C"}
    assert "wrote 4 letters" in capsys.readouterr().out


def test_samples_command_rejects_an_unknown_layout(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli_main(["samples", "--out", str(tmp_path), "--layouts", "B,Z"])


def test_generate_letters_refuses_an_unknown_layout(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="A, B and C"):
        generate_letters(tmp_path, count=1, seed=1, layouts=("D",))
