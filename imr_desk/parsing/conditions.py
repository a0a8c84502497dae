"""What a piece of a diagnosis list names: a condition, or only a site or qualifier of one.

The diagnoses rule (fields.md) splits a list where the next part "names another condition" and
keeps it whole where the part only qualifies the same condition (a site, region, side or an
ICD-style qualifier). Telling the two apart needs a small, general vocabulary: condition head
words and endings (``strain``, ``-itis``), anatomy and sides, and the qualifiers ICD titles use.
A part with words in neither list is ``UNKNOWN``: the splitter treats it as a condition and
lowers its confidence, because such words are far more often a new diagnosis than a site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


def words(text: str) -> frozenset[str]:
    """A word list written as running text, one space between words."""
    return frozenset(text.split())


CONDITION: Final = "condition"
QUALIFIER: Final = "qualifier"
UNKNOWN: Final = "unknown"

CONDITION_WORDS: Final = words(
    """
    strain strains sprain sprains pain pains fracture fractures tear tears torn syndrome
    syndromes disease diseases disorder disorders injury injuries contusion contusions lesion
    lesions hernia hernias herniation herniations displacement dislocation dislocations
    subluxation subluxations spasm spasms infection infections wound wounds laceration
    lacerations abrasion abrasions rupture ruptures impingement instability degeneration
    derangement dysfunction effusion effusions bulge bulges protrusion protrusions extrusion
    headache headaches migraine migraines insomnia depression anxiety stress hypertension
    diabetes obesity sciatica lumbago dizziness giddiness vertigo nausea vomiting numbness
    weakness tingling swelling stiffness crush concussion amputation deformity deformities cyst
    cysts mass masses nodule nodules tumor tumors cancer palsy paralysis contracture contractures
    adhesions trauma whiplash malunion nonunion atrophy burn burns bite exposure poisoning
    tenderness dysesthesia hyperesthesia radiculitis neuritis neuralgia tinnitus apnea asthma
    ptsd rsd crps gerd ddd djd hnp cts copd mdd tfcc slap bankart ganglion trigger foreign
    discopathy loss sequelae neuroma dependence disturbance disturbances deficit deficits abuse
    addiction imbalance
    """
)
# Endings of condition words: arthritis, cervicalgia, stenosis, radiculopathy, chondromalacia.
CONDITION_ENDINGS: Final = (
    "itis", "itides", "algia", "algias", "osis", "oses", "pathy", "pathies", "emia", "malacia",
    "plegia", "paresis", "esthesia", "esthesias", "listhesis", "lysis", "trophy", "oma", "omas",
    "iasis", "ectasia", "penia", "megaly", "rrhea", "phagia", "phasia", "uria", "ocele",
)  # fmt: skip
NOT_CONDITIONS: Final = frozenset({"diagnosis", "prognosis", "stoma", "diploma", "soma"})
# Words that make a part name a condition even where its head word is unknown to the list.
CONDITION_MARKERS: Final = re.compile(
    r"^(?:status\s+post|s/p|history\s+of|h/o|possible|probable|suspected|presumed)\b",
    re.IGNORECASE,
)
SIDES: Final = words(
    """
    right left bilateral bilaterally unilateral both side sides sided dominant nondominant
    """
)
ANATOMY: Final = words(
    """
    head face facial scalp skull jaw eye eyes ear ears nose mouth tooth teeth neck throat
    shoulder shoulders arm arms elbow elbows forearm forearms wrist wrists hand hands finger
    fingers thumb thumbs digit digits palm chest breast rib ribs sternum abdomen abdominal belly
    back pelvis pelvic hip hips groin buttock buttocks thigh thighs knee knees leg legs calf
    calves shin ankle ankles foot feet toe toes heel heels sole spine spinal vertebra vertebrae
    vertebral disc discs disk disks intervertebral facet facets joint joints muscle muscles
    musculature tendon tendons ligament ligaments fascia nerve nerves root roots plexus bone
    bones cartilage meniscus menisci labrum labral cuff rotator capsule bursa clavicle
    scapula scapular humerus radius ulna carpal metacarpal phalanx phalanges femur femoral tibia
    tibial fibula fibular patella patellar talus calcaneus tarsal metatarsal coccyx sacrum
    trapezius paraspinal paravertebral paracervical cervical thoracic lumbar sacral lumbosacral
    thoracolumbar cervicothoracic sacroiliac acromioclavicular glenohumeral tibiofibular
    collateral cruciate acl pcl mcl lcl tmj si ac extremity extremities limb limbs trunk torso
    girdle shaft body cord brain lung lungs heart kidney kidneys liver skin umbilical
    inguinal
    """
)
# Where on a body part: these may lead a site in a list of sites ("lower back, hip, ...").
POSITIONS: Final = words(
    """
    upper lower low mid middle proximal distal medial lateral anterior posterior superior
    inferior dorsal volar palmar plantar internal external deep superficial central small
    great big index ring long first second third fourth fifth
    """
)
# Nouns of ICD-style site qualifiers ("lumbosacral region"): they follow their condition.
REGION_NOUNS: Final = words(
    "region regions area areas aspect aspects part parts portion site sites level levels segment"
)
REGIONS: Final = POSITIONS | REGION_NOUNS
# ICD-style qualifiers, severity and course words: they say which or how, never what.
QUALIFIERS: Final = words(
    """
    unspecified specified other initial subsequent sequela encounter episode care routine
    delayed healing nos nec elsewhere classified type stage grade mild moderate severe
    recurrent chronic acute symptomatic degenerative traumatic displaced nondisplaced non
    comminuted closed open partial complete full thickness focal diffuse multilevel multiple
    single minor major active residual persistent intermittent related likely most resolved
    resolving improving improved healed stable worsening ongoing
    """
)
PROCEDURE_WORDS: Final = words(
    """
    repair repaired surgery surgical excision fixation fusion release arthroscopy arthroscopic
    reconstruction replacement decompression procedure removal placement hardware graft
    injection injections
    """
)
PROCEDURE_ENDINGS: Final = ("ectomy", "otomy", "ostomy", "plasty", "scopy", "desis")
LINK_WORDS: Final = words(
    """
    a an the of in on at to and or with without for from by into involving including due
    secondary its their his her as per over under along about near between s not nor
    """
)
# Conditions that take no site of their own, or name it in themselves (a bare one after
# "X strain and ..." is another diagnosis, never a second condition of the same site).
SYSTEMIC: Final = words(
    """
    insomnia depression anxiety stress hypertension diabetes obesity ptsd gerd asthma apnea
    """
)
SELF_SITED: Final = SYSTEMIC | words(
    """
    headache headaches migraine migraines sciatica lumbago gastritis tinnitus vertigo dizziness
    giddiness nausea vomiting
    """
)
# A part after a comma that starts with one of these goes on with the condition before it.
CONTINUING: Final = words("with without secondary due from of in involving affecting at on into")
# Words that take their own "and": "both X and Y", "between X and Y".
PAIRING: Final = frozenset({"both", "between"})
SITE_WORDS: Final = SIDES | ANATOMY
QUALIFYING_WORDS: Final = SIDES | ANATOMY | REGIONS | QUALIFIERS | PROCEDURE_WORDS | LINK_WORDS
# Words, codes and spinal levels ("L5", "S13", "4XXA"); hyphens and slashes part words.
_WORD: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9']*")
_PARENTHESES: Final = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


@dataclass(frozen=True)
class Part:
    """One piece of a diagnosis list between separators, as the splitter sees it."""

    kind: str  # CONDITION, QUALIFIER or UNKNOWN
    words: tuple[str, ...]  # lower-case, articles kept, parentheses dropped
    has_site: bool  # names a body part or side
    site_first: bool  # starts with a site ("neck strain", "right hand sprain")
    all_sites: bool  # nothing but sites and links ("ankle", "right wrist", "lower back")
    ends_in_site: bool  # its last word is a site ("contusion of face")

    @property
    def bare(self) -> bool:
        """A single condition word with nothing else ("bursitis", "sprain")."""
        return self.kind == CONDITION and len(self.content) == 1

    @property
    def self_sited(self) -> bool:
        """Names a condition that takes no site or names its own ("insomnia", "cervicalgia")."""
        return any(word in SELF_SITED or word.endswith("algia") for word in self.content)

    @property
    def systemic(self) -> bool:
        """Names a condition of the whole person ("insomnia", "anxiety")."""
        return any(word in SYSTEMIC for word in self.content)

    @property
    def continues(self) -> bool:
        """Goes on with the condition before it ("with radiculopathy", "due to a fall")."""
        return bool(self.words) and self.words[0] in CONTINUING

    @property
    def pairs(self) -> bool:
        """Holds a word that takes its own "and" ("both", "between")."""
        return not PAIRING.isdisjoint(self.words)

    @property
    def content(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if word not in LINK_WORDS)


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case words of a part, parenthesised remarks and possessive endings dropped."""
    text = _PARENTHESES.sub(" ", text).replace("\u2019", "'")
    words = (w.lower().removesuffix("'s").strip("'") for w in _WORD.findall(text))
    return tuple(word for word in words if word)


