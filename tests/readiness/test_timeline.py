"""Remediation, Type 1 and Type 2 dates: the arithmetic of readiness/timeline.py."""

from __future__ import annotations

from datetime import date

import pytest

from mockaudit.domain import FindingCode, Severity
from mockaudit.domain.dates import add_months
from mockaudit.errors import InputError
from mockaudit.readiness.timeline import (
    EFFORT_DAYS,
    REPORT_LAG_DAYS,
    remediation_days,
    timeline,
)
from tests.readiness.builders import finding, program

AS_OF = date(2026, 7, 15)


def test_every_code_has_an_effort() -> None:
    assert set(EFFORT_DAYS) == set(FindingCode)


def test_nothing_open_keeps_the_planned_period() -> None:
    prog = program()
    got = timeline([], prog.engagement, as_of=AS_OF, window_months=6)
    assert got.remediation_days == 0
    assert got.type1_earliest == AS_OF
    assert got.type2_period_start == date(2026, 1, 1)
    assert got.type2_period_end == date(2026, 6, 30)
    assert got.type2_report_date == date(2026, 8, 19)  # period over: 35 days after as_of


def test_report_follows_a_period_that_ends_after_as_of() -> None:
    got = timeline([], program().engagement, as_of=date(2026, 3, 1), window_months=6)
    assert got.type2_report_date == date(2026, 8, 4)  # 35 days after period end


def test_open_gaps_push_a_future_window_after_remediation() -> None:
    prog = program()
    gaps = [
        finding(
            FindingCode.POPULATION_COUNT_MISMATCH, number=1, population="changes", owner="dana"
        ),
        finding(FindingCode.POLICY_STALE, Severity.MEDIUM, 2, policy="POL-ACCESS", owner="dana"),
    ]
    as_of = date(2025, 11, 3)  # before the planned period opens
    got = timeline(gaps, prog.engagement, as_of=as_of, window_months=3)
    assert got.remediation_days == 5 + 7  # one owner does both, one after the other
    assert got.type1_earliest == date(2025, 11, 15)
    assert got.type2_period_start == date(2026, 1, 1)  # planned start is after remediation
    assert not got.period_completed
    late = timeline(gaps, prog.engagement, as_of=date(2025, 12, 28), window_months=3)
    assert late.type2_period_start == date(2026, 1, 9)
    assert late.type2_period_end == date(2026, 4, 8)
    assert late.type2_report_date == date(2026, 5, 13)
    assert (late.type2_report_date - late.type2_period_end).days == REPORT_LAG_DAYS


