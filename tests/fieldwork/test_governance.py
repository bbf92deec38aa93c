"""Policy commitments (attribute form), policy approval windows and unmitigated risks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mockaudit.domain import FindingCode, Severity
from mockaudit.fieldwork.governance import (
    approval_window,
    commitment_findings,
    policy_findings,
    risk_findings,
)
from tests.fieldwork.clean_programs import END, START, Spec, build, spec

C = FindingCode


# -- commitments ----------------------------------------------------------------------------


def test_a_failing_committed_attribute_is_a_divergence_with_the_failing_keys() -> None:
    program = build(spec())
    findings = commitment_findings(
        program, {"CHG-01": {"independent-approval": ["PR-7", "PR-9", "PR-7"], "evidenced": []}}
    )
    assert [(f.code, f.control, f.population, f.policy) for f in findings] == [
        (C.POLICY_PRACTICE_DIVERGENCE, "CHG-01", "changes", "POL-CHANGE")
    ]
    assert findings[0].items == ("PR-7", "PR-9")
    assert findings[0].severity is Severity.HIGH
    assert '"Every change is approved by someone else"' in findings[0].title
    assert findings[0].owner == "dana"


@pytest.mark.parametrize(
    "failing",
    [
        {},
        {"CHG-01": {}},
        {"CHG-01": {"independent-approval": []}},
        {"CHG-01": {"evidenced": ["PR-1"]}},
    ],
)
def test_no_failure_on_the_committed_attribute_is_no_divergence(
    failing: dict[str, dict[str, list[str]]],
) -> None:
    assert commitment_findings(build(spec()), failing) == []


# -- staleness ------------------------------------------------------------------------------


def with_approval(approved: date | None, interval: int = 365, **engagement: object) -> Spec:
    s = spec()
    s["policies"][0]["approved_on"] = approved
    s["policies"][0]["review_interval_days"] = interval
    s["engagement"].update(engagement)
    return s


def stale(s: Spec) -> list[tuple[str | None, Severity]]:
    return [(f.policy, f.severity) for f in policy_findings(build(s))]


def test_the_type2_window_is_the_period_or_the_interval_before_its_end() -> None:
    program = build(spec())
    assert approval_window(program, program.policies[0]) == (END - timedelta(days=365), END)
    long = build(with_approval(END, period_start=date(2025, 1, 1)))
    assert approval_window(long, long.policies[0]) == (date(2025, 1, 1), END)


@pytest.mark.parametrize(
    ("approved", "expected"),
    [
        (START, []),
        (END, []),
        (END - timedelta(days=365), []),  # exactly at the window edge
        (END - timedelta(days=366), [("POL-CHANGE", Severity.LOW)]),
        (END - timedelta(days=365 + 90), [("POL-CHANGE", Severity.LOW)]),
        (END - timedelta(days=365 + 91), [("POL-CHANGE", Severity.MEDIUM)]),
        (END + timedelta(days=1), [("POL-CHANGE", Severity.LOW)]),
        (None, [("POL-CHANGE", Severity.MEDIUM)]),
    ],
)
def test_type2_staleness_at_the_window_edges(
    approved: date | None, expected: list[tuple[str, Severity]]
) -> None:
    assert stale(with_approval(approved)) == expected


def test_a_period_longer_than_the_interval_accepts_approvals_in_the_period() -> None:
    period_start = date(2025, 1, 1)
    assert stale(with_approval(period_start, period_start=period_start)) == []
    assert stale(with_approval(period_start - timedelta(days=1), period_start=period_start)) == [
        ("POL-CHANGE", Severity.LOW)
    ]


def type1(approved: date | None, interval: int = 365) -> Spec:
    s = with_approval(approved, interval, report_type="type1")
    del s["engagement"]["period_start"]
    return s


@pytest.mark.parametrize(
    ("approved", "stale_too"),
    [
        (END - timedelta(days=180), False),
        (END - timedelta(days=180 + 1), True),
        (END, False),
        (END + timedelta(days=1), True),
    ],
)
def test_type1_window_is_the_interval_before_the_as_of_date(
    approved: date, stale_too: bool
) -> None:
    assert bool(stale(type1(approved, interval=180))) is stale_too


def test_stale_finding_says_when_and_why() -> None:
    finding = policy_findings(build(with_approval(END - timedelta(days=400))))[0]
    assert finding.code is C.POLICY_STALE
    assert "35 days before its window opens (2025-06-30)" in finding.title
    assert finding.owner == "dana"
    assert finding.criteria == ("CC5.3",)


# -- risks ----------------------------------------------------------------------------------


def with_risk(likelihood: int, impact: int, controls: list[str]) -> Spec:
    s = spec()
    s["risks"].append(
        {"id": "R-02", "title": "Ransomware", "likelihood": likelihood, "impact": impact,
         "controls": controls}
    )  # fmt: skip
    return s


@pytest.mark.parametrize(
    ("likelihood", "impact", "severity"),
    [
        (2, 3, Severity.MEDIUM),
        (3, 4, Severity.MEDIUM),
        (3, 5, Severity.HIGH),
        (5, 5, Severity.HIGH),
    ],
)
def test_a_risk_with_no_control_is_unmitigated(
    likelihood: int, impact: int, severity: Severity
) -> None:
    findings = risk_findings(build(with_risk(likelihood, impact, [])))
    assert [(f.code, f.risk, f.severity) for f in findings] == [
        (C.RISK_UNMITIGATED, "R-02", severity)
    ]
    assert '"Ransomware"' in findings[0].title


def test_a_risk_with_a_control_is_mitigated_even_if_the_control_is_ownerless() -> None:
    s = with_risk(5, 5, ["VUL-03"])
    next(c for c in s["controls"] if c["id"] == "VUL-03")["owner"] = None
    assert risk_findings(build(s)) == []


def test_divergence_says_it_is_an_exception_plus_a_description_fix() -> None:
    program = build(spec())
    (found,) = commitment_findings(program, {"CHG-01": {"independent-approval": ["PR-7"]}})
    assert "an exception plus a description fix, not a ground by itself" in found.detail
    assert "amended to what is done" in found.detail
