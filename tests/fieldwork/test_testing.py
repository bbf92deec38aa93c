"""Testing a control on its sample, expansion, conclusions, and the full-population scan."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mockaudit.fieldwork.testing as testing
from mockaudit.domain import FindingCode, Program
from mockaudit.domain.findings import Severity
from mockaudit.domain.observations import EvidenceRef, PeriodUnit, PopulationRow
from mockaudit.domain.run import ControlConclusion, ControlTest
from mockaudit.fieldwork.sampling import detection_probability, expanded_size, select
from tests.fieldwork.fake_source import FakeSource

TYPE2 = {"report_type": "type2", "period_start": "2026-01-01", "period_end": "2026-06-30"}
START = date(2026, 1, 1)
CHANGE_ATTRIBUTES: list[dict[str, Any]] = [
    {"id": "independent-approval", "check": "different", "fields": ["author", "approver"]},
    {"id": "approved-before-merge", "check": "before", "fields": ["approved_at", "merged_at"]},
    {"id": "ci-green", "check": "equals", "field": "ci_status", "value": "success"},
    {"id": "evidenced", "check": "evidence"},
]


def program(
    *,
    engagement: dict[str, Any] | None = None,
    controls: list[dict[str, Any]] | None = None,
) -> Program:
    base_control = {
        "id": "CHG-01",
        "title": "Changes are reviewed",
        "criteria": ["CC8.1"],
        "owner": "dana",
        "frequency": "per_event",
        "kind": "manual",
        "nature": "preventive",
        "risk": "moderate",
        "population": "changes",
        "attributes": CHANGE_ATTRIBUTES,
    }
    return Program.model_validate(
        {
            "organization": {"name": "Northwind"},
            "engagement": engagement or TYPE2,
            "people": [{"id": "dana", "name": "Dana"}],
            "populations": [
                {
                    "id": "changes",
                    "title": "Merged PRs",
                    "system": "github",
                    "file": "populations/changes.csv",
                    "key": "pr_id",
                    "date": "merged_at",
                    "evidence_column": "evidence",
                }
            ],
            "controls": [{**base_control, **c} for c in controls or [{}]],
        }
    )


def change(i: int, day: date) -> dict[str, str]:
    return {
        "pr_id": f"PR-{i:04d}",
        "merged_at": f"{day.isoformat()}T12:00:00Z",
        "author": "sam",
        "approver": "dana",
        "approved_at": f"{day.isoformat()}T10:00:00Z",
        "ci_status": "success",
        "evidence": f"evidence/pr/PR-{i:04d}.png",
    }


def changes(count: int, start: date = START, days: int = 181) -> list[dict[str, str]]:
    return [change(i, start + timedelta(days=i * days // count)) for i in range(count)]


@dataclass
class RecordingSource(FakeSource):
    """FakeSource that records evidence look-ups and row passes."""

    evidence_calls: list[tuple[list[str], bool]] = field(default_factory=list)
    row_passes: int = 0

    def evidence(self, paths: Iterable[str], *, verify: bool = False) -> Mapping[str, EvidenceRef]:
        paths = list(paths)
        self.evidence_calls.append((paths, verify))
        return super().evidence(paths, verify=verify)

    def rows(self, population: str) -> Iterator[PopulationRow]:
        self.row_passes += 1
        return super().rows(population)


def source_for(
    prog: Program, rows: list[dict[str, str]], *, skip: Iterable[int] = ()
) -> RecordingSource:
    """A source holding ``rows`` and every row's evidence file except rows ``skip``."""
    hidden = {f"evidence/pr/PR-{i:04d}.png" for i in skip}
    files = {
        r["evidence"]: EvidenceRef(r["evidence"], f"ev-{r['pr_id']}", None, None)
        for r in rows
        if r["evidence"] not in hidden
    }
    return RecordingSource(prog, {"changes": rows}, files)


def run(
    prog: Program, source: FakeSource, seed: int = 7, *, itgc_clean: bool = False, index: int = 0
) -> ControlTest:
    control = prog.controls[index]
    population = prog.population(control.population) if control.population else None
    return testing.test_control(
        control,
        population,
        source,
        engagement=prog.engagement,
        run_seed=seed,
        itgc_clean=itgc_clean,
        owner="dana",
    )


def index_of(key: str) -> int:
    return int(key.split("-")[1])


def sampled_indices(prog: Program, count: int, seed: int = 7) -> list[int]:
    """The rows the auditor draws from a clean population of ``count`` (content-independent)."""
    test = run(prog, source_for(prog, changes(count)), seed)
    return [index_of(item.key) for item in test.items]


