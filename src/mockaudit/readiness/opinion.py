"""The likely opinion, and the rule that produced it in words.

soc2-domain.md §3.5 gives four opinions; §6.2 gives the impact rule of thumb
("isolated exceptions usually leave the opinion unqualified; pervasive or
systemic ones may qualify it; design deficiencies are more serious"). The rules
below apply them in the order an auditor would, first match wins:

1. **Disclaimer** (scope limitation, §3.5): the auditor cannot obtain sufficient
   evidence for at least ``DISCLAIMER_SHARE`` (half) of the program's controls —
   controls that are not testable, or whose population cannot be relied on
   (a high ``population.count_mismatch`` or ``population.period_gap``).
2. **Adverse** (pervasive deficiencies): controls with exceptions in more than
   half of the control families (the id prefix: ``CHG`` in ``CHG-01``), or
   criteria with no effective control in more than half of the in-scope
   criterion groups (``CC6``, ``A1``…), with at least ``PERVASIVE_MIN`` (3) of them.
3. **Qualified** (a specific, limited material issue): an in-scope criterion
   with no effective control — because its controls have exceptions, because it
   has no control at all, or because none could be tested for lack of evidence;
   an ownerless control that is the only control of a criterion; a high
   ``policy.practice_divergence`` (the description promises what practice breaks).
4. **Unqualified** otherwise, even with exceptions noted in Section IV when other
   effective controls cover the same criteria (§3.4, [S34c]).

A control "did not operate" (``control.not_operated``, no occurrence in the
period) is reported but does not by itself modify the opinion (§3.2, zero
occurrence convention); it still counts towards the disclaimer share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mockaudit.domain import Control, Program, criteria_for
from mockaudit.domain.criteria import CRITERIA
from mockaudit.domain.findings import Finding, FindingCode, Severity
from mockaudit.domain.run import ControlConclusion, ControlTest, Opinion

DISCLAIMER_SHARE = 0.5
"""Share of controls without sufficient evidence from which the auditor disclaims."""

PERVASIVE_MIN = 3
"""Fewest affected families / criterion groups that can count as pervasive."""

UNRELIABLE_POPULATION_CODES = frozenset(
    {FindingCode.POPULATION_COUNT_MISMATCH, FindingCode.POPULATION_PERIOD_GAP}
)

_LIST_LIMIT = 5


class CriterionConclusion(StrEnum):
    """The per-criterion conclusions of findings-format.md's ``criteria`` map."""

    EXCEPTIONS = "exceptions"
    NOT_TESTABLE = "not_testable"
    UNCOVERED = "uncovered"
    NO_EXCEPTIONS = "no_exceptions"


def conclusions(program: Program, tests: Sequence[ControlTest]) -> dict[str, ControlConclusion]:
    """Each control's conclusion; a control the engine did not test is not testable."""
    tested = {t.control: t.conclusion for t in tests}
    return {c.id: tested.get(c.id, ControlConclusion.NOT_TESTABLE) for c in program.controls}


def criterion_map(program: Program, tests: Sequence[ControlTest]) -> dict[str, str]:
    """Every in-scope or mapped criterion → exceptions / not_testable / uncovered / no_exceptions.

    Exceptions win (any control with exceptions); not_testable needs all of the
    criterion's controls to be not testable. Keys are in catalogue order.
    """
    verdicts = conclusions(program, tests)
    mapped = _controls_by_criterion(program)
    wanted = {c.id for c in criteria_for(program.engagement.categories)} | set(mapped)
    out: dict[str, str] = {}
    for crit in CRITERIA:
        if crit.id not in wanted:
            continue
        found = [verdicts[c.id] for c in mapped.get(crit.id, ())]
        if not found:
            out[crit.id] = CriterionConclusion.UNCOVERED.value
        elif ControlConclusion.EXCEPTIONS in found:
            out[crit.id] = CriterionConclusion.EXCEPTIONS.value
        elif all(v is ControlConclusion.NOT_TESTABLE for v in found):
            out[crit.id] = CriterionConclusion.NOT_TESTABLE.value
        else:
            out[crit.id] = CriterionConclusion.NO_EXCEPTIONS.value
    return out


def likely_opinion(
    findings: Sequence[Finding], tests: Sequence[ControlTest], program: Program
) -> tuple[Opinion, str]:
    """The opinion a CPA firm would most likely give, and the rule that produced it."""
    facts = _Facts.gather(findings, tests, program)
    for rule in (_disclaimer, _adverse, _qualified):
        verdict = rule(facts)
        if verdict is not None:
            return verdict
    return Opinion.UNQUALIFIED, _unqualified_rule(facts)


