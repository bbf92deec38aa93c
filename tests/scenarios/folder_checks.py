"""An independent, deliberately simple reading of a scenario folder, for generator tests.

It re-derives from the files alone (never from truth.json) what an auditor would
object to, so tests can check both directions: a clean folder shows nothing,
and every planted defect in truth.json is really there in the files.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from mockaudit.domain import Attribute, Program, Reconciliation, criteria_for
from mockaudit.domain.enums import AttributeCheck, Frequency
from mockaudit.scenarios.loader import load_scenario

Row = dict[str, str]
SAMPLED = {"per_event", "multiple_daily", "daily", "weekly", "monthly", "quarterly", "semiannual"}


@dataclass
class Folder:
    root: Path
    program: Program
    rows: dict[str, list[Row]]

    @classmethod
    def read(cls, root: Path) -> Folder:
        scenario = load_scenario(root)
        rows = {}
        for population in scenario.program.populations:
            with (root / population.file).open(newline="", encoding="utf-8") as fh:
                rows[population.id] = list(csv.DictReader(fh))
        return cls(root, scenario.program, rows)

    @property
    def start(self) -> date:
        assert self.program.engagement.period_start is not None
        return self.program.engagement.period_start

    @property
    def end(self) -> date:
        return self.program.engagement.period_end


def day(value: str) -> date:
    return date.fromisoformat(value[:10])


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value) if len(value) > 10 else datetime.fromisoformat(value[:10])


def attribute_passes(
    folder: Folder, attribute: Attribute, row: Row, evidence_col: str | None
) -> bool:
    check = attribute.check
    if check is AttributeCheck.EVIDENCE:
        paths = [p for p in (row.get(evidence_col or "", "") or "").split(";") if p]
        return bool(paths) and all((folder.root / p).is_file() for p in paths)
    if attribute.field is not None:
        value = row[attribute.field].strip()
        if check is AttributeCheck.PRESENT:
            return value != ""
        if check is AttributeCheck.ABSENT:
            return value == ""
        if check is AttributeCheck.EQUALS:
            return value == (attribute.value or "")
        return value in (attribute.values or ())
    a, b = (row[f].strip() for f in attribute.fields or ("", ""))
    if not a or not b:
        return False
    if check is AttributeCheck.DIFFERENT:
        return a.lower() != b.lower()
    if check is AttributeCheck.BEFORE:
        both_times = len(a) > 10 and len(b) > 10
        return moment(a) <= moment(b) if both_times else day(a) <= day(b)
    return 0 <= (day(b) - day(a)).days <= (attribute.days or 0)


class Findings(list[dict[str, Any]]):
    """The objections found so far, each {code, control, population, items, ...}."""

    def add(
        self,
        code: str,
        control: str | None = None,
        population: str | None = None,
        items: list[str] | None = None,
        **extra: object,
    ) -> None:
        record = {"code": code, "control": control, "population": population}
        self.append({**record, "items": sorted(items or []), **extra})


def observe(folder: Folder) -> Findings:
    """Every objection found in the folder."""
    found = Findings()
    program = folder.program
    covered = {c for control in program.controls for c in control.criteria}
    for criterion in criteria_for(program.engagement.categories):
        if criterion.id not in covered:
            found.add("scope.criterion_uncovered", criterion=criterion.id)
    used_systems = {p.system for p in program.populations}
    for system in program.engagement.systems:
        if system not in used_systems:
            found.add("scope.too_broad", system=system)
    _observe_controls(folder, found)
    for population in program.populations:
        _observe_population(folder, population.id, found)
    _observe_reconciliations(folder, found)
    for policy in program.policies:
        window = timedelta(days=policy.review_interval_days)
        approved = policy.approved_on
        if approved is None or not (folder.end - window <= approved <= folder.end):
            found.add("policy.stale", policy=policy.id)
    for risk in program.risks:
        if not risk.controls:
            found.add("risk.unmitigated", risk=risk.id)
    return found


def _observe_controls(folder: Folder, found: Findings) -> None:
    people = {p.id: p for p in folder.program.people}
    for control in folder.program.controls:
        person = people.get(control.owner or "")
        if person is None or (person.left_on is not None and person.left_on < folder.end):
            found.add("control.ownerless", control.id)
        if control.frequency.value in SAMPLED and control.population is None:
            found.add("control.no_population", control.id)
        documented = control.frequency in (Frequency.ANNUAL, Frequency.CONTINUOUS)
        if documented and control.population is None and not control.evidence:
            found.add("control.no_evidence", control.id)
        for relative in control.evidence:
            if not (folder.root / relative).is_file():
                found.add("evidence.missing", control.id, items=[relative])


def _observe_population(folder: Folder, pid: str, found: Findings) -> None:
    program = folder.program
    population = program.population(pid)
    assert population is not None
    rows = folder.rows[pid]
    users = [c for c in program.controls if c.population == pid]
    control = users[0].id if users else None
    if population.declared_count != len(rows):
        found.add("population.count_mismatch", control, pid)
    if population.is_hand_made or not population.query or not population.count_evidence:
        found.add("population.weak_source", control, pid)
    if population.extracted_on is None or population.extracted_on <= folder.end:
        found.add("population.extracted_early", control, pid)
    keys = Counter(r[population.key] for r in rows)
    duplicates = [k for k, n in keys.items() if n > 1]
    if duplicates:
        found.add("population.duplicate", control, pid, duplicates)
    inside: list[Row] = []
    outside: list[Row] = []
    for row in rows:
        in_period = folder.start <= day(row[population.date]) <= folder.end
        (inside if in_period else outside).append(row)
    if outside:
        found.add("population.out_of_period", control, pid, [r[population.key] for r in outside])
    if users and not inside:
        found.add("control.not_operated", control, pid)
    elif users:
        _observe_coverage(folder, pid, users[0].frequency, inside, found)
    for user in users:
        for attribute in user.attributes:
            for column in attribute.columns:
                blank = [r[population.key] for r in inside if not r[column].strip()]
                if blank:
                    found.add("population.missing_field", user.id, pid, blank, field=column)
            failing = [
                r[population.key]
                for r in inside
                if not attribute_passes(folder, attribute, r, population.evidence_column)
            ]
            if failing:
                found.add("sample.deviation", user.id, pid, failing, attribute=attribute.id)
    if population.evidence_column:
        column = population.evidence_column
        missing = [
            r[population.key]
            for r in rows
            if any(not (folder.root / p).is_file() for p in r[column].split(";") if p)
        ]
        if missing:
            found.add("evidence.missing", control, pid, missing)


_SLOT_OF: dict[Frequency, Callable[[date], object]] = {
    Frequency.MONTHLY: lambda d: (d.year, d.month),
    Frequency.QUARTERLY: lambda d: (d.year, (d.month - 1) // 3),
    Frequency.WEEKLY: lambda d: d.isocalendar()[:2],
    Frequency.DAILY: lambda d: d,
}


def _observe_coverage(
    folder: Folder, pid: str, frequency: Frequency, rows: list[Row], found: Findings
) -> None:
    """Periodic: one per slot; per event: ends within 14 days, no silence 5x the mean spacing."""
    population = folder.program.population(pid)
    assert population is not None
    days = sorted({day(r[population.date]) for r in rows})
    start, end = folder.start, folder.end
    if frequency in _SLOT_OF:
        slot = _SLOT_OF[frequency]
        every_day = (start + timedelta(i) for i in range((end - start).days + 1))
        business = frequency is Frequency.DAILY
        wanted = {slot(d) for d in every_day if not business or d.weekday() < 5}
        if wanted - {slot(d) for d in days}:
            found.add("population.period_gap", None, pid)
        return
    if frequency is not Frequency.PER_EVENT or not days:
        return
    longest = max((b - a).days for a, b in zip([start, *days], [*days, end], strict=True))
    rate_gap = 5 * (end - start).days / len(days)
    late_start, early_end = (days[0] - start).days > 14, (end - days[-1]).days > 14
    if late_start or early_end or longest > max(rate_gap, 14):
        found.add("population.period_gap", None, pid)


def _unmatched(folder: Folder, rec: Reconciliation, limit: int) -> list[str]:
    """Left keys with no right row 0..limit days later."""
    right: dict[str, list[date]] = {}
    for row in folder.rows[rec.right]:
        right.setdefault(row[rec.right_match].lower(), []).append(day(row[rec.right_date]))
    left = folder.program.population(rec.left)
    assert left is not None
    out = []
    for row in folder.rows[rec.left]:
        start = day(row[rec.left_date])
        matches = right.get(row[rec.left_match].lower(), [])
        if not any(0 <= (d - start).days <= limit for d in matches):
            out.append(row[left.key])
    return out


def _observe_reconciliations(folder: Folder, found: Findings) -> None:
    program = folder.program
    for rec in program.reconciliations:
        if broken := _unmatched(folder, rec, rec.max_days):
            found.add("reconciliation.break", rec.control, rec.left, broken, reconciliation=rec.id)
        for policy in program.policies:
            for commitment in policy.commitments:
                if commitment.reconciliation != rec.id:
                    continue
                limit = rec.max_days if commitment.max_days is None else commitment.max_days
                if late := _unmatched(folder, rec, limit):
                    found.add(
                        "policy.practice_divergence",
                        rec.control,
                        rec.left,
                        late,
                        policy=policy.id,
                        commitment=commitment.id,
                    )
