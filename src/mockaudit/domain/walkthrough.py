"""What a walkthrough rehearsal asks and produces: the question, the verdict on each answer,
and the transcript the vault stores and exports.

Pydantic models so that the stored JSON reads back into the same objects; a
contradiction's ``Finding`` is the domain's, with id "" (findings are numbered by whoever
collects them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from mockaudit.domain.findings import Finding
from mockaudit.domain.reference_controls import Family


class Check(StrEnum):
    """What an answer is compared with; also the 'kind' of a divergence or evasion."""

    PURPOSE = "purpose"  # free text: the control in the owner's words
    OWNER = "owner"  # named performer vs the documented owner (and who has left)
    BACKUP = "backup"  # a current person other than the owner covers
    FREQUENCY = "frequency"  # "weekly", "every sprint" vs the control's frequency
    TIMELINESS = "timeliness"  # "within 2 days", "24 hours" vs attributes and commitments
    RETENTION = "retention"  # "kept for 400 days" vs the documented retention
    APPROVERS = "approvers"  # "two approvals" vs the documented approver count
    SYSTEM_OF_RECORD = "system_of_record"  # systems named vs scope and the population's source
    SYSTEMS = "systems"  # systems named vs the systems in scope
    EVIDENCE_LOCATION = "evidence_location"  # where evidence is kept vs what the vault holds
    LAST_INSTANCE = "last_instance"  # a date inside the period
    COVERAGE = "coverage"  # the population covers the whole period
    INCLUSION = "inclusion"  # contractors, admins, service accounts included
    AUTOMATION = "automation"  # manual vs automated, as documented
    CHANGES = "changes"  # "nothing changed" vs an owner who left
    SKIPPED = "skipped"  # admitted misses
    POLICY_MATCH = "policy_match"  # the owner says practice differs from the documents
    PROCESS = "process"  # free text: how it works
    EXCEPTIONS = "exceptions"  # free text: what happens on a problem
    CORROBORATION = "corroboration"  # §7.3: show the last instance


@dataclass(frozen=True)
class Question:
    """One question; ``text`` may use {title}, {population} and {period}."""

    id: str
    text: str
    check: Check
    required: bool = False
    family: Family | None = None  # None: a general §7.2 question
    needs_population: bool = False

    @property
    def generic_text(self) -> str:
        """The text without a control to fill it in (for listings)."""
        return self.text.format(title="this control", population="population", period="period")


class Verdict(StrEnum):
    CONSISTENT = "consistent"  # a fact was stated and matches the documents
    ANSWERED = "answered"  # a real answer, with nothing documented to compare it with
    GAP = "gap"  # an honest answer that reveals a weakness the auditor will probe
    EVASIVE = "evasive"  # empty, dodging, or missing the fact the question asked for
    CONTRADICTION = "contradiction"  # the stated fact contradicts the documents
    SKIPPED = "skipped"  # an optional question left unanswered

    @property
    def score(self) -> float | None:
        return _SCORES[self]


_SCORES: dict[Verdict, float | None] = {
    Verdict.CONSISTENT: 1.0,
    Verdict.ANSWERED: 1.0,
    Verdict.GAP: 0.5,
    Verdict.EVASIVE: 0.0,
    Verdict.CONTRADICTION: 0.0,
    Verdict.SKIPPED: None,
}


class Phase(StrEnum):
    INQUIRY = "inquiry"  # questions are being asked
    CORROBORATION = "corroboration"  # waiting for the owner to show the last instance
    DONE = "done"


TRANSCRIPT_SCHEMA = "mockaudit.walkthrough/1"


SHOW_ID = "show-last-instance"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionRecord(_Frozen):
    """A question as it was asked (its text rendered for this control)."""

    id: str
    text: str
    check: Check
    required: bool


class Feedback(_Frozen):
    """What the auditor says right after an answer; ``finding`` is set on a contradiction."""

    question_id: str
    check: Check
    verdict: Verdict
    answer: str
    message: str
    documented: str = ""
    score: float | None = None
    finding: Finding | None = None


class Step(_Frozen):
    question: QuestionRecord
    feedback: Feedback


class Evasion(_Frozen):
    """An evasive or empty answer to a required question: noted, not a divergence."""

    question_id: str
    check: Check
    reason: str


class Corroboration(_Frozen):
    """§7.3: the evidence shown for the last instance, and whether it corroborates."""

    evidence_id: str | None = None
    evidence_name: str = ""
    corroborated: bool = False
    instance_first: date | None = None
    instance_last: date | None = None
    message: str = ""
    score: float = 0.0


class WalkthroughResult(_Frozen):
    """One rehearsal: every question, answer and verdict, the corroboration, the score."""

    format: str = TRANSCRIPT_SCHEMA
    walkthrough_id: str = ""
    control_id: str
    control_title: str
    family: Family
    owner: str | None = None
    owner_name: str | None = None
    started_at: str
    as_of: date
    period: str
    steps: tuple[Step, ...] = ()
    corroboration: Corroboration = Corroboration()
    findings: tuple[Finding, ...] = ()
    evasions: tuple[Evasion, ...] = ()
    score: float = 0.0

    def question_scores(self) -> dict[str, float | None]:
        """Per question id its score (None when skipped); the shown instance last."""
        scores = {s.question.id: s.feedback.score for s in self.steps}
        scores[SHOW_ID] = self.corroboration.score
        return scores

    @property
    def divergences(self) -> tuple[str, ...]:
        """The checks that produced ``walkthrough.divergence`` findings, in question order."""
        return tuple(s.question.check.value for s in self.steps if s.feedback.finding)

    def summary(self) -> dict[str, object]:
        """The summary stored next to the transcript (walkthroughs.summary)."""
        return {
            "control_title": self.control_title,
            "owner_name": self.owner_name,
            "score": self.score,
            "divergences": list(self.divergences),
            "evasions": [e.check.value for e in self.evasions],
            "corroborated": self.corroboration.corroborated,
            "questions": self.question_scores(),
        }
