"""How serious each finding is, and why: the one severity table every fieldwork module uses.

High findings block an audit (``--fail-on high``) and drive the likely opinion;
medium ones become exceptions or follow-up rounds; low ones are housekeeping
that slows fieldwork without changing its outcome. Every row cites the part of
``soc2-domain.md`` it rests on, so a user asking "why is this high?" gets an answer.

Context-dependent codes take keyword arguments (all optional; a missing one
falls back to the code's default row):

* ``control.ownerless``: ``operation`` = ``"operated"`` | ``"failed"`` | ``"never"``
  (what testing showed; before testing, ``variant`` = ``"none"`` | ``"unknown"`` | ``"left"``)
* ``control.not_operated``: ``frequency`` (a :class:`Frequency`)
* ``population.period_gap``: ``kind`` = ``"unit"`` | ``"edge"`` | ``"event_gap"``
* ``population.weak_source``: ``has_query``, ``has_count_evidence`` (bools)
* ``population.extracted_early``: ``days_early`` (int)
* ``sample.deviation``: ``exceptions`` (bool: the control concludes "exceptions noted")
* ``policy.stale``: ``days_outside`` (int, or None when there is no approval date)
* ``risk.unmitigated``: ``likelihood``, ``impact`` (1..5)
* ``vendor.bridge_letter_needed``: ``gap_days`` (int)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from mockaudit.domain.enums import Frequency
from mockaudit.domain.findings import Finding, FindingCode, Severity
from mockaudit.domain.run import ControlConclusion, ControlTest

_H, _M, _L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
_C = FindingCode

DEFAULT_SEVERITY: Final[Mapping[FindingCode, Severity]] = {
    _C.SCOPE_CRITERION_UNCOVERED: _H,
    _C.SCOPE_TOO_BROAD: _L,
    _C.CONTROL_OWNERLESS: _M,
    _C.CONTROL_NO_POPULATION: _H,
    _C.CONTROL_NOT_OPERATED: _H,
    _C.CONTROL_NO_EVIDENCE: _M,
    _C.POPULATION_PERIOD_GAP: _H,
    _C.POPULATION_COUNT_MISMATCH: _H,
    _C.POPULATION_OUT_OF_PERIOD: _M,
    _C.POPULATION_DUPLICATE: _M,
    _C.POPULATION_MISSING_FIELD: _M,
    _C.POPULATION_WEAK_SOURCE: _M,
    _C.POPULATION_EXTRACTED_EARLY: _L,
    _C.SAMPLE_DEVIATION: _M,
    _C.EVIDENCE_MISSING: _M,
    _C.EVIDENCE_INTEGRITY: _H,
    _C.RECONCILIATION_BREAK: _H,
    _C.POLICY_STALE: _L,
    _C.POLICY_PRACTICE_DIVERGENCE: _H,
    _C.RISK_UNMITIGATED: _M,
    _C.WALKTHROUGH_DIVERGENCE: _M,
    _C.VENDOR_BRIDGE_LETTER_NEEDED: _M,
    _C.VENDOR_REPORT_STALE: _H,
    _C.VENDOR_EXCEPTION_UNEVALUATED: _M,
    _C.VENDOR_CSOC_UNMONITORED: _M,
    _C.VENDOR_CUEC_UNMAPPED: _M,
    _C.VENDOR_SYSTEM_UNADDRESSED: _M,
    _C.VENDOR_REVIEW_INCOMPLETE: _M,
    _C.DESCRIPTION_ELEMENT_MISSING: _M,
    _C.DESCRIPTION_SLA_BREACH_UNDISCLOSED: _H,
    _C.DESCRIPTION_INCIDENT_UNDISCLOSED: _H,
    _C.DESCRIPTION_CHANGE_UNDISCLOSED: _M,
}
"""The severity of each code when no context changes it."""

SEVERITY_REASONS: Final[Mapping[FindingCode, str]] = {
    _C.SCOPE_CRITERION_UNCOVERED: "high: a criterion with no control cannot be met, a design "
    "deficiency that qualifies the opinion on it (soc2-domain.md §3.5, §6.1 design)",
    _C.SCOPE_TOO_BROAD: "low: over-scoping costs time and samples but is no exception "
    "(§6.3 'scope too broad', §6.4 overly_broad_scope)",
    _C.CONTROL_OWNERLESS: "medium: a readiness risk, not an exception, when the control operated "
    "(the auditor tests the control, not the org chart); high only when it also failed or never "
    "operated, where nobody owning it is the likely cause (§3.5, §6.3, §6.4 ownerless_control)",
    _C.CONTROL_NO_POPULATION: "high: a sampled control with no population cannot be tested, a "
    "scope limitation (§3.2 populations, §3.5 disclaimer, §6.1 scope limitation)",
    _C.CONTROL_NOT_OPERATED: "high for scheduled controls (daily..semiannual) that never ran, an "
    "execution failure (§6.1); medium for event-driven and annual ones, which are 'not testable' "
    "rather than failed (§2.1 untestable annual control, §3.2 zero-occurrence populations)",
    _C.CONTROL_NO_EVIDENCE: "medium: the configuration or document is requested again in a "
    "follow-up round before it becomes an exception (§3.1 rounds, §6.1 evidence)",
    _C.POPULATION_PERIOD_GAP: "high when scheduled occurrences are missing or the listing stops "
    "short of the period, each missed unit an exception (§3.2 coverage rule, §3.4 'one missed "
    "quarter', §6.3 incomplete populations); medium for an improbable silence in an event list, "
    "which the auditor first asks about (§3.2 'look for gaps in sequence or dates')",
    _C.POPULATION_COUNT_MISMATCH: "high: a list that does not reconcile to the system's own count "
    "fails completeness, so no sample drawn from it is reliable (§3.2 IPE, §6.3)",
    _C.POPULATION_OUT_OF_PERIOD: "medium: out-of-period rows are excluded from sampling but show "
    "the extract was not filtered as claimed (§3.2 'evidence dated outside the period')",
    _C.POPULATION_DUPLICATE: "medium: duplicated rows make the list inaccurate and inflate the "
    "frame (§3.2 accurate, consistent)",
    _C.POPULATION_MISSING_FIELD: "medium: an attribute cannot be tested on a blank row, a "
    "deviation when sampled (§2.1, §3.2 precise and detailed enough)",
    _C.POPULATION_WEAK_SOURCE: "medium with a count screenshot but no query; high with neither "
    "(completeness cannot be tested at all); low when the query is there but the list is "
    "hand-made or lacks its count screenshot (§3.2 C&A techniques [S20][S23])",
    _C.POPULATION_EXTRACTED_EARLY: "low when pulled within two weeks of period end, medium "
    "beyond (§3.2 timely; 'within about two weeks of the period end')",
    _C.SAMPLE_DEVIATION: "medium for an isolated deviation; high when the control concludes "
    "'exceptions noted' (§3.4, §6.2 impact rule of thumb)",
    _C.EVIDENCE_MISSING: "medium: missing evidence on an item counts as a deviation and costs a "
    "follow-up round (§2.1, §3.1, §6.1 evidence)",
    _C.EVIDENCE_INTEGRITY: "high: altered or corrupt evidence is unreliable and casts doubt on "
    "the rest (§3.2 accurate, unaltered)",
    _C.RECONCILIATION_BREAK: "high: an unmatched event (e.g. a leaver with no removal in time) "
    "is an exception in itself (§4 R22/R23 'gap > SLA = exception', §6.2 #2)",
    _C.POLICY_STALE: "low up to 90 days outside the window, medium beyond or with no approval "
    "date (§3.2 'approved before the period', §4 R05, §6.2 #7)",
    _C.POLICY_PRACTICE_DIVERGENCE: "high: auditors test against what the policy promises, so a "
    "broken commitment is an exception (§6.3 policies diverging from practice, §6.4)",
    _C.RISK_UNMITIGATED: "medium: a risk with no control is a risk-assessment design gap; high "
    "when likelihood × impact ≥ 15 (§6.1 design deficiency, §6.2 'design is more serious')",
    _C.WALKTHROUGH_DIVERGENCE: "medium: a walkthrough answer that contradicts the description "
    "triggers corroboration and follow-ups (§7.1, §6.3)",
    _C.VENDOR_BRIDGE_LETTER_NEEDED: "medium when the vendor's report ends more than three months "
    "before our period end; low within three months, which a bridge letter routinely covers "
    "(§3.6: a bridge letter typically covers up to about three months)",
    _C.VENDOR_REPORT_STALE: "high: a report whose period ended more than 12 months before ours "
    "is stale and gives no assurance over the carved-out controls (§3.6, §3.7)",
    _C.VENDOR_EXCEPTION_UNEVALUATED: "medium: the review must consider the exceptions in the "
    "vendor's report (§3.7 'opinion and exceptions considered', §5.9 VEN-03)",
    _C.VENDOR_CSOC_UNMONITORED: "medium: a carve-out needs the service organisation to show how "
    "it monitors the vendor (§3.7)",
    _C.VENDOR_CUEC_UNMAPPED: "medium: CUECs the vendor asks of us must map to our controls "
    "(§3.7, §5.9 VEN-03 fail 'CUECs ignored')",
    _C.VENDOR_SYSTEM_UNADDRESSED: "medium: DC7 needs each subservice organisation named with "
    "the carve-out or inclusive method (§3.7, §3.8)",
    _C.VENDOR_REVIEW_INCOMPLETE: "medium: a vendor review is tested on its content — reviewer, "
    "date, opinion, period coverage (§3.7, §5.9 VEN-03 fail 'reports collected but never read')",
    _C.DESCRIPTION_ELEMENT_MISSING: "medium: the description must cover each DC 200 criterion; "
    "one that does not is a misstatement if left (§3.8)",
    _C.DESCRIPTION_SLA_BREACH_UNDISCLOSED: "high: a commitment not met in the period is a "
    "significant incident the description must disclose (DC2, DC4; §3.8)",
    _C.DESCRIPTION_INCIDENT_UNDISCLOSED: "high: DC4 requires significant incidents (nature, "
    "timing, resolution); an omission modifies the opinion if left (§3.8)",
    _C.DESCRIPTION_CHANGE_UNDISCLOSED: "medium: DC9 requires significant changes in the period "
    "to be described (§3.8)",
}
"""One line per code: the severity rule and the soc2-domain.md sections behind it."""

FINDING_TITLES: Final[Mapping[FindingCode, str]] = {
    _C.SCOPE_CRITERION_UNCOVERED: "Criterion with no control",
    _C.SCOPE_TOO_BROAD: "Scope broader than the controls need",
    _C.CONTROL_OWNERLESS: "Control without a current owner",
    _C.CONTROL_NO_POPULATION: "Sampled control without a population",
    _C.CONTROL_NOT_OPERATED: "Control did not operate in the period",
    _C.CONTROL_NO_EVIDENCE: "Control without control-level evidence",
    _C.POPULATION_PERIOD_GAP: "Population does not cover the period",
    _C.POPULATION_COUNT_MISMATCH: "Population count differs from the source",
    _C.POPULATION_OUT_OF_PERIOD: "Population rows outside the period",
    _C.POPULATION_DUPLICATE: "Duplicate keys in the population",
    _C.POPULATION_MISSING_FIELD: "Blank field an attribute needs",
    _C.POPULATION_WEAK_SOURCE: "Weak source for the population",
    _C.POPULATION_EXTRACTED_EARLY: "Population extracted before period end",
    _C.SAMPLE_DEVIATION: "Attribute failed on an item",
    _C.EVIDENCE_MISSING: "Evidence not in the vault",
    _C.EVIDENCE_INTEGRITY: "Evidence fails verification",
    _C.RECONCILIATION_BREAK: "Reconciliation break",
    _C.POLICY_STALE: "Policy approval outside its window",
    _C.POLICY_PRACTICE_DIVERGENCE: "Practice breaks a policy commitment",
    _C.RISK_UNMITIGATED: "Risk with no control",
    _C.WALKTHROUGH_DIVERGENCE: "Walkthrough contradicts the control",
    _C.VENDOR_BRIDGE_LETTER_NEEDED: "Vendor report does not cover the period",
    _C.VENDOR_REPORT_STALE: "Vendor report is stale",
    _C.VENDOR_EXCEPTION_UNEVALUATED: "Vendor report exception not evaluated",
    _C.VENDOR_CSOC_UNMONITORED: "CSOC with no monitoring control",
    _C.VENDOR_CUEC_UNMAPPED: "Vendor CUEC not mapped to a control",
    _C.VENDOR_SYSTEM_UNADDRESSED: "Vendor system neither carved out nor included",
    _C.VENDOR_REVIEW_INCOMPLETE: "Vendor review incomplete",
    _C.DESCRIPTION_ELEMENT_MISSING: "Description element missing (DC 200)",
    _C.DESCRIPTION_SLA_BREACH_UNDISCLOSED: "Commitment breach not disclosed",
    _C.DESCRIPTION_INCIDENT_UNDISCLOSED: "Significant incident not disclosed",
    _C.DESCRIPTION_CHANGE_UNDISCLOSED: "Significant change not disclosed",
}
"""A short generic label per code (for lists and headings; findings carry their own title)."""

STALE_LOW_DAYS: Final = 90
"""A policy at most this many days outside its approval window is a low finding."""

EARLY_LOW_DAYS: Final = 14
"""A list pulled at most this many days before period end is a low finding (§3.2)."""

BRIDGE_LOW_DAYS: Final = 92
"""A vendor coverage gap up to about three months is what a bridge letter routinely covers."""

HIGH_RISK_SCORE: Final = 15
"""likelihood × impact from which an unmitigated risk is high (top band of a 5×5 map)."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 row``, ``3 rows``: a count with its noun, for finding titles."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


