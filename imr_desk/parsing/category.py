"""Suggest a DWC treatment category from the treatment text (letters never print one).

Ordered keyword rules: the first that matches wins, so specific phrases ("associated surgical
service: physical therapy") come before the general ones ("physical therapy"). When the
treatment names nothing the rules know, the guideline chapter or section the letter cites
("Special Studies", "Topical analgesics", "Physical medicine treatment") decides, so every
item with a cited guideline gets a suggestion.
"""

from __future__ import annotations

import re
from typing import Final

_RULES: Final[tuple[tuple[str, str], ...]] = (
    (r"medical clearance", "Evaluation & Management"),
    (r"surg(?:ery|ical) consult", "Surgery"),
    (r"referral|consult", "Evaluation & Management"),
    (r"assist(?:ant)?\b|\bPA\b", "Surgery"),
    (r"shockwave|\bESWT\b|laser|hyperbaric|ultraviolet", "Therapies"),
    (r"\bBMP\b|\bCMP\b|PT/PTT|\bINR\b|urinalysis|\bUA\b|arthrogram|\bMR\b", "Diagnostic Testing"),
    (
        r"(?:ultrasound|electrical muscle stimulation|\bEMS\b|massage|traction)"
        r".*(?:times a week|sessions|visits)",
        "Rehabilitation",
    ),
    (
        r"functional restoration|\bFRP\b|work hardening|work conditioning|detox|"
        r"weight loss program|pain program|\bHELP\b program",
        "Programs",
    ),
    (
        r"psycholog|psychiatr|psychother|cognitive behavio|\bCBT\b|biofeedback|hypnother|"
        r"counsel",
        "Psych Services",
    ),
    (r"transport|\btaxi\b|\bmileage\b|ambulance", "Transportation"),
    (r"home health|home care|\bnursing\b|aide\b|caregiver|housekeep", "Home Health"),
    (
        r"\bEMG\b|\bNCV\b|\bNCS\b|electromyog|nerve conduction|\bMRI\b|\bMRA\b|\bCT\b|x-?rays?\b|"
        r"radiograph|ultrasound|sonogra|scan\b|imaging|bone scan|urine drug|drug screen|"
        r"toxicolog|\blab(?:s|oratory)?\b|blood test|panel\b|\bCBC\b|\bFCE\b|functional capacity|"
        r"sleep study|polysomno|\bEKG\b|\bECG\b|echocardiog|discogra|\bQFCE\b|genetic test|"
        r"evaluation for|testing",
        "Diagnostic Testing",
    ),
    (
        r"injection|\bESI\b|epidural|facet|nerve block|\bblock\b|radiofrequency|rhizotomy|"
        r"ablation|trigger point|botox|botulinum|\bPRP\b|platelet|cortisone|synvisc|"
        r"viscosupplement|hyaluron|neurolytic|medial branch",
        "Injection",
    ),
    (
        r"arthroscop|arthroplast|fusion|laminectomy|discectomy|decompression|release\b|repair\b|"
        r"replacement|reconstruction|surgery|surgical|osteotomy|meniscectomy|tenodesis|"
        r"neuroplasty|spinal cord stimulator|implant|excision|debridement|carpal tunnel release|"
        r"hardware removal|\bORIF\b|chondroplasty|acromioplasty",
        "Surgery",
    ),
    (
        r"physical therap|\bPT\b|occupational therap|\bOT\b|chiropract|chirophysio|manipulation|"
        r"acupunct|aqua|pool therapy|massage|exercise|rehab|gym|myofascial release|"
        r"physiotherap",
        "Rehabilitation",
    ),
    (
        r"\bTENS\b|\bH-?wave\b|interferential|stimulat|\bunit\b|brace|splint|orthotic|orthosis|"
        r"insole|gloves|wipes|vascutherm|\bpad\b|wraps?\b|cane\b|walker|wheelchair|crutch|"
        r"commode|shower chair|bath|bed\b|mattress|"
        r"pillow|support\b|lumbar support|collar|sling|cushion|heat(?:ing)? pad|heat therapy|"
        r"cold therapy|hot/cold|ice\b|cryo|wrap\b|traction|compression|stockings|"
        r"\bDME\b|durable medical|equipment|supplies|electrodes|batteries|scooter|prosthe|"
        r"\bCPM\b|continuous passive|pump\b|glucometer|hearing aid|glasses",
        "DMEPOS",
    ),
    (
        r"consult|referral|follow-?up|office visit|evaluation|\bvisit|re-?evaluat|dental|"
        r"dentist|specialist|management|pain management|orthopedic|neurolog|second opinion",
        "Evaluation & Management",
    ),
    (
        r"\d+(?:\.\d+)?\s*(?:mg|mcg|g|ml|%)\b|#\s*\d+|\btabs?\b|tablet|capsule|cream|gel\b|"
        r"ointment|patch|lotion|compound|topical|medication|\bdrug|refill|supply of|"
        r"transdermal|spray|solution|injectable|suppositor|syrup|oral|"
        r"norco|percocet|oxycod|hydrocod|tramadol|ultram|gabapentin|lyrica|pregabalin|"
        r"naproxen|ibuprofen|meloxicam|celecoxib|celebrex|etodolac|diclofenac|voltaren|"
        r"cyclobenzaprine|flexeril|tizanidine|zanaflex|baclofen|methocarbamol|robaxin|"
        r"carisoprodol|soma\b|orphenadrine|norflex|omeprazole|prilosec|pantoprazole|"
        r"protonix|ranitidine|pepcid|famotidine|zofran|ondansetron|lidoderm|lidocaine|"
        r"flector|duloxetine|cymbalta|amitriptyline|nortriptyline|trazodone|ambien|zolpidem|"
        r"lunesta|xanax|valium|ativan|klonopin|clonazepam|diazepam|buprenorph|butrans|"
        r"suboxone|morphine|fentanyl|methadone|tapentadol|nucynta|oxycontin|opana|dilaudid|"
        r"codeine|tylenol|acetaminophen|viagra|cialis|sertraline|zoloft|prozac|fluoxetine|"
        r"wellbutrin|bupropion|venlafaxine|effexor|topiramate|topamax|terocin|menthoderm|"
        r"salonpas|capsaicin|ketoprofen|flurbiprofen|colace|senna|laxative|docusate|"
        r"linzess|amitiza|vitamin|supplement|theramine|sentra|medical food|unknown quantity",
        "Pharmaceuticals",
    ),
    (r"therapy|therapies|heat|cold|laser|shockwave|\bESWT\b|ultraviolet|hyperbaric", "Therapies"),
)
_COMPILED: Final = tuple((re.compile(p, re.IGNORECASE), c) for p, c in _RULES)


