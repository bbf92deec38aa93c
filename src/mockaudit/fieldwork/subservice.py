"""Vendors and subservice organisations, as the service auditor looks at them (§3.6, §3.7).

* ``vendor.bridge_letter_needed``: the vendor's SOC report (or its bridge letter) stops
  short of our period end; the gap in days is in the title. Up to about three months
  is routine (low), beyond it medium (``severity._bridge``).
* ``vendor.report_stale``: the report's period ended more than 12 months before ours —
  or a carved-out subservice organisation has no report on record at all.
* ``vendor.exception_unevaluated``: an exception in the vendor's report with no
  recorded evaluation of its effect on us.
* ``vendor.csoc_unmonitored``: a CSOC none of our controls monitors.
* ``vendor.cuec_unmapped``: a CUEC the vendor asks of us that maps to none of our controls.
* ``vendor.system_unaddressed``: an in-scope system run by a vendor that is neither
  carved out nor included (subservice status or method undecided).
* ``vendor.review_incomplete``: the vendor-review control tested on its content —
  reviewer, date in the period, opinion and report period as the report states them,
  exceptions evaluated, CUECs mapped.

None of these is an opinion ground by itself (``VENDOR_JUDGEMENT``): they are
exceptions or follow-ups on the monitoring control, which management closes before
the report is issued (a bridge letter, an evaluation memo, a mapping).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from mockaudit.domain import Finding, FindingCode, Program
from mockaudit.domain.subservice import SocReport, Vendor
from mockaudit.fieldwork.scope import accountable_owner
from mockaudit.fieldwork.severity import counted, severity_of

VENDOR_CRITERIA: Final = ("CC9.2",)
"""Vendor and business-partner risk is assessed and managed (TSC CC9.2)."""

STALE_AFTER: Final = timedelta(days=365)
"""A report is usually treated as stale 12 months after its period end (§3.6)."""

VENDOR_JUDGEMENT: Final = (
    " Not a ground for the opinion by itself: it is an exception or follow-up on the control "
    "that monitors the vendor, closed before the report is issued (soc2-domain.md §3.7)."
)

_C = FindingCode


def vendor_findings(program: Program) -> list[Finding]:
    """Every vendor check of the module docstring, vendor by vendor in program order."""
    found: list[Finding] = []
    for vendor in program.vendors:
        found += _coverage(program, vendor)
        found += _exceptions(program, vendor)
        found += _csocs(program, vendor)
        found += _cuecs(program, vendor)
        found += _unaddressed(program, vendor)
        found += _review(program, vendor)
    return found


def _finding(
    program: Program,
    vendor: Vendor,
    code: FindingCode,
    title: str,
    detail: str,
    *,
    remediation: str,
    items: Sequence[str] | None = None,
    criteria: Sequence[str] = VENDOR_CRITERIA,
    gap_days: int | None = None,
) -> Finding:
    control = _monitor(vendor)
    ctrl = program.control(control) if control is not None else None
    context = {} if gap_days is None else {"gap_days": gap_days}
    return Finding(
        id="",
        code=code,
        severity=severity_of(code, **context),
        control=control,
        criteria=tuple(dict.fromkeys(criteria)),
        items=tuple(items) if items is not None else (vendor.id,),
        owner=accountable_owner(program, ctrl.owner) if ctrl is not None else None,
        title=title,
        detail=detail + VENDOR_JUDGEMENT,
        remediation=remediation,
    )


def _of(name: str) -> str:
    """The possessive of a vendor's name: "Okta's", "Amazon Web Services'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _monitor(vendor: Vendor) -> str | None:
    """The control that reviews the vendor: the review's, else the first monitoring control."""
    if vendor.review is not None and vendor.review.control is not None:
        return vendor.review.control
    return vendor.monitoring_controls[0] if vendor.monitoring_controls else None


def _relied_on(vendor: Vendor) -> bool:
    """A vendor whose own report we rely on: not one whose controls our auditor tests."""
    return vendor.method != "inclusive"