# -- sampling and conclusions ---------------------------------------------------------------


def test_clean_population_no_exceptions() -> None:
    prog = program()
    test = run(prog, source_for(prog, changes(300)))
    assert test.conclusion is ControlConclusion.NO_EXCEPTIONS
    assert (test.population_size, test.planned_size, test.sample_size) == (300, 40, 40)
    assert test.unit == "month" and test.owner == "dana" and test.population == "changes"
    assert {item.stratum for item in test.items} == {f"2026-{m:02d}" for m in range(1, 7)}
    assert all(len(item.results) == 4 and not item.deviation for item in test.items)
    assert test.reason == "No exceptions noted: 40 sampled items of changes passed"


def test_redraw_with_recorded_seed_gives_the_same_items() -> None:
    prog = program()
    source = source_for(prog, changes(300))
    first, again, other = run(prog, source, 7), run(prog, source, 7), run(prog, source, 8)
    assert first == again
    assert [i.key for i in first.items] != [i.key for i in other.items]
    # anyone holding the run's per-control seed can redraw the sample
    end = date(2026, 6, 30)
    frame = source.strata("changes", START, end, PeriodUnit.MONTH)
    redrawn = [
        source.row_at("changes", START, end, PeriodUnit.MONTH, label, index).key
        for label, index in select(frame, first.planned_size, first.seed)
    ]
    assert redrawn == [item.key for item in first.items]


def test_only_sampled_items_evidence_is_verified() -> None:
    prog = program()
    source = source_for(prog, changes(300))
    test = run(prog, source)
    assert len(source.evidence_calls) == 1
    paths, verify = source.evidence_calls[0]
    assert verify is True
    assert sorted(paths) == sorted(f"evidence/pr/{item.key}.png" for item in test.items)


def test_two_sampled_deviations_are_exceptions() -> None:
    prog = program()
    picked = sampled_indices(prog, 300)
    rows = changes(300)
    rows[picked[0]]["approver"] = "sam"
    rows[picked[5]]["ci_status"] = "failure"
    test = run(prog, source_for(prog, rows))
    assert test.conclusion is ControlConclusion.EXCEPTIONS
    assert test.deviations == 2 and not test.expanded and test.sample_size == 40
    assert test.reason.startswith(
        "Exception noted: 2 of 40 sampled items of changes deviated"
        " (independent-approval failed on 1, ci-green failed on 1;"
        f" e.g. PR-{picked[0]:04d}: approver equals author (sam))"
    )


def test_one_deviation_expands_once_and_stays_clean() -> None:
    prog = program()
    picked = sampled_indices(prog, 300)
    rows = changes(300)
    rows[picked[3]]["approved_at"] = "2026-07-01T00:00:00Z"
    test = run(prog, source_for(prog, rows))
    assert test.expanded
    assert test.sample_size == expanded_size(40, 0.90, 300) == 56
    extra = [item for item in test.items if item.expansion]
    assert len(extra) == 16
    assert len({item.key for item in test.items}) == 56  # no item drawn twice
    assert test.deviations == 1
    # effective, but Section IV still discloses the deviation (soc2-domain.md §3.4)
    assert test.conclusion is ControlConclusion.EXCEPTIONS
    assert test.effective is True and test.exceptions_noted == 1
    assert test.result_text.startswith("Exception noted: 1 of 56 ")
    assert "expanded from 40 to 56 items" in test.result_text
    assert "expanded to 56 with no further deviation" in test.reason
    assert test.planned_size == 40


def test_a_further_deviation_after_expansion_is_an_exception() -> None:
    prog = program()
    picked = sampled_indices(prog, 300)
    rows = changes(300)
    rows[picked[3]]["approved_at"] = "2026-07-01T00:00:00Z"
    expanded = run(prog, source_for(prog, rows))
    later = next(index_of(item.key) for item in expanded.items if item.expansion)
    rows[later]["author"] = "dana"
    test = run(prog, source_for(prog, rows))
    assert test.expanded and test.sample_size == 56 and test.deviations == 2
    assert test.conclusion is ControlConclusion.EXCEPTIONS
    assert test.effective is False and test.result_text.startswith("Exception noted: 2 of 56 ")
    assert "of 56 sampled items of changes (expanded from 40 after one deviation)" in test.reason


