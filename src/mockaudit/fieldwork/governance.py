"""Policies and risks: attribute commitments, approval windows, unmitigated risks.

* ``policy.practice_divergence`` (control + attribute form): a policy promises what a
  control's attribute checks, so every item failing that attribute in the
  full-population scan breaks the promise (soc2-domain.md §6.3, §6.4). The
  reconciliation form lives in :mod:`mockaudit.fieldwork.reconcile`. Both say that
  this is an exception plus a description fix, not an opinion ground by itself
  (``DIVERGENCE_JUDGEMENT``, readiness/evaluation.py).
* ``policy.stale``: scenario-format.md says ``approved_on`` "must fall in the period or
  within review_interval_days before period_end". For a Type 2 the window is therefore
  [min(period_start, period_end − review_interval_days), period_end]; for a Type 1
  (no period) it is [period_end − review_interval_days, period_end]. Both ends are
  inclusive; an approval after period_end was not in force at the end, and a policy
  with no approval date has nothing to show (§3.2, §4 R05, §6.2 #7).
* ``risk.unmitigated``: a risk that names no control. Controls a risk names always
  exist (the program refuses unknown ids); a named control that is ownerless is
  reported as ``control.ownerless`` and not again here, so one cause gives one finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Final

from mockaudit.domain import (
    Control,
    Finding,
    FindingCode,
    Policy,
    Program,
    ReportType,
    Risk,
)
from mockaudit.fieldwork.scope import accountable_owner
from mockaudit.fieldwork.severity import HIGH_RISK_SCORE, counted, severity_of

POLICY_CRITERIA: Final = ("CC5.3",)
"""Controls deployed through approved policies and procedures (TSC CC5.3)."""

DIVERGENCE_JUDGEMENT: Final = (
    " For the opinion a policy worded stricter than practice is an exception plus a"
    " description fix, not a ground by itself: the items are disclosed in Section IV and the"
    " policy must be amended to what is done (or practice brought up to it); the opinion"
    " changes only when the control's own test fails its criterion (soc2-domain.md §3.4,"
    " §3.5, §6.3)."
)
"""What every ``policy.practice_divergence`` finding says about the opinion."""

RISK_CRITERIA: Final = ("CC3.2", "CC5.1")
"""Risks are identified and analysed (CC3.2) and controls are chosen to mitigate them (CC5.1)."""


def commitment_findings(
    program: Program, failing: Mapping[str, Mapping[str, Sequence[str]]]
) -> list[Finding]:
    """A divergence per control+attribute commitment whose attribute failed on some item.

    ``failing[control][attribute]`` holds the keys of every item of the population
    that fails the attribute (the full-population scan).
    """
    findings = []
    for policy in program.policies:
        for commitment in policy.commitments:
            if commitment.control is None or commitment.attribute is None:
                continue
            keys = tuple(
                dict.fromkeys(failing.get(commitment.control, {}).get(commitment.attribute, ()))
            )
            if not keys:
                continue
            control = program.control(commitment.control)
            owner = accountable_owner(program, control.owner) if control else None
            findings.append(
                Finding(
                    id="",
                    code=FindingCode.POLICY_PRACTICE_DIVERGENCE,
                    severity=severity_of(FindingCode.POLICY_PRACTICE_DIVERGENCE),
                    control=commitment.control,
                    population=control.population if control else None,
                    policy=policy.id,
                    criteria=control.criteria if control else POLICY_CRITERIA,
                    items=keys,
                    owner=owner or accountable_owner(program, policy.owner),
                    title=f'{policy.id} promises "{commitment.statement}", but '
                    f"{counted(len(keys), 'item')} fail "
                    f"{commitment.control}/{commitment.attribute}",
                    detail=f"Commitment {commitment.id} is kept only when attribute "
                    f"{commitment.attribute} of {commitment.control} passes on every item; "
                    f"it fails on {', '.join(keys[:5])}"
                    + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
                    + ". Auditors test against what the policy says (soc2-domain.md §6.3)."
                    + DIVERGENCE_JUDGEMENT,
                    remediation=f"Fix the failing items and the process behind them, or amend "
                    f"{policy.id} to what is actually done and have it re-approved.",
                )
            )
    return findings


def approval_window(program: Program, policy: Policy) -> tuple[date, date]:
    """The days on which an approval keeps ``policy`` current (module doc), inclusive."""
    engagement = program.engagement
    end = engagement.period_end
    start = end - timedelta(days=policy.review_interval_days)
    if engagement.report_type is ReportType.TYPE2 and engagement.period_start is not None:
        start = min(start, engagement.period_start)
    return start, end


def policy_findings(program: Program) -> list[Finding]:
    """``policy.stale`` for every policy approved outside its window (or never)."""
    findings = []
    for policy in program.policies:
        if policy.approved_on is None:
            findings.append(_unapproved(program, policy))
            continue
        first, last = approval_window(program, policy)
        approved = policy.approved_on
        if approved < first:
            days_outside = (first - approved).days
            title = (
                f"Policy {policy.id} was last approved on {approved}, "
                f"{counted(days_outside, 'day')} "
                f"before its window opens ({first})"
            )
        elif approved > last:
            days_outside = (approved - last).days
            title = f"Policy {policy.id} was approved on {approved}, after the period end {last}"
        else:
            continue
        findings.append(
            Finding(
                id="",
                code=FindingCode.POLICY_STALE,
                severity=severity_of(FindingCode.POLICY_STALE, days_outside=days_outside),
                policy=policy.id,
                criteria=POLICY_CRITERIA,
                owner=accountable_owner(program, policy.owner),
                title=title,
                detail=f'"{policy.title}" must be approved between {first} and {last} (in the '
                f"period or within its {policy.review_interval_days}-day review interval "
                "before period end); an approval outside that window does not count "
                "(soc2-domain.md §3.2, §4 R05).",
                remediation=f"Review {policy.id} and record a new approval (approver and date).",
            )
        )
    return findings


def _unapproved(program: Program, policy: Policy) -> Finding:
    """A policy with no approval date: evidence to provide (the approved document), named
    by the control that approves policies and the controls whose commitments rest on it."""
    first, last = approval_window(program, policy)
    approving = policy_control(program)
    relying = sorted({c.control for c in policy.commitments if c.control})
    named = approving.id if approving else "the policy-approval control"
    return Finding(
        id="",
        code=FindingCode.POLICY_STALE,
        severity=severity_of(FindingCode.POLICY_STALE, days_outside=None),
        control=approving.id if approving else None,
        policy=policy.id,
        criteria=POLICY_CRITERIA,
        owner=accountable_owner(program, policy.owner),
        title=f"{named}: provide the approved {policy.title} ({policy.id}) "
        "— no approval date is recorded",
        detail=f"The auditor asks for {policy.id} as approved by management (soc2-domain.md §4 "
        f"R05); an approval between {first} and {last} is tested under {named} (§3.2)"
        + (f", and {', '.join(relying)} rest on its commitments" if relying else "")
        + ". Without an approval date there is nothing to show.",
        remediation=f"Add {policy.id}'s approval (approver and date, approved_on) and store the "
        f"approved document in the vault for {named}.",
    )


def policy_control(program: Program) -> Control | None:
    """The control that approves policies: the first covering CC5.3 whose title speaks of
    policies, else the first covering CC5.3 at all (TSC CC5.3: control activities are
    deployed through approved policies)."""
    covering = [c for c in program.controls if set(c.criteria) & set(POLICY_CRITERIA)]
    about_policies = [c for c in covering if "polic" in c.title.lower()]
    return next(iter(about_policies or covering), None)


def risk_findings(program: Program) -> list[Finding]:
    """``risk.unmitigated`` for every risk that names no control."""
    return [_unmitigated(risk) for risk in program.risks if not risk.controls]


def _unmitigated(risk: Risk) -> Finding:
    score = risk.likelihood * risk.impact
    rated = "high" if score >= HIGH_RISK_SCORE else "rated"
    return Finding(
        id="",
        code=FindingCode.RISK_UNMITIGATED,
        severity=severity_of(
            FindingCode.RISK_UNMITIGATED, likelihood=risk.likelihood, impact=risk.impact
        ),
        risk=risk.id,
        criteria=RISK_CRITERIA,
        title=f'Risk {risk.id} "{risk.title}" has no control',
        detail=f"A {rated} risk (likelihood {risk.likelihood} × impact {risk.impact} = {score}) "
        "with no control mitigating it is a gap in the risk assessment (TSC CC3.2, CC5.1; "
        "soc2-domain.md §6.1 design deficiency).",
        remediation="Map the controls that mitigate it, design one, or record management's "
        "acceptance of the risk.",
    )
