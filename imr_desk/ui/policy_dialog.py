"""Review → Review policy: the share of letters reviewed twice, blind or not, the share reviewed
with the parser's values hidden (the blind sample), and the leads.

The dialog only edits a ``ReviewPolicy`` value; the adjudication controller decides who may
open it and stores what it returns (the store refuses a policy it does not accept, and the
controller then opens the dialog again on what was typed, so nothing is lost).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from imr_desk.review_policy import ReviewPolicy

PERCENT: Final = 100.0
EXPLANATION: Final = (
    "Letters chosen at random (the same ones on every desk) are reviewed by two reviewers, "
    "each on a review of their own. Two reviews that agree make the gold record; reviews that "
    "differ wait in the adjudication queue for a lead."
)


def parse_leads(text: str) -> tuple[str, ...]:
    """Lead names from a comma-separated list: trimmed, empties and repeats dropped."""
    names = (part.strip() for part in text.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


class PolicyDialog(QDialog):
    """Edits a review policy; the seed that picks the letters (and any part the dialog does
    not show) is kept as it was."""

    def __init__(self, parent: QWidget | None, policy: ReviewPolicy, reviewer: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review policy")
        self._seed = policy.seed
        self._reviewer = reviewer
        self.share = _percent_box(
            policy.double_share, "Share of letters that get two independent reviews"
        )
        self.blind = QCheckBox("Blind second review")
        self.blind.setChecked(policy.blind)
        self.blind.setToolTip(
            "The second reviewer starts from the parser's values, never the first review's"
        )
        self.blind_share = _percent_box(
            policy.blind_share,
            "Share of letters opened with the parser's values hidden: the reviewer fills the "
            "form from the page, which measures the parser's accuracy without its suggestions",
        )
        self.check_rate = _percent_box(
            policy.check_rate,
            "Share of letters showing one value altered (a seeded check): whether reviewers "
            "catch it measures and trains their vigilance; the stored value is never altered",
        )
        self._policy = policy
        self.leads = QLineEdit(", ".join(policy.leads))
        self.leads.setPlaceholderText("Reviewer names, separated by commas")
        self.leads.setToolTip("Leads adjudicate differing reviews and may change this policy")
        self.leads.textChanged.connect(self._on_leads_text_changed)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self._build_layout()
        self._on_leads_text_changed(self.leads.text())

    def _build_layout(self) -> None:
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Letters reviewed twice:", self.share)
        form.addRow("", self.blind)
        form.addRow("Letters reviewed blind:", self.blind_share)
        form.addRow("Letters with a seeded check:", self.check_rate)
        form.addRow("Leads:", self.leads)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)
        self.resize(480, 240)

    def _on_leads_text_changed(self, text: str) -> None:
        """Warn before a lead takes themself off the list: they could not change it back."""
        leads = parse_leads(text)
        if not leads:
            message = "Name at least one lead."
        elif self._reviewer not in leads:
            message = f"{self._reviewer} is not among these leads: once saved, only they can "
            message += "change the policy or adjudicate."
        else:
            message = ""
        self.warning.setText(message)
        self.warning.setVisible(bool(message))

    def policy(self) -> ReviewPolicy:
        """The policy as the dialog shows it."""
        return replace(
            self._policy,
            double_share=round(self.share.value() / PERCENT, 4),
            blind_share=round(self.blind_share.value() / PERCENT, 4),
            check_rate=round(self.check_rate.value() / PERCENT, 4),
            blind=self.blind.isChecked(),
            seed=self._seed,
            leads=parse_leads(self.leads.text()),
        )

    @classmethod
    def ask(
        cls, parent: QWidget | None, policy: ReviewPolicy, reviewer: str
    ) -> ReviewPolicy | None:
        """The policy chosen, or None when cancelled."""
        dialog = cls(parent, policy, reviewer)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.policy()
        finally:
            dialog.deleteLater()


def _percent_box(share: float, tip: str) -> QDoubleSpinBox:
    """A 0-100 % spin box showing a share (0-1) of the policy."""
    box = QDoubleSpinBox()
    box.setRange(0.0, PERCENT)
    box.setDecimals(1)
    box.setSuffix(" %")
    box.setValue(round(share * PERCENT, 1))
    box.setToolTip(tip)
    return box
