"""Coverage of a scheduled control's population: one occurrence per unit of the period.

Daily, weekly, monthly, quarterly and semiannual controls (scenario-format.md
table): every unit overlapping the window needs an occurrence (business days
for daily). Monthly, quarterly and semiannual tolerate nothing; weekly does not
require an ISO week only partly inside the period; daily tolerates isolated
missing business days (public holidays are not modelled) up to
``DAILY_RUN_TOLERANCE`` in a row and ``DAILY_SHARE_TOLERANCE`` of the expected
days in all. A unit not yet over when the list was extracted is not expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from mockaudit.domain import Control, Finding, FindingCode, Frequency
from mockaudit.domain.dates import add_business_days, business_days, days, unit_label
from mockaudit.domain.observations import PeriodUnit, PopulationProfile
from mockaudit.fieldwork.population_subject import PopulationSubject, and_more

DAILY_RUN_TOLERANCE: Final = 2
"""Consecutive missing business days a daily control may show (a holiday, a bridge day)."""

DAILY_SHARE_TOLERANCE: Final = 0.04
"""Share of a daily control's business days that may be missing (≈ 10 public holidays a year)."""

SCHEDULE_UNIT: Final[Mapping[Frequency, PeriodUnit]] = {
    Frequency.DAILY: PeriodUnit.DAY,
    Frequency.WEEKLY: PeriodUnit.WEEK,
    Frequency.MONTHLY: PeriodUnit.MONTH,
    Frequency.QUARTERLY: PeriodUnit.QUARTER,
    Frequency.SEMIANNUAL: PeriodUnit.HALF,
}
"""The unit in which a scheduled control must occur once (scenario-format.md table)."""

_LIST_LIMIT = 12


def unit_spans(start: date, end: date, unit: PeriodUnit) -> dict[str, tuple[date, date]]:
    """Each unit label overlapping [start, end] with its first and last day inside it
    (business days only for DAY), in order — the labels of ``dates.expected_labels``."""
    spans: dict[str, tuple[date, date]] = {}
    source = business_days(start, end) if unit is PeriodUnit.DAY else days(start, end)
    for day in source:
        label = unit_label(day, unit)
        first = spans[label][0] if label in spans else day
        spans[label] = (first, day)
    return spans


def occurrences_by(
    profile: PopulationProfile, asked: PeriodUnit, unit: PeriodUnit
) -> dict[str, int]:
    """Occurrences per ``unit`` from a profile computed per ``asked`` (DAY aggregates to any)."""
    if asked is unit:
        return dict(profile.occurrences)
    if asked is not PeriodUnit.DAY:
        raise ValueError(f"cannot count {unit.value}s from a profile per {asked.value}")
    counts: dict[str, int] = {}
    for label, count in profile.occurrences.items():
        key = unit_label(date.fromisoformat(label), unit)
        counts[key] = counts.get(key, 0) + count
    return counts


def expected_units(start: date, end: date, unit: PeriodUnit, cover_end: date) -> list[str]:
    """Units a scheduled control must occur in: every unit overlapping the window, except
    ISO weeks only partly inside it and units not yet over at ``cover_end``."""
    expected = []
    for label, (first, last) in unit_spans(start, end, unit).items():
        if unit is PeriodUnit.WEEK and (last - first).days < 6:
            continue
        if cover_end < end and last > cover_end:
            continue
        expected.append(label)
    return expected


def _daily_tolerated(expected: Sequence[str], missing: set[str]) -> bool:
    """Isolated missing business days (holidays) within both daily tolerances."""
    if len(missing) > DAILY_SHARE_TOLERANCE * len(expected):
        return False
    run = 0
    for label in expected:
        run = run + 1 if label in missing else 0
        if run > DAILY_RUN_TOLERANCE:
            return False
    return True


def schedule_gap(
    subject: PopulationSubject,
    profile: PopulationProfile,
    asked: PeriodUnit,
    frequency: Frequency,
    controls: Sequence[Control],
) -> list[Finding]:
    """One finding naming every expected unit of ``frequency`` with no occurrence."""
    unit = SCHEDULE_UNIT[frequency]
    counts = occurrences_by(profile, asked, unit)
    expected = expected_units(subject.start, subject.end, unit, subject.cover_end(profile))
    missing = [label for label in expected if counts.get(label, 0) == 0]
    if not missing:
        return []
    if frequency is Frequency.DAILY and _daily_tolerated(expected, set(missing)):
        return []
    names = ", ".join(c.id for c in controls)
    what = "business days" if unit is PeriodUnit.DAY else f"{unit.value}s"
    listed = _label_list(missing, unit)
    shown = and_more(listed, len(listed), _LIST_LIMIT)
    return [
        subject.finding(
            FindingCode.POPULATION_PERIOD_GAP,
            f"Population {subject.pid} has no occurrence in {len(missing)} of {len(expected)} "
            f"{what} ({frequency.value} control {controls[0].id}): {shown}",
            f"A {frequency.value} control must occur once per {unit.value} of the period "
            f"(scenario-format.md); missing: {', '.join(listed)}. Controls concerned: {names}. "
            "Each missed occurrence is an exception (soc2-domain.md §3.4, §4 R27).",
            "Find the missing occurrences (or the reason they did not happen) and complete "
            "the population; fix the schedule so no unit is skipped.",
            controls=controls,
            kind="unit",
        )
    ]


def _label_list(labels: Sequence[str], unit: PeriodUnit) -> list[str]:
    """Labels as shown to a user: runs of consecutive business days collapse to ranges."""
    if unit is not PeriodUnit.DAY:
        return list(labels)
    runs: list[list[date]] = []
    for label in labels:
        day = date.fromisoformat(label)
        if runs and add_business_days(runs[-1][-1], 1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [
        f"{run[0]}" if len(run) == 1 else f"{run[0]}..{run[-1]} ({len(run)} business days)"
        for run in runs
    ]