def test_one_deviation_in_a_small_sample_is_an_exception() -> None:
    prog = program(controls=[{"frequency": "monthly", "risk": "low"}])
    rows = [change(i, date(2026, i + 1, 15)) for i in range(6)]  # one per month
    clean = run(prog, source_for(prog, rows))
    assert clean.sample_size == 2 and clean.conclusion is ControlConclusion.NO_EXCEPTIONS
    assert clean.unit == "month"
    rows[index_of(clean.items[0].key)]["ci_status"] = "skipped"
    test = run(prog, source_for(prog, rows))
    assert test.conclusion is ControlConclusion.EXCEPTIONS and not test.expanded
    assert test.reason.endswith("one deviation in a sample under 20 exceeds the tolerable rate")


def test_one_deviation_with_the_whole_population_tested_is_an_exception() -> None:
    prog = program(controls=[{"frequency": "daily", "risk": "low"}])
    rows = changes(20)
    rows[4]["approver"] = ""
    test = run(prog, source_for(prog, rows))
    assert test.sample_size == 20 and test.deviations == 1 and not test.expanded
    assert test.conclusion is ControlConclusion.EXCEPTIONS
    assert test.reason.endswith("the whole population was tested")


def test_missing_evidence_on_a_sampled_item_is_a_deviation() -> None:
    prog = program()
    picked = sampled_indices(prog, 300)
    test = run(prog, source_for(prog, changes(300), skip=picked[:2]))
    assert test.conclusion is ControlConclusion.EXCEPTIONS and test.deviations == 2
    failing = [r for item in test.items for r in item.results if not r.passed]
    assert [r.attribute for r in failing] == ["evidenced", "evidenced"]
    assert failing[0].detail == f"evidence/pr/PR-{picked[0]:04d}.png not in vault"


def test_out_of_period_rows_are_never_sampled() -> None:
    prog = program()
    inside = changes(4, date(2026, 2, 1), 30)
    rows = [change(100, date(2025, 12, 31)), *inside, change(101, date(2026, 7, 1))]
    test = run(prog, source_for(prog, rows))
    assert test.population_size == 4 and test.sample_size == 4  # N ≤ 4: all of them
    assert [item.key for item in test.items] == [r["pr_id"] for r in inside]


def test_no_occurrence_in_the_period_is_not_testable() -> None:
    prog = program(controls=[{"frequency": "annual"}])
    test = run(prog, source_for(prog, [change(0, date(2025, 6, 1))]))
    assert test.conclusion is ControlConclusion.NOT_TESTABLE and test.items == ()
    assert test.reason == "Not testable: no occurrence in changes between 2026-01-01 and 2026-06-30"
    assert test.unit == "quarter"


def test_automated_control_tested_once_only_with_clean_itgcs() -> None:
    prog = program(controls=[{"kind": "automated"}])
    source = source_for(prog, changes(300))
    assert run(prog, source, itgc_clean=True).sample_size == 1
    assert run(prog, source, itgc_clean=False).sample_size == 40


def test_type1_tests_one_recent_instance() -> None:
    prog = program(engagement={"report_type": "type1", "period_end": "2026-06-30"})
    rows = changes(120, date(2025, 7, 1), 364)
    test = run(prog, source_for(prog, rows))
    assert test.sample_size == 1 and test.planned_size == 1
    assert test.items[0].stratum == "2026-06"
    assert test.conclusion is ControlConclusion.NO_EXCEPTIONS


# -- controls without a population ----------------------------------------------------------

POLICY_PDF = "evidence/controls/GOV-01.pdf"


def control_level(evidence: list[str], files: dict[str, EvidenceRef], **extra: Any) -> ControlTest:
    fields = {"frequency": "annual", "population": None, "attributes": [], "evidence": evidence}
    prog = program(controls=[{**fields, **extra}])
    return run(prog, FakeSource(prog, {}, files))


def test_control_level_evidence() -> None:
    stored = {POLICY_PDF: EvidenceRef(POLICY_PDF, "ev-9", None, True)}
    clean = control_level([POLICY_PDF], stored)
    assert clean.conclusion is ControlConclusion.NO_EXCEPTIONS
    assert clean.sample_size == 1 and clean.planned_size == 1 and clean.deviations == 0
    assert clean.reason == "No exceptions noted: inspected 1 control-level evidence file"

    missing = control_level([POLICY_PDF], {})
    assert missing.conclusion is ControlConclusion.EXCEPTIONS and missing.deviations == 1
    assert missing.reason == f"Exception noted: control-level evidence {POLICY_PDF} not in vault"

    damaged = {POLICY_PDF: EvidenceRef(POLICY_PDF, "ev-9", None, False)}
    broken = control_level([POLICY_PDF], damaged, frequency="continuous")
    assert broken.conclusion is ControlConclusion.EXCEPTIONS
    assert broken.reason.endswith("fails verification")

    nothing = control_level([], {})
    assert nothing.conclusion is ControlConclusion.NOT_TESTABLE


