"""The readiness score is explainable (a weight per finding) and monotone (fixing never hurts)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockaudit.domain import Finding, FindingCode, Severity
from mockaudit.readiness.scoring import group_factor, raw_weights, score
from tests.readiness.builders import control_test, finding, program

PROGRAM = program()

_findings = st.builds(
    Finding,
    id=st.just(""),
    code=st.sampled_from(list(FindingCode)),
    severity=st.sampled_from(list(Severity)),
    control=st.sampled_from([None, "CHG-01", "IAM-01"]),
    population=st.sampled_from([None, "changes"]),
    items=st.lists(st.sampled_from(["A", "B", "C"]), max_size=2).map(tuple),
    title=st.just("t"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_findings, max_size=60), st.data())
def test_fixing_any_finding_never_lowers_the_score(findings: list[Finding], data) -> None:
    tests = [control_test(PROGRAM, "CHG-01")] * data.draw(st.integers(0, 90))
    before, _ = score(findings, tests)
    if not findings:
        assert before == 100.0
        return
    fixed = data.draw(st.integers(0, len(findings) - 1))
    after, _ = score(findings[:fixed] + findings[fixed + 1 :], tests)
    assert after >= before


@settings(max_examples=100, deadline=None)
@given(st.lists(_findings, max_size=40), st.integers(0, 90))
def test_score_is_100_minus_the_shown_weights(findings: list[Finding], controls: int) -> None:
    tests = [control_test(PROGRAM, "CHG-01")] * controls
    value, weights = score(findings, tests)
    assert len(weights) == len(findings)
    assert all(w.weight > 0 for w in weights)
    exact = math.fsum(raw_weights(findings))
    assert value == round(100 * math.exp(-exact / (100 + 2 * controls)), 2)
    assert 0 < value <= 100
    shown = math.fsum(w.weight for w in weights)
    assert abs(100.0 - shown - value) <= 0.006


def test_raw_weights_follow_the_documented_table() -> None:
    cases = [
        (finding(FindingCode.POPULATION_COUNT_MISMATCH, Severity.HIGH), 8.0),
        (finding(FindingCode.POPULATION_DUPLICATE, Severity.MEDIUM), 3.0),
        (finding(FindingCode.POPULATION_EXTRACTED_EARLY, Severity.LOW), 1.0),
        (finding(FindingCode.SCOPE_CRITERION_UNCOVERED, Severity.HIGH), 12.0),
        (finding(FindingCode.SCOPE_TOO_BROAD, Severity.LOW), 0.5),
    ]
    assert raw_weights([f for f, _ in cases]) == [w for _, w in cases]


def test_one_high_finding_costs_a_few_points_and_shows_them() -> None:
    value, (weight,) = score([finding(FindingCode.CONTROL_NO_POPULATION)], [])
    assert value == 92.31  # 100 * exp(-8 / 100)
    assert weight.weight == pytest.approx(7.69, abs=0.01)


def test_bigger_programs_absorb_the_same_findings_better() -> None:
    findings = [finding(FindingCode.CONTROL_NO_POPULATION, number=n) for n in range(10)]
    small, _ = score(findings, [control_test(PROGRAM, "CHG-01")] * 10)
    large, _ = score(findings, [control_test(PROGRAM, "CHG-01")] * 90)
    assert 0 < small < large < 100


def test_weights_are_shares_of_the_points_lost() -> None:
    high = finding(FindingCode.CONTROL_NO_POPULATION, number=1)
    low = finding(FindingCode.POLICY_STALE, Severity.LOW, 2)
    _, (w_high, w_low) = score([high, low], [])
    assert w_high.weight == pytest.approx(8 * w_low.weight, rel=1e-4)


def test_weights_name_their_findings() -> None:
    numbered = finding(FindingCode.CONTROL_OWNERLESS, number=7, control="IAM-01")
    unnumbered = numbered.model_copy(update={"id": "", "items": ("x@y",)})
    _, weights = score([numbered, unnumbered], [])
    assert weights[0].finding == "F-0007"
    assert weights[1].finding == "control.ownerless:IAM-01:x@y"


def test_one_control_with_many_bad_items_does_not_dominate() -> None:
    many = [
        finding(
            FindingCode.SAMPLE_DEVIATION, Severity.HIGH, n, control="CHG-01", items=(f"PR-{n}",)
        )
        for n in range(40)
    ]
    value, weights = score(many, [])
    three_highs = score(
        [finding(FindingCode.CONTROL_NO_POPULATION, number=n) for n in range(3)], []
    )
    two_highs = score([finding(FindingCode.CONTROL_NO_POPULATION, number=n) for n in range(2)], [])
    assert three_highs[0] < value < two_highs[0]  # between two and three high findings' worth
    assert len({w.weight for w in weights}) == 1  # shared equally, order does not matter
    assert score(many[1:], [])[0] > value  # fixing one item still shows


def test_items_of_different_controls_are_scored_separately() -> None:
    a = finding(FindingCode.SAMPLE_DEVIATION, Severity.HIGH, 1, control="CHG-01", items=("1",))
    b = finding(FindingCode.SAMPLE_DEVIATION, Severity.HIGH, 2, control="IAM-01", items=("2",))
    assert score([a, b], [])[0] == round(100 * math.exp(-16 / 100), 2)


def test_group_factor_is_one_for_a_single_finding_and_bounded() -> None:
    assert group_factor(1) == 1.0
    assert group_factor(4) == 2.0
    assert all(group_factor(n) < group_factor(n + 1) < 3.0 for n in range(1, 500))


def test_score_saturates_instead_of_hitting_zero() -> None:
    many = [
        finding(FindingCode.CONTROL_NO_POPULATION, number=n, control=f"C-{n}") for n in range(40)
    ]
    value, weights = score(many, [])
    assert 0 < value < 5
    assert score(many[1:], [])[0] > value
    assert sum(w.weight for w in weights) == pytest.approx(100 - value, abs=0.01)