def _coverage(program: Program, vendor: Vendor) -> list[Finding]:
    end = program.engagement.period_end
    report = vendor.report
    if report is None:
        if not vendor.carved_out:
            return []
        return [
            _finding(
                program,
                vendor,
                _C.VENDOR_REPORT_STALE,
                f"{vendor.name} is carved out but no SOC report of it is on record",
                f"A carve-out relies on {_of(vendor.name)} controls (the CSOCs) without testing "
                "them; the service organisation shows they operate by reviewing the vendor's "
                "SOC report (soc2-domain.md §3.7).",
                remediation=f"Obtain {_of(vendor.name)} current SOC 2 Type 2 report and review it.",
            )
        ]
    if not _relied_on(vendor) or report.covered_through >= end:
        return []
    if report.period_end + STALE_AFTER < end:
        months = (end - report.period_end).days // 30
        return [
            _finding(
                program,
                vendor,
                _C.VENDOR_REPORT_STALE,
                f"{_of(vendor.name)} SOC report ended {report.period_end}, about {months} months "
                f"before our period end {end}",
                f"A report is usually treated as stale 12 months after its period end "
                f"(soc2-domain.md §3.6); {_of(vendor.name)} gives no assurance for the period "
                "and a bridge letter cannot stretch that far.",
                remediation=f"Obtain {_of(vendor.name)} current report (or other assurance) "
                "and review it.",
            )
        ]
    gap = (end - report.covered_through).days
    return [
        _finding(
            program,
            vendor,
            _C.VENDOR_BRIDGE_LETTER_NEEDED,
            f"{_of(vendor.name)} SOC report covers through {report.covered_through}: a "
            f"{gap}-day gap to our period end {end} needs a bridge letter",
            f"The report's period {_report_period(report)} does not reach {end}; the vendor's "
            "management covers the gap with a bridge (gap) letter stating material changes "
            "(soc2-domain.md §3.6: typically up to about three months).",
            gap_days=gap,
            remediation=f"Request {_of(vendor.name)} bridge letter through {end} and record "
            "its review.",
        )
    ]


def _report_period(report: SocReport) -> str:
    if report.period_start is None:
        return f"(as of {report.period_end})"
    return f"{report.period_start}..{report.period_end}"


def _exceptions(program: Program, vendor: Vendor) -> list[Finding]:
    if vendor.report is None:
        return []
    open_ = [x for x in vendor.report.exceptions if not x.evaluation.strip()]
    if not open_:
        return []
    listed = "; ".join(f"{x.id}: {x.description}" for x in open_[:3])
    return [
        _finding(
            program,
            vendor,
            _C.VENDOR_EXCEPTION_UNEVALUATED,
            f"{_of(vendor.name)} SOC report lists {counted(len(open_), 'exception')} with no "
            "recorded evaluation",
            f"Exceptions: {listed}. The review must consider each exception and record its "
            "effect on our controls and commitments (soc2-domain.md §3.7, §5.9 VEN-03).",
            items=[x.id for x in open_],
            remediation="Evaluate each exception (affected CSOCs and our compensating "
            "controls) and record the conclusion with the review.",
        )
    ]


def _csocs(program: Program, vendor: Vendor) -> list[Finding]:
    bare = [c for c in vendor.csocs if not c.monitored_by]
    if not bare:
        return []
    listed = "; ".join(f"{c.id}: {c.statement}" for c in bare[:3])
    criteria = [*VENDOR_CRITERIA, *(crit for c in bare for crit in c.criteria)]
    return [
        _finding(
            program,
            vendor,
            _C.VENDOR_CSOC_UNMONITORED,
            f"{counted(len(bare), 'CSOC')} of {vendor.name} with no monitoring control of ours",
            f"{listed}. With a carve-out the description lists the CSOCs assumed to operate and "
            "shows how the service organisation monitors them (soc2-domain.md §3.7).",
            items=[c.id for c in bare],
            criteria=criteria,
            remediation="Name the control that monitors each CSOC (e.g. the annual review of "
            "the vendor's SOC report) in monitored_by.",
        )
    ]


