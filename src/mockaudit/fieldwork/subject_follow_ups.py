"""Follow-ups on controls, policies, reconciliations, criteria and risks.

One question per finding code and subject (criteria and risks are asked about
together), answered as a client could inside fieldwork: an owner can be named —
which leads to a walkthrough with them (soc2-domain.md §4 R67) — and a
divergence explained, but evidence, an approval or a list that never existed is
"not available" (§3.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from mockaudit.domain import Finding, FindingCode
from mockaudit.domain.run import RequestKind, RequestStatus
from mockaudit.fieldwork.request_context import ANSWER_DUE, REPULL_DUE, Ask, RequestContext
from mockaudit.fieldwork.request_wording import (
    and_join,
    criteria_of,
    ids_of,
    items_of,
    lower_first,
)
from mockaudit.fieldwork.scope import accountable_owner

_C = FindingCode
_S = RequestStatus

_SHARED_CODES = frozenset({_C.SCOPE_CRITERION_UNCOVERED, _C.RISK_UNMITIGATED})


def subject_follow_ups(ctx: RequestContext, findings: Sequence[Finding]) -> list[Ask]:
    """One follow-up per finding code and subject (criteria and risks: one per code)."""
    grouped: dict[tuple[FindingCode, str], list[Finding]] = {}
    for f in findings:
        subject = f.control or f.policy or f.population or f.risk or f.title
        grouped.setdefault((f.code, "" if f.code in _SHARED_CODES else subject), []).append(f)
    return [_subject_ask(ctx, code, subject, group) for (code, subject), group in grouped.items()]


def _subject_ask(ctx: RequestContext, code: FindingCode, subject: str, group: list[Finding]) -> Ask:
    first = group[0]
    question, parent, status, due, reply = _subject_question(ctx, code, first, group)
    policy_owner = ctx.program.policy(first.policy) if first.policy else None
    owner = first.owner or ctx.owner_of(first.control)
    if owner is None and policy_owner is not None:
        owner = accountable_owner(ctx.program, policy_owner.owner)
    then: tuple[Ask, ...] = ()
    if code is _C.CONTROL_OWNERLESS:
        then = (
            Ask(
                key=f"owner-walkthrough:{subject}",
                kind=RequestKind.FOLLOW_UP,
                description=f"Please schedule the walkthrough of {subject} with its new owner.",
                control=first.control,
                criteria=ctx.criteria_of(first.control),
                status=_S.CLOSED,
                reply="Walkthrough held with the new owner.",
                due_in=REPULL_DUE,
                parent=f"owner:{subject}",
            ),
        )
    return Ask(
        key=f"{'owner' if code is _C.CONTROL_OWNERLESS else code.value}:{subject}",
        kind=RequestKind.FOLLOW_UP,
        description=question,
        control=first.control,
        population=first.population,
        criteria=criteria_of(group),
        owner=owner,
        status=status,
        reply=reply,
        due_in=due,
        parent=parent,
        findings=ids_of(group),
        missing=tuple(items_of(group)) if status is _S.NOT_AVAILABLE else (),
        then=then,
    )


_Question = tuple[str, str | None, RequestStatus, int, str]
"""(question, parent key, client's answer, due in, client's reply)."""


def _subject_question(
    ctx: RequestContext, code: FindingCode, first: Finding, group: list[Finding]
) -> _Question:
    ctrl = first.control or ""
    gone = _S.NOT_AVAILABLE
    if code is _C.CONTROL_OWNERLESS:
        ask = (
            f"{ctrl} has no current owner: please confirm who operated it during the period and "
            "name an owner who can walk us through it."
        )
        return ask, "walkthrough:", _S.CLOSED, ANSWER_DUE, "Owner named."
    if ctrl and code in (_C.CONTROL_NO_EVIDENCE, _C.EVIDENCE_MISSING, _C.EVIDENCE_INTEGRITY):
        return _control_evidence_question(ctx, code, first)
    if code is _C.CONTROL_NO_POPULATION:
        ask = (
            f"{first.title}. Please provide the complete list of occurrences of {ctrl} "
            f"{ctx.period()} from the system of record."
        )
        return ask, None, gone, REPULL_DUE, "Not available: no such list is kept."
    if code is _C.CONTROL_NOT_OPERATED:
        control = ctx.program.control(ctrl)
        parent = f"population:{control.population}" if control and control.population else None
        ask = (
            f"No occurrence of {ctrl} was found {ctx.period()}: please confirm it did not "
            "operate, or provide the occurrences."
        )
        reply = "Confirmed: it did not operate in the period."
        return ask, parent or f"control:{ctrl}", gone, ANSWER_DUE, reply
    if first.policy is not None and code is not _C.POLICY_PRACTICE_DIVERGENCE:
        ask = (
            f"{first.title}. Please provide evidence that {first.policy} was reviewed and "
            "approved within its review interval."
        )
        return ask, f"policy:{first.policy}", gone, ANSWER_DUE, "Not available."
    if code is _C.POLICY_PRACTICE_DIVERGENCE:
        ask = (
            f"{first.title}. Please explain how practice meets the commitment in "
            f"{first.policy or 'the policy'}, with supporting evidence."
        )
        reply = "Explanation provided; the divergence stands."
        parent = f"policy:{first.policy}" if first.policy else None
        return ask, parent, _S.CLOSED, ANSWER_DUE, reply
    if code is _C.RECONCILIATION_BREAK:
        rows = and_join(items_of(group)[:10]) if items_of(group) else "these rows"
        ask = f"{first.title}. Please provide evidence that {rows} were handled in time."
        parent = f"population:{first.population}" if first.population else None
        return ask, parent, gone, REPULL_DUE, "Not available."
    if code is _C.SCOPE_CRITERION_UNCOVERED:
        crits = and_join(list(criteria_of(group)) or ["them"])
        ask = f"No control in the program addresses {crits}: please identify the controls that do."
        return ask, "description", gone, ANSWER_DUE, "Not available: no control addresses them."
    if code is _C.RISK_UNMITIGATED:
        risks = and_join(list(dict.fromkeys(f.risk or f.title for f in group)))
        ask = f"Risks {risks} have no mitigating control: please identify how each is treated."
        parent = "risks" if ctx.program.risks else "description"
        return ask, parent, gone, ANSWER_DUE, "Not available: no treatment is in place."
    if code.value.startswith(("vendor.", "description.")):
        ask = f"{first.title}. Please {lower_first(first.remediation)}"
        parent = f"control:{ctrl}" if ctrl and code.value.startswith("vendor.") else "description"
        return ask, parent, gone, ANSWER_DUE, "Not available during fieldwork."
    return f"Follow-up on: {first.title}.", None, gone, ANSWER_DUE, "Not available."


def _control_evidence_question(ctx: RequestContext, code: FindingCode, first: Finding) -> _Question:
    """Control-level evidence missing or failing verification (§3.1 follow-up reasons)."""
    ctrl = first.control or ""
    control = ctx.program.control(ctrl)
    named = and_join(list(control.evidence)) if control and control.evidence else "none named"
    fresh = code is _C.EVIDENCE_INTEGRITY
    ask = (
        f"{first.title}. Please provide {'fresh copies of ' if fresh else ''}the evidence that "
        f"{ctrl} operated {ctx.period()} (files named: {named})."
    )
    if fresh:
        return ask, f"control:{ctrl}", _S.CLOSED, REPULL_DUE, "Fresh copies provided."
    return ask, f"control:{ctrl}", _S.NOT_AVAILABLE, REPULL_DUE, "Not available."
