"""Per-criterion evaluation: which in-scope criteria a CPA firm would say are not met, and why.

soc2-domain.md §3.5: the opinion is modified for "a specific, limited material
issue (misstatement, design or operating failure for one criterion area) or a
limited scope limitation"; §3.4: a deviation is weighed against the tolerable
rate and "compensating/mitigating controls may be identified and tested to limit
the impact". The rules, one per line so each ground can be traced:

1. **What a control's test shows** (``Outcome``, from its ``ControlTest``):

   * *not operating* — instances missed for part of the period
     (``missed_occurrences``, e.g. a quarterly review not performed in Q2);
   * *deviations* — the sample's deviations exceed the tolerable rate after
     expansion (``effective`` is False; ``domain/tolerable.py``);
   * *design* — Type 1: the one instance inspected shows the control is not
     designed or implemented as described (§3.6);
   * *scope limitation* — the population or the sampled evidence was not produced
     (``scope_limited``; a sampled control without a population or an
     unreconciled population listing, §3.2 IPE; a control with nothing to inspect);
   * *idle* — no occurrence in the period (§3.2 zero-occurrence convention):
     reported, neither a ground nor evidence for the criterion;
   * otherwise the control **operated effectively** (with or without an exception
     noted within the tolerable rate).

2. **Compensation**: a failing control's criterion is still met only when another
   control (a) mitigates the same risk (the scenario's ``risks[].controls``),
   (b) maps to the same criterion and (c) operated effectively. Provisioning does
   not cover deprovisioning: IAM-01 and IAM-02 share criteria, not a risk.
3. **Design deficiency**: an in-scope criterion with no control at all.
4. **Description misstatement** (§3.8, DC 200): a high ``walkthrough.divergence`` —
   the owner's account of the control contradicts the described control.

Not grounds by themselves: an ownerless control that operated (a readiness risk,
``control.ownerless``), and a policy worded stricter than practice
(``policy.practice_divergence``: an exception plus a description fix, §6.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from mockaudit.domain import Program, criteria_for
from mockaudit.domain.enums import ReportType
from mockaudit.domain.findings import Finding, FindingCode, Severity
from mockaudit.domain.run import ControlConclusion, ControlTest, Ground, GroundKind

SCOPE_CODES = frozenset({FindingCode.CONTROL_NO_POPULATION, FindingCode.CONTROL_NO_EVIDENCE})
"""A control with one of these findings could not be tested for lack of evidence (§3.5)."""

UNRELIABLE_POPULATION_CODES = frozenset({FindingCode.POPULATION_COUNT_MISMATCH})
"""A high finding of these codes makes every control on the population a scope limitation:
the listing does not reconcile to the source, so no sample from it is evidence (§3.2)."""


@dataclass(frozen=True)
class Outcome:
    """What the auditor concluded about one control (one draw of its sample)."""

    control: str
    effective: bool | None = None  # the sample's verdict; None: not tested for operation
    exceptions: int | None = None  # deviations the auditor noted; None: not known (simulated)
    sample: int = 0
    missed: tuple[str, ...] = ()
    scope_limited: bool = False
    design: bool = False
    idle: bool = False  # did not operate at all in the period (zero occurrences)
    unreliable: str | None = None  # the population that does not reconcile (scope limitation)

    @property
    def operated_effectively(self) -> bool:
        return self.effective is True and not (self.missed or self.scope_limited or self.design)

    @property
    def kind(self) -> GroundKind | None:
        """The ground this control gives its criteria when nothing compensates, or None."""
        if self.design:
            return GroundKind.DESIGN
        if self.scope_limited:
            return GroundKind.SCOPE_LIMITATION
        if self.missed:
            return GroundKind.NOT_OPERATING
        if self.effective is False:
            return GroundKind.DEVIATIONS
        return None

    def with_verdict(self, effective: bool, exceptions: int | None) -> Outcome:
        """The same control with another sample's verdict (the simulation's redraw)."""
        return replace(self, effective=effective, exceptions=exceptions)


@dataclass(frozen=True)
class Context:
    """Program-level facts the evaluation needs, computed once per run."""

    in_scope: tuple[str, ...]
    by_criterion: Mapping[str, tuple[str, ...]]
    partners: Mapping[str, frozenset[str]]  # control → controls sharing a risk with it
    descriptions: Mapping[str, str]  # control → title of a description misstatement
    controls: tuple[str, ...]
    as_of: date  # Type 1: the date of the description
    type1: bool = False  # design and implementation as of a date, no operating period

    @classmethod
    def of(cls, program: Program, findings: Sequence[Finding]) -> Context:
        by_criterion: dict[str, list[str]] = {}
        for control in program.controls:
            for crit in control.criteria:
                by_criterion.setdefault(crit, []).append(control.id)
        partners: dict[str, set[str]] = {c.id: set() for c in program.controls}
        for risk in program.risks:
            for cid in risk.controls:
                partners.setdefault(cid, set()).update(c for c in risk.controls if c != cid)
        descriptions = {
            f.control: f.title
            for f in findings
            if f.code is FindingCode.WALKTHROUGH_DIVERGENCE
            and f.severity is Severity.HIGH
            and f.control is not None
        }
        return cls(
            in_scope=tuple(c.id for c in criteria_for(program.engagement.categories)),
            by_criterion={k: tuple(v) for k, v in by_criterion.items()},
            partners={k: frozenset(v) for k, v in partners.items()},
            descriptions=descriptions,
            controls=tuple(c.id for c in program.controls),
            as_of=program.engagement.period_end,
            type1=program.engagement.report_type is ReportType.TYPE1,
        )


def outcomes(
    program: Program, tests: Sequence[ControlTest], findings: Sequence[Finding]
) -> dict[str, Outcome]:
    """Each control's outcome in the seeded run (rule 1 of the module docstring)."""
    by_control = {t.control: t for t in tests}
    codes: dict[str, set[FindingCode]] = {}
    for f in findings:
        if f.control is not None:
            codes.setdefault(f.control, set()).add(f.code)
    unreliable = {
        f.population
        for f in findings
        if f.code in UNRELIABLE_POPULATION_CODES and f.severity is Severity.HIGH and f.population
    }
    type1 = program.engagement.report_type is ReportType.TYPE1
    out: dict[str, Outcome] = {}
    for control in program.controls:
        own = codes.get(control.id, set())
        test = by_control.get(control.id)
        unreliable_population = control.population is not None and control.population in unreliable
        out[control.id] = _outcome(control.id, test, own, unreliable_population, type1=type1)
    return out


