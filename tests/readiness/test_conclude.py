"""conclude() composes score, opinion, fieldwork estimate and timeline into one Readiness."""

from __future__ import annotations

import math
from datetime import date

from mockaudit.domain import FindingCode, Severity
from mockaudit.domain.run import ControlConclusion, Opinion, Request, RequestKind
from mockaudit.readiness import conclude
from tests.readiness.builders import clean_tests, control_test, finding, program

AS_OF = date(2026, 7, 15)


def test_clean_program_concludes_ready() -> None:
    prog = program()
    got = conclude([], clean_tests(prog), [], prog, as_of=AS_OF)
    assert got.score == 100.0
    assert got.likely_opinion is Opinion.UNQUALIFIED
    assert got.controls.model_dump() == {
        "total": 5,
        "no_exceptions": 5,
        "exceptions": 0,
        "not_testable": 0,
    }
    assert set(got.criteria.values()) == {"no_exceptions"}
    assert got.follow_up_rounds == 0
    assert got.timeline is not None and got.timeline.type2_window_months == 6


def test_findings_flow_into_every_part() -> None:
    prog = program(drop=("CHG-02",))
    tests = [
        control_test(prog, "CHG-01", ControlConclusion.EXCEPTIONS, size=25, deviations=2)
        if t.control == "CHG-01"
        else t
        for t in clean_tests(prog)
        if t.control != "OPS-01"
    ]
    findings = [
        finding(
            FindingCode.SAMPLE_DEVIATION,
            Severity.HIGH,
            1,
            control="CHG-01",
            items=("CHG-01-item-0",),
            sampled=True,
            owner="dana",
        ),
        finding(
            FindingCode.SAMPLE_DEVIATION,
            Severity.HIGH,
            2,
            control="CHG-01",
            items=("CHG-01-item-1",),
            sampled=True,
            owner="dana",
        ),
    ]
    requests = [Request(code="PBC-009-F1", kind=RequestKind.FOLLOW_UP, description="x", round=3)]
    got = conclude(findings, tests, requests, prog, as_of=AS_OF, window_months=12)
    assert got.likely_opinion is Opinion.QUALIFIED
    assert got.opinion_rule == (
        "qualified: CC7.2 — OPS-01: the evidence to test it was not produced (scope "
        "limitation); CC8.1 — CHG-01: 2 of 25 sampled items deviated, above the tolerable "
        "rate (soc2-domain.md §3.5: a specific, limited material issue); most probable in "
        "100% of 1,000 simulated samples"
    )
    assert [w.finding for w in got.weights] == ["F-0001", "F-0002"]
    raw = 8 * (3 - 2 / 2**0.5)  # two high deviations of one control share g(2)
    assert got.score == round(100 * math.exp(-raw / (100 + 2 * len(tests))), 2)
    assert got.controls.exceptions == 1
    assert got.controls.not_testable == 1  # OPS-01 was never tested
    assert got.criteria["CC8.1"] == "exceptions"
    assert got.criteria["CC7.2"] == "not_testable"
    assert got.follow_up_rounds == 1
    assert got.timeline is not None
    assert got.timeline.remediation_days == 21
    assert got.timeline.type2_window_months == 12


def test_conclude_is_deterministic() -> None:
    prog = program()
    findings = [finding(FindingCode.POLICY_STALE, Severity.LOW, policy="POL-ACCESS")]
    first = conclude(findings, clean_tests(prog), [], prog, as_of=AS_OF)
    again = conclude(findings, clean_tests(prog), [], prog, as_of=AS_OF)
    assert first == again
    assert first.model_dump_json() == again.model_dump_json()