@dataclass(frozen=True)
class _Facts:
    """What the rules look at, computed once."""

    program: Program
    verdicts: Mapping[str, ControlConclusion]
    tests: Mapping[str, ControlTest]
    by_criterion: Mapping[str, tuple[Control, ...]]
    in_scope: tuple[str, ...]
    unreliable: frozenset[str]  # population ids
    codes: Mapping[str, frozenset[FindingCode]]  # control id → codes of its findings
    divergences: tuple[Finding, ...]

    @classmethod
    def gather(
        cls, findings: Sequence[Finding], tests: Sequence[ControlTest], program: Program
    ) -> _Facts:
        codes: dict[str, set[FindingCode]] = {}
        for f in findings:
            if f.control is not None:
                codes.setdefault(f.control, set()).add(f.code)
        return cls(
            program=program,
            verdicts=conclusions(program, tests),
            tests={t.control: t for t in tests},
            by_criterion=_controls_by_criterion(program),
            in_scope=tuple(c.id for c in criteria_for(program.engagement.categories)),
            unreliable=frozenset(
                f.population
                for f in findings
                if f.population is not None
                and f.code in UNRELIABLE_POPULATION_CODES
                and f.severity is Severity.HIGH
            ),
            codes={k: frozenset(v) for k, v in codes.items()},
            divergences=tuple(
                f
                for f in findings
                if f.code is FindingCode.POLICY_PRACTICE_DIVERGENCE and f.severity is Severity.HIGH
            ),
        )

    def relies_on_unreliable(self, control: Control) -> bool:
        return control.population is not None and control.population in self.unreliable

    def unsupported(self, control: Control) -> bool:
        """No sufficient evidence: not testable, or tested on a population nobody can trust."""
        not_testable = self.verdicts[control.id] is ControlConclusion.NOT_TESTABLE
        return not_testable or self.relies_on_unreliable(control)

    def effective(self, control: Control) -> bool:
        return self.verdicts[control.id] is ControlConclusion.NO_EXCEPTIONS and not (
            self.relies_on_unreliable(control)
        )

    def did_not_operate(self, control: Control) -> bool:
        """Not testable only because nothing happened in the period (not a scope limitation)."""
        own = self.codes.get(control.id, frozenset())
        return (
            self.verdicts[control.id] is ControlConclusion.NOT_TESTABLE
            and FindingCode.CONTROL_NOT_OPERATED in own
            and FindingCode.CONTROL_NO_POPULATION not in own
            and FindingCode.CONTROL_NO_EVIDENCE not in own
            and not self.relies_on_unreliable(control)
        )

    def exceptions_text(self, control: Control) -> str:
        test = self.tests.get(control.id)
        if test is None or not test.items:
            return control.id
        return f"{control.id} ({test.deviations} of {test.sample_size})"


def _controls_by_criterion(program: Program) -> dict[str, tuple[Control, ...]]:
    out: dict[str, list[Control]] = {}
    for control in program.controls:
        for crit in control.criteria:
            out.setdefault(crit, []).append(control)
    return {k: tuple(v) for k, v in out.items()}


def _family(control_id: str) -> str:
    """``CHG`` for ``CHG-01``; the leading letters when there is no dash."""
    head, dash, _ = control_id.rpartition("-")
    if dash and head:
        return head
    letters = "".join(ch for ch in control_id if ch.isalpha())
    return letters or control_id


def _group(criterion_id: str) -> str:
    """``CC6`` for ``CC6.2``: the criterion's series, the unit of pervasiveness."""
    return criterion_id.partition(".")[0]


def _names(ids: Iterable[str]) -> str:
    listed = list(dict.fromkeys(ids))
    shown = ", ".join(listed[:_LIST_LIMIT])
    more = len(listed) - _LIST_LIMIT
    return f"{shown} and {more} more" if more > 0 else shown


def _disclaimer(facts: _Facts) -> tuple[Opinion, str] | None:
    controls = facts.program.controls
    lacking = [c.id for c in controls if facts.unsupported(c)]
    if not controls or len(lacking) < DISCLAIMER_SHARE * len(controls):
        return None
    share = round(100 * len(lacking) / len(controls))
    return Opinion.DISCLAIMER, (
        f"disclaimer: sufficient evidence could not be obtained for {len(lacking)} of "
        f"{len(controls)} controls ({share}%, threshold {round(100 * DISCLAIMER_SHARE)}%): "
        f"{_names(lacking)} are not testable or rely on a population that cannot be relied on"
    )


def _deficient_criteria(facts: _Facts) -> list[str]:
    """In-scope criteria with no control, or whose controls have exceptions and none works."""
    out = []
    for crit in facts.in_scope:
        controls = facts.by_criterion.get(crit, ())
        if not controls:
            out.append(crit)
        elif not any(facts.effective(c) for c in controls) and any(
            facts.verdicts[c.id] is ControlConclusion.EXCEPTIONS for c in controls
        ):
            out.append(crit)
    return out