def _cuecs(program: Program, vendor: Vendor) -> list[Finding]:
    if vendor.report is None:
        return []
    bare = [c for c in vendor.report.cuecs if not c.controls]
    if not bare:
        return []
    listed = "; ".join(f"{c.id}: {c.statement}" for c in bare[:3])
    return [
        _finding(
            program,
            vendor,
            _C.VENDOR_CUEC_UNMAPPED,
            f"{counted(len(bare), 'CUEC')} in {_of(vendor.name)} report not mapped to our controls",
            f"{listed}. Each CUEC a vendor asks of us must map to one of our controls "
            "(soc2-domain.md §3.7, §5.9 VEN-03 fail 'CUECs ignored').",
            items=[c.id for c in bare],
            remediation="Map each CUEC to the control that meets it, or design one.",
        )
    ]


def _unaddressed(program: Program, vendor: Vendor) -> list[Finding]:
    systems = [s for s in vendor.systems if s in program.engagement.systems]
    decided = vendor.subservice is False or vendor.method is not None
    if not systems or decided:
        return []
    undecided = (
        "nobody decided whether it is a subservice organisation"
        if vendor.subservice is None
        else "it is a subservice organisation with no carve-out or inclusive method"
    )
    return [
        _finding(
            program,
            vendor,
            _C.VENDOR_SYSTEM_UNADDRESSED,
            f"{vendor.name} runs in-scope {', '.join(systems)} but is neither carved out "
            "nor included",
            f"{undecided}. DC7 names each subservice organisation with the method used — "
            "carve-out (its controls excluded, CSOCs listed) or inclusive (its controls "
            "described and tested) (soc2-domain.md §3.7, §3.8).",
            remediation=f"Decide whether {vendor.name} is a subservice organisation and, if "
            "so, the method; list its CSOCs for a carve-out.",
        )
    ]


def _review(program: Program, vendor: Vendor) -> list[Finding]:
    report = vendor.report
    if report is None or not (vendor.subservice or vendor.monitoring_controls):
        return []
    gaps = review_gaps(program, vendor)
    if not gaps:
        return []
    control = _monitor(vendor) or "the vendor review"
    return [
        _finding(
            program,
            vendor,
            _C.VENDOR_REVIEW_INCOMPLETE,
            f"{control}'s review of {_of(vendor.name)} SOC report: {gaps[0]}"
            + (f" (+{len(gaps) - 1} more)" if len(gaps) > 1 else ""),
            "The review is tested on its content, not on a file existing: "
            + "; ".join(gaps)
            + " (soc2-domain.md §3.7: reviewer, date, opinion type, period coverage, "
            "exceptions, CUECs mapped).",
            remediation="Complete the review record: reviewer, date, the report's opinion and "
            "period as stated in it, each exception evaluated, each CUEC mapped.",
        )
    ]


def review_gaps(program: Program, vendor: Vendor) -> list[str]:
    """What the vendor review fails to show, in the order of §3.7's list ([] = complete)."""
    report = vendor.report
    review = vendor.review
    if report is None:
        return []
    if review is None:
        return ["no review is recorded"]
    gaps: list[str] = []
    end = program.engagement.period_end
    if not review.reviewed_by.strip():
        gaps.append("no reviewer recorded")
    if review.reviewed_on is None:
        gaps.append("no review date")
    elif not end - STALE_AFTER <= review.reviewed_on <= end:
        gaps.append(f"reviewed on {review.reviewed_on}, not within the year to {end}")
    if review.opinion_noted is None:
        gaps.append("the report's opinion is not recorded")
    elif review.opinion_noted != report.opinion:
        gaps.append(f"records a {review.opinion_noted} opinion, the report's is {report.opinion}")
    if review.period_end_noted is None:
        gaps.append("the report's period is not recorded")
    elif review.period_end_noted != report.period_end:
        gaps.append(
            f"records a period ending {review.period_end_noted}, the report's ends "
            f"{report.period_end}"
        )
    gaps += _content_gaps(report)
    return gaps


def _content_gaps(report: SocReport) -> Sequence[str]:
    gaps = []
    unevaluated = [x.id for x in report.exceptions if not x.evaluation.strip()]
    if unevaluated:
        gaps.append(f"exceptions not evaluated ({', '.join(unevaluated)})")
    unmapped = [c.id for c in report.cuecs if not c.controls]
    if unmapped:
        gaps.append(f"CUECs not mapped ({', '.join(unmapped)})")
    return gaps