# Trailing circumstances ("... to be provided in conjunction with the home exercise program")
# say nothing of what the treatment is, and would mislead the keyword rules.
_CIRCUMSTANCES: Final = re.compile(
    r"\s+(?:to be provided|in conjunction with|as an outpatient|per the )", re.IGNORECASE
)
_SURGICAL_PREFIX: Final = re.compile(
    r"^(?:associated surgical services?:?|pre-?op(?:erative)?|post-?op(?:erative)?)\s*",
    re.IGNORECASE,
)


# The guideline sections a reviewer cites name the kind of treatment they weigh; ordered like
# the treatment rules (specific sections first). Used only when the treatment itself is silent.
_GUIDELINE_RULES: Final[tuple[tuple[str, str], ...]] = (
    (r"injection|epidural|facet|trigger point", "Injection"),
    (
        r"special studies|diagnostic criteria|electrodiagnostic|imaging|urine drug|"
        r"functional capacity|electrocardiogram|\bECG\b",
        "Diagnostic Testing",
    ),
    (
        r"opioid|analgesic|compound|nsaid|proton pump|muscle relaxant|antidepressant|"
        r"anticonvulsant|antiemetic|medication|drug|lidoderm|flector|cyclobenzaprine",
        "Pharmaceuticals",
    ),
    (r"surgical considerations|surgery|arthroscop|arthroplast", "Surgery"),
    (r"functional restoration|chronic pain programs?\b|work conditioning", "Programs"),
    (r"psycholog|cognitive behavio|biofeedback", "Psych Services"),
    (r"tens\b|durable medical|\bDME\b|brace|orthotic|cold|heat", "DMEPOS"),
    (
        r"physical medicine|manual therapy|manipulation|acupuncture|physical therapy|exercise|"
        r"ultrasound, therapeutic",
        "Rehabilitation",
    ),
    (r"office visit|consult|referral|initial assessment|cornerstones", "Evaluation & Management"),
    (r"physical methods", "DMEPOS"),
    (r"transportation", "Transportation"),
    (r"home health", "Home Health"),
)
_GUIDELINE_COMPILED: Final = tuple((re.compile(p, re.IGNORECASE), c) for p, c in _GUIDELINE_RULES)
_SECTIONS: Final = re.compile(r"Section\(s\):\s*([^\n]*)", re.IGNORECASE)


def guideline_category(guideline: str | None) -> str | None:
    """The category the cited guideline sections point to, or None when they name none.

    The sections after "Section(s):" are read first, being the most specific; the chapter
    titles around them ("Chronic Pain Medical Treatment Guidelines") say little alone.
    """
    if not guideline:
        return None
    for text in [*_SECTIONS.findall(guideline), guideline]:
        found = next((c for pattern, c in _GUIDELINE_COMPILED if pattern.search(text)), None)
        if found:
            return found
    return None


def suggest_category(treatment: str | None, guideline: str | None = None) -> str | None:
    """The DWC category a treatment most likely belongs to, from its own words, else from
    the guideline the letter cites for it; None when neither names anything.

    "Post-op Norco" is a drug and "Associated surgical service: Sling" equipment: the surgical
    prefix only decides (Surgery) when the rest names nothing else.
    """
    return _treatment_category(treatment) or guideline_category(guideline)


def _treatment_category(treatment: str | None) -> str | None:
    """The category the treatment's own words name, or None."""
    if not treatment:
        return None
    rest, surgical = _CIRCUMSTANCES.split(treatment, maxsplit=1)[0], False
    while (match := _SURGICAL_PREFIX.match(rest)) and match.group(0):
        rest, surgical = rest[match.end() :], True
    found = next((category for pattern, category in _COMPILED if pattern.search(rest)), None)
    return found or ("Surgery" if surgical else None)
