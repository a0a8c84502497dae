"""Random sample letter records, and writing them as PDF + expected-record JSON pairs.

A record is built first (every value as the letter will state it, normalised per fields.md),
then printed; the JSON beside each PDF is that record with ``source`` filled in.
Case numbers use the made-up range ``CMyy-09nnnnn`` so they never look like a real letter's.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from imr_desk.domain import derive_outcome, empty_item, empty_record, normalise_text
from imr_desk.pdf_source import sha256_bytes
from imr_desk.record import parser_item_id
from imr_desk.samples import citations, diagnosis_lists, prose
from imr_desk.samples.layouts import render_letter
from imr_desk.samples.prose import Patient
from imr_desk.samples.treatments import (
    Treatment,
    authorised_count,
    long_name,
    pick_countable,
    pick_treatment,
)
from imr_desk.samples.vocabulary import (
    license_states,
    listed_specialties,
    prose_specialties,
    spell_date,
)

LAYOUT_YEARS: Final = {"A": (2013,), "B": (2016, 2017), "C": (2014, 2015)}
ITEM_COUNT_WEIGHTS: Final = (20, 18, 14, 10, 8, 6, 5, 4, 3, 3, 2, 3)
# How a summary states its diagnoses: a cued list in prose, a numbered list, a numbered list
# run together ("1.A2.B", in mailed letters running on into the next sentence), or not at all.
DIAGNOSES_FORMS: Final = {
    "A": (("listed", "numbered", "run_together", "none"), (6, 1, 1, 2)),
    "B": (("listed", "numbered", "run_together", "none"), (6, 1, 1, 2)),
    "C": (("run_together", "listed", "numbered", "none"), (6, 2, 1, 1)),
}
REPEAT_SHARE: Final = 0.15  # summaries that name a diagnosis again later
DECOY_SHARE: Final = 0.5  # summaries with sentences that name conditions without a cue


def _timeline(rng: random.Random, layout: str) -> dict[str, date]:
    year = rng.choice(LAYOUT_YEARS[layout])
    first = date(year, 8, 1) if layout == "A" else date(year, 1, 15)
    decision = first + timedelta(days=rng.randint(0, 140 if layout == "A" else 330))
    assigned = decision - timedelta(days=rng.randint(12, 35))
    received = assigned - timedelta(days=rng.randint(1, 12))
    ur = received - timedelta(days=rng.randint(2, 25))
    records_to = ur - timedelta(days=rng.randint(1, 10))
    return {
        "decision": decision,
        "assigned": assigned,
        "received": received,
        "ur": ur,
        "injury": ur - timedelta(days=rng.randint(150, 4000)),
        "records_to": records_to,
        "records_from": records_to - timedelta(days=rng.randint(40, 240)),
    }


def generate_record(rng: random.Random, layout: str) -> dict[str, Any]:
    """A random letter record in ``layout`` (A, B or C), as its letter will state it."""
    days = _timeline(rng, layout)
    record = empty_record(layout=layout)
    letter = record["letter"]
    letter["case_number"] = f"CM{days['decision'].year % 100:02d}-09{rng.randint(0, 99999):05d}"
    letter["decision_date"] = days["decision"].isoformat()
    letter["injury_date"] = days["injury"].isoformat()
    letter["ur_denial_date"] = days["ur"].isoformat()
    _credentials_and_dates(rng, layout, letter, days)
    record["items"] = _items(rng, layout, days["decision"].year)
    patient = _patient(rng, days["injury"])
    letter["patient_age"], letter["patient_sex"] = patient.age, patient.sex
    letter["diagnoses"], letter["case_summary"] = _summary(rng, layout, patient, days, record)
    letter["outcome"] = derive_outcome(item["decision"] for item in record["items"])
    record["source"]["file_name"] = f"{letter['case_number']}.pdf"
    return record


def _credentials_and_dates(
    rng: random.Random, layout: str, letter: dict[str, Any], days: dict[str, date]
) -> None:
    if layout == "B":
        letter["date_assigned"] = days["assigned"].isoformat()
        letter["application_received"] = days["received"].isoformat()
        letter["priority"] = "expedited" if rng.random() < 0.12 else "standard"
        letter["reviewer_license_states"] = license_states(rng)
        letter["reviewer_specialties"] = listed_specialties(rng)
        return
    letter["reviewer_license_states"] = ["California"]
    letter["reviewer_specialties"] = prose_specialties(rng)
    if layout == "A":
        letter["application_received"] = days["received"].isoformat()
    if rng.random() < 0.55:
        letter["claim_number"] = str(rng.randint(10**8, 10**10 - 1))


def _patient(rng: random.Random, injury: date) -> Patient:
    roll = rng.random()
    sex = rng.choice(("male", "female"))
    if roll < 0.84:
        return Patient(rng.randint(22, 71), sex, injury)
    if roll < 0.93:
        return Patient(None, sex, injury)
    return Patient(None, None, injury)


def _decisions(rng: random.Random, count: int) -> list[str]:
    """All upheld, all overturned, or (with two or more items) a mix of both."""
    mode = rng.choices(("upheld", "overturned", "mixed"), weights=(5, 2, 3))[0]
    if mode != "mixed":
        return [mode] * count
    decisions = [rng.choice(("upheld", "overturned")) for _ in range(count)]
    if count > 1:
        upheld, overturned = rng.sample(range(count), 2)
        decisions[upheld], decisions[overturned] = "upheld", "overturned"
    return decisions


def _items(rng: random.Random, layout: str, year: int) -> list[dict[str, Any]]:
    count = rng.choices(range(1, 13), weights=ITEM_COUNT_WEIGHTS)[0]
    items: list[dict[str, Any]] = []
    for decision in _decisions(rng, count):
        item = _item(rng, layout, year, decision)
        while any(item["treatment"] == other["treatment"] for other in items):
            item = _item(rng, layout, year, decision)
        items.append(item)
    # The parser names its items p1, p2, ... in letter order: the expected record does too.
    return [{"id": parser_item_id(i), **item} for i, item in enumerate(items)]


def _item(rng: random.Random, layout: str, year: int, decision: str) -> dict[str, Any]:
    item = empty_item()
    partial = layout == "B" and rng.random() < 0.14
    treatment = pick_countable(rng, year) if partial else pick_treatment(rng, year)
    if not partial and rng.random() < 0.1:
        treatment = long_name(rng, treatment)
    item["treatment"] = treatment.text
    if partial:
        _part_authorised(rng, item, treatment)
    item["decision"] = decision
    item["category"] = treatment.category
    ca, mx = _guidelines(rng, layout, treatment, year)
    item["claims_administrator_guideline"], item["maximus_guideline"] = ca, mx
    item["rationale"] = prose.rationale(rng, treatment, decision)
    if partial and rng.random() < 0.5:  # the request sentence repeated inside the rationale
        item["rationale"] = (
            f"{item['original_request']} was the original request, and "
            f"{item['authorized_portion']} was authorized by the Claims Administrator. "
            + item["rationale"]
        )
    return {k: normalise_text(v) if isinstance(v, str) else v for k, v in item.items()}


def _part_authorised(rng: random.Random, item: dict[str, Any], treatment: Treatment) -> None:
    """Fill the two partly-authorised forms: the disputed part, or the whole request."""
    count = treatment.count or 0
    allowed = authorised_count(rng, count)
    item["original_request"] = treatment.text
    authorised = treatment.with_count(allowed)
    item["authorized_portion"] = prose.lower_first(authorised) if rng.random() < 0.3 else authorised
    if rng.random() < 0.5:
        item["treatment"] = treatment.with_count(count - allowed)


def _guidelines(
    rng: random.Random, layout: str, treatment: Treatment, year: int
) -> tuple[str | None, str]:
    if layout == "B":
        return citations.published_guidelines(rng, treatment, year)
    if layout == "C":
        return citations.mailed_guidelines(rng, treatment)
    return citations.notice_guidelines(rng, treatment)


def _summary(
    rng: random.Random, layout: str, patient: Patient, days: dict[str, date], record: dict
) -> tuple[list[str], str]:
    mailed = layout == "C"
    noun = "patient" if mailed else "injured worker"
    forms, weights = DIAGNOSES_FORMS[layout]
    form = rng.choices(forms, weights=weights)[0]
    body = rng.choice(("low back", "neck", "right shoulder", "left knee", "wrist"))
    words = prose.subject_words(patient, noun)
    sentences = [prose.opening(rng, patient, mailed=mailed)]
    sentences += prose.story(rng, patient, body, noun=noun, around=days["records_to"])
    closing = _closing(rng, layout, days, record)
    if rng.random() < DECOY_SHARE:
        for _ in range(rng.randint(1, 2)):
            decoy = diagnosis_lists.decoy(rng, words, body)
            sentences.insert(rng.randint(1, len(sentences)), decoy)
    expected = []
    if form != "none":
        expected = _diagnoses(
            rng, form, noun=noun, words=words, sentences=sentences, closing=closing
        )
    text = normalise_text(" ".join(sentences + closing)) or ""
    return expected, text


def _diagnoses(
    rng: random.Random,
    form: str,
    *,
    noun: str,
    words: dict[str, str],
    sentences: list[str],
    closing: list[str],
) -> list[str]:
    """Put the diagnosis statements into the summary; returns the entries they name."""
    if form == "listed":
        statement, expected = diagnosis_lists.listed_statement(rng, words)
    else:
        run_together = form == "run_together"
        statement, expected = diagnosis_lists.numbered_statement(
            rng, noun, run_together=run_together
        )
    later = sentences
    if form == "run_together" and noun == "patient" and closing:
        closing[0] = statement + closing[0]  # runs on: "...neuropathyThe utilization review"
        later = closing
    elif form == "run_together":
        sentences.append(statement + ".")
    else:
        sentences.insert(rng.randint(1, len(sentences)), statement)
    if rng.random() < REPEAT_SHARE:
        repeat, new = diagnosis_lists.repeat_statement(rng, words, expected)
        first = next(i for i, s in enumerate(later) if s.startswith(statement))
        later.insert(rng.randint(first + 1, len(later)), repeat)
        expected += new
    return expected


def _closing(rng: random.Random, layout: str, days: dict[str, date], record: dict) -> list[str]:
    """Mailed letters end with the UR date and the records' range; others sometimes do."""
    letter = record["letter"]
    closing: list[str] = []
    if layout == "C" or rng.random() < 0.1:
        closing.append(
            "The utilization review determination being challenged is dated "
            f"{spell_date(days['ur'], 'mdy2')}."
        )
    if layout == "C" or (closing and rng.random() < 0.8):
        joiner = rng.choice(("- ", " - ", " to "))
        closing.append(
            f"Treatment reports were provided from {spell_date(days['records_from'], 'mdy2')}"
            f"{joiner}{spell_date(days['records_to'], 'mdy2')}."
        )
        letter["records_from"] = days["records_from"].isoformat()
        letter["records_to"] = days["records_to"].isoformat()
    elif rng.random() < 0.4:
        first = record["items"][0]["treatment"]
        closing.append(
            f"On {spell_date(days['ur'], 'dash2')}, utilization review non-certified the request "
            f"for {prose.lower_first(first)}."
        )
    return closing