def _adverse(facts: _Facts) -> tuple[Opinion, str] | None:
    families = list(dict.fromkeys(_family(c.id) for c in facts.program.controls))
    failing = list(
        dict.fromkeys(
            _family(c.id)
            for c in facts.program.controls
            if facts.verdicts[c.id] is ControlConclusion.EXCEPTIONS
        )
    )
    if len(failing) >= PERVASIVE_MIN and 2 * len(failing) > len(families):
        return Opinion.ADVERSE, (
            f"adverse: exceptions are pervasive: {len(failing)} of {len(families)} control "
            f"families have controls with exceptions ({_names(failing)})"
        )
    groups = list(dict.fromkeys(_group(c) for c in facts.in_scope))
    deficient = list(dict.fromkeys(_group(c) for c in _deficient_criteria(facts)))
    if len(deficient) >= PERVASIVE_MIN and 2 * len(deficient) > len(groups):
        return Opinion.ADVERSE, (
            f"adverse: deficiencies are pervasive: {len(deficient)} of {len(groups)} criterion "
            f"groups have a criterion with no effective control ({_names(deficient)})"
        )
    return None


def _qualified(facts: _Facts) -> tuple[Opinion, str] | None:
    reasons = [
        *_criterion_reasons(facts),
        *_ownerless_reasons(facts),
        *(_divergence_reason(f) for f in facts.divergences),
    ]
    if not reasons:
        return None
    shown = "; ".join(reasons[:3])
    more = f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
    return Opinion.QUALIFIED, f"qualified: {shown}{more}"


_Reason = tuple[str, str, str]
"""(verb for one criterion, verb for several, the rest of the sentence)."""


def _sentence(crits: list[str], reason: _Reason) -> str:
    one, many, rest = reason
    return f"{', '.join(crits)} {one if len(crits) == 1 else many} {rest}"


def _criterion_reasons(facts: _Facts) -> list[str]:
    """One sentence per set of criteria sharing the same cause, in catalogue order."""
    grouped: dict[_Reason, list[str]] = {}
    for crit in facts.in_scope:
        reason = _criterion_reason(facts, facts.by_criterion.get(crit, ()))
        if reason is not None:
            grouped.setdefault(reason, []).append(crit)
    return [_sentence(crits, reason) for reason, crits in grouped.items()]


def _criterion_reason(facts: _Facts, controls: tuple[Control, ...]) -> _Reason | None:
    """Why a criterion has no effective control, or None when one works (or none operated)."""
    if not controls:
        return ("has", "have", "no control")
    if any(facts.effective(c) for c in controls):
        return None
    failing = [c for c in controls if facts.verdicts[c.id] is ControlConclusion.EXCEPTIONS]
    if failing and len(controls) == 1:
        test = facts.tests.get(failing[0].id)
        count = f" ({test.deviations} of {test.sample_size})" if test and test.items else ""
        return ("relies", "rely", f"only on {failing[0].id}, which has exceptions{count}")
    if failing:
        listed = " and ".join(facts.exceptions_text(c) for c in failing)
        return ("has", "have", f"no effective control: {listed} with exceptions")
    if all(facts.did_not_operate(c) for c in controls):
        return None
    lacking = ", ".join(c.id for c in controls)
    return ("has", "have", f"no control that could be tested for lack of evidence ({lacking})")


def _ownerless_reasons(facts: _Facts) -> list[str]:
    out = []
    for control in facts.program.controls:
        if FindingCode.CONTROL_OWNERLESS not in facts.codes.get(control.id, frozenset()):
            continue
        sole = [
            crit
            for crit in facts.in_scope
            if tuple(c.id for c in facts.by_criterion.get(crit, ())) == (control.id,)
        ]
        if sole:
            out.append(
                _sentence(sole, ("relies", "rely", f"only on {control.id}, which has no owner"))
            )
    return out


def _divergence_reason(finding: Finding) -> str:
    where = finding.policy or finding.control or "a policy"
    return f"{where}: practice breaks a policy commitment ({finding.title})"


def _unqualified_rule(facts: _Facts) -> str:
    noted = [
        facts.exceptions_text(c)
        for c in facts.program.controls
        if facts.verdicts[c.id] is ControlConclusion.EXCEPTIONS
    ]
    idle = [c.id for c in facts.program.controls if facts.did_not_operate(c)]
    text = "unqualified: no material issue"
    if noted:
        text += (
            f"; exceptions noted in Section IV on {_names(noted)} are covered by other "
            "effective controls for the same criteria"
        )
    else:
        text += "; every tested control operated without exceptions"
    if idle:
        text += f"; {_names(idle)} did not operate in the period (reported, not a modification)"
    return text
