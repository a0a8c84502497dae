"""Made-up guideline citations in the wording each layout uses, chosen by treatment topic.

The MTUS titles, sections and page ranges are public guideline headings; the combinations
and the Non-MTUS citations are invented for sample letters.
"""

from __future__ import annotations

import random
from typing import Final

from imr_desk.samples.treatments import BODY_PARTS, Treatment

# topic -> (Chronic Pain section, pages); topics without one cite a body-part chapter.
CHRONIC_PAIN: Final = {
    "opioid": ("Opioids, criteria for use", "76-80"),
    "nsaid": ("NSAIDs (non-steroidal anti-inflammatory drugs)", "67-73"),
    "relaxant": ("Muscle relaxants (for pain)", "63-66"),
    "topical": ("Topical Analgesics", "111-113"),
    "ppi": ("NSAIDs, GI symptoms & cardiovascular risk", "68-69"),
    "neuropathic": ("Antiepilepsy drugs (AEDs)", "16-22"),
    "pt": ("Physical Medicine", "98-99"),
    "chiro": ("Manual therapy & manipulation", "58-60"),
    "tens": ("Transcutaneous electrotherapy", "114-116"),
    "program": ("Functional restoration programs (FRPs)", "30-34"),
    "psych": ("Behavioral interventions", "23"),
    "injection": ("Epidural steroid injections (ESIs)", "46"),
    "lab": ("Drug testing", "43"),
    "home": ("Home health services", "51"),
}
ODG_TERMS: Final = {
    "sleep": "Pain (Chronic) Chapter, Insomnia treatment",
    "imaging": "Low Back Chapter, MRIs (magnetic resonance imaging)",
    "electro": "Neck and Upper Back Chapter, Electrodiagnostic studies (EDS)",
    "dme": "Knee and Leg Chapter, Durable medical equipment (DME)",
    "consult": "Pain (Chronic) Chapter, Office visits",
    "therapy": "Shoulder Chapter, Extracorporeal shock wave therapy (ESWT)",
    "transport": "Knee and Leg Chapter, Transportation (to & from appointments)",
    "surgery": "Knee and Leg Chapter, Indications for Surgery",
    "acupuncture": "Pain (Chronic) Chapter, Acupuncture",
    "opioid": "Pain (Chronic) Chapter, Opioids for chronic pain",
    "nsaid": "Pain (Chronic) Chapter, NSAIDs (non-steroidal anti-inflammatory drugs)",
    "relaxant": "Pain (Chronic) Chapter, Muscle relaxants (for pain)",
    "topical": "Pain (Chronic) Chapter, Compound drugs",
    "ppi": "Pain (Chronic) Chapter, Proton pump inhibitors (PPIs)",
    "neuropathic": "Pain (Chronic) Chapter, Anti-epilepsy drugs (AEDs) for pain",
    "pt": "Low Back Chapter, Physical therapy (PT)",
    "chiro": "Low Back Chapter, Manipulation",
    "tens": "Pain (Chronic) Chapter, TENS (transcutaneous electrical nerve stimulation)",
    "lab": "Pain (Chronic) Chapter, Urine drug testing (UDT)",
    "home": "Pain (Chronic) Chapter, Home health services",
    "program": "Pain (Chronic) Chapter, Functional restoration programs (FRPs)",
    "psych": "Mental Illness & Stress Chapter, Cognitive therapy for depression",
    "injection": "Low Back Chapter, Epidural steroid injections (ESIs)",
}
NON_MTUS_LEADS: Final = (
    "The Claims Administrator based their decision on recommendation(s) outside of the MTUS "
    "Guidelines. Decision based on Non-MTUS Citation",
    "The Claims Administrator based their decision on recommendation(s) outside of the MTUS "
    "Guidelines. Decision based on NonMTUS Citation",
    "The Claims Administrator based their decision on recommendation(s) outside of the MTUS "
    "Guidelines. Decision based on Non-MTUS",
)
NO_EVIDENCE: Final = "The Claims Administrator did not cite any medical evidence for its decision."
EXPERT_NO_EVIDENCE: Final = (
    "The Expert Reviewer did not cite any medical evidence for its decision."
)


def _year_title(topic: str, year: int) -> str:
    if topic == "opioid" and year >= 2017:
        return "Opioid Treatment 2016"
    return (
        "Chronic Pain Medical Treatment 2016"
        if year >= 2017
        else "Chronic Pain Medical Treatment 2009"
    )