def generate_letters(
    out_dir: str | os.PathLike[str],
    *,
    count: int,
    seed: int,
    layouts: Sequence[str] = ("B", "C", "A"),
) -> list[Path]:
    """Write ``count`` letters as ``<case>.pdf`` with ``<case>.json`` beside; returns the PDFs.

    Layouts take turns in the order given, so every one appears once ``count`` reaches their
    number. The same seed always gives the same letters.
    """
    unknown = [layout for layout in layouts if layout not in LAYOUT_YEARS]
    if unknown or not layouts:
        raise ValueError(f"sample layouts are A, B and C, not {', '.join(unknown) or 'none'}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written: list[Path] = []
    seen: set[str] = set()
    for index in range(count):
        record = generate_record(rng, layouts[index % len(layouts)])
        while record["letter"]["case_number"] in seen:
            record = generate_record(rng, layouts[index % len(layouts)])
        seen.add(record["letter"]["case_number"])
        written.append(write_sample(folder, record))
    return written


def write_sample(folder: Path, record: dict[str, Any]) -> Path:
    """Print one record as a PDF and store the expected record (with ``source``) beside it."""
    pdf = folder / record["source"]["file_name"]
    info = render_letter(record, pdf)
    record["source"].update(
        pages=info.pages, sha256=sha256_bytes(pdf.read_bytes()), needs_ocr=False
    )
    pdf.with_suffix(".json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return pdf
