"""The diagnoses rule of fields.md, case by case, on summary snippets written for these tests."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from imr_desk import parser
from imr_desk.calibration import calibrated
from imr_desk.parsing.conditions import CONDITION, QUALIFIER, UNKNOWN, classify
from imr_desk.parsing.diagnoses import CLEAN, UNSURE, find
from imr_desk.pdf_source import Word, read_pdf
from imr_desk.samples import generate_letters, generate_record

TAIL = " Treatment to date has included medications."


def entries(text: str) -> list[str]:
    """The entries the rule reads from a summary snippet ([] where it finds none)."""
    found = find(text + TAIL)
    return list(found.entries) if found else []


@pytest.mark.parametrize(
    "cue",
    [
        "The diagnosis is",
        "The diagnoses are",
        "The diagnosis was",
        "The diagnoses were",
        "Diagnoses include",
        "The diagnoses includes",
        "Diagnoses included",
        "She has diagnoses of",
        "The diagnoses consist of",
        "The diagnoses consisted of",
        "The current diagnoses are documented as",
        "The diagnoses were listed as",
        "The diagnosis is noted as",
        "The diagnoses were noted to be",
        "Diagnoses:",
        "The injured worker's diagnoses include the following:",
        "He was diagnosed with",
        "She was diagnosed as",
        "The worker was diagnosed as having",
        "The working diagnosis is",
        "He carries a working diagnosis",
        "The injured worker is being treated for the diagnoses of",
        "The applicant is being treated for diagnoses of",
        "The record lists diagnoses that include",
        "Diagnoses have included",
        "The diagnoses were noted to include",
        "The diagnoses to date include",
        "The diagnoses listed include",
        "Diagnoses included, but were not limited to,",
        "The current diagnoses were listed as follows:",
    ],
)
def test_every_cue_of_the_rule_starts_a_statement(cue: str) -> None:
    assert entries(f"{cue} cervical strain and insomnia.") == ["cervical strain", "insomnia"]


@pytest.mark.parametrize(
    "cue", ["The current diagnosis documented is", "The current diagnoses are documented"]
)
def test_a_misprinted_cue_counts_but_lowers_confidence(cue: str) -> None:
    found = find(f"{cue} cervical strain.{TAIL}")

    assert found is not None and found.entries == ("cervical strain",)
    assert found.confidence == UNSURE["misprinted cue"] < CLEAN


@pytest.mark.parametrize(
    "text",
    [
        "Diagnostic studies included an MRI of the lumbar spine.",
        "Diagnostic testing and diagnostic imaging of the knee were reviewed.",
        "An MRI was ordered to rule out a meniscal tear.",
        "Imaging was requested to rule out the diagnosis of a fracture.",
        "The worker filed a claim for a lumbar strain.",
        "The injured worker is being treated for cervical strain.",
        "The patient has been treated for low back pain.",
        "She is undergoing treatment for a shoulder sprain.",
        "The request was denied for lack of a clear diagnosis.",
        "The diagnosis was not supported by the examination.",
        "There was no diagnosis of radiculopathy.",
    ],
)
def test_non_cues_give_no_entries(text: str) -> None:
    assert entries(text) == []


THREE = ["cervical strain", "lumbar strain", "insomnia"]


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ("cervical strain, lumbar strain, and insomnia", THREE),
        ("cervical strain, lumbar strain and insomnia", THREE),
        ("cervical strain; lumbar strain; and insomnia", THREE),
        ("knee effusion & plantar fasciitis", ["knee effusion", "plantar fasciitis"]),
        ("neck pain as well as anxiety", ["neck pain", "anxiety"]),
        ("hip sprain, as well as lumbar radiculitis", ["hip sprain", "lumbar radiculitis"]),
        ("lumbar radiculitis and lumbar sprain", ["lumbar radiculitis", "lumbar sprain"]),
        ("contusion of the left elbow and contusion of the left knee",
         ["contusion of the left elbow", "contusion of the left knee"]),
        ("anxiety and depression", ["anxiety", "depression"]),
    ],
)  # fmt: skip
def test_a_list_splits_where_the_next_part_names_another_condition(
    listed: str, expected: list[str]
) -> None:
    assert entries(f"Diagnoses include {listed}.") == expected


@pytest.mark.parametrize(
    "entry",
    [
        "other intervertebral disc displacement, lumbosacral region",
        "strain in right hip, ankle, and foot",
        "lumbar, hip, and neck strain",
        "sprain and strain of lumbar spine",
        "wrist tendinitis and bursitis",
        "dizziness and giddiness",
        "neck and shoulder strain",
        "right elbow and right forearm contusion",
        "sprain of the muscle, fascia, and tendon of the left thigh",
        "radiculopathy, thoracic region (left chest wall)",
        "dislocation, elbow",
        "sprain of ligaments of the thoracic spine, subsequent encounter",
        "dorsalgia, unspecified",
        "pain in the right upper arm and shoulder",
        "closed fracture of the left radius with routine healing",
        "tear of the lateral cartilage and/or meniscus",
        "fracture of the right fifth finger and repair on 3-14-19",
        "degenerative disc disease at C4-5 and C5-6",
        "mood disorder associated with both chronic pain and a general medical condition",
    ],
)
def test_parts_that_share_a_condition_word_or_a_site_or_qualify_it_stay_one_entry(
    entry: str,
) -> None:
    assert entries(f"The diagnoses are documented as {entry}.") == [entry]
    assert entries(f"Diagnoses include {entry}; and insomnia.") == [entry, "insomnia"]


def test_shared_entries_stay_whole_among_others_in_one_list() -> None:
    text = (
        "She was diagnosed with a knee strain, and tarsal tunnel syndrome, left wrist and left "
        "hand sprain and wrist tendinitis and bursitis, lumbar, hip, and neck strain, and "
        "other disc displacement, lumbar region."
    )

    assert entries(text) == [
        "knee strain",
        "tarsal tunnel syndrome",
        "left wrist and left hand sprain",
        "wrist tendinitis and bursitis",
        "lumbar, hip, and neck strain",
        "other disc displacement, lumbar region",
    ]


@pytest.mark.parametrize(
    "listed",
    [
        "1. Cervical strain 2. Lumbar facet syndrome 3. Insomnia",
        "1. Cervical strain. 2. Lumbar facet syndrome. 3. Insomnia",
        "1) Cervical strain, 2) Lumbar facet syndrome, and 3) Insomnia",
        "(1) Cervical strain; (2) Lumbar facet syndrome; (3) Insomnia",
        "1.Cervical strain2.Lumbar facet syndrome3.Insomnia",
    ],
)
def test_numbered_lists_split_at_their_numbers_also_run_together(listed: str) -> None:
    text = f"The patient's diagnoses include the following: {listed}."

    assert entries(text) == ["Cervical strain", "Lumbar facet syndrome", "Insomnia"]


def test_a_run_together_list_ends_where_the_next_sentence_runs_in() -> None:
    text = "Diagnoses include the following:1.Lumbar strain2.Gastritis3.Neck painThe request"

    assert entries(text) == ["Lumbar strain", "Gastritis", "Neck pain"]


def test_numbers_inside_an_entry_are_not_list_numbers() -> None:
    text = "Diagnoses: 1. L4-5 disc bulge of 2.5 mm 2. Type 2 diabetes."

    assert entries(text) == ["L4-5 disc bulge of 2.5 mm", "Type 2 diabetes"]


def test_entries_lose_article_cue_quotes_and_end_punctuation_but_keep_the_print() -> None:
    text = (
        'He was diagnosed with a Left Knee Strain (S83.92XA), an "ACL tear", the post-'
        "\ntraumatic headaches, and s/p carpal tunnel release."
    )

    assert entries(text) == [
        "Left Knee Strain (S83.92XA)",
        "ACL tear",
        "post-traumatic headaches",
        "s/p carpal tunnel release",
    ]


def test_every_statement_counts_in_order_and_repeats_are_dropped_in_any_case() -> None:
    text = (
        "He was diagnosed with neck strain and right shoulder sprain. He was seen again. "
        "He was later diagnosed with Right Shoulder Sprain and a right elbow contusion."
    )

    assert entries(text) == ["neck strain", "right shoulder sprain", "right elbow contusion"]


def test_the_statement_stops_where_another_clause_starts() -> None:
    assert entries("He was diagnosed with a neck strain and was sent to therapy.") == [
        "neck strain"
    ]
    assert entries("Diagnoses include a knee sprain, for which she had therapy.") == ["knee sprain"]
    assert entries("She was diagnosed with gastritis, and she stopped the NSAID.") == ["gastritis"]
    assert entries("He was diagnosed with a hip strain; he was given a cane.") == ["hip strain"]
    assert entries("She was diagnosed with a knee sprain and underwent surgery.") == ["knee sprain"]


def test_a_part_going_on_with_a_preposition_or_a_course_word_stays_with_its_condition() -> None:
    assert entries("Diagnoses include neck strain, with radiculopathy, and insomnia.") == [
        "neck strain, with radiculopathy",
        "insomnia",
    ]
    assert entries("Diagnoses include ankle sprain, resolved; heel pain.") == [
        "ankle sprain, resolved",
        "heel pain",
    ]


def test_each_entry_keeps_the_span_it_was_read_from() -> None:
    text = "Prior care was sparse. The diagnoses are the neck strain; a hip contusion."

    found = find(text)

    assert found is not None
    assert [text[start:end] for start, end in found.spans] == ["neck strain", "hip contusion"]


def test_confidence_is_high_for_a_clean_list_and_lower_when_a_decision_was_borderline() -> None:
    clean = find("Diagnoses include cervical strain and lumbar radiculopathy.")
    shared = find("Diagnoses include wrist tendinitis and bursitis.")
    unknown = find("Diagnoses include cervical strain, kinesiophobic guarding.")

    assert clean is not None and clean.confidence == CLEAN
    assert shared is not None and shared.confidence == UNSURE["shared word joined"]
    assert unknown is not None and unknown.entries == ("cervical strain", "kinesiophobic guarding")
    assert unknown.confidence < shared.confidence < clean.confidence


def test_a_summary_without_a_statement_gives_none() -> None:
    assert find("The worker reported neck pain after a fall at work.") is None


@pytest.mark.parametrize(
    ("part", "kind"),
    [
        ("lumbar radiculopathy", CONDITION),
        ("chondromalacia patella", CONDITION),
        ("status post knee arthroscopy", CONDITION),
        ("lumbosacral region", QUALIFIER),
        ("right ankle", QUALIFIER),
        ("subsequent encounter", QUALIFIER),
        ("repair on 10-02-18", QUALIFIER),
        ("kinesiophobic guarding", UNKNOWN),
    ],
)
def test_parts_are_told_apart_by_condition_site_and_qualifier_words(part: str, kind: str) -> None:
    assert classify(part).kind == kind


SAMPLE_FORMS = (
    "documented as ",
    "documented is ",
    "diagnoses are documented ",
    "listed as ",
    "noted to be ",
    "consist",
    "Diagnoses: ",
    " was diagnosed with ",
    " diagnosed as having ",
    "working diagnos",
    "treated for the diagnoses of ",
    "diagnoses that include ",
    "following:1.",
    "1. ",
    "1) ",
    "(1) ",
    " & ",
    " as well as ",
    "; and ",
    ", and ",
    "was later diagnosed with ",
    ", subsequent encounter",
    ", unspecified",
    " region",
    "sprain and strain of ",
    "Diagnostic studies ",
    "rule out ",
    "filed a claim for ",
    " is being treated for ",
    " is undergoing treatment for ",
)


@pytest.fixture(scope="module")
def sample_records() -> list[dict]:
    rng = random.Random(20240613)
    return [generate_record(rng, "BCA"[index % 3]) for index in range(900)]


def test_sample_summaries_state_diagnoses_in_every_form_the_rule_names(
    sample_records: list[dict],
) -> None:
    summaries = [record["letter"]["case_summary"] for record in sample_records]
    entries = [e for record in sample_records for e in record["letter"]["diagnoses"]]

    for phrase in SAMPLE_FORMS:
        assert any(phrase in summary for summary in summaries), phrase
    assert any(re.search(r"[a-z]\d\.[A-Z]", summary) for summary in summaries)  # "disorder2.RSD"
    assert any(re.fullmatch(r"\w+, \w+, and \w+ \w+", entry) for entry in entries)
    assert any(re.fullmatch(r"\w+ in (right|left) \w+, \w+, and \w+", entry) for entry in entries)
    assert any(re.fullmatch(r"\w+ \w+itis and \w+itis", entry) for entry in entries)
    assert any(entry in ("dizziness and giddiness", "nausea and vomiting") for entry in entries)
    assert any(not record["letter"]["diagnoses"] for record in sample_records)


def test_the_rule_reads_back_exactly_the_entries_every_sample_summary_names(
    sample_records: list[dict],
) -> None:
    differ = []
    for record in sample_records:
        found = find(record["letter"]["case_summary"])
        got = list(found.entries) if found else []
        if got != record["letter"]["diagnoses"]:
            differ.append((record["letter"]["diagnoses"], got))

    assert not differ, f"{len(differ)} summaries differ, e.g. {differ[:3]}"


def _inside(word: Word, box: dict) -> bool:
    x0, y0, x1, y1 = box["rect"]
    x, y = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
    return word.page == box["page"] and x0 <= x <= x1 and y0 <= y <= y1


def test_parsed_letters_give_the_boxes_of_every_entry_and_none_of_the_cue(tmp_path: Path) -> None:
    checked = 0
    for pdf in generate_letters(tmp_path, count=9, seed=31):
        record = parser.parse_file(pdf)
        entries = record["letter"]["diagnoses"]
        if not entries:
            continue
        evidence = next(p for p in record["provenance"] if p["field"] == "letter.diagnoses")
        words = read_pdf(pdf).words
        boxed = " ".join(w.text for w in words if any(_inside(w, b) for b in evidence["boxes"]))
        # the rule's confidence, calibrated as the parser reports it (imr_desk.calibration)
        assert 0 < evidence["confidence"] <= calibrated("letter.diagnoses", CLEAN)
        for entry in entries:
            for word in re.findall(r"[A-Za-z]+", entry):
                assert word in boxed, (pdf.name, entry, word)
        if record["source"]["layout"] == "A":
            continue  # the 2013 notice's reader boxes the list as one span, first entry to last
        assert len(evidence["boxes"]) >= len(entries)
        assert not re.search(r"\b[Dd]iagnos(?:is|es|ed)\b", boxed), (pdf.name, boxed)
        checked += 1
    assert checked >= 4