def test_sampled_frequency_without_population() -> None:
    stored = {POLICY_PDF: EvidenceRef(POLICY_PDF, "ev-9", None, True)}
    type2 = control_level([POLICY_PDF], stored, frequency="monthly")
    assert type2.conclusion is ControlConclusion.NOT_TESTABLE
    assert "no population" in type2.reason
    fields = {
        "frequency": "monthly",
        "population": None,
        "attributes": [],
        "evidence": [POLICY_PDF],
    }
    prog = program(
        engagement={"report_type": "type1", "period_end": "2026-06-30"}, controls=[fields]
    )
    type1 = run(prog, FakeSource(prog, {}, stored))  # design: the document is the instance
    assert type1.conclusion is ControlConclusion.NO_EXCEPTIONS


# -- full-population scan -------------------------------------------------------------------


def scan(
    prog: Program, source: FakeSource, test: ControlTest, index: int = 0
) -> testing.ScanResult:
    control = prog.controls[index]
    population = prog.population("changes")
    assert population is not None
    return testing.scan_population(control, population, source, test, owner="dana")


def plant(rows: list[dict[str, str]], index: int, how: str) -> None:
    row = rows[index]
    if how == "same-person":
        row["approver"] = row["author"].upper()
    elif how == "late":
        row["approved_at"] = "2026-07-02T09:00:00Z"
    elif how == "red":
        row["ci_status"] = "failure"
    elif how == "blank":
        row["approver"] = ""


def test_scan_finds_exactly_the_planted_items() -> None:
    prog = program()
    picked = sampled_indices(prog, 300)
    rows = changes(300)
    deviating = {picked[0]: "same-person", 3: "late", 10: "red", 150: "blank", 299: "red"}
    deviating.update({i: "red" for i in (41, 42)})
    lost = {picked[1], 77, 78, 201}
    both = 201
    deviating[both] = "same-person"
    for index, how in deviating.items():
        plant(rows, index, how)
    outside = change(999, date(2026, 7, 15))
    outside["ci_status"] = "failure"
    rows.append(outside)  # deviating but out of period: excluded
    source = source_for(prog, rows, skip=lost | {999})
    test = run(prog, source)
    source.row_passes = 0
    result = scan(prog, source, test)

    assert source.row_passes == 1  # one streaming pass
    by_code: dict[FindingCode, dict[str, Any]] = {}
    for finding in result.findings:
        assert finding.id == "" and len(finding.items) == 1
        by_code.setdefault(finding.code, {})[finding.items[0]] = finding
    keys = {f"PR-{i:04d}" for i in deviating}
    assert set(by_code[FindingCode.SAMPLE_DEVIATION]) == keys
    assert set(by_code[FindingCode.EVIDENCE_MISSING]) == {f"PR-{i:04d}" for i in lost}
    assert result.population_size == 300
    assert result.deviating == len(deviating) and result.missing_evidence == len(lost)

    sampled = {item.key for item in test.items}
    assert f"PR-{picked[0]:04d}" in sampled and f"PR-{picked[1]:04d}" in sampled
    n = test.sample_size
    for code, bad in (
        (FindingCode.SAMPLE_DEVIATION, len(deviating)),
        (FindingCode.EVIDENCE_MISSING, len(lost)),
    ):
        for key, finding in by_code[code].items():
            assert finding.sampled is (key in sampled)
            assert finding.detection_probability == detection_probability(300, bad, n)
            assert finding.owner == "dana" and finding.criteria == ("CC8.1",)
            assert finding.control == "CHG-01" and finding.population == "changes"
    assert any(not f.sampled for f in by_code[FindingCode.SAMPLE_DEVIATION].values())

    both_finding = by_code[FindingCode.SAMPLE_DEVIATION][f"PR-{both:04d}"]
    title = f"PR-{both:04d} fails independent-approval, evidenced"
    if not both_finding.sampled:  # a risk of an exception, not one the auditor found
        title = f"Risk of an exception: {title} (not in the auditor's sample)"
        assert "Section IV does not report it" in both_finding.detail
    assert both_finding.title == title
    blank = by_code[FindingCode.SAMPLE_DEVIATION]["PR-0150"]
    assert "approver is blank" in blank.detail
    assert "line 152" in blank.detail  # header + 0-based index 150

    assert set(result.failing) == {a["id"] for a in CHANGE_ATTRIBUTES}
    assert result.failing["ci-green"] == ["PR-0010", "PR-0041", "PR-0042", "PR-0299"]
    assert result.failing["approved-before-merge"] == ["PR-0003"]
    assert set(result.failing["evidenced"]) == {f"PR-{i:04d}" for i in lost}
    for key, finding in by_code[FindingCode.SAMPLE_DEVIATION].items():
        found = key in sampled and test.effective is False  # unsampled: a risk, never high
        assert finding.severity is (Severity.HIGH if found else Severity.MEDIUM)
    assert by_code[FindingCode.EVIDENCE_MISSING]["PR-0077"].severity is Severity.MEDIUM


