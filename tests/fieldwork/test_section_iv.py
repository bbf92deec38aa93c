"""What the auditor reports per control: missed occurrences, dated evidence, registers,
conditional attributes, short-period sizes, per-system reliance (issue 14, engine half)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mockaudit.domain import Program
from mockaudit.domain.controls import Attribute
from mockaudit.domain.enums import Frequency, ReportType
from mockaudit.domain.observations import EvidenceRef, PopulationRow
from mockaudit.domain.run import ControlConclusion, ControlTest
from mockaudit.domain.tolerable import Verdict
from mockaudit.fieldwork.attributes import compile_check
from mockaudit.fieldwork.control_evidence import document_name
from mockaudit.fieldwork.registers import overdue_entries
from mockaudit.fieldwork.reliance import itgcs_effective
from mockaudit.fieldwork.sampling import instances_row, period_occurrences, plan_sample
from mockaudit.fieldwork.section_iv import period_label, result_text
from tests.fieldwork.fake_source import FakeSource
from tests.fieldwork.test_testing import change, program, run

REVIEWS = {
    "id": "reviews",
    "title": "Quarterly access reviews",
    "system": "okta",
    "file": "populations/reviews.csv",
    "key": "review_id",
    "date": "completed_on",
}
REVIEW_CONTROL = {
    "id": "IAM-04",
    "frequency": "quarterly",
    "population": "reviews",
    "attributes": [{"id": "reviewed", "check": "present", "field": "reviewer"}],
}


def reviews_program(period_start: str = "2025-07-01", **population: Any) -> Program:
    base = program(controls=[REVIEW_CONTROL | {"population": "changes", "attributes": []}])
    data = base.model_dump(mode="json", exclude_none=True)
    data["engagement"] |= {"period_start": period_start, "period_end": "2026-06-30"}
    data["populations"].append(REVIEWS | population)
    data["controls"][0] = data["controls"][0] | REVIEW_CONTROL
    return Program.model_validate(data)


def review(day: str, reviewer: str = "dana") -> dict[str, str]:
    return {"review_id": f"UAR-{day}", "completed_on": day, "reviewer": reviewer}


# -- missed occurrences ----------------------------------------------------------------------


def test_a_missed_quarter_is_an_exception_of_the_control() -> None:
    prog = reviews_program()
    rows = [review("2025-09-20"), review("2025-12-15"), review("2026-03-18")]
    test = run(prog, FakeSource(prog, {"reviews": rows}))
    assert test.missed_occurrences == ("Q2 2026",)
    assert test.exceptions_noted == 1 and test.effective is False
    assert test.conclusion is ControlConclusion.EXCEPTIONS
    assert test.result_text == (
        "Exception noted: 1 of 4 quarterly occurrences was not performed (Q2 2026)."
    )
    assert test.tolerable_rule.endswith("nothing to expand into)")


def test_every_quarter_performed_is_no_exception_and_early_extraction_is_not_a_miss() -> None:
    prog = reviews_program()
    rows = [review(d) for d in ("2025-09-20", "2025-12-15", "2026-03-18", "2026-06-10")]
    clean = run(prog, FakeSource(prog, {"reviews": rows}))
    assert clean.result_text == "No exceptions noted." and clean.effective is True
    early = reviews_program(extracted_on="2026-05-01")  # Q2 not over when the list was pulled
    test = run(early, FakeSource(early, {"reviews": rows[:3]}))
    assert test.missed_occurrences == () and test.effective is True


def test_a_quarterly_control_that_never_operated_is_not_effective() -> None:
    prog = reviews_program(period_start="2026-01-01")
    test = run(prog, FakeSource(prog, {"reviews": []}))
    assert test.missed_occurrences == ("Q1 2026", "Q2 2026")
    assert test.effective is False and test.exceptions_noted == 2
    assert "2 of 2 quarterly occurrences were not performed (Q1 2026, Q2 2026)" in test.result_text


def test_an_event_driven_control_without_events_did_not_operate() -> None:
    prog = program()
    test = run(prog, FakeSource(prog, {"changes": []}))
    assert test.conclusion is ControlConclusion.NOT_TESTABLE and test.effective is None
    assert "did not operate" in test.result_text and not test.scope_limited


def test_missing_row_evidence_limits_scope() -> None:
    prog = program(controls=[{"risk": "low"}])
    rows = [change(i, date(2026, 1 + i % 6, 10)) for i in range(4)]
    test = run(prog, FakeSource(prog, {"changes": rows}))  # no evidence file in the vault
    assert test.scope_limited and test.effective is False
    assert "had no supporting evidence produced" in test.result_text


# -- control-level evidence: dates and registers --------------------------------------------

DOC = "evidence/risk/risk-assessment-2026.md"


def documented(frequency: str = "annual", text: str = "", **extra: Any) -> ControlTest:
    fields = {"frequency": frequency, "population": None, "attributes": [], "evidence": [DOC]}
    prog = program(controls=[fields | extra])
    files = {DOC: EvidenceRef(DOC, "ev-1", None, True)}
    return run(prog, FakeSource(prog, {}, files, texts={DOC: text}))


@pytest.mark.parametrize(
    ("dates", "effective", "why"),
    [
        ("2026-02-11", True, ""),
        ("2025-09-01", True, ""),  # within 12 months before the end of a 6-month period
        ("2023-11-02", False, "is dated 2023-11-02, outside the period"),
        ("2026-08-01", False, "after the period end"),
    ],
)
def test_an_annual_document_is_tested_against_its_date(
    dates: str, effective: bool, why: str
) -> None:
    test = documented(performed_on=dates, performed_by="dana", approved_by="Priya Natarajan")
    assert test.effective is effective and test.exceptions_noted == (0 if effective else 1)
    assert why in test.result_text
    assert test.procedure.startswith(
        f"Inspected the risk assessment dated {dates}, performed by Dana, approved by Priya"
    )
    assert "SHA" not in test.procedure


def test_undated_evidence_is_inspected_and_says_its_timing_was_not_tested() -> None:
    test = documented()
    assert test.effective is True and test.result_text == "No exceptions noted."
    assert "carries no date" in test.procedure


@pytest.mark.parametrize(
    ("dates", "effective", "why"),
    [
        (["2026-01-05", "2026-06-28"], True, ""),
        (["2026-06-28"], False, "nothing shows it held from the start of the period"),
        (["2026-01-05"], False, "nothing shows it at the period end"),
    ],
)
def test_a_type2_configuration_must_be_shown_across_the_period(
    dates: list[str], effective: bool, why: str
) -> None:
    test = documented("continuous", performed_on=dates)
    assert test.effective is effective and why in test.result_text


def test_a_register_marking_an_entry_overdue_fails_the_control() -> None:
    register = (
        "Nothing is overdue in prose.\n\n| policy | next review |\n| --- | --- |\n"
        "| POL-ISP | 2027-01-20 |\n| POL-BCDR | 2025-10-08 (overdue) |\n"
    )
    test = documented(text=register)
    assert test.effective is False and test.exceptions_noted == 1
    assert "marks 1 entry overdue (POL-BCDR)" in test.result_text


def test_register_reading() -> None:
    assert overdue_entries("a,overdue\nx,0\n", csv_file=True) == []
    assert [k for k, _ in overdue_entries("id,overdue\nTR-1,2\nTR-2,0\n", csv_file=True)] == [
        "TR-1"
    ]
    assert (
        overdue_entries("| id | state |\n| --- | --- |\n| A-1 | not overdue |\n", csv_file=False)
        == []
    )
    assert document_name("evidence/config/aws-config-2026-12.json") == "aws config"
    assert document_name("evidence/controls/GOV-01.pdf") == "control-level evidence"


# -- conditional attributes -------------------------------------------------------------------


def row(**values: str) -> PopulationRow:
    return PopulationRow("PR-1", 2, None, values)


def test_a_conditional_attribute_applies_only_to_matching_rows() -> None:
    emergency = Attribute.model_validate(
        {
            "id": "emergency-approved",
            "check": "before",
            "fields": ["approved_at", "merged_at"],
            "days": 1,
            "business_days": True,
            "when": {"column": "change_type", "in": ["emergency", "hotfix"]},
        }
    )
    check = compile_check(emergency, None)
    friday = {"merged_at": "2026-03-06T21:40:00Z"}
    assert check(row(change_type="standard", approved_at="2026-03-20", **friday), {}) is None
    monday = row(change_type="Hotfix", approved_at="2026-03-09T10:00:00Z", **friday)
    assert check(monday, {}) is None  # the next business day after a Friday merge
    tuesday = row(change_type="emergency", approved_at="2026-03-10T09:00:00Z", **friday)
    assert "more than 1 business day after merged_at" in (check(tuesday, {}) or "")


def test_within_business_days() -> None:
    attribute = Attribute.model_validate(
        {
            "id": "removed",
            "check": "within_days",
            "fields": ["left_on", "removed_on"],
            "days": 1,
            "business_days": True,
        }
    )
    check = compile_check(attribute, None)
    assert check(row(left_on="2026-03-06", removed_on="2026-03-09"), {}) is None  # Fri → Mon
    late = check(row(left_on="2026-03-06", removed_on="2026-03-10"), {}) or ""
    assert "2 business days after" in late


# -- sampling ---------------------------------------------------------------------------------


def test_short_periods_scale_periodic_sizes() -> None:
    half = (date(2026, 1, 1), date(2026, 6, 30))
    assert period_occurrences(Frequency.DAILY, half) == 129
    sizes = {}
    for frequency, risk in (("daily", "high"), ("weekly", "moderate"), ("monthly", "high")):
        control = program(controls=[{"frequency": frequency, "risk": risk}]).controls[0]
        plan = plan_sample(
            control,
            population_size=500,
            confidence=0.90,
            report_type=ReportType.TYPE2,
            itgc_clean=False,
            period=half,
        )
        sizes[frequency] = plan.size
        assert "scaled to the period" in plan.rule
    assert sizes == {"daily": 20, "weekly": 6, "monthly": 3}
    year = (date(2025, 7, 1), date(2026, 6, 30))
    control = program(controls=[{"frequency": "daily", "risk": "high"}]).controls[0]
    full = plan_sample(
        control,
        population_size=500,
        confidence=0.90,
        report_type=ReportType.TYPE2,
        itgc_clean=False,
        period=year,
    )
    assert full.size == 40


def test_a_few_a_year_control_with_several_instances_samples_them() -> None:
    assert instances_row(Frequency.ANNUAL, 6, 1) == "events<=12"
    assert instances_row(Frequency.ANNUAL, 1, 1) == ""
    assert instances_row(Frequency.QUARTERLY, 12, 4) == "events<=12"
    assert instances_row(Frequency.MONTHLY, 24, 12) == ""


def test_reliance_is_decided_per_system() -> None:
    itgc = {"attributes": [], "population": "changes"}
    prog = program(
        engagement={
            "report_type": "type2",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "systems": ["aws", "okta"],
        },
        controls=[
            itgc | {"id": "CHG-A", "criteria": ["CC8.1"]},
            itgc | {"id": "IAM-A", "criteria": ["CC6.2"], "systems": ["aws"]},
            itgc | {"id": "IAM-O", "criteria": ["CC6.2"], "systems": ["okta"]},
            itgc | {"id": "BKP", "criteria": ["A1.2"], "kind": "automated", "systems": ["aws"]},
            itgc | {"id": "SYNC", "criteria": ["A1.2"], "kind": "automated", "systems": ["okta"]},
        ],
    )

    def done(effective: dict[str, bool]) -> dict[str, ControlTest]:
        return {
            cid: ControlTest(
                control=cid, frequency="per_event", kind="manual", risk="low", effective=ok
            )
            for cid, ok in effective.items()
        }

    tests = done({"CHG-A": True, "IAM-A": True, "IAM-O": False})
    by_id = {c.id: c for c in prog.controls}
    assert itgcs_effective(by_id["BKP"], prog, tests)
    assert not itgcs_effective(by_id["SYNC"], prog, tests)
    assert not itgcs_effective(by_id["BKP"], prog, done({"IAM-A": True}))  # no change ITGC run


def test_section_iv_wording() -> None:
    assert period_label("2026-Q2") == "Q2 2026"
    assert period_label("2026-03") == "March 2026"
    assert period_label("2026-W09") == "week 9 of 2026"
    assert result_text(Verdict.EFFECTIVE) == "No exceptions noted."
    assert result_text(
        Verdict.EFFECTIVE_WITH_EXCEPTION,
        sampled="1 of 41 changes sampled had x",
        planned=25,
        total=41,
    ) == (
        "Exception noted: 1 of 41 changes sampled had x. The sample was expanded from 25 to 41"
        " items after the deviation; no further deviation was found."
    )
