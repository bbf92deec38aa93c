"""The severity table: complete, explained, and context-dependent where it says so."""

from __future__ import annotations

import pytest

from mockaudit.domain import FindingCode, Frequency, Severity
from mockaudit.fieldwork.severity import (
    DEFAULT_SEVERITY,
    FINDING_TITLES,
    SEVERITY_REASONS,
    counted,
    severity_of,
)

C = FindingCode
H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW


def test_every_code_has_a_severity_a_reason_citing_the_domain_and_a_title() -> None:
    for code in FindingCode:
        assert severity_of(code) is DEFAULT_SEVERITY[code]
        assert "§" in SEVERITY_REASONS[code], code
        assert SEVERITY_REASONS[code].startswith(DEFAULT_SEVERITY[code].value), code
        assert FINDING_TITLES[code]


@pytest.mark.parametrize(
    ("code", "context", "expected"),
    [
        (C.CONTROL_OWNERLESS, {"variant": "none"}, H),
        (C.CONTROL_OWNERLESS, {"variant": "unknown"}, M),
        (C.CONTROL_OWNERLESS, {"variant": "left"}, M),
        (C.CONTROL_OWNERLESS, {"variant": "none", "operation": "operated"}, M),
        (C.CONTROL_OWNERLESS, {"variant": "left", "operation": "failed"}, H),
        (C.CONTROL_OWNERLESS, {"variant": "unknown", "operation": "never"}, H),
        (C.CONTROL_NOT_OPERATED, {"frequency": Frequency.MONTHLY}, H),
        (C.CONTROL_NOT_OPERATED, {"frequency": Frequency.DAILY}, H),
        (C.CONTROL_NOT_OPERATED, {"frequency": Frequency.PER_EVENT}, M),
        (C.CONTROL_NOT_OPERATED, {"frequency": Frequency.ANNUAL}, M),
        (C.POPULATION_PERIOD_GAP, {"kind": "unit"}, H),
        (C.POPULATION_PERIOD_GAP, {"kind": "edge"}, H),
        (C.POPULATION_PERIOD_GAP, {"kind": "event_gap"}, M),
        (C.POPULATION_WEAK_SOURCE, {"has_query": False, "has_count_evidence": False}, H),
        (C.POPULATION_WEAK_SOURCE, {"has_query": False, "has_count_evidence": True}, M),
        (C.POPULATION_WEAK_SOURCE, {"has_query": True, "has_count_evidence": False}, L),
        (C.POPULATION_WEAK_SOURCE, {"has_query": True, "has_count_evidence": True}, L),
        (C.POPULATION_EXTRACTED_EARLY, {"days_early": 14}, L),
        (C.POPULATION_EXTRACTED_EARLY, {"days_early": 15}, M),
        (C.SAMPLE_DEVIATION, {"exceptions": True}, H),
        (C.SAMPLE_DEVIATION, {"exceptions": False}, M),
        (C.POLICY_STALE, {"days_outside": 90}, L),
        (C.POLICY_STALE, {"days_outside": 91}, M),
        (C.POLICY_STALE, {"days_outside": None}, M),
        (C.RISK_UNMITIGATED, {"likelihood": 3, "impact": 5}, H),
        (C.RISK_UNMITIGATED, {"likelihood": 2, "impact": 5}, M),
    ],
)
def test_context_dependent_rows(
    code: FindingCode, context: dict[str, object], expected: Severity
) -> None:
    assert severity_of(code, **context) is expected


def test_counted_words() -> None:
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(2, "day") == "2 days"
    assert counted(3, "entry", "entries") == "3 entries"


def test_ownerless_is_rated_after_testing() -> None:
    from mockaudit.domain import Finding
    from mockaudit.domain.enums import ControlKind, RiskTier
    from mockaudit.domain.run import ControlConclusion, ControlTest
    from mockaudit.fieldwork.severity import rate_ownerless

    def test(control: str, **fields: object) -> ControlTest:
        return ControlTest(
            control=control,
            frequency=Frequency.QUARTERLY,
            kind=ControlKind.MANUAL,
            risk=RiskTier.MODERATE,
            **fields,  # type: ignore[arg-type]
        )

    findings = [
        Finding(id="", code=C.CONTROL_OWNERLESS, severity=H, control=c, title=c)
        for c in ("AV-02", "IAM-04", "VUL-02", "GOV-09")
    ]
    tests = [
        test("AV-02", effective=True),
        test("IAM-04", effective=False, missed_occurrences=("Q2 2026",)),
        test("VUL-02", conclusion=ControlConclusion.NOT_TESTABLE),
    ]
    rated = {f.control: f for f in rate_ownerless(findings, tests)}
    assert rated["AV-02"].severity is M
    assert "readiness risk (medium)" in rated["AV-02"].detail
    assert rated["IAM-04"].severity is H
    assert rated["VUL-02"].severity is H
    assert rated["GOV-09"].severity is H  # never tested at all
