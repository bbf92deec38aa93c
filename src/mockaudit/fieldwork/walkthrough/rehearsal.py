"""Walkthrough rehearsal: the simulated auditor interviews a control owner (soc2-domain.md §7).

A ``Rehearsal`` asks the bank's questions one at a time (``question`` / ``answer``), gives
immediate feedback on each answer, then asks to be shown the last instance (``show``,
§7.3 corroboration) and ends with a scored ``WalkthroughResult``. It is deterministic and
offline, and it never touches files or the vault: the session gathers ``VaultFacts``
(program, evidence with links and dates) and stores the result.

Use it one question at a time (a conversation screen)::

    rehearsal = Rehearsal.start(control, program, facts)
    while rehearsal.question is not None:
        feedback = rehearsal.answer(ask(rehearsal.prompt))
    feedback = rehearsal.show(pick(rehearsal.candidates()))
    result = rehearsal.result()

or in one call with ``rehearse(control, program, facts, answers, shown_evidence)``.
``finish_early`` ends it when the owner stops before the last question.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from mockaudit.domain import Control, Finding, FindingCode, Program
from mockaudit.domain.findings import Severity
from mockaudit.domain.walkthrough import (
    SHOW_ID,
    TRANSCRIPT_SCHEMA,
    Check,
    Corroboration,
    Evasion,
    Feedback,
    Phase,
    Question,
    QuestionRecord,
    Step,
    Verdict,
    WalkthroughResult,
)
from mockaudit.domain.walkthrough_readiness import (
    OwnerReadiness,
    WalkthroughRecord,
    latest_by_control,
    next_step,
    open_issues,
)
from mockaudit.errors import InputError
from mockaudit.fieldwork.walkthrough import parse as parse
from mockaudit.fieldwork.walkthrough.checks import assess
from mockaudit.fieldwork.walkthrough.facts import (
    Context,
    EvidenceFact,
    EvidenceLink,
    VaultFacts,
    belongs,
    instance_date,
    sources_for,
)
from mockaudit.fieldwork.walkthrough.questions import family_of, question, questions_for
from mockaudit.fieldwork.walkthrough.relevance import repeats
from mockaudit.fieldwork.walkthrough.report import owner_readiness, transcript_markdown
from mockaudit.fieldwork.walkthrough.verdicts import Outcome, evasive

__all__ = [
    "NOT_ASKED",
    "SHOW_ID",
    "TRANSCRIPT_SCHEMA",
    "Check",
    "Corroboration",
    "EvidenceFact",
    "EvidenceLink",
    "Evasion",
    "Feedback",
    "OwnerReadiness",
    "Phase",
    "Question",
    "QuestionRecord",
    "Rehearsal",
    "Step",
    "VaultFacts",
    "Verdict",
    "WalkthroughRecord",
    "WalkthroughResult",
    "check_answer_keys",
    "latest_by_control",
    "next_step",
    "open_issues",
    "owner_readiness",
    "rehearse",
    "transcript_markdown",
]

SHOW_TEXT = (
    "Now show me the last instance: pick the evidence in the vault that proves it operated "
    "inside the period."
)

# a repeated sentence still contradicts, or stays evasive; it no longer counts as an answer
_KEPT_ON_REPEAT = (Verdict.CONTRADICTION, Verdict.EVASIVE)

NOT_ASKED = "Not asked: the rehearsal was finished early."
NOT_ASKED_REQUIRED = " A required question: it counts as 0."
NOT_SHOWN = "Not shown: the rehearsal was finished early, before the last instance."


class Rehearsal:
    """One walkthrough with one owner about one control: a small state machine."""

    def __init__(
        self,
        control: Control,
        program: Program,
        facts: VaultFacts,
        *,
        started_at: datetime | None = None,
    ) -> None:
        self.control = control
        self.program = program
        self.facts = facts
        self.context = Context.build(control, program, facts)
        self.questions: tuple[Question, ...] = questions_for(control)
        self.family = family_of(control)
        self.started_at = started_at or datetime.now(UTC)
        self._steps: list[Step] = []
        self._corroboration: Corroboration | None = None

    @classmethod
    def start(cls, control: Control, program: Program, facts: VaultFacts) -> Rehearsal:
        """A new rehearsal; its first question is ``rehearsal.question``."""
        return cls(control, program, facts)

    # ----- where we are -----

    @property
    def phase(self) -> Phase:
        if len(self._steps) < len(self.questions):
            return Phase.INQUIRY
        return Phase.DONE if self._corroboration is not None else Phase.CORROBORATION

    @property
    def question(self) -> Question | None:
        """The question waiting for an answer; None once the inquiry is over."""
        index = len(self._steps)
        return self.questions[index] if index < len(self.questions) else None

    @property
    def prompt(self) -> str | None:
        """The current question's text, rendered for this control (None when no question)."""
        current = self.question
        if current is None:
            return SHOW_TEXT if self.phase is Phase.CORROBORATION else None
        return self.render(current)

    @property
    def progress(self) -> tuple[int, int]:
        """(answered, total) questions, the last-instance request included."""
        done = len(self._steps) + (1 if self._corroboration is not None else 0)
        return done, len(self.questions) + 1

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._steps)

    def render(self, q: Question) -> str:
        population = self.context.population
        return q.text.format(
            title=self.control.title,
            population=population.title if population else "population",
            period=self.context.period_text,
        )

    # ----- inquiry -----

    def answer(self, text: str) -> Feedback:
        """Check the answer to the current question and move on to the next one."""
        current = self.question
        if current is None:
            raise InputError(f"the walkthrough of {self.control.id} has no question left")
        outcome = assess(self.context, current, text)
        earlier = repeats(text, [step.feedback.answer for step in self._steps])
        if earlier is not None and outcome.verdict not in _KEPT_ON_REPEAT:
            outcome = evasive(
                f"the same words as your answer to question {earlier + 1}; "
                "answer this question itself"
            )
        feedback = self._feedback(current, text.strip(), outcome)
        self._steps.append(Step(question=self._record(current), feedback=feedback))
        return feedback

    def _record(self, q: Question) -> QuestionRecord:
        return QuestionRecord(id=q.id, text=self.render(q), check=q.check, required=q.required)

    def skip(self) -> Feedback:
        """Leave the current question unanswered (noted when it is required)."""
        return self.answer("")

    def _feedback(self, q: Question, answer: str, outcome: Outcome) -> Feedback:
        finding = None
        if outcome.verdict is Verdict.CONTRADICTION:
            finding = self._finding(q, answer, outcome)
        return Feedback(
            question_id=q.id,
            check=q.check,
            verdict=outcome.verdict,
            answer=answer,
            message=outcome.message,
            documented=outcome.documented,
            score=outcome.verdict.score,
            finding=finding,
        )

    def _finding(self, q: Question, answer: str, outcome: Outcome) -> Finding:
        aspect = _ASPECTS.get(outcome.aspect or q.check.value, q.check.value.replace("_", " "))
        return Finding(
            id="",
            code=FindingCode.WALKTHROUGH_DIVERGENCE,
            severity=Severity.MEDIUM,
            control=self.control.id,
            owner=self.control.owner,
            criteria=self.control.criteria,
            items=(q.id,),
            title=f"{self.control.id}: walkthrough answer contradicts the documented {aspect}",
            detail=(
                f"Asked “{self.render(q)}” The owner answered “{answer}”. "
                f"Documented: {outcome.documented}."
            ),
            remediation=(
                "Decide which is right, then align the practice, the control description and "
                "the policy; rehearse the walkthrough again and keep the evidence of the last "
                "instance ready."
            ),
        )

    # ----- corroboration (§7.3) -----

    def candidates(self) -> list[EvidenceFact]:
        """Evidence the owner may pick: what belongs to the control first, newest first."""
        mine = sources_for(self.facts.evidence, self.control)
        ids = {f.evidence_id for f in mine}
        return mine + [f for f in self.facts.evidence if f.evidence_id not in ids]

    def show(self, evidence_id: str | None) -> Feedback:
        """The owner shows evidence of the last instance (None: cannot show anything)."""
        if self.phase is Phase.INQUIRY:
            raise InputError(f"the walkthrough of {self.control.id} still has questions open")
        if self._corroboration is not None:
            raise InputError(f"the last instance of {self.control.id} was already shown")
        self._corroboration = self._corroborate((evidence_id or "").strip())
        verdict = (
            Verdict.CONSISTENT
            if self._corroboration.corroborated
            else (Verdict.GAP if self._corroboration.score > 0 else Verdict.EVASIVE)
        )
        return Feedback(
            question_id=SHOW_ID,
            check=Check.CORROBORATION,
            verdict=verdict,
            answer=evidence_id or "",
            message=self._corroboration.message,
            documented=f"period: {self.context.period_text}",
            score=self._corroboration.score,
        )

    def _corroborate(self, evidence_id: str) -> Corroboration:
        if not evidence_id:
            return Corroboration(
                message="Nothing shown: inquiry alone never supports a "
                "conclusion, so the auditor raises a follow-up request."
            )
        fact = next((f for f in self.facts.evidence if f.evidence_id == evidence_id), None)
        if fact is None:
            return Corroboration(
                evidence_id=evidence_id, message=f"{evidence_id} is not in the vault."
            )
        link = belongs(fact, self.control)
        if link is None:
            return Corroboration(
                evidence_id=evidence_id,
                evidence_name=fact.name,
                message=f"{evidence_id} ({fact.name}) is not linked to {self.control.id}: "
                "it does not show this control operating.",
            )
        first, last, how = instance_date(fact, self.control)
        base = dict(
            evidence_id=evidence_id,
            evidence_name=fact.name,
            instance_first=first,
            instance_last=last,
        )
        if link.control != self.control.id and not link.item:
            return Corroboration(
                **base,
                score=0.5,
                message=f"{fact.name} is the population list, not one "
                "instance: show the record of the last occurrence.",
            )
        ctx = self.context
        if not (first <= ctx.period_end and ctx.period_start <= last):
            return Corroboration(
                **base,
                score=0.5,
                message=f"{fact.name} is {how}, outside the period ({ctx.period_text}).",
            )
        note = self._date_note(first, last)
        return Corroboration(
            **base,
            corroborated=True,
            score=1.0,
            message=f"Corroborated: {fact.name} belongs to {self.control.id} "
            f"and is {how}, inside the period.{note}",
        )

    def _date_note(self, first: date, last: date) -> str:
        """Say so when the instance shown is not the one named in the inquiry."""
        stated = next((s for s in self._steps if s.question.id == "last-instance"), None)
        if stated is None:
            return ""
        said = parse.dates(stated.feedback.answer)
        if not said or any(d.overlaps(first, last) for d in said):
            return ""
        return (
            f" You said the last instance was “{said[-1].words}”: the auditor will ask why "
            "you showed a different one."
        )

    # ----- the end -----

    def finish(self) -> WalkthroughResult:
        """End now: unanswered questions count as skipped, nothing shown if not yet shown."""
        while self.question is not None:
            self.skip()
        if self._corroboration is None:
            self.show(None)
        return self.result()

    def finish_early(self) -> WalkthroughResult:
        """The owner stops the interview here: the questions not reached are recorded as
        skipped (nobody asked them, so they are not evasions), but a required one still
        scores 0, so stopping early never raises the score. The last instance counts as
        not shown unless it already was."""
        while (current := self.question) is not None:
            feedback = Feedback(
                question_id=current.id,
                check=current.check,
                verdict=Verdict.SKIPPED,
                answer="",
                message=NOT_ASKED + (NOT_ASKED_REQUIRED if current.required else ""),
                score=0.0 if current.required else None,
            )
            self._steps.append(Step(question=self._record(current), feedback=feedback))
        if self._corroboration is None:
            self._corroboration = Corroboration(message=NOT_SHOWN)
        return self.result()

    def result(self) -> WalkthroughResult:
        """The scored summary; the rehearsal must be over (use ``finish`` to end early)."""
        if self.phase is not Phase.DONE or self._corroboration is None:
            raise InputError(f"the walkthrough of {self.control.id} is not finished")
        owner = self.program.person(self.control.owner) if self.control.owner else None
        scores = [s.feedback.score for s in self._steps if s.feedback.score is not None]
        scores.append(self._corroboration.score)
        return WalkthroughResult(
            control_id=self.control.id,
            control_title=self.control.title,
            family=self.family,
            owner=self.control.owner,
            owner_name=owner.name if owner else None,
            started_at=self.started_at.isoformat(timespec="seconds"),
            as_of=self.facts.as_of,
            period=self.context.period_text,
            steps=tuple(self._steps),
            corroboration=self._corroboration,
            findings=tuple(s.feedback.finding for s in self._steps if s.feedback.finding),
            evasions=tuple(
                Evasion(
                    question_id=s.question.id, check=s.question.check, reason=s.feedback.message
                )
                for s in self._steps
                if s.question.required and s.feedback.verdict is Verdict.EVASIVE
            ),
            score=round(100 * sum(scores) / len(scores), 1),
        )


