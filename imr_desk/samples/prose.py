"""Made-up case summaries and rationales, with the patient facts they state kept in step.

The diagnosis statements of a summary come from ``imr_desk.samples.diagnosis_lists``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Final

from imr_desk.samples.treatments import Treatment
from imr_desk.samples.vocabulary import any_date, spell_date

WEANING: Final = (
    "Regarding the weaning of opioid medication: opioids should not be stopped abruptly in a "
    "patient who has taken them for an extended period. A gradual taper, for example a reduction "
    "of about 10 percent of the dose every 2 to 4 weeks with close follow-up, is advised unless "
    "there is evidence of misuse, in which case a faster taper may be appropriate."
)
TOPIC_RULES: Final = {
    "opioid": "The MTUS supports ongoing opioid use only with documented pain relief, functional "
    "improvement, appropriate medication use and monitoring for side effects.",
    "nsaid": "Guidelines recommend NSAIDs at the lowest effective dose for the shortest period "
    "in patients with moderate to severe pain.",
    "relaxant": "Muscle relaxants are recommended as a second-line option for short-term "
    "treatment of acute exacerbations of chronic low back pain.",
    "topical": "Topical analgesics are largely experimental, and a compounded product that "
    "contains at least one drug that is not recommended is not recommended.",
    "ppi": "Proton pump inhibitors are indicated for patients at intermediate or high risk for "
    "gastrointestinal events.",
    "neuropathic": "Antiepilepsy drugs are recommended for neuropathic pain, a good response "
    "being a reduction in pain of at least 30 percent.",
    "sleep": "Sleep medications are recommended for short-term use, usually two to six weeks.",
    "pt": "Guidelines allow for fading of treatment frequency plus active self-directed home "
    "physical medicine, with 9-10 visits over 8 weeks for myalgia.",
    "chiro": "Manual therapy is recommended for chronic pain caused by musculoskeletal "
    "conditions, starting with a trial of 6 visits over 2 weeks.",
    "acupuncture": "Acupuncture is an option when pain medication is reduced or not tolerated, "
    "with functional improvement expected within 3 to 6 treatments.",
    "injection": "Injections are an option when radiculopathy is documented on examination and "
    "corroborated by imaging or electrodiagnostic testing.",
    "dme": "Durable equipment is recommended when it is primarily used for a medical purpose "
    "and is appropriate for use in the home.",
    "tens": "A one-month home-based trial may be considered if used as an adjunct to a program "
    "of evidence-based functional restoration.",
    "imaging": "Imaging is indicated for red flags, physiologic evidence of neurologic "
    "dysfunction, or failure to progress in a strengthening program.",
    "electro": "Electrodiagnostic studies may help identify subtle focal neurologic dysfunction "
    "in patients with symptoms lasting more than three or four weeks.",
    "lab": "Drug testing is an option to assess for the use or the presence of illegal drugs.",
    "consult": "A referral may be appropriate when the course of care may benefit from "
    "additional expertise.",
    "home": "Home health services are recommended only for otherwise recommended medical "
    "treatment for patients who are homebound.",
    "program": "A functional restoration program is recommended when previous methods of "
    "treating chronic pain have been unsuccessful and there is an absence of other options.",
    "psych": "Behavioral interventions are recommended, starting with an initial trial of 3-4 "
    "visits over 2 weeks.",
    "surgery": "Surgery is considered for activity limitation for more than one month and "
    "failure of an exercise program to increase range of motion and strength.",
    "therapy": "The evidence for this therapy is limited and it is not recommended for most "
    "musculoskeletal conditions.",
    "transport": "Transportation is recommended to appointments in the same community for "
    "patients with disabilities preventing them from self-transport.",
}
AGAINST: Final = (
    "In this case, the records document ongoing pain without objective functional improvement.",
    "The records reviewed do not document the frequency or duration of the requested treatment.",
    "There is no documentation of the response to prior treatment of this kind.",
    "The submitted reports do not describe a change in the clinical findings.",
)
FOR: Final = (
    "In this case, the records document a clear functional benefit from prior treatment.",
    "The treating provider documented objective findings that meet the guideline criteria.",
    "The reports describe measurable gains in activities of daily living with this treatment.",
)
LISTS: Final = (
    "The criteria are 1) documented pain relief, 2) functional improvement, and 3) a signed "
    "treatment agreement.",
    "Guidelines require: 1) a trial of conservative care; 2) objective findings on examination; "
    "3) a clear treatment goal.",
)
STORY: Final = (
    "{He} was evaluated on {d} for complaints of {body} pain rated {p}/10.",
    "Objective findings included tenderness to palpation over the {body} with limited range of "
    "motion.",
    "Treatment to date has included medications, physical therapy, and a home exercise program.",
    "{He} reported that the pain worsened with prolonged standing and lifting.",
    "An MRI performed on {d} showed mild degenerative changes.",
    "The progress report dated {d} noted ongoing {body} pain with radiation into the extremity.",
    "{He} denied any new injury since the last visit.",
    "Prior acupuncture provided temporary relief of symptoms.",
    "{His} work status was modified duty with no lifting over 20 pounds.",
    "Range of motion included flexion to 90° and abduction to 80°.",
    '{He} described the pain as "constant and aching."',
)


@dataclass(frozen=True)
class Patient:
    """What a summary says about the injured worker."""

    age: int | None
    sex: str | None
    injury: date


def subject_words(patient: Patient, noun: str) -> dict[str, str]:
    """How sentences name the worker: ``He``/``She`` and ``His``/``Her``, or the noun."""
    if patient.sex is None:
        return {"He": f"The {noun}", "His": f"The {noun}'s"}
    male = patient.sex == "male"
    return {"He": "He" if male else "She", "His": "His" if male else "Her"}


def opening(rng: random.Random, patient: Patient, *, mailed: bool) -> str:
    """The first sentence: age, sex and injury date in one of the usual phrasings."""
    d, age, sex = any_date(rng, patient.injury), patient.age, patient.sex
    if mailed:
        d = spell_date(patient.injury, rng.choice(("mdy2", "mdy2", "md4", "words")))
        tail = rng.choice((f"an injury date of {d}", f"a date of injury of {d}"))
        if sex is None:
            return f"The patient has {tail}."
        who = f"{age} year old {sex}" if age is not None else sex
        return f"The patient is a {who} with {tail}."
    if sex is None:
        return f"This injured worker sustained an industrial injury on {d}."
    if age is None:
        return f"The injured worker is a {sex} who sustained an industrial injury on {d}."
    return rng.choice(
        (
            f"The injured worker is a {age} year old {sex} who sustained an industrial injury "
            f"on {d}.",
            f"This case involves a now {age}-year-old {sex} who was injured on {d}.",
            f"The applicant is a {age}-year-old {sex} who reported an industrial injury on {d}.",
            f"The {age} year old {sex} injured worker sustained a work related injury on {d}.",
        )
    )


def story(rng: random.Random, patient: Patient, body: str, *, noun: str, around: date) -> list[str]:
    """Three to seven narrative sentences about the course of care."""
    words = subject_words(patient, noun)
    picked = rng.sample(STORY, rng.randint(3, 7))
    return [
        s.format(
            He=words["He"],
            His=words["His"],
            body=body,
            p=rng.randint(3, 9),
            d=any_date(rng, around),
        )
        for s in picked
    ]


def lower_first(text: str) -> str:
    """Lower-case the first letter of a phrase used mid-sentence, keeping acronyms."""
    first = text.split()[0]
    return text if first.isupper() else text[0].lower() + text[1:]


def rationale(rng: random.Random, treatment: Treatment, decision: str) -> str:
    """A rationale whose conclusion agrees with the decision."""
    parts = [TOPIC_RULES[treatment.topic]]
    if rng.random() < 0.3:
        parts.append(rng.choice(LISTS))
    parts.append(rng.choice(AGAINST if decision == "upheld" else FOR))
    name = treatment.text
    if decision == "upheld":
        parts.append(
            rng.choice(
                (
                    f"Therefore, the request for {name} is not medically necessary.",
                    "Medical necessity has not been established.",
                    f"As such, {lower_first(name)} is not medically necessary.",
                )
            )
        )
        if treatment.topic == "opioid" and rng.random() < 0.5:
            parts.append(WEANING)
    else:
        parts.append(
            rng.choice(
                (
                    f"Therefore, the request for {name} is medically necessary.",
                    "The request is medically necessary.",
                )
            )
        )
    return " ".join(parts)


def prose_credentials(specialties: list[str]) -> str:
    """The credentials sentence of mailed letters and notices."""
    sub = f", has a subspecialty in {specialties[1]}" if len(specialties) > 1 else ""
    return (
        f"The expert reviewer is Board Certified in {specialties[0]}{sub} and is licensed to "
        "practice in California."
    )
