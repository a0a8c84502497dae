"""The dataset card's Provenance section: where the letters came from, which were taken, what
the license field means, the personal data they hold, and how they were reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_letters import fake_record

from imr_desk.blind import BlindTally
from imr_desk.dataset_card import CardStats, render_card
from imr_desk.export import export_dataset
from imr_desk.reviewer_quality import ReviewerQuality
from imr_desk.storage import LetterStore


@pytest.fixture
def store(tmp_path: Path) -> LetterStore:
    opened = LetterStore.open(tmp_path / "letters.db", reviewer="ann")
    for n in range(1, 4):
        opened.add_letter(fake_record(n), source_path=f"/in/{n}.pdf", parser_version="p1")
    yield opened
    opened.close()


def provenance(card: str) -> str:
    """The Provenance section's text, whitespace folded (sentences may wrap)."""
    assert "\n## Provenance\n" in card
    section = card.split("\n## Provenance\n", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())


def exported_card(store: LetterStore, folder: Path, selection: str = "verified") -> str:
    export_dataset(store, folder, selection=selection)
    return (folder / "README.md").read_text()


def test_the_card_says_where_the_letters_came_from_and_what_the_import_recorded(
    store: LetterStore, tmp_path: Path
) -> None:
    store.set_status(store.list_letters()[0].sha256, "verified")
    text = provenance(exported_card(store, tmp_path / "out"))
    assert "California Division of Workers' Compensation (DWC)" in text
    assert "MAXIMUS Federal Services" in text
    assert "imported from a folder" in text
    for key in ("`source.file_name`", "`source.sha256`", "`source.pages`"):
        assert key in text
    assert "cannot know more about where a file came from than the import recorded" in text


def test_the_card_states_the_selection_of_its_own_export(
    store: LetterStore, tmp_path: Path
) -> None:
    store.set_status(store.list_letters()[0].sha256, "verified")
    verified = provenance(exported_card(store, tmp_path / "verified"))
    everything = provenance(exported_card(store, tmp_path / "all", selection="all"))
    assert "every imported letter whose status is `verified` (export selection `verified`)" in (
        verified
    )
    assert "export selection `all`" not in verified
    assert "every imported letter (export selection `all`), verified or not" in everything


def test_the_card_explains_the_license_field_and_the_personal_data(
    store: LetterStore, tmp_path: Path
) -> None:
    card = exported_card(store, tmp_path / "out")
    assert "\nlicense: other\n" in card
    text = provenance(card)
    assert "`license: other` means" in text
    assert "public records published by the State of California" in text
    assert "their reuse terms are DWC's, and this card does not grant rights in them" in text
    assert "is the project's to choose" in text
    assert "DWC's published copies are redacted, yet they keep the patient's age and sex" in text
    assert "not de-identified in the HIPAA Safe Harbor sense" in text
    assert "Handle it as sensitive health data" in text


def test_the_card_says_when_no_letter_was_checked(store: LetterStore, tmp_path: Path) -> None:
    text = provenance(exported_card(store, tmp_path / "out", selection="all"))
    assert "No letter in this export has been verified yet: none was checked." in text


def test_the_review_part_names_only_the_modes_and_checks_the_export_has(
    store: LetterStore, tmp_path: Path
) -> None:
    for row in store.list_letters()[:2]:
        store.set_status(row.sha256, "verified")
    single = provenance(exported_card(store, tmp_path / "out"))
    assert "- `single` (2 letters): one reviewer verified the letter." in single
    assert "Verified letters by review mode counts them." in single
    for absent in ("`double`", "`adjudicated`", "Blind sample", "Seeded checks", "Agreement"):
        assert absent not in single


def test_the_review_part_points_to_the_sections_measuring_each_check() -> None:
    stats = CardStats(verified_letters=5)
    stats.review_modes.update({"single": 2, "double": 2, "adjudicated": 1})
    card = render_card(
        stats,
        selection="verified",
        generated_at="2024-01-01T00:00:00Z",
        blind_sample=BlindTally(letters=1),
        quality=[ReviewerQuality("ann", caught=2, missed=1), ReviewerQuality("bo", caught=1)],
    )
    text = provenance(card)
    assert "- `double` (2 letters): two reviewers each reviewed it and agreed" in text
    assert "- `adjudicated` (1 letter): two reviewers' reviews differed and a lead" in text
    assert "Agreement between reviewers measures how far two reviews agree" in text
    assert "- Blind sample (1 letter): the reviewer saw an empty form" in text
    assert "see Parser accuracy measured blind" in text
    assert "- Seeded checks (4): letters shown with one value altered on purpose" in text
    assert "see Reviewer quality" in text
    for section in ("Verified letters by review mode", "Parser accuracy measured blind"):
        assert f"\n## {section}\n" in card
    assert "\n## Reviewer quality\n" in card
