"""The built-in scenario packs contain exactly what their README.md and expected.json claim.

Why: ``expected.json`` is what end-to-end tests of the fieldwork engine compare against, and
the README is what a compliance lead reads to learn what a mock audit should say. Both are
hand-written claims about CSV data. This test re-derives every claim from the data with a
small, deliberately literal reading of scenario-format.md and findings-format.md (it is not
the engine), so the claims cannot drift from the data. Where the spec leaves a threshold open
(how close to the period ends a per-event population must start and stop, how improbable a
gap must be), the packs are built to sit clearly on one side, and this test fails if any
population lands in the grey zone between a lenient and a strict reading.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mockaudit.domain import (
    Attribute,
    AttributeCheck,
    Frequency,
    Population,
    ReportType,
    criteria_for,
)
from mockaudit.scenarios.loader import Scenario, load_scenario
from tests.scenarios.pack_description import derive_description

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
PACKS = ("northwind-first-type2", "acme-type1-ready", "globex-renewal-type2")
ALL_CODES = (
    "scope.criterion_uncovered scope.too_broad control.ownerless control.no_population "
    "control.not_operated control.no_evidence population.period_gap population.count_mismatch "
    "population.out_of_period population.duplicate population.missing_field "
    "population.weak_source population.extracted_early sample.deviation evidence.missing "
    "evidence.integrity reconciliation.break policy.stale policy.practice_divergence "
    "risk.unmitigated walkthrough.divergence vendor.bridge_letter_needed vendor.report_stale "
    "vendor.exception_unevaluated vendor.csoc_unmonitored vendor.cuec_unmapped "
    "vendor.system_unaddressed vendor.review_incomplete description.element_missing "
    "description.sla_breach_undisclosed description.incident_undisclosed "
    "description.change_undisclosed"
).split()

Key = tuple[str, str | None, str | None, str | None, str | None, str | None]
"""(code, control, population, policy, risk, subject): subject is a criterion, system or category."""
Row = dict[str, str]

EDGE_CLEAN, EDGE_GAP = 7, 14  # days between a period end and the nearest per-event row
PLAUSIBLE, IMPROBABLE = 0.05, 0.01  # expected number of gaps this long at the population's rate


def _moment(text: str) -> datetime:
    """A cell as an aware datetime: a bare date is midnight UTC, a naive datetime is UTC."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(text: str) -> date:
    return _moment(text).astimezone(UTC).date()


