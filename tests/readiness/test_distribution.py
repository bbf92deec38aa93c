"""The opinion distribution simulates the auditor's sample, and is reproducible for a seed."""

from __future__ import annotations

import math

import pytest

from mockaudit.domain.enums import ReportType
from mockaudit.domain.run import ControlConclusion, ControlTest, Opinion
from mockaudit.readiness import conclude
from mockaudit.readiness.distribution import chances, hypergeometric, simulate, varies
from mockaudit.readiness.evaluation import Context, outcomes
from tests.readiness.builders import clean_tests, control_test, program
from tests.readiness.test_conclude import AS_OF

EXC = ControlConclusion.EXCEPTIONS


def _sole_iam(frame_deviations: int, *, size: int = 10, population: int = 100) -> list[ControlTest]:
    """IAM-01 (sole control of CC6.2) with a clean seeded sample and K deviating rows."""
    prog = program()
    return [
        control_test(
            prog,
            "IAM-01",
            size=size,
            population_size=population,
            frame_deviations=frame_deviations,
            effective=True,
        )
        if t.control == "IAM-01"
        else t
        for t in clean_tests(prog)
    ]


def _iam(tests: list[ControlTest]) -> ControlTest:
    return next(t for t in tests if t.control == "IAM-01")


def _simulate(tests: list[ControlTest], seed: int = 3, samples: int = 1000):  # type: ignore[no-untyped-def]
    prog = program()
    return simulate(
        Context.of(prog, []),
        outcomes(prog, tests, []),
        tests,
        report_type=ReportType.TYPE2,
        confidence=0.90,
        seed=seed,
        samples=samples,
    )


def test_hypergeometric_sums_to_one_and_matches_the_closed_form() -> None:
    total = sum(hypergeometric(100, 5, 10, k) for k in range(6))
    assert math.isclose(total, 1.0, rel_tol=1e-9)
    assert math.isclose(
        hypergeometric(100, 5, 10, 0), math.comb(95, 10) / math.comb(100, 10), rel_tol=1e-9
    )


def test_a_small_sample_has_no_tolerated_outcome() -> None:
    test = _iam(_sole_iam(5))
    got = chances(test, 0.90)
    assert got.tolerated == 0.0
    assert math.isclose(got.clean, math.comb(95, 10) / math.comb(100, 10), rel_tol=1e-9)


def test_a_large_sample_expands_after_one_deviation() -> None:
    test = _iam(_sole_iam(2, size=25, population=400))
    got = chances(test, 0.90)
    one = hypergeometric(400, 2, 25, 1)
    # expanded to 41 at 90 % (planned 25 + 38 − 22): 16 more from 375 with 1 bad left
    assert math.isclose(got.tolerated, one * hypergeometric(375, 1, 16, 0), rel_tol=1e-9)


def test_probabilities_follow_the_sample_luck() -> None:
    distribution, _ = _simulate(_sole_iam(5))
    p_fail = 1 - math.comb(95, 10) / math.comb(100, 10)  # ≈ 0.42
    assert distribution.varying == ("IAM-01",)
    assert abs(distribution.probabilities["qualified"] - p_fail) < 0.05
    assert distribution.probabilities["qualified"] + distribution.probabilities["unqualified"] == 1
    ground = distribution.grounds[0]
    assert (ground.criteria, ground.controls) == (("CC6.2",), ("IAM-01",))
    assert ground.text == "IAM-01: deviations above the tolerable rate"
    assert ground.probability == distribution.probabilities["qualified"]


def test_the_same_seed_gives_the_same_distribution_and_another_seed_may_not() -> None:
    first, _ = _simulate(_sole_iam(5), seed=11)
    again, _ = _simulate(_sole_iam(5), seed=11)
    other, _ = _simulate(_sole_iam(5), seed=12)
    assert first == again
    assert other.probabilities != first.probabilities


def test_population_level_facts_stay_fixed() -> None:
    prog = program()
    tests = [
        control_test(
            prog,
            "IAM-01",
            EXC,
            size=3,
            population_size=3,
            frame_deviations=0,
            missed_occurrences=("Q2 2026",),
            effective=False,
        )
        if t.control == "IAM-01"
        else t
        for t in clean_tests(prog)
    ]
    distribution, case = _simulate(tests)
    assert distribution.varying == ()
    assert distribution.probabilities["qualified"] == 1.0
    assert case.opinion is Opinion.QUALIFIED
    assert "Q2 2026" in case.rule


def test_whole_population_and_type1_tests_do_not_vary() -> None:
    prog = program()
    whole = control_test(prog, "IAM-01", size=10, population_size=10, frame_deviations=2)
    assert not varies(whole, ReportType.TYPE2)
    sampled = control_test(prog, "IAM-01", size=10, population_size=100, frame_deviations=2)
    assert varies(sampled, ReportType.TYPE2)
    assert not varies(sampled, ReportType.TYPE1)


def test_the_most_probable_opinion_is_the_likely_opinion() -> None:
    prog = program()
    tests = _sole_iam(30)  # 30 of 100 rows deviate: a sample of 10 almost surely finds them
    got = conclude([], tests, [], prog, as_of=AS_OF, seed=5)
    assert got.opinion_distribution is not None
    assert got.opinion_distribution.seeded_opinion is Opinion.UNQUALIFIED  # this sample was lucky
    assert got.likely_opinion is Opinion.QUALIFIED
    assert got.opinion_rule.startswith("qualified: CC6.2 — IAM-01: deviations above")
    assert "simulated samples" in got.opinion_rule
    assert [g.criterion for g in got.grounds] == ["CC6.2"]


def test_samples_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        _simulate(_sole_iam(1), samples=0)