def _outcome(
    cid: str, test: ControlTest | None, codes: set[FindingCode], unreliable: bool, *, type1: bool
) -> Outcome:
    if test is None:  # never tested: nothing was obtained for it
        return Outcome(cid, scope_limited=True)
    effective = test.effective
    if effective is None and test.conclusion is not ControlConclusion.NOT_TESTABLE:
        effective = test.conclusion is ControlConclusion.NO_EXCEPTIONS
    not_testable = test.conclusion is ControlConclusion.NOT_TESTABLE
    idle = (
        not_testable
        and FindingCode.CONTROL_NOT_OPERATED in codes
        and not (codes & SCOPE_CODES)
        and not test.missed_occurrences
    )
    scope = test.scope_limited or unreliable or (not_testable and not idle)
    exceptions = test.exceptions_noted or test.deviations + len(test.missed_occurrences)
    return Outcome(
        control=cid,
        effective=effective,
        exceptions=exceptions,
        sample=test.sample_size,
        missed=test.missed_occurrences,
        scope_limited=scope and not idle,
        design=type1 and effective is False,
        idle=idle,
        unreliable=test.population if unreliable and not idle else None,
    )


def grounds(context: Context, results: Mapping[str, Outcome]) -> list[Ground]:
    """Every qualification ground, criterion by criterion, in catalogue order (rules 2–4)."""
    out: list[Ground] = []
    for crit in context.in_scope:
        controls = context.by_criterion.get(crit, ())
        if not controls:
            out.append(
                Ground(
                    criterion=crit,
                    kind=GroundKind.DESIGN,
                    text=f"no control addresses {crit} (design deficiency)",
                )
            )
            continue
        for cid in controls:
            ground = _control_ground(context, results, crit, cid, controls)
            if ground is not None:
                out.append(ground)
    return out


def _control_ground(
    context: Context,
    results: Mapping[str, Outcome],
    crit: str,
    cid: str,
    controls: tuple[str, ...],
) -> Ground | None:
    if cid in context.descriptions:
        return Ground(
            criterion=crit,
            kind=GroundKind.DESCRIPTION,
            controls=(cid,),
            text=f"{cid}: the description misstates the control ({context.descriptions[cid]})",
        )
    outcome = results[cid]
    kind = outcome.kind
    if kind is None:
        return None
    partners = context.partners.get(cid, frozenset())
    if any(g in partners and results[g].operated_effectively for g in controls if g != cid):
        return None  # compensated: same risk, same criterion, operated effectively
    return Ground(
        criterion=crit, kind=kind, controls=(cid,), text=ground_text(outcome, kind, context)
    )


def ground_text(outcome: Outcome, kind: GroundKind, context: Context) -> str:
    """One line per ground, counts included when the sample is known."""
    cid = outcome.control
    if kind is GroundKind.NOT_OPERATING:
        missed = ", ".join(outcome.missed)
        return f"{cid} did not operate for part of the period ({missed} not performed)"
    if kind is GroundKind.SCOPE_LIMITATION and outcome.unreliable:
        return (
            f"{cid}: its population ({outcome.unreliable}) does not reconcile to the source"
            " system, so no sample from it is evidence (scope limitation)"
        )
    if kind is GroundKind.SCOPE_LIMITATION:
        return f"{cid}: the evidence to test it was not produced (scope limitation)"
    if kind is GroundKind.DESIGN:
        return f"{cid}: not suitably designed or implemented as of {context.as_of}"
    if outcome.exceptions is not None and outcome.sample:
        return (
            f"{cid}: {outcome.exceptions} of {outcome.sample} sampled items deviated,"
            " above the tolerable rate"
        )
    return f"{cid}: deviations above the tolerable rate"


def summary_text(ground: Ground) -> str:
    """The ground without this sample's counts (what the distribution aggregates on)."""
    if ground.kind is GroundKind.DEVIATIONS and ground.controls:
        return f"{ground.controls[0]}: deviations above the tolerable rate"
    return ground.text
