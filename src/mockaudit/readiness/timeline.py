"""When the real reports could be dated, given the gaps still open.

soc2-audit-process.txt: "remediation is where most of the calendar time goes"
and "for a Type 2, every control must be live and producing evidence before the
observation window opens"; a Type 1 assesses design as of a single date.
A Type 2 period already over when the mock audit runs is reported as it ran,
exceptions included, and is never restarted: remediation dates go into the next
period, which starts the day after (§3.4: every deviation found is disclosed;
§3.6: consecutive periods, bridge letters for the gap).
soc2-domain.md §3.6: Type 2 windows of 3, 6 or 12 months; §3.1: fieldwork,
draft, management responses and the final report take several weeks after the
period ends (``REPORT_LAG_DAYS``, five weeks: the middle of the usual 4–6).

Remediation: each open high or medium finding needs the calendar days in
``EFFORT_DAYS`` (our estimates of typical work). Findings about the same thing
(code + control/population/policy/risk) are one piece of work — forty deviating
items of one control are one process to fix. Part of a piece is waiting, not
working: once a control is fixed or started it must *operate* before there is
evidence of it ("every control must be live and producing evidence", above) —
``SETTLE_DAYS`` of the effort. The guide's advice "parallelizing the work with a
clear owner per gap" is the model: each owner works through their own pieces one
after another while the fixed controls settle in parallel (pieces that settle
longest go first, which is the shortest schedule: Jackson's rule), owners work in
parallel, and ownerless pieces queue on the desk of the role the control names
(``desks``: a starter program's "security-lead" before a person is assigned) or,
with none named, on one desk. Remediation days = the owner who finishes last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from mockaudit.domain import Engagement
from mockaudit.domain.dates import add_months
from mockaudit.domain.enums import ReportType
from mockaudit.domain.findings import Finding, FindingCode, Severity
from mockaudit.domain.run import Timeline
from mockaudit.errors import InputError

WINDOWS = (3, 6, 12)
REPORT_LAG_DAYS = 35

EFFORT_DAYS: dict[FindingCode, int] = {
    FindingCode.SCOPE_CRITERION_UNCOVERED: 30,  # design a control, write its procedure
    FindingCode.SCOPE_TOO_BROAD: 5,  # a scoping decision and an updated description
    FindingCode.CONTROL_OWNERLESS: 2,  # name an owner and brief them
    FindingCode.CONTROL_NO_POPULATION: 14,  # set up a system-of-record export
    FindingCode.CONTROL_NOT_OPERATED: 21,  # perform the control inside the window
    FindingCode.CONTROL_NO_EVIDENCE: 5,  # capture the configuration / document
    FindingCode.POPULATION_PERIOD_GAP: 14,  # fix collection so the whole period is covered
    FindingCode.POPULATION_COUNT_MISMATCH: 5,  # re-pull with query and count screenshot
    FindingCode.POPULATION_OUT_OF_PERIOD: 2,
    FindingCode.POPULATION_DUPLICATE: 2,
    FindingCode.POPULATION_MISSING_FIELD: 7,  # make the source record the field
    FindingCode.POPULATION_WEAK_SOURCE: 10,  # move the list to a system export
    FindingCode.POPULATION_EXTRACTED_EARLY: 1,
    FindingCode.SAMPLE_DEVIATION: 21,  # fix the process, then let it run
    FindingCode.EVIDENCE_MISSING: 5,  # retain evidence going forward
    FindingCode.EVIDENCE_INTEGRITY: 2,  # re-collect the file from its source
    FindingCode.RECONCILIATION_BREAK: 14,  # fix the hand-off between the two processes
    FindingCode.POLICY_STALE: 7,  # review and approve the policy
    FindingCode.POLICY_PRACTICE_DIVERGENCE: 14,  # align the policy or the practice
    FindingCode.RISK_UNMITIGATED: 21,  # choose and implement a treatment
    FindingCode.WALKTHROUGH_DIVERGENCE: 3,  # update the description, brief the owner
    FindingCode.VENDOR_BRIDGE_LETTER_NEEDED: 10,  # request and read the vendor's bridge letter
    FindingCode.VENDOR_REPORT_STALE: 14,  # obtain the current report or other assurance
    FindingCode.VENDOR_EXCEPTION_UNEVALUATED: 3,  # evaluate and record the effect
    FindingCode.VENDOR_CSOC_UNMONITORED: 14,  # design a monitoring control
    FindingCode.VENDOR_CUEC_UNMAPPED: 7,  # map it, or design the control
    FindingCode.VENDOR_SYSTEM_UNADDRESSED: 5,  # decide carve-out or inclusive, describe it
    FindingCode.VENDOR_REVIEW_INCOMPLETE: 5,  # complete the review record
    FindingCode.DESCRIPTION_ELEMENT_MISSING: 5,  # write the missing part of Section III
    FindingCode.DESCRIPTION_SLA_BREACH_UNDISCLOSED: 3,  # disclose it in the description
    FindingCode.DESCRIPTION_INCIDENT_UNDISCLOSED: 3,
    FindingCode.DESCRIPTION_CHANGE_UNDISCLOSED: 3,
}

SETTLE_DAYS: dict[FindingCode, int] = {
    FindingCode.SCOPE_CRITERION_UNCOVERED: 21,  # the new control then operates
    FindingCode.CONTROL_NOT_OPERATED: 19,  # started in 2 days, then its instance is due
    FindingCode.SAMPLE_DEVIATION: 14,  # the fixed process then runs
    FindingCode.RECONCILIATION_BREAK: 7,
    FindingCode.POPULATION_PERIOD_GAP: 7,
    FindingCode.POLICY_PRACTICE_DIVERGENCE: 7,  # the amended policy through approval
    FindingCode.RISK_UNMITIGATED: 14,  # the treatment then operates
}
"""The waiting part of ``EFFORT_DAYS`` (module docstring): calendar days after the
owner's work during which the control runs; never more than the effort."""