def _body_title(treatment: Treatment) -> str:
    return BODY_PARTS.get(treatment.body or "", "General Approaches 2004")


def _odg(treatment: Treatment) -> str:
    return ODG_TERMS[treatment.topic]


def published_mtus(rng: random.Random, treatment: Treatment, year: int, *, sections: bool) -> str:
    """``Decision based on MTUS <Title> <Year>[, Section(s): ...].`` (published letters)."""
    if treatment.topic in CHRONIC_PAIN:
        title, section = _year_title(treatment.topic, year), CHRONIC_PAIN[treatment.topic][0]
    elif treatment.topic == "acupuncture":
        title, section = "Acupuncture Treatment 2007", "Acupuncture Medical Treatment Guidelines"
    else:
        title, section = _body_title(treatment), "Special Studies"
    if rng.random() < 0.2:
        title += rng.choice(
            (", and General Approaches 2004", ", and Stress-Related Conditions 2004")
        )
    if sections:
        extra = rng.choice(("", "", ": Criteria for use", ", Initial Assessment: Summary"))
        return f"Decision based on MTUS {title}, Section(s): {section}{extra}."
    return f"Decision based on MTUS {title}."


def published_guidelines(rng: random.Random, treatment: Treatment, year: int) -> tuple[str, str]:
    """The Claims Administrator and MAXIMUS guideline values of a published (B) letter."""
    roll = rng.random()
    if roll < 0.6:
        claims = published_mtus(rng, treatment, year, sections=rng.random() < 0.5)
    elif roll < 0.85:
        claims = (
            f"{rng.choice(NON_MTUS_LEADS)} Official Disability Guidelines (ODG), {_odg(treatment)}."
        )
    else:
        claims = NO_EVIDENCE
    roll = rng.random()
    if roll < 0.75:
        maximus = published_mtus(rng, treatment, year, sections=True)
    elif roll < 0.93:
        maximus = f"Decision based on Non-MTUS Citation ODG, {_odg(treatment)}."
    else:
        maximus = EXPERT_NO_EVIDENCE
    return claims, maximus


def mailed_guidelines(rng: random.Random, treatment: Treatment) -> tuple[str, str]:
    """Guideline values of a mailed (C) letter, citing MTUS pages."""
    if treatment.topic in CHRONIC_PAIN:
        section, pages = CHRONIC_PAIN[treatment.topic]
        claims = (
            f"Decision based on MTUS Chronic Pain Treatment Guidelines {section} Page(s): {pages}."
        )
        maximus = (
            f"Decision based on MTUS Chronic Pain Treatment Guidelines Guidelines MTUS Guidelines "
            f"{section.lower()} Page(s): {pages}."
        )
    else:
        chapter = _body_title(treatment).rsplit(" ", 1)[0]
        pages = rng.choice(("303-305", "207-209", "177-179", "341-343"))
        claims = f"Decision based on MTUS ACOEM Guidelines {chapter} Page(s): {pages}."
        maximus = f"Decision based on Non-MTUS Citation ODG Guidelines, {_odg(treatment)}."
    if rng.random() < 0.3:
        maximus = claims
    return claims, maximus


def notice_guidelines(rng: random.Random, treatment: Treatment) -> tuple[str | None, str]:
    """Guideline values of a 2013 notice (A); the Claims Administrator's may be missing."""
    if treatment.topic in CHRONIC_PAIN:
        section, pages = CHRONIC_PAIN[treatment.topic]
        source = f"Chronic Pain Medical Treatment Guidelines (2009), {section}, pages {pages}"
    else:
        acoem = "American College of Occupational and Environmental Medicine (ACOEM)"
        source = f"{acoem}, {_body_title(treatment)}"
    claims = (
        f"The Claims Administrator based its decision on the {source}, which is part of the "
        "California Medical Treatment Utilization Schedule (MTUS)."
    )
    if rng.random() < 0.35:
        return (
            None,
            f"The Expert Reviewer based his/her decision on the {source}, part of the MTUS.",
        )
    expert = rng.choice(
        (
            "The Expert Reviewer found the Guidelines used by the Claims Administrator relevant "
            "and appropriate for the employee's clinical circumstance.",
            f"The Expert Reviewer based his/her decision on the {source}, part of the MTUS.",
        )
    )
    return claims, expert