_SCHEDULED = frozenset(
    {
        Frequency.DAILY,
        Frequency.WEEKLY,
        Frequency.MONTHLY,
        Frequency.QUARTERLY,
        Frequency.SEMIANNUAL,
    }
)


def severity_of(code: FindingCode, **context: object) -> Severity:
    """The severity of a finding of ``code`` given what the caller knows (see module doc)."""
    rule = _RULES.get(code)
    if rule is not None:
        return rule(context)
    return DEFAULT_SEVERITY[code]


def _ownerless(context: Mapping[str, object]) -> Severity:
    operation = context.get("operation")
    if operation is not None:
        return _M if operation == "operated" else _H
    variant = context.get("variant")
    return _H if variant == "none" else _M


def _not_operated(context: Mapping[str, object]) -> Severity:
    frequency = context.get("frequency")
    if frequency is None:
        return _H
    return _H if frequency in _SCHEDULED else _M


def _period_gap(context: Mapping[str, object]) -> Severity:
    return _M if context.get("kind") == "event_gap" else _H


def _weak_source(context: Mapping[str, object]) -> Severity:
    if "has_query" not in context and "has_count_evidence" not in context:
        return DEFAULT_SEVERITY[_C.POPULATION_WEAK_SOURCE]
    has_query = bool(context.get("has_query", False))
    has_count = bool(context.get("has_count_evidence", False))
    if not has_query and not has_count:
        return _H
    return _L if has_query else _M