_ASPECTS = {
    "owner": "owner",
    "backup": "backup",
    "frequency": "frequency",
    "timeliness": "deadline",
    "retention": "retention",
    "approvers": "approver count",
    "systems": "systems",
    "system_of_record": "system of record",
    "evidence_location": "evidence location",
    "coverage": "population coverage",
    "inclusion": "population scope",
    "automation": "automation",
    "changes": "owner history",
    "policy_match": "procedure",
}


def check_answer_keys(answers: Mapping[str, str]) -> None:
    """Every key must be a question of the bank: a typo would silently skip a question."""
    for key in answers:
        if question(key) is None:
            raise InputError(f"answers: {key!r} is not a walkthrough question id")


def rehearse(
    control: Control,
    program: Program,
    facts: VaultFacts,
    answers: Mapping[str, str],
    shown_evidence: str | None = None,
    *,
    started_at: datetime | None = None,
) -> WalkthroughResult:
    """The whole rehearsal in one call: answers by question id, then the evidence shown.

    Keys for questions this control is not asked (population questions of a control
    without population) are ignored; unknown keys are an error.
    """
    check_answer_keys(answers)
    rehearsal = Rehearsal(control, program, facts, started_at=started_at)
    while (current := rehearsal.question) is not None:
        rehearsal.answer(answers.get(current.id, ""))
    rehearsal.show(shown_evidence)
    return rehearsal.result()