def is_condition_word(word: str) -> bool:
    """A head word or ending of a condition ("strain", "tendinitis", "radiculopathy")."""
    if word in CONDITION_WORDS:
        return True
    if word in NOT_CONDITIONS or word in QUALIFYING_WORDS:
        return False
    return len(word) > 4 and word.endswith(CONDITION_ENDINGS)


def _qualifies(word: str) -> bool:
    return (
        word in QUALIFYING_WORDS
        or any(character.isdigit() for character in word)
        or (len(word) > 6 and word.endswith(PROCEDURE_ENDINGS))
    )


def classify(text: str) -> Part:
    """What one part of a list names, judged from its words alone."""
    words = words_of(text)
    content = [word for word in words if word not in LINK_WORDS]
    condition = bool(CONDITION_MARKERS.match(text.strip(" \"'\u201c"))) or any(
        is_condition_word(word) for word in content
    )
    if condition:
        kind = CONDITION
    elif all(_qualifies(word) for word in content):
        kind = QUALIFIER
    else:
        kind = UNKNOWN
    return Part(
        kind=kind,
        words=words,
        has_site=any(word in SITE_WORDS for word in content),
        site_first=bool(content) and content[0] in SITE_WORDS,
        all_sites=bool(content) and all(w in SITE_WORDS or w in POSITIONS for w in content),
        ends_in_site=bool(content) and content[-1] in SITE_WORDS,
    )


def names_a_condition(text: str) -> bool:
    """Whether an entry holds a condition word (entries without one are less sure)."""
    return classify(text).kind == CONDITION