_OPEN = (Severity.HIGH, Severity.MEDIUM)
_NOBODY = ""


def remediation_days(findings: Sequence[Finding], desks: Mapping[str, str] | None = None) -> int:
    """Calendar days until every open high/medium finding is fixed (see module docstring).

    ``desks`` maps a control id to the owner it names (a person or a role) for the
    pieces no person is accountable for."""
    pieces: dict[tuple[str, ...], tuple[str, int, int]] = {}
    for f in findings:
        if f.severity not in _OPEN:
            continue
        subject = f.control or f.population or f.policy or f.risk or ",".join(f.criteria)
        desk = f.owner or (desks or {}).get(f.control or "", _NOBODY)
        effort, settle = EFFORT_DAYS[f.code], SETTLE_DAYS.get(f.code, 0)
        pieces.setdefault((f.code.value, subject), (desk, effort - settle, settle))
    queues: dict[str, list[tuple[int, int]]] = {}
    for desk, work, settle in pieces.values():
        queues.setdefault(desk, []).append((work, settle))
    return max(map(_finish, queues.values()), default=0)


def _finish(pieces: list[tuple[int, int]]) -> int:
    """One owner's last day: work one piece after another, the longest-settling first."""
    worked = finish = 0
    for work, settle in sorted(pieces, key=lambda piece: -piece[1]):
        worked += work
        finish = max(finish, worked + settle)
    return finish


def timeline(
    findings: Sequence[Finding],
    engagement: Engagement,
    *,
    as_of: date,
    window_months: int,
    desks: Mapping[str, str] | None = None,
) -> Timeline:
    """The earliest Type 1 date and the Type 2 window and report date from ``as_of``.

    A Type 2 period that is already over (``as_of`` after its end) is never
    restarted: it is reported as run, with its exceptions, ``REPORT_LAG_DAYS``
    (fieldwork, draft, management responses, issuance; §3.1) after the later of
    its end and ``as_of``; the remediation goes into the next period, which
    starts the day after the completed one and runs ``window_months``.

    Otherwise, with nothing open the planned Type 2 period stands; with open gaps
    the window opens when remediation is done, or at the planned start if that is
    later. Fieldwork cannot start before ``as_of``, so the report comes
    ``REPORT_LAG_DAYS`` after the later of period end and as_of.
    """
    if window_months not in WINDOWS:
        raise InputError(f"window of {window_months} months: use 3, 6 or 12")
    days = remediation_days(findings, desks)
    ready = as_of + timedelta(days=days)
    planned = engagement.period_start if engagement.report_type is ReportType.TYPE2 else None
    lag = timedelta(days=REPORT_LAG_DAYS)
    if planned is not None and as_of > engagement.period_end:
        return _completed(engagement, planned, as_of, days, window_months)
    if planned is not None and (days == 0 or planned >= ready):
        start = planned
    else:
        start = ready
    end = add_months(start, window_months) - timedelta(days=1)
    return Timeline(
        remediation_days=days,
        type1_earliest=ready,
        type2_window_months=window_months,
        type2_period_start=start,
        type2_period_end=end,
        type2_report_date=max(end, as_of) + lag,
        remediated_on=ready,
    )


def _completed(
    engagement: Engagement, start: date, as_of: date, days: int, window_months: int
) -> Timeline:
    """The completed period as run, and the next one from the day after (module docstring)."""
    lag = timedelta(days=REPORT_LAG_DAYS)
    ready = as_of + timedelta(days=days)
    end = engagement.period_end
    next_start = end + timedelta(days=1)
    next_end = add_months(next_start, window_months) - timedelta(days=1)
    return Timeline(
        remediation_days=days,
        type1_earliest=ready,
        type2_window_months=window_months,
        type2_period_start=start,
        type2_period_end=end,
        type2_report_date=max(end, as_of) + lag,
        period_completed=True,
        remediated_on=ready,
        next_period_start=next_start,
        next_period_end=next_end,
        next_report_date=max(next_end, ready) + lag,
    )
