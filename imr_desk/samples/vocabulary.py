"""Made-up reviewer credentials, diagnoses and date spellings for sample letters.

``DIAGNOSES`` carry no digits, commas, semicolons or `` and `` and end in a lower-case letter,
so each is one entry in any list form; the word lists after it build the diagnoses that do hold
commas or ``and`` and still name one condition (``imr_desk.samples.diagnosis_lists``).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Final

STATES: Final = (
    "California",
    "Arizona",
    "Colorado",
    "Connecticut",
    "Florida",
    "Georgia",
    "Illinois",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Nevada",
    "New Jersey",
    "New York",
    "North Carolina",
    "Ohio",
    "Oregon",
    "Pennsylvania",
    "Tennessee",
    "Texas",
    "Virginia",
    "Washington",
    "Wisconsin",
)
LISTED_SPECIALTIES: Final = (
    "Family Practice",
    "Preventive Medicine",
    "Occupational Medicine",
    "Internal Medicine",
    "Physical Medicine & Rehabilitation",
    "Physical Medicine and Rehabilitation",
    "Orthopedic Surgery",
    "Anesthesiology",
    "Pain Management",
    "Emergency Medicine",
    "Surgery",
    "Chiropractor",
    "Acupuncturist",
    "Psychologist",
    "Pain Medicine",
    "Hand Surgery",
    "Sports Medicine",
    "Neurology",
    "Psychiatry",
    "Rheumatology",
    "Neurological Surgery",
    "Spinal Cord Injury Medicine",
    "Hospice and Palliative Medicine",
    "Orthopaedic Sports Medicine",
    "Neuromusculoskeletal Medicine",
)
BOARD_CERTIFICATIONS: Final = (
    "Physical Medicine and Rehabilitation",
    "Orthopedic Surgery",
    "Internal Medicine",
    "Family Practice",
    "Anesthesiology",
    "Psychiatry",
    "Neurology",
    "Preventive Medicine",
    "Chiropractic Sports Physician",
    "Emergency Medicine",
)
SUBSPECIALTIES: Final = (
    "Interventional Spine",
    "Pain Management",
    "Sports Medicine",
    "Spine Surgery",
    "Hand Surgery",
    "Occupational Medicine",
    "Addiction Medicine",
    "Acupuncture",
)
DIAGNOSES: Final = (
    "Lumbar radiculopathy",
    "Cervical sprain/strain",
    "Chronic pain syndrome",
    "Right shoulder impingement syndrome",
    "Lateral epicondylitis of the right elbow",
    "Bilateral carpal tunnel syndrome",
    "Major depressive disorder",
    "Insomnia",
    "Myofascial pain syndrome",
    "Lumbar disc displacement without myelopathy",
    "Status post right knee arthroscopy",
    "Internal derangement of the left knee",
    "Cervical radiculitis",
    "Thoracic sprain",
    "Plantar fasciitis of the left foot",
    "Anxiety disorder",
    "Rotator cuff tendinitis",
    "Sacroiliac joint dysfunction",
    "Lumbar facet arthropathy",
    "Complex regional pain syndrome of the right upper extremity",
    "Gastritis",
    "Medial meniscus tear of the right knee",
    "Post-traumatic headaches",
    "RSD lower extremities",
    "Peripheral neuropathy",
    "Degenerative disc disease of the neck",
)
# Sites listed before one shared condition word ("lumbar, hip, and neck strain").
SHARED_SITES: Final = (
    "lumbar", "cervical", "thoracic", "hip", "neck", "shoulder", "knee", "wrist", "ankle", "elbow",
)  # fmt: skip
SHARED_CONDITIONS: Final = ("strain", "sprain", "pain", "contusion")
# Conditions that two can share one site ("wrist tendinitis and bursitis").
SITE_CONDITIONS: Final = ("tendinitis", "bursitis", "synovitis", "tenosynovitis", "capsulitis")
PAIRED_DIAGNOSES: Final = ("dizziness and giddiness", "nausea and vomiting")
# ICD titles qualified by a region ("other intervertebral disc displacement, lumbar region").
ICD_CONDITIONS: Final = (
    "other intervertebral disc displacement",
    "radiculopathy",
    "spondylosis without myelopathy",
    "spinal stenosis",
    "intervertebral disc disorder with myelopathy",
)
SPINE_REGIONS: Final = (
    "cervical", "thoracic", "lumbar", "lumbosacral", "thoracolumbar", "cervicothoracic",
)  # fmt: skip
MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DATE_STYLES: Final = ("mdy4", "md4", "mdy2", "dash2", "words")


def spell_date(day: date, style: str) -> str:
    """A date the way letters print it: ``12/07/2016``, ``1/7/2016``, ``12/07/16``,
    ``10-3-16`` or ``August 30, 2016``."""
    if style == "mdy4":
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    if style == "md4":
        return f"{day.month}/{day.day}/{day.year}"
    if style == "mdy2":
        return f"{day.month:02d}/{day.day:02d}/{day.year % 100:02d}"
    if style == "dash2":
        return f"{day.month}-{day.day}-{day.year % 100:02d}"
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def any_date(rng: random.Random, day: date) -> str:
    """A date in a random one of the printed styles."""
    return spell_date(day, rng.choice(DATE_STYLES))


def license_states(rng: random.Random) -> list[str]:
    """One to three states, California first more often than not."""
    count = rng.choices((1, 2, 3), weights=(5, 4, 2))[0]
    states = rng.sample(STATES[1:], count)
    if rng.random() < 0.7:
        states[0] = "California"
    return list(dict.fromkeys(states))


def listed_specialties(rng: random.Random) -> list[str]:
    """One to three specialties as the published credentials list them."""
    count = rng.choices((1, 2, 3), weights=(5, 3, 3))[0]
    if count < 3:
        return rng.sample(LISTED_SPECIALTIES, count)
    longest = sorted(LISTED_SPECIALTIES, key=len)[-8:]  # three long names wrap to a second line
    chosen = rng.sample(longest, 2)
    return [*chosen, rng.choice([s for s in LISTED_SPECIALTIES if s not in chosen])]


def prose_specialties(rng: random.Random) -> list[str]:
    """A board certification, sometimes with a subspecialty (prose credentials)."""
    chosen = [rng.choice(BOARD_CERTIFICATIONS)]
    if rng.random() < 0.6:
        chosen.append(rng.choice(SUBSPECIALTIES))
    return chosen
