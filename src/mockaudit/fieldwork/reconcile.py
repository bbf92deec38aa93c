"""Reconciliations between two populations, and the policy promises that rest on them.

A reconciliation (e.g. every termination has an access removal within N days) is
how an auditor corroborates one list with another (soc2-domain.md §3.2 "match
records between the report and the source", §4 R22/R23). Each unmatched left row
is a break. A policy commitment tied to a reconciliation may promise a tighter
delay than the reconciliation allows ("removed within 1 day" while the control
tolerates 3): the commitment is then re-checked with its own ``max_days``, and a
row that misses it is practice diverging from the written policy (§6.3).
"""

from __future__ import annotations

from collections.abc import Sequence

from mockaudit.domain import Commitment, Finding, FindingCode, Policy, Program, Reconciliation
from mockaudit.domain.observations import ReconciliationBreak
from mockaudit.fieldwork.governance import DIVERGENCE_JUDGEMENT, POLICY_CRITERIA
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.scope import accountable_owner, audit_window
from mockaudit.fieldwork.severity import counted, severity_of


def reconciliation_findings(program: Program, source: ProgramSource) -> list[Finding]:
    """A break finding per reconciliation with unmatched rows, then its broken commitments."""
    start, end = audit_window(program)
    findings: list[Finding] = []
    for rec in program.reconciliations:
        breaks = source.reconciliation_breaks(rec, start, end)
        if breaks:
            findings.append(_break_finding(program, rec, breaks))
        for policy, commitment in _commitments_on(program, rec.id):
            days = commitment.max_days if commitment.max_days is not None else rec.max_days
            late = breaks
            if days != rec.max_days:
                late = source.reconciliation_breaks(
                    rec.model_copy(update={"max_days": days}), start, end
                )
            if late:
                findings.append(_divergence(program, rec, policy, commitment, days, late))
    return findings


def _commitments_on(program: Program, rec_id: str) -> list[tuple[Policy, Commitment]]:
    return [
        (policy, commitment)
        for policy in program.policies
        for commitment in policy.commitments
        if commitment.reconciliation == rec_id
    ]


def _left_keys(breaks: Sequence[ReconciliationBreak]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(b.left_key for b in breaks))


def _examples(breaks: Sequence[ReconciliationBreak], limit: int = 5) -> str:
    shown = []
    for b in breaks[:limit]:
        when = f" ({b.left_day})" if b.left_day is not None else ""
        if b.right_day is None:
            shown.append(f"{b.left_key}{when}: no match")
        else:
            shown.append(f"{b.left_key}{when}: matched {counted(b.days or 0, 'day')} later")
    more = len(breaks) - limit
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _control_facts(program: Program, rec: Reconciliation) -> tuple[tuple[str, ...], str | None]:
    """The criteria and accountable owner of the reconciliation's control, if it has one."""
    control = program.control(rec.control) if rec.control else None
    if control is None:
        return (), None
    return control.criteria, accountable_owner(program, control.owner)


def _break_finding(
    program: Program, rec: Reconciliation, breaks: Sequence[ReconciliationBreak]
) -> Finding:
    criteria, owner = _control_facts(program, rec)
    keys = _left_keys(breaks)
    return Finding(
        id="",
        code=FindingCode.RECONCILIATION_BREAK,
        severity=severity_of(FindingCode.RECONCILIATION_BREAK),
        control=rec.control,
        population=rec.left,
        criteria=criteria,
        items=keys,
        owner=owner,
        title=f"{counted(len(keys), f'{rec.left} row')} without a matching {rec.right} row "
        f"within {counted(rec.max_days, 'day')} ({rec.id})",
        detail=f"Each {rec.left} row dated in the period needs a {rec.right} row with the same "
        f"{rec.left_match}/{rec.right_match} 0..{rec.max_days} days after its {rec.left_date}: "
        f"{_examples(breaks)} (soc2-domain.md §3.2, §4 R22/R23).",
        remediation=f"Complete the missing {rec.right} actions, find their records, or explain "
        "each break; then fix the process that let them slip.",
    )


def _divergence(
    program: Program,
    rec: Reconciliation,
    policy: Policy,
    commitment: Commitment,
    days: int,
    late: Sequence[ReconciliationBreak],
) -> Finding:
    criteria, owner = _control_facts(program, rec)
    keys = _left_keys(late)
    return Finding(
        id="",
        code=FindingCode.POLICY_PRACTICE_DIVERGENCE,
        severity=severity_of(FindingCode.POLICY_PRACTICE_DIVERGENCE),
        control=rec.control,
        population=rec.left,
        policy=policy.id,
        criteria=criteria or POLICY_CRITERIA,
        items=keys,
        owner=owner or accountable_owner(program, policy.owner),
        title=f'{policy.id} promises "{commitment.statement}", but '
        f"{counted(len(keys), f'{rec.left} row')} were not matched within "
        f"{counted(days, 'day')}",
        detail=f"Commitment {commitment.id} ({rec.id}, within {days} days): {_examples(late)}. "
        "Auditors test against what the policy says, so a policy stricter than practice "
        "becomes an exception (soc2-domain.md §6.3)." + DIVERGENCE_JUDGEMENT,
        remediation=f"Bring the practice up to the promise, or amend {policy.id} to what is "
        "actually done and have it re-approved.",
    )