def test_a_completed_period_is_reported_with_its_exceptions_and_never_restarted() -> None:
    prog = program()
    gaps = [
        finding(
            FindingCode.POPULATION_COUNT_MISMATCH, number=1, population="changes", owner="dana"
        ),
        finding(FindingCode.POLICY_STALE, Severity.MEDIUM, 2, policy="POL-ACCESS", owner="dana"),
    ]
    got = timeline(gaps, prog.engagement, as_of=AS_OF, window_months=3)
    assert got.period_completed
    assert (got.type2_period_start, got.type2_period_end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert got.type2_report_date == date(2026, 8, 19)  # as_of + fieldwork and issuance
    assert got.remediated_on == date(2026, 7, 27)
    assert got.next_period_start == date(2026, 7, 1)  # the day after, not after remediation
    assert got.next_period_end == date(2026, 9, 30)
    assert got.next_report_date == date(2026, 11, 4)
    # remediated on 2026-07-27, after the next period began: its report carries them too
    assert got.next_period_carries_gaps()
    nothing_open = timeline([], prog.engagement, as_of=AS_OF, window_months=3)
    assert nothing_open.period_completed and not nothing_open.next_period_carries_gaps()


def test_owners_work_in_parallel_and_ownerless_work_queues() -> None:
    a = finding(FindingCode.SAMPLE_DEVIATION, number=1, control="CHG-01", owner="dana")
    b = finding(FindingCode.RECONCILIATION_BREAK, number=2, control="IAM-01", owner="sam")
    c = finding(FindingCode.CONTROL_OWNERLESS, number=3, control="OPS-01")
    d = finding(FindingCode.CONTROL_NO_EVIDENCE, Severity.MEDIUM, 4, control="OPS-02")
    assert remediation_days([a, b]) == 21  # max(21, 14)
    assert remediation_days([a, c, d]) == 21  # ownerless queue: 2 + 5
    assert remediation_days([c, d]) == 7


def test_many_items_of_one_control_are_one_piece_of_work() -> None:
    items = [
        finding(FindingCode.SAMPLE_DEVIATION, number=n, control="CHG-01", items=(f"PR-{n}",))
        for n in range(30)
    ]
    assert remediation_days(items) == 21


def test_low_findings_do_not_delay() -> None:
    low = finding(FindingCode.POPULATION_EXTRACTED_EARLY, Severity.LOW, population="changes")
    assert remediation_days([low]) == 0


def test_planned_start_after_remediation_is_kept() -> None:
    engagement = program().engagement.model_copy(
        update={"period_start": date(2026, 9, 1), "period_end": date(2027, 2, 28)}
    )
    gap = finding(FindingCode.CONTROL_OWNERLESS, control="IAM-01", owner=None)
    got = timeline([gap], engagement, as_of=AS_OF, window_months=12)
    assert got.type2_period_start == date(2026, 9, 1)
    assert got.type2_period_end == date(2027, 8, 31)


def test_type1_engagement_uses_the_remediation_date() -> None:
    prog = program(report_type="type1")
    gap = finding(FindingCode.CONTROL_NO_POPULATION, control="CHG-01", owner="dana")
    got = timeline([gap], prog.engagement, as_of=AS_OF, window_months=6)
    assert got.type1_earliest == date(2026, 7, 29)
    assert got.type2_period_start == got.type1_earliest


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 1), 12, date(2027, 3, 1)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_window_must_be_3_6_or_12_months() -> None:
    with pytest.raises(InputError, match="use 3, 6 or 12"):
        timeline([], program().engagement, as_of=AS_OF, window_months=9)


def test_fixed_controls_settle_while_their_owner_works_on() -> None:
    # two deviating controls of one owner: 7 days' work each, then each runs 14 days;
    # the second is fixed while the first settles (28 days, not 21 + 21)
    a = finding(FindingCode.SAMPLE_DEVIATION, number=1, control="CHG-01", owner="dana")
    b = finding(FindingCode.SAMPLE_DEVIATION, number=2, control="IAM-01", owner="dana")
    assert remediation_days([a, b]) == 7 + 7 + 14
    # pure work still adds up: evidence (5) and a policy approval (7) of one owner
    c = finding(FindingCode.EVIDENCE_MISSING, number=3, control="OPS-01", owner="sam")
    d = finding(FindingCode.POLICY_STALE, Severity.MEDIUM, 4, policy="POL-ACCESS", owner="sam")
    assert remediation_days([c, d]) == 12
    # the longest-settling piece goes first: 2 days to start a control that runs 19,
    # then the 12 days of work: finishes on day 21, not 12 + 2 + 19
    e = finding(FindingCode.CONTROL_NOT_OPERATED, number=5, control="OPS-02", owner="sam")
    assert remediation_days([c, d, e]) == 2 + 19


def test_ownerless_pieces_wait_on_the_role_the_control_names() -> None:
    # a starter program: nobody is assigned yet, but each control names a role
    gaps = [
        finding(FindingCode.CONTROL_OWNERLESS, number=n, control=cid)
        for n, cid in enumerate(("IAM-01", "IAM-02", "CHG-01", "CHG-02"))
    ]
    roles = {"IAM-01": "it-lead", "IAM-02": "it-lead", "CHG-01": "vp-eng", "CHG-02": "vp-eng"}
    assert remediation_days(gaps) == 4 * 2  # one desk for all
    assert remediation_days(gaps, roles) == 2 * 2  # two roles in parallel
    assert remediation_days(gaps, {"IAM-01": "it-lead"}) == 3 * 2  # unnamed ones share a desk
