"""Fieldwork length grows with follow-up rounds and weak evidence (the module's formula)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mockaudit.domain import FindingCode, Severity
from mockaudit.domain.run import Request, RequestKind, RequestStatus
from mockaudit.readiness.estimate import fieldwork_days
from tests.readiness.builders import clean_tests, control_test, finding, program


def _requests(follow_up_rounds: int, unanswered: int = 0) -> list[Request]:
    out = [
        Request(
            code=f"PBC-{i:03d}",
            kind=RequestKind.DOCUMENT,
            description="d",
            status=RequestStatus.NOT_AVAILABLE if i < unanswered else RequestStatus.PROVIDED,
        )
        for i in range(max(unanswered, 3))
    ]
    for r in range(follow_up_rounds):
        out.append(
            Request(
                code=f"PBC-001-F{r + 1}",
                kind=RequestKind.FOLLOW_UP,
                description="f",
                round=3 + r,
                status=RequestStatus.CLOSED,
            )
        )
    return out


def _many_clean_tests(count: int):
    prog = program()
    return [
        control_test(prog, "CHG-01").model_copy(update={"control": f"C-{i}"}) for i in range(count)
    ]


def test_clean_program_of_42_controls_takes_two_weeks() -> None:
    days = fieldwork_days(_requests(0), [], _many_clean_tests(42))
    assert (days.low, days.expected, days.high) == (10, 10, 10)


def test_each_follow_up_round_adds_days() -> None:
    tests = clean_tests(program())
    previous = fieldwork_days(_requests(0), [], tests)
    for rounds in range(1, 5):
        days = fieldwork_days(_requests(rounds), [], tests)
        assert days.low > previous.low
        assert days.expected == previous.expected + 2
        assert days.high == previous.high + 3
        previous = days


def test_weak_populations_and_unanswered_requests_add_days() -> None:
    tests = clean_tests(program())
    base = fieldwork_days(_requests(1), [], tests)
    weak = [
        finding(FindingCode.POPULATION_WEAK_SOURCE, Severity.MEDIUM, 1, population="terminations"),
        finding(FindingCode.POPULATION_COUNT_MISMATCH, Severity.HIGH, 2, population="changes"),
        finding(FindingCode.POPULATION_DUPLICATE, Severity.MEDIUM, 3, population="changes"),
    ]
    with_weak = fieldwork_days(_requests(1), weak, tests)
    assert with_weak.expected == base.expected + 1  # two populations: ceil(2 / 2)
    assert with_weak.high == base.high + 2
    assert with_weak.low == base.low
    chasing = fieldwork_days(_requests(1, unanswered=11), [], tests)
    assert chasing.expected == base.expected + 2
    assert chasing.high == base.high + 3


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 6), st.integers(0, 30), st.integers(0, 90))
def test_low_expected_high_are_ordered(rounds: int, unanswered: int, controls: int) -> None:
    days = fieldwork_days(_requests(rounds, unanswered), [], _many_clean_tests(controls))
    assert 7 <= days.low <= days.expected <= days.high
