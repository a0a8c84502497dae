"""``imr-desk policy``, ``imr-desk agreement``, the pipeline in ``stats`` and the dataset card's
agreement section and review modes (issue 10), on a project two reviewers double-reviewed.

The project (``reviewed``, on each engine): four letters, each with two items (p1 upheld, p2
overturned, so the outcome is partially overturned), every letter chosen for double review; ann
and bob review them, cy leads.

- letter 1: bob makes p1 overturned (the outcome follows: overturned); ann changes nothing.
  Two differences (letter.outcome, items.p1.decision): awaiting adjudication.
- letter 2: both verify the parser's values: gold at once (mode double).
- letter 3: ann makes the patient female, bob does not; cy takes ann's value: gold (adjudicated).
- letter 4: only ann has verified it: awaiting a second review.

By hand, over the three letters with two verified reviews (1, 2, 3):
- letter.outcome: 3 units, 2 agreed, 66.7 %. Values: A po po po, B ov po po, so n = 6 with
  po 5, ov 1; alpha = 1 - (n-1) * 2 * disagreements / (n² - Σ n_c²) = 1 - 5*2/(36-25-1) = 0.
- letter.patient_sex: 3 units, 2 agreed; male 5, female 1: alpha 0 likewise.
- items.decision: 6 units (both items of each letter), 5 agreed, 83.3 %. A: 3 upheld,
  3 overturned; B: 2 upheld, 4 overturned; n = 12 with 5 and 7: alpha = 1 - 11*2/(144-25-49)
  = 1 - 22/70 = 0.686.
- items: 6 units, 6 agreed (nobody added or removed an item).
- letter.case_number: 3 units, 3 agreed, 100 %.
Most disagreement: letter 1 (2), then letter 3 (1). Pipeline: 1 awaiting a second review,
1 awaiting adjudication, 2 gold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fake_letters import fake_record

from imr_desk.agreement import agreement
from imr_desk.cli import main
from imr_desk.dataset_card import CardStats, render_card
from imr_desk.edits import SetField
from imr_desk.export import export_record
from imr_desk.record import FieldRef
from imr_desk.review_policy import ReviewPolicy
from imr_desk.storage import LetterStore

if TYPE_CHECKING:
    from tests.conftest import EngineProject

LETTERS = 4
ALL_LETTERS = 1.0
LEAD = "cy"


@dataclass(frozen=True)
class Project:
    """The project on one engine and its letters."""

    engine: EngineProject
    shas: list[str]  # letter n is shas[n - 1]

    def store(self, reviewer: str) -> LetterStore:
        return self.engine.open(reviewer, lead=reviewer == LEAD)

    def db(self, reviewer: str = LEAD) -> str:
        """``--db`` for the reviewer's desk (the lead's unless said)."""
        return str(self.engine.target(reviewer, lead=reviewer == LEAD))


def new_project(engine: EngineProject) -> Project:
    """Four parsed letters and a policy that double-reviews every letter, led by cy."""
    with engine.open(LEAD, lead=True) as store:
        for n in range(1, LETTERS + 1):
            record = fake_record(n, decisions=("upheld", "overturned"))
            store.add_letter(record, source_path=f"{n}.pdf", parser_version="1")
        store.set_policy(ReviewPolicy(double_share=ALL_LETTERS, leads=(LEAD,)))
        shas = [row.sha256 for row in store.list_letters()]
    return Project(engine, shas)


@pytest.fixture
def reviewed(project: EngineProject) -> Project:
    """The project of the module docstring, reviewed and partly adjudicated, on each engine."""
    reviewed = new_project(project)
    one, two, three, four = reviewed.shas
    with reviewed.store("ann") as ann, reviewed.store("bob") as bob:
        ann.apply(three, SetField(FieldRef("patient_sex"), "female"))
        bob.apply(one, SetField(FieldRef("decision", "p1"), "overturned"))
        for sha in (one, two, three, four):
            ann.set_status(sha, "verified")
        for sha in (one, two, three):
            bob.set_status(sha, "verified")
    with reviewed.store(LEAD) as cy:
        cy.adjudicate(three, {"letter.patient_sex": "a"})
    return reviewed


def table_row(out: str, field: str) -> list[str]:
    """The cells of one row of the printed agreement table (Field, Units, Agreed, %, ...)."""
    (line,) = [line for line in out.splitlines() if line.split()[:1] == [field]]
    return line.split()


# --- imr-desk policy ---------------------------------------------------------------------------


def test_policy_without_options_prints_the_current_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "letters.db"
    LetterStore.open(db, reviewer="ann").close()
    assert main(["policy", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "double review: off (0% of letters; seed 0)" in out
    assert "second review: blind" in out
    assert "leads: none yet" in out
    assert "changed" not in out


def test_policy_sets_the_share_in_percent_and_keeps_the_parts_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "zed")
    db = str(tmp_path / "letters.db")
    LetterStore.open(db, reviewer="ann").close()
    assert main(["policy", "--db", db, "--reviewer", "ann", "--double-share", "25"]) == 0
    assert main(["policy", "--db", db, "--reviewer", "ann", "--not-blind", "--seed", "7"]) == 0
    with LetterStore.open(db, reviewer="ann") as store:
        # ann set the first policy, naming no lead: she leads it.
        assert store.policy() == ReviewPolicy(0.25, blind=False, seed=7, leads=("ann",))
    out = capsys.readouterr().out
    assert "double review: 25% of letters, chosen with seed 7" in out
    assert "second review: not blind" in out
    assert main(["policy", "--db", db, "--blind"]) == 1  # zed, the OS user, is no lead
    capsys.readouterr()
    assert main(["policy", "--db", db, "--reviewer", "ann", "--double-share", "12.5"]) == 0
    assert "double review: 12.5% of letters" in capsys.readouterr().out


def test_policy_refuses_a_reviewer_who_is_not_a_lead_and_changes_nothing(
    project: EngineProject, capsys: pytest.CaptureFixture[str]
) -> None:
    reviewed = new_project(project)
    code = main(["policy", "--db", reviewed.db("bob"), "--reviewer", "bob", "--double-share", "5"])
    assert code == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        "imr-desk policy: only a lead may change the review policy (bob is not one)"
    )
    assert captured.out == ""
    with reviewed.store(LEAD) as store:
        assert store.policy() == ReviewPolicy(ALL_LETTERS, leads=project.leads(LEAD))


def test_policy_lead_option_replaces_the_leads_and_a_new_lead_may_change_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file's policy names its leads; a team server's leads are its lead logins instead.
    db = str(tmp_path / "letters.db")
    with LetterStore.open(db, reviewer=LEAD) as store:
        store.set_policy(ReviewPolicy(double_share=ALL_LETTERS, leads=(LEAD,)))
    args = ["policy", "--db", db, "--reviewer", "cy", "--lead", "ann", "bob", "--lead", "ann"]
    assert main(args) == 0
    assert "leads: ann, bob" in capsys.readouterr().out
    assert main(["policy", "--db", db, "--reviewer", "bob", "--double-share", "50"]) == 0
    assert main(["policy", "--db", db, "--reviewer", "cy", "--double-share", "60"]) == 1
    with LetterStore.open(db, reviewer="bob") as store:
        assert store.policy() == ReviewPolicy(0.5, leads=("ann", "bob"))


def test_policy_reviewer_defaults_to_the_os_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "dana")
    db = str(tmp_path / "letters.db")
    LetterStore.open(db, reviewer="ann").close()
    assert main(["policy", "--db", db, "--double-share", "10"]) == 0
    assert "leads: dana" in capsys.readouterr().out


@pytest.mark.parametrize("share", ["101", "-1", "nan", "ten"])
def test_policy_refuses_a_share_that_is_not_0_to_100_percent(
    project: EngineProject, share: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reviewed = new_project(project)
    with pytest.raises(SystemExit) as exited:
        main(["policy", "--db", reviewed.db(), "--reviewer", LEAD, f"--double-share={share}"])
    assert exited.value.code == 2
    assert "--double-share" in capsys.readouterr().err
    with reviewed.store(LEAD) as store:
        assert store.policy().double_share == ALL_LETTERS


def test_policy_and_agreement_without_a_database_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nothing.db")
    assert main(["policy", "--db", missing, "--double-share", "10"]) == 2
    assert main(["agreement", "--db", missing]) == 2
    err = capsys.readouterr().err
    assert f"imr-desk policy: no database at {missing}" in err
    assert f"imr-desk agreement: no database at {missing}" in err
    assert not Path(missing).exists()


# --- imr-desk agreement ------------------------------------------------------------------------


def test_agreement_says_so_when_no_letter_has_two_verified_reviews(
    project: EngineProject, capsys: pytest.CaptureFixture[str]
) -> None:
    reviewed = new_project(project)
    with reviewed.store("ann") as ann:
        ann.set_status(reviewed.shas[0], "verified")
    assert main(["agreement", "--db", reviewed.db()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No letter has two verified reviews yet")
    assert "Field" not in out
    assert _counts(out) == {"awaiting a second review": 1, "awaiting adjudication": 0, "gold": 0}


def test_agreement_prints_the_hand_worked_table_the_worst_letters_and_the_pipeline(
    reviewed: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["agreement", "--db", reviewed.db()]) == 0
    out = capsys.readouterr().out
    assert "over 3 letters with two verified reviews" in out
    # Field, Units, Agreed, Agreement %, [low, high], Alpha, [low, high]
    assert table_row(out, "letter.outcome")[:4] == ["letter.outcome", "3", "2", "66.7"]
    assert table_row(out, "letter.outcome")[6] == "0.000"
    assert table_row(out, "letter.patient_sex")[:4] == ["letter.patient_sex", "3", "2", "66.7"]
    assert table_row(out, "letter.patient_sex")[6] == "0.000"
    assert table_row(out, "items.decision")[:4] == ["items.decision", "6", "5", "83.3"]
    assert table_row(out, "items.decision")[6] == f"{1 - 22 / 70:.3f}" == "0.686"
    assert table_row(out, "items")[:4] == ["items", "6", "6", "100.0"]
    assert table_row(out, "letter.case_number")[:4] == ["letter.case_number", "3", "3", "100.0"]
    worst = out.split("Letters with the most disagreement")[1].split("\n\n")[0].splitlines()[1:]
    assert [line.split() for line in worst] == [["CM16-0000001", "2"], ["CM16-0000003", "1"]]
    assert _counts(out) == {"awaiting a second review": 1, "awaiting adjudication": 1, "gold": 2}


def test_agreement_limit_lists_only_the_letters_asked_for(
    reviewed: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["agreement", "--db", reviewed.db(), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "CM16-0000001" in out
    assert "CM16-0000003" not in out
    with pytest.raises(SystemExit) as exited:
        main(["agreement", "--db", reviewed.db(), "--limit", "-1"])
    assert exited.value.code == 2


def test_agreement_intervals_follow_the_seed(
    reviewed: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = []
    for seed in ("1", "1", "2"):
        assert main(["agreement", "--db", reviewed.db(), "--seed", seed]) == 0
        runs.append(capsys.readouterr().out)
    assert runs[0] == runs[1]
    assert table_row(runs[0], "items.decision")[:4] == table_row(runs[2], "items.decision")[:4]


# --- imr-desk stats ----------------------------------------------------------------------------


def test_stats_shows_the_double_review_pipeline(
    reviewed: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", reviewed.db()]) == 0
    out = capsys.readouterr().out
    pipeline = out.split("double review:\n")[1].split("reviewers")[0]
    assert _counts(pipeline) == {
        "awaiting a second review": 1,
        "awaiting adjudication": 1,
        "gold": 2,
    }


def _counts(text: str) -> dict[str, int]:
    """The pipeline lines of a report: label -> count."""
    labels = ("awaiting a second review", "awaiting adjudication", "gold")
    found = {}
    for line in text.splitlines():
        label, _, count = line.strip().rpartition(" ")
        if label.strip() in labels:
            found[label.strip()] = int(count)
    return found


# --- the dataset card --------------------------------------------------------------------------


def _card_stats(reviewed: Project) -> CardStats:
    """The card's counts over the gold letters (2 double, 3 adjudicated) and a record from
    before double review, which has no mode (one reviewer)."""
    stats = CardStats()
    with reviewed.store(LEAD) as store:
        for sha in reviewed.shas[1:3]:
            stats.add(export_record(store.get(sha)))
        single = export_record(store.get(reviewed.shas[1]))
    del single["review"]["mode"]
    stats.add(single)
    return stats


def test_card_counts_verified_letters_by_review_mode(reviewed: Project) -> None:
    stats = _card_stats(reviewed)
    assert stats.review_modes == {"double": 1, "adjudicated": 1, "single": 1}
    card = render_card(stats, selection="verified", generated_at="now")
    assert "## Verified letters by review mode" in card
    for mode in ("double", "adjudicated", "single"):
        assert f"| {mode} | 1 | 33.3% |" in card
    assert "## Agreement between reviewers" not in card  # no rows given


def test_card_agreement_section_gives_the_table_letters_blindness_and_how_to_read_alpha(
    reviewed: Project,
) -> None:
    with reviewed.store(LEAD) as store:
        pairs = [(a.letter, b.letter) for _, a, b in store.review_pairs()]
    rows = agreement(pairs)
    card = render_card(
        _card_stats(reviewed), selection="verified", generated_at="now", agreement=rows, blind=True
    )
    section = _agreement_section(card)
    assert "Measured over 3 double-reviewed letters" in section
    assert "Second reviews were blind" in section
    assert "| `letter.outcome` | 3 | 2 | 66.7 |" in section
    assert "| `items.decision` | 6 | 5 | 83.3 |" in section
    assert "| 0.686 |" in section.split("`items.decision`")[1].splitlines()[0]
    assert "Krippendorff's alpha" in section and "0.800" in section
    unknown = render_card(CardStats(), selection="verified", generated_at="now", agreement=rows)
    assert "Whether second reviews were blind is not recorded" in unknown
    nothing = agreement([])
    unseen = render_card(
        CardStats(), selection="verified", generated_at="now", agreement=nothing, blind=False
    )
    assert "No letter has two verified reviews yet" in unseen
    assert "| `letter.outcome` |" not in _agreement_section(unseen)


def _agreement_section(card: str) -> str:
    return card.split("## Agreement between reviewers\n")[1].split("\n## ")[0]
