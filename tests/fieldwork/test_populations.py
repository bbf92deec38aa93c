"""Completeness and accuracy of populations: each code fires on its defect and only there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockaudit.domain import Finding, FindingCode, Severity
from mockaudit.domain.dates import business_days, days, expected_labels, unit_label
from mockaudit.domain.observations import PeriodUnit, PopulationProfile
from mockaudit.fieldwork.populations import (
    expected_units,
    gap_probability,
    population_findings,
)
from tests.fieldwork.clean_programs import (
    END,
    START,
    Row,
    Spec,
    build,
    change_rows,
    clean_tables,
    dated_rows,
    one_per_unit,
    source,
    spec,
    with_counts,
)
from tests.fieldwork.fake_source import FakeSource

C = FindingCode


def run(
    program_spec: Spec | None = None,
    tables: dict[str, list[Row]] | None = None,
    *,
    declare: bool = True,
) -> list[Finding]:
    src = source(program_spec, tables, declare=declare)
    return list(population_findings(src.program(), src).findings)


def codes(findings: Sequence[Finding]) -> list[tuple[str, str | None, str | None]]:
    return [(f.code.value, f.population, f.control) for f in findings]


def population(program_spec: Spec, pid: str) -> dict[str, object]:
    return next(p for p in program_spec["populations"] if p["id"] == pid)


def control(program_spec: Spec, cid: str) -> dict[str, object]:
    return next(c for c in program_spec["controls"] if c["id"] == cid)


# -- the clean program ----------------------------------------------------------------------


def test_clean_program_has_no_finding_and_a_profile_per_population() -> None:
    src = source()
    review = population_findings(src.program(), src)
    assert review.findings == ()
    assert set(review.profiles) == {"changes", "reviews", "scans", "backups", "patches"}
    assert review.profiles["reviews"].in_period == 2


@dataclass
class RecordingSource(FakeSource):
    calls: list[tuple[str, PeriodUnit | None, tuple[str, ...]]] = field(default_factory=list)

    def profile(
        self,
        population: str,
        start: date,
        end: date,
        *,
        unit: PeriodUnit | None,
        columns: Sequence[str],
    ) -> PopulationProfile:
        self.calls.append((population, unit, tuple(columns)))
        return super().profile(population, start, end, unit=unit, columns=columns)


def test_each_population_is_profiled_once_with_the_finest_unit_and_needed_columns() -> None:
    s = spec()
    control(s, "VUL-03")["population"] = "changes"  # monthly control on the per-event list
    control(s, "IAM-04")["attributes"].append(  # type: ignore[attr-defined]
        {"id": "not-flagged", "check": "absent", "field": "flag"}
    )
    tables = clean_tables()
    base = source(s, tables)
    src = RecordingSource(base.prog, base.tables, base.files)
    population_findings(src.program(), src)
    calls = {pid: (unit, cols) for pid, unit, cols in src.calls}
    assert len(src.calls) == len(calls) == 5
    assert calls["changes"] == (PeriodUnit.DAY, ("author", "approver", "evidence"))
    assert calls["reviews"] == (PeriodUnit.QUARTER, ("reviewer",))  # absent wants blanks
    assert calls["scans"] == (PeriodUnit.WEEK, ())
    assert calls["patches"] == (None, ())  # no control left on it


# -- count, extraction, out of period, duplicates --------------------------------------------


def test_count_mismatch_fires_when_declared_differs_and_not_when_equal_or_absent() -> None:
    tables = clean_tables()
    s = with_counts(spec(), tables)
    population(s, "reviews")["declared_count"] = 3
    findings = run(s, tables, declare=False)
    assert codes(findings) == [("population.count_mismatch", "reviews", "IAM-04")]
    assert findings[0].severity is Severity.HIGH
    assert "2 rows but the source showed 3" in findings[0].title
    assert findings[0].owner == "dana"
    assert findings[0].criteria == ("CC6.2",)

    s = with_counts(spec(), tables)
    population(s, "reviews")["declared_count"] = None
    assert run(s, tables, declare=False) == []


@pytest.mark.parametrize(
    ("extracted", "expected"),
    [
        (END, None),
        (END + timedelta(days=1), None),
        (END - timedelta(days=1), Severity.LOW),
        (END - timedelta(days=14), Severity.LOW),
        (END - timedelta(days=15), Severity.MEDIUM),
    ],
)
def test_extracted_early_only_before_period_end(extracted: date, expected: Severity | None) -> None:
    s = spec()
    population(s, "reviews")["extracted_on"] = extracted
    findings = [f for f in run(s) if f.code is C.POPULATION_EXTRACTED_EARLY]
    assert [f.severity for f in findings] == ([expected] if expected else [])


def test_out_of_period_lists_the_keys_and_the_exact_count() -> None:
    tables = clean_tables()
    tables["patches"] += dated_rows("OLD", "patch_id", "done_on",
                                    [START - timedelta(days=3), END + timedelta(days=1)])  # fmt: skip
    findings = run(tables=tables)
    assert codes(findings) == [("population.out_of_period", "patches", "VUL-03")]
    assert findings[0].items == ("OLD-1", "OLD-2")
    assert "2 rows" in findings[0].title
    assert findings[0].severity is Severity.MEDIUM


def test_rows_exactly_on_the_period_bounds_are_in_period() -> None:
    tables = clean_tables()
    tables["patches"] += dated_rows("EDGE", "patch_id", "done_on", [START, END])
    assert run(tables=tables) == []


def test_duplicate_keys_are_reported_once_per_population() -> None:
    tables = clean_tables()
    tables["changes"] += [dict(tables["changes"][5]), dict(tables["changes"][9])]
    findings = run(tables=tables)
    assert codes(findings) == [("population.duplicate", "changes", "CHG-01")]
    assert findings[0].items == (tables["changes"][5]["pr_id"], tables["changes"][9]["pr_id"])


# -- blanks and sources ---------------------------------------------------------------------


def test_missing_field_one_finding_per_field_with_the_keys() -> None:
    tables = clean_tables()
    for row in tables["changes"][3:5]:
        row["approver"] = " "
    tables["changes"][7]["evidence"] = ""
    findings = run(tables=tables)
    assert codes(findings) == [("population.missing_field", "changes", "CHG-01")] * 2
    by_title = {f.title: f for f in findings}
    approver = next(f for t, f in by_title.items() if '"approver"' in t)
    assert approver.items == (tables["changes"][3]["pr_id"], tables["changes"][4]["pr_id"])
    evidence = next(f for t, f in by_title.items() if '"evidence"' in t)
    assert evidence.items == (tables["changes"][7]["pr_id"],)


def test_missing_field_is_addressed_to_the_control_that_reads_it() -> None:
    s = spec()
    s["controls"].append(
        {"id": "CHG-02", "title": "Changes ticketed", "criteria": ["CC8.1", "CC5.2"],
         "owner": "sam", "frequency": "per_event", "kind": "manual", "nature": "preventive",
         "risk": "low", "population": "changes",
         "attributes": [{"id": "ticketed", "check": "present", "field": "ticket"}]}
    )  # fmt: skip
    tables = clean_tables()
    for row in tables["changes"]:
        row["ticket"] = "T-1"
    tables["changes"][4]["ticket"] = ""
    findings = run(s, tables)
    assert codes(findings) == [("population.missing_field", "changes", "CHG-02")]
    assert findings[0].criteria == ("CC8.1", "CC5.2")
    assert findings[0].owner is None  # sam left before period end


def test_blank_field_no_attribute_reads_is_not_a_finding() -> None:
    tables = clean_tables()
    tables["changes"][3]["unused"] = ""
    for row in tables["reviews"]:
        row["flag"] = ""
    s = spec()
    control(s, "IAM-04")["attributes"].append(  # type: ignore[attr-defined]
        {"id": "not-flagged", "check": "absent", "field": "flag"}
    )
    assert run(s, tables) == []


def test_rows_without_a_date_are_a_missing_date_field() -> None:
    tables = clean_tables()
    tables["patches"].append({"patch_id": "P-X", "done_on": "soon"})
    findings = run(tables=tables)
    assert codes(findings) == [("population.missing_field", "patches", "VUL-03")]
    assert findings[0].items == ("P-X",) and '"done_on"' in findings[0].title


@pytest.mark.parametrize(
    ("update", "severity"),
    [
        ({"system": "spreadsheet"}, Severity.LOW),
        ({"system": "Manual "}, Severity.LOW),
        ({"count_evidence": None}, Severity.LOW),
        ({"query": None}, Severity.MEDIUM),
        ({"query": None, "count_evidence": None}, Severity.HIGH),
        ({"system": "spreadsheet", "query": " ", "count_evidence": None}, Severity.HIGH),
    ],
)
def test_weak_source_one_finding_with_every_reason(update: Spec, severity: Severity) -> None:
    s = spec()
    population(s, "reviews").update(update)
    findings = run(s)
    assert codes(findings) == [("population.weak_source", "reviews", "IAM-04")]
    assert findings[0].severity is severity
    assert ("hand-made" in findings[0].title) == ("system" in update)
    assert ("no query" in findings[0].title) == ("query" in update)


# -- scheduled coverage ---------------------------------------------------------------------


def test_a_missing_quarter_is_named() -> None:
    tables = clean_tables()
    tables["reviews"] = tables["reviews"][:1]
    findings = run(tables=tables)
    assert codes(findings) == [("population.period_gap", "reviews", "IAM-04")]
    assert "2026-Q2" in findings[0].title and "2026-Q1" not in findings[0].title
    assert findings[0].severity is Severity.HIGH


def test_a_missing_month_is_named_and_nothing_is_tolerated() -> None:
    tables = clean_tables()
    tables["patches"] = [r for r in tables["patches"] if not r["done_on"].startswith("2026-03")]
    findings = run(tables=tables)
    assert codes(findings) == [("population.period_gap", "patches", "VUL-03")]
    assert "1 of 6 months" in findings[0].title and "2026-03" in findings[0].title


def test_a_missing_iso_week_is_named() -> None:
    tables = clean_tables()
    tables["scans"] = [r for r in tables["scans"] if r["scan_date"] != "2026-03-02"]  # W10
    findings = run(tables=tables)
    assert codes(findings) == [("population.period_gap", "scans", "VUL-01")]
    assert "2026-W10" in findings[0].title


def test_a_partial_edge_week_is_not_required() -> None:
    tables = clean_tables()
    # 2026-01-01 is a Thursday: W01 has 4 days inside; 2026-06-29/30 start W27 (2 days).
    tables["scans"] = [
        r for r in tables["scans"] if r["scan_date"] not in ("2026-01-01", "2026-06-29")
    ]
    assert run(tables=tables) == []


def daily_without(missing: list[date]) -> dict[str, list[Row]]:
    tables = clean_tables()
    gone = {d.isoformat() for d in missing}
    tables["backups"] = [r for r in tables["backups"] if r["run_on"] not in gone]
    return tables


def test_daily_tolerates_two_missing_business_days_in_a_row() -> None:
    assert run(tables=daily_without([date(2026, 3, 10), date(2026, 3, 11)])) == []


def test_daily_three_missing_business_days_in_a_row_are_a_gap() -> None:
    findings = run(tables=daily_without([date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]))
    assert codes(findings) == [("population.period_gap", "backups", "AV-01")]
    assert "2026-03-10..2026-03-12 (3 business days)" in findings[0].title


def test_daily_a_run_across_a_weekend_counts_business_days() -> None:
    # Fri 13, Mon 16, Tue 17 March are consecutive business days
    findings = run(tables=daily_without([date(2026, 3, 13), date(2026, 3, 16), date(2026, 3, 17)]))
    assert codes(findings) == [("population.period_gap", "backups", "AV-01")]


def test_daily_too_many_isolated_missing_days_are_a_gap() -> None:
    mondays = [d for d in one_per_unit(START, END, PeriodUnit.WEEK) if d.weekday() == 0]
    assert len(mondays) > 0.04 * 129
    findings = run(tables=daily_without(mondays[:6]))
    assert codes(findings) == [("population.period_gap", "backups", "AV-01")]
    assert run(tables=daily_without(mondays[:5])) == []  # 5 of 129 ≤ 4 %


def test_two_controls_of_one_frequency_share_one_gap_finding() -> None:
    s = spec()
    s["controls"].append(
        {"id": "IAM-05", "title": "Admins reviewed", "criteria": ["CC6.3"], "owner": "dana",
         "frequency": "quarterly", "kind": "manual", "nature": "detective", "risk": "high",
         "population": "reviews"}
    )  # fmt: skip
    tables = clean_tables()
    tables["reviews"] = tables["reviews"][1:]
    findings = run(s, tables)
    assert codes(findings) == [("population.period_gap", "reviews", "IAM-04")]
    assert findings[0].criteria == ("CC6.2", "CC6.3")
    assert "IAM-04, IAM-05" in findings[0].detail


def test_mixed_frequencies_use_each_controls_own_unit() -> None:
    s = spec()
    control(s, "VUL-03")["population"] = "changes"
    tables = clean_tables()
    tables["changes"] = [r for r in tables["changes"] if not r["merged_at"].startswith("2026-03-0")]
    findings = run(s, tables)
    # March still has rows (10th on): the monthly control is met; the per-event list shows
    # 9 silent days at ~2 rows a day, which is improbable.
    assert codes(findings) == [("population.period_gap", "changes", "CHG-01")]
    tables["changes"] = [r for r in tables["changes"] if not r["merged_at"].startswith("2026-03")]
    findings = run(s, tables)
    assert sorted(codes(findings)) == [
        ("population.period_gap", "changes", "CHG-01"),
        ("population.period_gap", "changes", "VUL-03"),
    ]


# -- event coverage -------------------------------------------------------------------------


def changes_until(last: date, first: date = START) -> dict[str, list[Row]]:
    tables = clean_tables()
    tables["changes"] = change_rows(first, last)
    return tables


def test_listing_ending_exactly_14_days_before_period_end_is_fine() -> None:
    assert run(tables=changes_until(END - timedelta(days=14))) == []


def test_listing_ending_15_days_before_period_end_is_a_gap() -> None:
    findings = run(tables=changes_until(END - timedelta(days=15)))
    assert codes(findings) == [("population.period_gap", "changes", "CHG-01")]
    assert findings[0].severity is Severity.HIGH
    assert "stops 15 days before 2026-06-30" in findings[0].title


def test_listing_starting_late_is_a_gap_but_14_days_is_fine() -> None:
    assert run(tables=changes_until(END, START + timedelta(days=14))) == []
    findings = run(tables=changes_until(END, START + timedelta(days=20)))
    assert codes(findings) == [("population.period_gap", "changes", "CHG-01")]
    assert "starts 20 days after" in findings[0].title


def sparse_changes(
    every: int, hole: tuple[date, date] | None = None, first: date = START
) -> dict[str, list[Row]]:
    """One change every ``every`` days from ``first``, none inside ``hole``."""
    tables = clean_tables()
    rows = []
    day = first
    while day <= END:
        if hole is None or not hole[0] <= day <= hole[1]:
            rows += change_rows(day, day, per_day=1)
        day += timedelta(days=every)
    tables["changes"] = rows
    return tables


def test_a_low_volume_list_may_be_quiet_at_its_edges() -> None:
    # one change every 5 weeks: three silent weeks at either end is what that rate looks like
    tables = sparse_changes(35, first=START + timedelta(days=20))
    assert (END - date.fromisoformat(tables["changes"][-1]["merged_at"][:10])).days == 20
    assert run(tables=tables) == []


def test_a_gap_improbable_at_the_rate_is_reported() -> None:
    findings = run(tables=sparse_changes(1, (date(2026, 3, 1), date(2026, 3, 20))))
    assert codes(findings) == [("population.period_gap", "changes", "CHG-01")]
    assert findings[0].severity is Severity.MEDIUM
    assert "2026-03-01 to 2026-03-20" in findings[0].title


def test_a_gap_plausible_at_the_rate_is_not_reported() -> None:
    # one change every 12 days: a 23-day silence is two missed draws, not a hole
    assert run(tables=sparse_changes(12, (date(2026, 3, 1), date(2026, 3, 12)))) == []


def test_a_busy_week_long_pause_is_below_the_floor() -> None:
    assert run(tables=sparse_changes(1, (date(2026, 3, 2), date(2026, 3, 8)))) == []


def test_extracted_early_does_not_also_count_as_a_period_gap() -> None:
    s = spec()
    population(s, "changes")["extracted_on"] = END - timedelta(days=20)
    findings = run(s, changes_until(END - timedelta(days=20)))
    assert codes(findings) == [("population.extracted_early", "changes", "CHG-01")]
    findings = run(s, changes_until(END - timedelta(days=40)))
    assert sorted(f.code.value for f in findings) == [
        "population.extracted_early",
        "population.period_gap",
    ]


def test_scheduled_units_after_the_extraction_date_are_not_expected() -> None:
    s = spec()
    population(s, "patches")["extracted_on"] = date(2026, 6, 20)
    tables = clean_tables()
    tables["patches"] = tables["patches"][:-1]  # no June row yet
    findings = run(s, tables)
    assert codes(findings) == [("population.extracted_early", "patches", "VUL-03")]


# -- not operated ---------------------------------------------------------------------------


def test_a_population_with_no_occurrence_makes_each_control_not_operated() -> None:
    s = spec()
    s["controls"].append(
        {"id": "VUL-09", "title": "Patch review", "criteria": ["CC7.1"], "owner": "dana",
         "frequency": "annual", "kind": "manual", "nature": "detective", "risk": "low",
         "population": "patches", "evidence": ["evidence/policies/infosec.pdf"]}
    )  # fmt: skip
    tables = clean_tables()
    tables["patches"] = []
    findings = run(s, tables)
    assert codes(findings) == [
        ("control.not_operated", "patches", "VUL-03"),
        ("control.not_operated", "patches", "VUL-09"),
    ]
    assert [f.severity for f in findings] == [Severity.HIGH, Severity.MEDIUM]
    assert [f.criteria for f in findings] == [("CC6.1",), ("CC7.1",)]


def test_an_empty_event_list_is_not_operated_not_a_gap() -> None:
    tables = clean_tables()
    tables["changes"] = []
    findings = run(tables=tables)
    assert codes(findings) == [("control.not_operated", "changes", "CHG-01")]
    assert findings[0].severity is Severity.MEDIUM


# -- Type 1 ---------------------------------------------------------------------------------


def type1_spec() -> Spec:
    s = spec()
    s["engagement"]["report_type"] = "type1"
    del s["engagement"]["period_start"]
    return s


def test_type1_checks_accuracy_but_not_coverage() -> None:
    tables = clean_tables()
    tables["reviews"] = tables["reviews"][:1]
    tables["backups"] = tables["backups"][:10]
    assert run(type1_spec(), tables) == []
    tables["patches"] = dated_rows("OLD", "patch_id", "done_on", [END - timedelta(days=400)])
    findings = run(type1_spec(), tables)
    assert codes(findings) == [
        ("population.out_of_period", "patches", "VUL-03"),
        ("control.not_operated", "patches", "VUL-03"),
    ]


# -- the arithmetic -------------------------------------------------------------------------


def test_gap_probability_behaves() -> None:
    assert gap_probability(1.0, 1, 100) == 0.0
    assert gap_probability(0.0, 50, 100) == 1.0
    assert gap_probability(0.5, 0, 100) == 1.0
    assert gap_probability(0.5, 10, 1) == pytest.approx(0.5**10)
    assert gap_probability(0.5, 10, 100) == pytest.approx(1 - (1 - 0.5**10) ** 100)
    assert gap_probability(0.3, 20, 50) < gap_probability(0.3, 10, 50)
    assert gap_probability(0.3, 20, 50) < gap_probability(0.3, 20, 500)


def test_expected_units_match_the_shared_calendar() -> None:
    for unit in (PeriodUnit.DAY, PeriodUnit.MONTH, PeriodUnit.QUARTER, PeriodUnit.HALF):
        assert expected_units(START, END, unit, END) == expected_labels(START, END, unit)
    weeks = expected_units(START, END, PeriodUnit.WEEK, END)
    assert weeks == expected_labels(START, END, PeriodUnit.WEEK)[1:-1]


# -- property: a clean generated population yields nothing -----------------------------------

_SCHEDULED = {
    "daily": PeriodUnit.DAY,
    "weekly": PeriodUnit.WEEK,
    "monthly": PeriodUnit.MONTH,
    "quarterly": PeriodUnit.QUARTER,
    "semiannual": PeriodUnit.HALF,
}


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    length=st.integers(20, 400),
    frequency=st.sampled_from([*_SCHEDULED, "per_event", "multiple_daily", "annual"]),
    offset=st.integers(0, 6),
    spacing=st.integers(1, 10),
)
def test_clean_generated_population_yields_no_finding(
    start: date, length: int, frequency: str, offset: int, spacing: int
) -> None:
    end = start + timedelta(days=length)
    if frequency in _SCHEDULED:
        when = _one_per_unit_at(start, end, _SCHEDULED[frequency], offset)
    elif frequency == "annual":
        when = [start + timedelta(days=min(offset * 20, length))]
    else:
        first = start + timedelta(days=offset % spacing)
        when = [first + timedelta(days=i) for i in range(0, (end - first).days + 1, spacing)]
    s = {
        "organization": {"name": "Generated"},
        "engagement": {"report_type": "type2", "period_start": start, "period_end": end},
        "people": [{"id": "dana", "name": "Dana"}],
        "populations": [
            {"id": "items", "title": "Items", "system": "jira", "file": "p.csv", "key": "id",
             "date": "day", "declared_count": len(when), "extracted_on": end,
             "query": "all", "count_evidence": "count.png"}
        ],
        "controls": [
            {"id": "CTL-01", "title": "Control", "criteria": ["CC8.1"], "owner": "dana",
             "frequency": frequency, "kind": "manual", "nature": "preventive",
             "risk": "moderate", "population": "items",
             "attributes": [{"id": "done", "check": "present", "field": "by"}]}
        ],
    }  # fmt: skip
    rows = [{"id": f"I-{i}", "day": d.isoformat(), "by": "dana"} for i, d in enumerate(when)]
    src = FakeSource(build(s), {"items": rows})
    assert population_findings(src.program(), src).findings == ()


def _one_per_unit_at(start: date, end: date, unit: PeriodUnit, offset: int) -> list[date]:
    """One row in every unit overlapping the period, on some day of the unit inside it."""
    source = business_days(start, end) if unit is PeriodUnit.DAY else days(start, end)
    by_label: dict[str, list[date]] = {}
    for day in source:
        by_label.setdefault(unit_label(day, unit), []).append(day)
    return [choices[offset % len(choices)] for choices in by_label.values()]