def _extracted_early(context: Mapping[str, object]) -> Severity:
    days = context.get("days_early", 0)
    return _M if isinstance(days, int) and days > EARLY_LOW_DAYS else _L


def _deviation(context: Mapping[str, object]) -> Severity:
    return _H if context.get("exceptions") else _M


def _stale(context: Mapping[str, object]) -> Severity:
    if "days_outside" not in context:
        return _L
    days = context["days_outside"]
    return _L if isinstance(days, int) and days <= STALE_LOW_DAYS else _M


def _unmitigated(context: Mapping[str, object]) -> Severity:
    likelihood, impact = context.get("likelihood", 0), context.get("impact", 0)
    if isinstance(likelihood, int) and isinstance(impact, int):
        return _H if likelihood * impact >= HIGH_RISK_SCORE else _M
    return _M


def _bridge(context: Mapping[str, object]) -> Severity:
    if "gap_days" not in context:
        return DEFAULT_SEVERITY[_C.VENDOR_BRIDGE_LETTER_NEEDED]
    days = context["gap_days"]
    return _M if isinstance(days, int) and days > BRIDGE_LOW_DAYS else _L


_RULES = {
    _C.VENDOR_BRIDGE_LETTER_NEEDED: _bridge,
    _C.CONTROL_OWNERLESS: _ownerless,
    _C.CONTROL_NOT_OPERATED: _not_operated,
    _C.POPULATION_PERIOD_GAP: _period_gap,
    _C.POPULATION_WEAK_SOURCE: _weak_source,
    _C.POPULATION_EXTRACTED_EARLY: _extracted_early,
    _C.SAMPLE_DEVIATION: _deviation,
    _C.POLICY_STALE: _stale,
    _C.RISK_UNMITIGATED: _unmitigated,
}