def test_only_one_control_reports_missing_row_evidence() -> None:
    first = {"attributes": CHANGE_ATTRIBUTES[:1]}
    second = {"id": "CHG-02", "attributes": CHANGE_ATTRIBUTES}
    third = {"id": "CHG-03", "attributes": CHANGE_ATTRIBUTES}
    prog = program(controls=[first, second, third])
    assert [testing.reports_row_evidence(c, prog) for c in prog.controls] == [False, True, False]
    source = source_for(prog, changes(100), skip=[5])
    for index, reports in ((0, False), (1, True), (2, False)):
        test = run(prog, source, index=index)
        result = scan(prog, source, test, index)
        codes = {f.code for f in result.findings}
        assert (FindingCode.EVIDENCE_MISSING in codes) is reports
        assert FindingCode.SAMPLE_DEVIATION not in codes  # missing evidence alone is not one
        assert result.failing.get("evidenced", ["PR-0005"]) == ["PR-0005"]


@settings(max_examples=25, deadline=None)
@given(
    count=st.integers(1, 80),
    planted=st.sets(st.integers(0, 79), max_size=15),
    how=st.sampled_from(["same-person", "late", "red", "blank"]),
    seed=st.integers(0, 1000),
)
def test_scan_property(count: int, planted: set[int], how: str, seed: int) -> None:
    prog = program()
    rows = changes(count)
    planted = {i for i in planted if i < count}
    for index in planted:
        plant(rows, index, how)
    source = source_for(prog, rows)
    test = run(prog, source, seed)
    result = scan(prog, source, test)
    found = {f.items[0]: f for f in result.findings}
    assert set(found) == {f"PR-{i:04d}" for i in planted}
    sampled = {item.key for item in test.items}
    assert all(f.sampled is (key in sampled) for key, f in found.items())
    assert test.deviations == len(sampled & set(found))


@dataclass
class StreamSource(FakeSource):
    """Yields ``size`` generated rows without holding them (the vault's streaming contract)."""

    size: int = 0

    def rows(self, population: str) -> Iterator[PopulationRow]:
        day0 = START
        for i in range(self.size):
            day = day0 + timedelta(days=i % 181)
            text = day.isoformat()
            values = {
                "pr_id": f"PR-{i}",
                "merged_at": f"{text}T12:00:00Z",
                "author": "sam",
                "approver": "sam" if i % 1000 == 0 else "dana",
                "approved_at": f"{text}T10:00:00Z",
                "ci_status": "success",
                "evidence": f"evidence/pr/PR-{i}.png",
            }
            yield PopulationRow(f"PR-{i}", i + 2, day, values)

    def evidence(self, paths: Iterable[str], *, verify: bool = False) -> Mapping[str, EvidenceRef]:
        return {p: EvidenceRef(p, "ev", None, None) for p in paths}


@pytest.mark.soak
def test_scan_of_a_million_rows_is_fast() -> None:
    """The engine's own cost (scan time minus the time the source takes to stream the rows
    and answer the evidence look-ups) must stay within a few seconds for 1M rows."""
    prog = program()
    source = StreamSource(prog, size=1_000_000)
    test = run(prog, source_for(prog, changes(300)))
    started = time.perf_counter()
    for batch in testing._batches(source.rows("changes")):
        source.evidence(dict.fromkeys(r.values["evidence"] for r in batch))
    streaming = time.perf_counter() - started
    started = time.perf_counter()
    result = scan(prog, source, test)
    elapsed = time.perf_counter() - started
    assert result.population_size == 1_000_000 and result.deviating == 1000
    print(f"1,000,000 rows: scan {elapsed:.2f} s, of which the source {streaming:.2f} s")
    assert elapsed - streaming < 10
