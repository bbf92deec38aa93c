"""One mock audit, start to finish, the way a CPA firm plays it (soc2-domain.md §3.1).

1. population completeness and accuracy (every population, in SQL via the source);
2. control-level checks: owners, populations, control evidence;
3. testing: IT general controls first (change and access), then every other
   control — automated ones once only if the ITGCs had no exceptions (§2.3);
   each tested control also gets the full-population scan;
4. reconciliations, policy commitments, policy staleness, unmitigated risks;
   vendors and subservice organisations, the system description against DC 200;
5. scope: uncovered criteria, untouched systems, a sample load far above need;
6. findings numbered in a stable order; the request list and follow-up rounds;
7. readiness: score, likely opinion, fieldwork estimate, timeline.

The engine reads only through ``ProgramSource``; the same source and seed give
the same findings, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mockaudit.domain import Control, Finding, Program
from mockaudit.domain.findings import Severity
from mockaudit.domain.progress import StageProgress, quiet
from mockaudit.domain.run import ControlConclusion, ControlTest, Run
from mockaudit.fieldwork.control_evidence import evidence_findings
from mockaudit.fieldwork.description_checks import description_findings
from mockaudit.fieldwork.governance import commitment_findings, policy_findings, risk_findings
from mockaudit.fieldwork.populations import population_findings
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.reconcile import reconciliation_findings
from mockaudit.fieldwork.reliance import is_itgc, itgcs_effective
from mockaudit.fieldwork.requests import build_requests
from mockaudit.fieldwork.scope import accountable_owner, control_findings, scope_findings
from mockaudit.fieldwork.severity import rate_ownerless
from mockaudit.fieldwork.subservice import vendor_findings
from mockaudit.fieldwork.testing import (
    ScanResult,
    reports_row_evidence,
    scan_population,
    test_control,
)
from mockaudit.readiness import conclude

TESTING = "testing controls"
_SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass(frozen=True)
class AuditOptions:
    seed: int
    run_id: str
    started_at: datetime
    mockaudit_version: str
    as_of: date
    window_months: int = 6
    program_version: int = 0
    # the contradictions of each control's latest stored walkthrough rehearsal
    walkthrough_findings: tuple[Finding, ...] = ()


def run_audit(source: ProgramSource, options: AuditOptions, progress: StageProgress = quiet) -> Run:
    """``progress`` hears (stage, done, total) as populations are reviewed and controls
    tested, the two steps whose time grows with the program."""
    program = source.program()
    review = population_findings(program, source, progress)
    findings: list[Finding] = [*review.findings, *control_findings(program, source)]
    tests, scans = run_control_tests(program, source, options.seed, progress)
    for scan in scans.values():
        findings += scan.findings
    findings += _control_evidence_findings(program, tests)
    failing = {control: scan.failing for control, scan in scans.items()}
    findings += reconciliation_findings(program, source)
    findings += commitment_findings(program, failing)
    findings += policy_findings(program)
    findings += risk_findings(program)
    findings += vendor_findings(program)
    findings += description_findings(program, source)
    findings += scope_findings(program, sample_load=sum(t.planned_size for t in tests))
    controls = {c.id for c in program.controls}
    findings += [f for f in options.walkthrough_findings if f.control in controls]
    numbered = number_findings(rate_ownerless(findings, tests))
    log = build_requests(program, review.profiles, tests, numbered, source)
    readiness = conclude(
        numbered,
        tests,
        log.requests,
        program,
        as_of=options.as_of,
        window_months=options.window_months,
        seed=options.seed,
    )
    engagement = program.engagement
    return Run(
        id=options.run_id,
        seed=options.seed,
        started_at=options.started_at,
        mockaudit_version=options.mockaudit_version,
        program_version=options.program_version,
        report_type=engagement.report_type,
        period_start=engagement.period_start,
        period_end=engagement.period_end,
        findings=tuple(numbered),
        requests=tuple(log.requests),
        tests=tuple(tests),
        readiness=readiness,
        messages=tuple(log.messages),
    )


def run_control_tests(
    program: Program, source: ProgramSource, seed: int, progress: StageProgress = quiet
) -> tuple[list[ControlTest], dict[str, ScanResult]]:
    """Test every control: ITGCs first (automated ones last among them), so each automated
    control knows whether the ITGCs over its systems can be relied on (reliance.py)."""
    results: dict[str, ControlTest] = {}
    scans: dict[str, ScanResult] = {}
    ordered = sorted(program.controls, key=lambda c: (not is_itgc(c), c.kind == "automated"))
    progress(TESTING, 0, len(ordered))
    for done, control in enumerate(ordered, 1):
        clean = itgcs_effective(control, program, results)
        results[control.id], scan = _test_one(program, source, control, seed, clean)
        if scan is not None:
            scans[control.id] = scan
            results[control.id] = results[control.id].model_copy(
                update={"frame_deviations": scan.failing_rows}
            )
        progress(TESTING, done, len(ordered))
    return [results[c.id] for c in program.controls], scans


def _control_evidence_findings(program: Program, tests: Sequence[ControlTest]) -> list[Finding]:
    """Dating and register deviations of controls tested on their own evidence."""
    found: list[Finding] = []
    for test in tests:
        control = program.control(test.control)
        if control is None or test.population is not None or not test.items:
            continue
        found += evidence_findings(program, control, test, test.owner)
    return found


def _test_one(
    program: Program, source: ProgramSource, control: Control, seed: int, itgc_clean: bool
) -> tuple[ControlTest, ScanResult | None]:
    population = program.population(control.population) if control.population else None
    owner = accountable_owner(program, control.owner)
    test = test_control(
        control,
        population,
        source,
        engagement=program.engagement,
        run_seed=seed,
        itgc_clean=itgc_clean,
        owner=owner,
    )
    if population is None or test.conclusion is ControlConclusion.NOT_TESTABLE:
        return test, None
    scan = scan_population(
        control,
        population,
        source,
        test,
        owner=owner,
        engagement=program.engagement,
        report_evidence=reports_row_evidence(control, program),
    )
    return test, scan


def _sort_key(finding: Finding) -> tuple[object, ...]:
    return (
        _SEVERITY_RANK[finding.severity],
        finding.code.value,
        finding.control or "",
        finding.population or "",
        finding.policy or "",
        finding.risk or "",
        finding.items,
        finding.title,
    )


def number_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Stable ids F-0001… in severity, code, subject order (identical for identical input)."""
    ordered = sorted(findings, key=_sort_key)
    return [f.model_copy(update={"id": f"F-{i:04d}"}) for i, f in enumerate(ordered, start=1)]