class Pack:
    """One loaded pack: its program, rows by population and the window rows must fall in."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.folder = SCENARIOS / name
        self.scenario: Scenario = load_scenario(self.folder)
        self.program = self.scenario.program
        self.expected: dict[str, Any] = json.loads((self.folder / "expected.json").read_text())
        self.readme = (self.folder / "README.md").read_text(encoding="utf-8")
        engagement = self.program.engagement
        self.end = engagement.period_end
        if engagement.report_type is ReportType.TYPE2:
            assert engagement.period_start is not None
            self.start = engagement.period_start
        else:  # a Type 1 looks back one year from the as-of date (the annual rule of the spec)
            self.start = self.end - timedelta(days=365)
        self.rows: dict[str, list[Row]] = {}
        for population in self.program.populations:
            table = self.scenario.table(population.id)
            self.rows[population.id] = [
                dict(zip(table.header, cells, strict=True)) for _, cells in table.rows()
            ]

    def in_window(self, population: Population, row: Row) -> bool:
        return self.start <= _day(row[population.date]) <= self.end

    def file_exists(self, relative: str) -> bool:
        return self.scenario.resolve(relative, self.name).is_file()


def _evidence_paths(population: Population, row: Row) -> list[str]:
    assert population.evidence_column is not None
    return [p.strip() for p in row[population.evidence_column].split(";") if p.strip()]


def _passes(pack: Pack, population: Population, attribute: Attribute, row: Row) -> bool:
    """One attribute check on one row, exactly as the table in scenario-format.md words it
    (with docs/scenario-format.md's additions: ``when`` and a ``before`` grace)."""
    check = attribute.check
    when = attribute.when
    if when is not None:
        listed = when.in_ if when.in_ is not None else when.not_in or ()
        inside = row[when.column].strip().casefold() in {v.casefold() for v in listed}
        if inside is (when.in_ is None):
            return True  # the attribute does not apply to this row
    if check is AttributeCheck.EVIDENCE:
        paths = _evidence_paths(population, row)
        return bool(paths) and all(pack.file_exists(p) for p in paths)
    if attribute.field is not None:
        value = row[attribute.field].strip()
        if check is AttributeCheck.PRESENT:
            return bool(value)
        if check is AttributeCheck.ABSENT:
            return not value
        if check is AttributeCheck.EQUALS:
            return value == (attribute.value or "").strip()
        return value in [v.strip() for v in attribute.values or ()]
    assert attribute.fields is not None
    a, b = (row[f].strip() for f in attribute.fields)
    if not a or not b:
        return False
    if check is AttributeCheck.DIFFERENT:
        return a.casefold() != b.casefold()
    if check is AttributeCheck.BEFORE and attribute.days:
        limit, left = _day(b), attribute.days
        while left:  # business days only when the attribute says so
            limit += timedelta(days=1)
            left -= 1 if not attribute.business_days or limit.weekday() < 5 else 0
        return _day(a) <= limit
    if check is AttributeCheck.BEFORE:
        return _moment(a) <= _moment(b)
    return 0 <= (_day(b) - _day(a)).days <= (attribute.days or 0)


def _slots(frequency: Frequency, start: date, end: date) -> list[tuple[date, date]]:
    """The units a periodic population needs one occurrence in, clipped to the window."""

    def key(day: date) -> object:
        if frequency is Frequency.DAILY:
            return day
        if frequency is Frequency.WEEKLY:
            return day.isocalendar()[:2]
        if frequency is Frequency.MONTHLY:
            return (day.year, day.month)
        if frequency is Frequency.QUARTERLY:
            return (day.year, (day.month - 1) // 3)
        return (day.year, (day.month - 1) // 6)

    groups: dict[object, list[date]] = defaultdict(list)
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        if frequency is not Frequency.DAILY or day.weekday() < 5:
            groups[key(day)].append(day)
    return [(days[0], days[-1]) for days in groups.values()]


def _per_event_gap(pack: Pack, population: str, days: list[date]) -> bool:
    """Coverage of an event-driven population, refusing anything between clean and broken.

    A list pulled before period end is judged up to its extraction date: the silence
    after it is the extracted_early finding, not a second one.
    """
    days = sorted(days)
    pop = pack.program.population(population)
    assert pop is not None and pop.extracted_on is not None
    end = min(pack.end, pop.extracted_on)
    span = (end - pack.start).days + 1
    edge = max((days[0] - pack.start).days, (end - days[-1]).days)
    bounds = [pack.start - timedelta(days=1), *days, end + timedelta(days=1)]
    longest = max((b - a).days for a, b in zip(bounds, bounds[1:], strict=False))
    expected_gaps = len(days) * math.exp(-len(days) / span * longest)
    if edge <= EDGE_CLEAN and expected_gaps >= PLAUSIBLE:
        return False
    if edge > EDGE_GAP and expected_gaps < IMPROBABLE:
        return True
    pytest.fail(
        f"{pack.name}/{population}: coverage is ambiguous (edge {edge} d, {expected_gaps:.3f})"
    )


def _has_gap(pack: Pack, frequency: Frequency, population: str, days: list[date]) -> bool:
    if frequency in (Frequency.PER_EVENT, Frequency.MULTIPLE_DAILY):
        return _per_event_gap(pack, population, days)
    if frequency is Frequency.ANNUAL:
        return not days
    if frequency is Frequency.CONTINUOUS:
        return False
    return any(
        not any(a <= x <= b for x in days) for a, b in _slots(frequency, pack.start, pack.end)
    )


class Findings:
    """Derived findings keyed like expected.json entries, with the union of their items."""

    def __init__(self) -> None:
        self.items: dict[Key, set[str]] = defaultdict(set)

    def add(
        self,
        code: str,
        *items: str,
        control: str | None = None,
        population: str | None = None,
        policy: str | None = None,
        risk: str | None = None,
        subject: str | None = None,
    ) -> None:
        self.items[(code, control, population, policy, risk, subject)].update(items)


def _scope(pack: Pack, found: Findings) -> None:
    program = pack.program
    mapped = {criterion for control in program.controls for criterion in control.criteria}
    engagement = program.engagement
    for criterion in criteria_for(engagement.categories):
        if criterion.id not in mapped:
            found.add("scope.criterion_uncovered", subject=criterion.id)
    touched = {population.system for population in program.populations}
    for system in engagement.systems:
        if system not in touched:
            found.add("scope.too_broad", subject=system)
    for category in engagement.categories:
        if not any(c.category is category and c.id in mapped for c in criteria_for([category])):
            found.add("scope.too_broad", subject=category.value)


def _controls(pack: Pack, found: Findings) -> None:
    sampled_free = (Frequency.ANNUAL, Frequency.CONTINUOUS)
    for control in pack.program.controls:
        person = pack.program.person(control.owner or "")
        if person is None or (person.left_on is not None and person.left_on <= pack.end):
            found.add("control.ownerless", control=control.id)
        if control.frequency not in sampled_free and control.population is None:
            found.add("control.no_population", control=control.id)
        if control.frequency in sampled_free and not (control.evidence or control.population):
            found.add("control.no_evidence", control=control.id)
        if control.population is not None:
            _tests_of_control(pack, found, control.id)
        else:
            _registers(pack, found, control.id, control.evidence)


def _registers(pack: Pack, found: Findings, control_id: str, paths: tuple[str, ...]) -> None:
    """A Markdown register row that says "overdue" is a deviation of the control inspecting it."""
    for path in paths:
        if not path.endswith(".md") or not pack.file_exists(path):
            continue
        text = pack.scenario.resolve(path, pack.name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("|") and "overdue" in line.lower():
                entry = line.strip("| ").split()[0]
                policy = entry if pack.program.policy(entry) is not None else None
                found.add(
                    "sample.deviation", entry, control=control_id, policy=policy, subject="overdue"
                )


def _tests_of_control(pack: Pack, found: Findings, control_id: str) -> None:
    control = pack.program.control(control_id)
    assert control is not None and control.population is not None
    population = pack.program.population(control.population)
    assert population is not None
    rows = pack.rows[population.id]
    dated = [_day(r[population.date]) for r in rows if pack.in_window(population, r)]
    if not dated:
        found.add("control.not_operated", control=control.id)
    elif _has_gap(pack, control.frequency, population.id, dated):
        found.add("population.period_gap", control=control.id, population=population.id)
    for row in rows:
        failed = [a.id for a in control.attributes if not _passes(pack, population, a, row)]
        if failed and not pack.in_window(population, row):
            pytest.fail(f"{pack.name}: out-of-period row {row[population.key]} fails {failed}")
        evidence_only = all(
            a.check is AttributeCheck.EVIDENCE for a in control.attributes if a.id in failed
        )
        if failed and evidence_only and _evidence_paths(population, row):
            continue  # the listed file is missing: reported once, as evidence.missing
        if failed:
            found.add(
                "sample.deviation",
                row[population.key],
                control=control.id,
                population=population.id,
            )


def _populations(pack: Pack, found: Findings) -> None:
    for population in pack.program.populations:
        rows, pid = pack.rows[population.id], population.id
        keys = Counter(r[population.key] for r in rows)
        if population.declared_count != len(rows):
            found.add("population.count_mismatch", population=pid)
        if dups := [k for k, n in keys.items() if n > 1]:
            found.add("population.duplicate", *dups, population=pid)
        if out := [r[population.key] for r in rows if not pack.in_window(population, r)]:
            found.add("population.out_of_period", *out, population=pid)
        hand_made = population.is_hand_made
        if hand_made or not population.query or not population.count_evidence:
            assert hand_made and not population.query and not population.count_evidence, pid
            found.add("population.weak_source", population=pid)
        assert population.extracted_on is not None, pid
        if population.extracted_on < pack.end:
            found.add("population.extracted_early", population=pid)
        needed = {
            c
            for ctl in pack.program.controls
            if ctl.population == pid
            for a in ctl.attributes
            for c in a.columns
        }
        if blank := [r[population.key] for r in rows if any(not r[c].strip() for c in needed)]:
            found.add("population.missing_field", *blank, population=pid)
        if population.evidence_column is not None:
            missing = [
                r[population.key]
                for r in rows
                if any(not pack.file_exists(p) for p in _evidence_paths(population, r))
            ]
            if missing:
                found.add("evidence.missing", *missing, population=pid)


def _breaks(pack: Pack, reconciliation_id: str, max_days: int) -> list[str]:
    rec = pack.program.reconciliation(reconciliation_id)
    assert rec is not None
    left, right = pack.program.population(rec.left), pack.program.population(rec.right)
    assert left is not None and right is not None
    removals: dict[str, list[date]] = defaultdict(list)
    for row in pack.rows[right.id]:
        removals[row[rec.right_match].strip().casefold()].append(_day(row[rec.right_date]))
    broken = []
    for row in pack.rows[left.id]:
        assert row[rec.left_match].strip() and row[rec.left_date].strip()
        start = _day(row[rec.left_date])
        matches = removals[row[rec.left_match].strip().casefold()]
        if not any(0 <= (day - start).days <= max_days for day in matches):
            broken.append(row[left.key])
    return broken


def _promises(pack: Pack, found: Findings) -> None:
    program = pack.program
    for rec in program.reconciliations:
        if broken := _breaks(pack, rec.id, rec.max_days):
            found.add("reconciliation.break", *broken, control=rec.control, population=rec.left)
    for policy in program.policies:
        window_start = min(pack.start, pack.end - timedelta(days=policy.review_interval_days))
        if policy.approved_on is None or not window_start <= policy.approved_on <= pack.end:
            found.add("policy.stale", policy=policy.id)
        for commitment in policy.commitments:
            if commitment.reconciliation is not None:
                linked = program.reconciliation(commitment.reconciliation)
                assert linked is not None
                days = commitment.max_days
                broken = _breaks(pack, linked.id, linked.max_days if days is None else days)
            else:
                broken = _failing(pack, commitment.control or "", commitment.attribute or "")
            if broken:
                found.add("policy.practice_divergence", *broken, policy=policy.id)
    for risk in program.risks:
        if not risk.controls:
            found.add("risk.unmitigated", risk=risk.id)


def _failing(pack: Pack, control_id: str, attribute_id: str) -> list[str]:
    control = pack.program.control(control_id)
    assert control is not None and control.population is not None
    attribute = control.attribute(attribute_id)
    population = pack.program.population(control.population)
    assert attribute is not None and population is not None
    rows = pack.rows[population.id]
    return [r[population.key] for r in rows if not _passes(pack, population, attribute, r)]


def derive(pack: Pack) -> dict[Key, set[str]]:
    found = Findings()
    _scope(pack, found)
    _controls(pack, found)
    _populations(pack, found)
    _promises(pack, found)
    derive_description(pack.folder, pack.start, pack.end, pack.rows, found.add)
    return dict(found.items)


def expected_findings(pack: Pack) -> dict[Key, set[str]]:
    out: dict[Key, set[str]] = defaultdict(set)
    for entry in pack.expected["must_find"]:
        subjects = entry.get("criteria") or entry.get("mentions") or [None]
        assert len(subjects) == 1, entry
        key = (
            entry["code"],
            entry["control"],
            entry["population"],
            entry["policy"],
            entry["risk"],
            subjects[0],
        )
        out[key].update(entry["items"] or ())
    return dict(out)


@pytest.fixture(scope="module", params=PACKS)
def pack(request: pytest.FixtureRequest) -> Iterator[Pack]:
    yield Pack(request.param)


def test_pack_loads_with_the_strict_loader(pack: Pack) -> None:
    assert pack.program.controls and pack.program.populations


def test_every_claimed_finding_is_exactly_what_the_data_shows(pack: Pack) -> None:
    assert derive(pack) == expected_findings(pack)


def test_codes_that_must_not_appear_are_absent_from_the_data(pack: Pack) -> None:
    must_not = set(pack.expected["must_not_find"])
    assert must_not <= set(ALL_CODES)
    found_codes = {key[0] for key in derive(pack)}
    assert not must_not & found_codes
    claimed = {entry["code"] for entry in pack.expected["must_find"]}
    assert not must_not & claimed


def test_population_facts_match_the_files(pack: Pack) -> None:
    facts = pack.expected["facts"]["populations"]
    assert set(facts) == {p.id for p in pack.program.populations}
    for population in pack.program.populations:
        rows = pack.rows[population.id]
        fact = facts[population.id]
        in_window = sum(pack.in_window(population, r) for r in rows)
        assert fact == {
            "rows": len(rows),
            "in_period": in_window,
            "declared_count": population.declared_count,
            "distinct_keys": len({r[population.key] for r in rows}),
        }
        row_line = (
            f"| `{population.id}` | {population.system} | {len(rows)} | {in_window} | "
            f"{population.declared_count} |"
        )
        assert row_line in pack.readme, row_line


def test_readme_names_every_claimed_item_and_every_excluded_code(pack: Pack) -> None:
    for entry in pack.expected["must_find"]:
        for text in [entry["code"], *(entry["items"] or ()), *entry.get("criteria", ())]:
            assert text in pack.readme, text
    for code in pack.expected["must_not_find"]:
        assert f"`{code}`" in pack.readme, code


def test_pack_stays_small(pack: Pack) -> None:
    size = sum(p.stat().st_size for p in pack.folder.rglob("*") if p.is_file())
    assert size < 2_000_000