def ownerless_operation(test: ControlTest | None) -> str:
    """``operated``, ``failed`` or ``never``: what testing showed of an ownerless control."""
    if test is None or test.conclusion is ControlConclusion.NOT_TESTABLE:
        return "never"
    failed = (
        test.effective is False
        or test.missed_occurrences
        or (test.effective is None and test.conclusion is ControlConclusion.EXCEPTIONS)
    )
    return "failed" if failed else "operated"


_OPERATION_TEXT: Final = {
    "operated": " It operated without a deviation above the tolerable rate, so this is a "
    "readiness risk (medium), not an exception or a ground for the opinion.",
    "failed": " It also failed in testing, and nobody owning it is the likely cause (high).",
    "never": " It could not be tested as operating in the period (high).",
}


def rate_ownerless(findings: Sequence[Finding], tests: Sequence[ControlTest]) -> list[Finding]:
    """``control.ownerless`` findings re-rated with what testing showed (``_ownerless``)."""
    by_control = {t.control: t for t in tests}
    out = []
    for finding in findings:
        if finding.code is _C.CONTROL_OWNERLESS and finding.control is not None:
            operation = ownerless_operation(by_control.get(finding.control))
            finding = finding.model_copy(
                update={
                    "severity": severity_of(_C.CONTROL_OWNERLESS, operation=operation),
                    "detail": finding.detail + _OPERATION_TEXT[operation],
                }
            )
        out.append(finding)
    return out
