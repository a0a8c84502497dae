"""Made-up disputed treatments, each knowing its DWC category and its guideline topic.

An associated surgical service takes the category of the service itself (physical therapy is
Rehabilitation, a cold therapy unit DMEPOS), as the reviewed real letters do.

Every name is built from parts here, so a sample letter's expected ``category`` is known
exactly. Countable treatments (sessions, pills, hours) can also be partly authorised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

BODY_PARTS: Final = {
    "lumbar spine": "Low Back Complaints 2004",
    "cervical spine": "Neck and Upper Back Complaints 2004",
    "thoracic spine": "Low Back Complaints 2004",
    "right shoulder": "Shoulder Complaints 2004",
    "left shoulder": "Shoulder Complaints 2004",
    "right knee": "Knee Complaints 2004",
    "left knee": "Knee Complaints 2004",
    "bilateral wrists": "Forearm, Wrist, and Hand Complaints 2004",
    "right hand": "Forearm, Wrist, and Hand Complaints 2004",
    "right elbow": "Elbow Complaints 2007",
    "left ankle": "Ankle and Foot Complaints 2004",
}

DRUGS: Final = {
    "opioid": [
        "Norco 10/325mg",
        "Norco 5/325mg",
        "Hydrocodone/APAP 7.5/325mg",
        "Oxycodone 10mg",
        "Tramadol 50mg",
        "Tramadol ER 150mg",
        "Percocet 5/325mg",
        "Tapentadol 50mg",
        "MS Contin 15mg",
    ],
    "nsaid": [
        "Naproxen 550mg",
        "Naproxen sodium 550mg",
        "Meloxicam 15mg",
        "Ibuprofen 800mg",
        "Diclofenac sodium ER 100mg",
        "Celebrex 200mg",
        "Etodolac 400mg",
    ],
    "relaxant": [
        "Cyclobenzaprine 7.5mg",
        "Cyclobenzaprine 5mg tab",
        "Tizanidine 4mg",
        "Methocarbamol 750mg",
        "Baclofen 10mg",
        "Orphenadrine ER 100mg",
    ],
    "ppi": ["Omeprazole 20mg", "Pantoprazole 40mg", "Ranitidine 150mg"],
    "neuropathic": [
        "Gabapentin 300mg",
        "Gabapentin 600mg",
        "Lyrica 75mg",
        "Duloxetine 60mg",
        "Nortriptyline 25mg",
    ],
    "sleep": ["Zolpidem 10mg", "Trazodone 50mg", "Eszopiclone 2mg"],
    "topical": [
        "Lidoderm 5% patches",
        "Terocin patches",
        "Diclofenac 1% gel 100gm",
        "Capsaicin 0.025% cream",
        "Flurbiprofen 20%/Baclofen 2%/Lidocaine 5% cream 180gm",
        "Compound cream: Ketoprofen 10%, Gabapentin 6% 120gm",
    ],
}
DRUG_COUNTS: Final = (30, 60, 90, 120)

# (template, category, topic); "{n}" makes a treatment countable, "{body}" picks a body part.
SERVICES: Final[tuple[tuple[str, str, str], ...]] = (
    ("MRI of the {body} without contrast", "Diagnostic Testing", "imaging"),
    ("MRI of the {body}", "Diagnostic Testing", "imaging"),
    ("X-ray of the {body}, 3 views", "Diagnostic Testing", "imaging"),
    ("CT scan of the {body}", "Diagnostic Testing", "imaging"),
    ("EMG/NCV of the bilateral upper extremities", "Diagnostic Testing", "electro"),
    ("EMG/NCS of the bilateral lower extremities", "Diagnostic Testing", "electro"),
    ("Urine drug screen", "Diagnostic Testing", "lab"),
    ("Comprehensive metabolic panel", "Diagnostic Testing", "lab"),
    ("Physical therapy {n} sessions for the {body}", "Rehabilitation", "pt"),
    ("{n} Physical therapy visits for the {body}", "Rehabilitation", "pt"),
    ("Aquatic therapy {n} sessions", "Rehabilitation", "pt"),
    ("Occupational therapy {n} sessions for the bilateral wrists", "Rehabilitation", "pt"),
    ("Chiropractic treatment {n} sessions for the {body}", "Rehabilitation", "chiro"),
    ("Acupuncture {n} sessions for the {body}", "Rehabilitation", "acupuncture"),
    ("Lumbar epidural steroid injection at L4-L5", "Injection", "injection"),
    ("Bilateral L4-L5 and L5-S1 facet joint injections", "Injection", "injection"),
    ("Right shoulder subacromial corticosteroid injection", "Injection", "injection"),
    ("Cervical medial branch block at C5-C6", "Injection", "injection"),
    ("Trigger point injections x 4", "Injection", "injection"),
    ("Right sacroiliac joint injection under fluoroscopic guidance", "Injection", "injection"),
    ("Lumbar support brace", "DMEPOS", "dme"),
    ("Hinged knee brace for the left knee", "DMEPOS", "dme"),
    ("TENS unit 30 day trial", "DMEPOS", "tens"),
    ("Purchase of a TENS unit with supplies", "DMEPOS", "tens"),
    ("Cold therapy unit, 7 day rental", "DMEPOS", "dme"),
    ("Shower chair", "DMEPOS", "dme"),
    ("Front wheeled walker", "DMEPOS", "dme"),
    ("Interferential stimulator rental for 30 days", "DMEPOS", "tens"),
    ("Orthopedic consultation for the {body}", "Evaluation & Management", "consult"),
    ("Pain management consultation", "Evaluation & Management", "consult"),
    ("Follow-up visit with the primary treating physician", "Evaluation & Management", "consult"),
    ("Referral to a pain management specialist", "Evaluation & Management", "consult"),
    ("Spine surgery consultation", "Surgery", "surgery"),
    ("Dental evaluation", "Evaluation & Management", "consult"),
    ("Home health aide 4 hours per day, 5 days per week for 4 weeks", "Home Health", "home"),
    ("Home health nursing visits x {n}", "Home Health", "home"),
    ("Functional restoration program {n} hours", "Programs", "program"),
    ("Work conditioning program 12 sessions", "Programs", "program"),
    ("Weight loss program for 12 weeks", "Programs", "program"),
    ("Cognitive behavioral therapy {n} sessions", "Psych Services", "psych"),
    ("Psychological evaluation", "Psych Services", "psych"),
    ("Biofeedback {n} sessions", "Psych Services", "psych"),
    ("Right knee arthroscopy with partial medial meniscectomy", "Surgery", "surgery"),
    ("Left shoulder arthroscopic subacromial decompression", "Surgery", "surgery"),
    ("L4-L5 anterior lumbar interbody fusion", "Surgery", "surgery"),
    ("Right carpal tunnel release", "Surgery", "surgery"),
    ("Anterior cervical discectomy and fusion at C5-C6", "Surgery", "surgery"),
    ("Associated surgical service: Physical therapy, times {n}", "Rehabilitation", "pt"),
    ("Associated surgical service: Assistant surgeon", "Surgery", "surgery"),
    ("Associated surgical service: Cold therapy unit, 7 day rental", "DMEPOS", "dme"),
    (
        "Associated surgical service: Pre-operative medical clearance",
        "Evaluation & Management",
        "consult",
    ),
    ("Extracorporeal shockwave therapy for the {body}, 3 sessions", "Therapies", "therapy"),
    ("Low level laser therapy x {n} sessions", "Therapies", "therapy"),
    ("Hyperbaric oxygen therapy x 10 sessions", "Therapies", "therapy"),
    ("Transportation to and from medical appointments", "Transportation", "transport"),
    ("Round trip transportation to the surgery center", "Transportation", "transport"),
)
SESSION_COUNTS: Final = (6, 8, 10, 12, 18, 24)
DRUG_FORMS: Final = (
    "{drug} #{n}",
    "{drug} #{n}",
    "{drug} #{n} with 2 refills",
    "1 prescription of {drug} #{n}",
    "Retrospective {drug} #{n} DOS: {dos}",
    "Prospective request for 1 prescription of {drug} #{n}",
    "Retrospective request for {drug} #{n} (DOS: {dos})",
)


@dataclass(frozen=True)
class Treatment:
    """A disputed treatment: printable name, DWC category, guideline topic, body part."""

    template: str
    category: str
    topic: str
    body: str | None
    count: int | None

    @property
    def text(self) -> str:
        """The name as printed."""
        return self.with_count(self.count)

    def with_count(self, count: int | None) -> str:
        """The name with another quantity (used for the authorised part of a request)."""
        return self.template.replace("{n}", str(count))


def pick_treatment(rng: random.Random, year: int) -> Treatment:
    """A random treatment; about a third are drugs, as in published letters."""
    if rng.random() < 0.35:
        return _pick_drug(rng, year)
    template, category, topic = rng.choice(SERVICES)
    body = rng.choice(list(BODY_PARTS)) if "{body}" in template else None
    count = rng.choice(SESSION_COUNTS) if "{n}" in template else None
    if topic == "program" and count is not None:
        count *= 10
    return Treatment(template.replace("{body}", body or ""), category, topic, body, count)


def pick_countable(rng: random.Random, year: int) -> Treatment:
    """A treatment with a quantity, so that part of it can be authorised."""
    while True:
        treatment = pick_treatment(rng, year)
        if treatment.count is not None and treatment.count >= 6:
            return treatment


def _pick_drug(rng: random.Random, year: int) -> Treatment:
    topic = rng.choice(list(DRUGS))
    form = rng.choice(DRUG_FORMS)
    dos = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{year % 100:02d}"
    template = form.replace("{drug}", rng.choice(DRUGS[topic])).replace("{dos}", dos)
    return Treatment(template, "Pharmaceuticals", topic, None, rng.choice(DRUG_COUNTS))


def authorised_count(rng: random.Random, count: int) -> int:
    """How much of a countable request the Claims Administrator allowed."""
    return max(1, count // rng.choice((2, 3, 4)))


def long_name(rng: random.Random, treatment: Treatment) -> Treatment:
    """Stretch a name with a plausible qualifier so it wraps over two lines."""
    tail = rng.choice(
        (
            " as an outpatient per the treating physician's request of the same date",
            " as requested in the progress report for the accepted industrial injury",
            " as documented in the most recent progress report of the treating physician",
        )
    )
    return Treatment(
        treatment.template + tail,
        treatment.category,
        treatment.topic,
        treatment.body,
        treatment.count,
    )
