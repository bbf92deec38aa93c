"""What a walkthrough rehearsal produces: the transcript the vault stores and exports.

Pydantic models so that the stored JSON reads back into the same objects; a
contradiction's ``Finding`` is the domain's, with id "" (findings are numbered by whoever
collects them).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from mockaudit.domain import Finding
from mockaudit.domain.reference_controls import Family
from mockaudit.fieldwork.walkthrough.questions import Check
from mockaudit.fieldwork.walkthrough.verdicts import Verdict

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
