"""Coverage of an event-driven population: stretches with no row, improbable at its own rate.

Per-event and multiple-daily controls have no schedule, so a silence is
suspicious only when it is improbable at the population's own rate. The rate is
measured in *active days* (days with at least one row), which is robust to
bursts such as a training campaign — 500 rows on one day are one active day.
Days are business days for a list with (almost) no weekend rows (a weekday
process) and calendar days otherwise (``WEEKEND_SHARE``). With q = active days /
days covered, a given stretch of g days is empty with probability (1 − q)^g, and
some stretch among the n = active days − 1 spacings reaches g with probability
p = 1 − (1 − (1 − q)^g)^n (a Bernoulli-day version of the Poisson argument
1 − (1 − e^(−λg))^rows). A stretch is reported when p < ``GAP_PROBABILITY`` and
it is either an interior gap longer than ``MIN_EVENT_GAP_DAYS`` calendar days, or
an edge (period start → first row, last row → period end or extraction date)
longer than ``EDGE_DAYS`` (§3.2 "within about two weeks"). Low-volume lists
therefore never trip the edge rule by chance; one finding per population names
every improbable stretch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from mockaudit.domain import Control, Finding, FindingCode
from mockaudit.domain.dates import business_days
from mockaudit.domain.observations import PopulationProfile
from mockaudit.fieldwork.population_subject import PopulationSubject
from mockaudit.fieldwork.severity import counted

GAP_PROBABILITY: Final = 0.001
"""A silence less likely than this at the population's own rate is reported."""

EDGE_DAYS: Final = 14
"""A listing should run to within about two weeks of each end of the period (§3.2, §6.4)."""

MIN_EVENT_GAP_DAYS: Final = 7
"""Interior gaps of a week or less are never reported (weekends, holidays, model slack)."""

WEEKEND_SHARE: Final = 0.1
"""Below this share of active days on weekends, a list is a weekday process (rate per
business day); at or above it, its rate is measured per calendar day."""


def gap_probability(q: float, gap_days: int, spacings: int) -> float:
    """Chance that some of ``spacings`` stretches reaches ``gap_days`` empty days when
    each day is active (has a row) with probability ``q``."""
    if gap_days <= 0:
        return 1.0
    if q >= 1.0:
        return 0.0
    if q <= 0.0:
        return 1.0
    empty = math.exp(gap_days * math.log1p(-q))
    if empty >= 1.0:
        return 1.0
    return -math.expm1(max(spacings, 1) * math.log1p(-empty))


@dataclass(frozen=True)
class _Rate:
    """How often a list has a row: active days among the days it covers.

    Days are business days for a list that (almost) never has weekend rows — a
    weekday process, whose weekends are no evidence of a gap — and calendar days
    for one that runs all week, so its weekend rows count as evidence of its rate.
    """

    weekdays_only: bool
    active: int
    covered: int

    @property
    def q(self) -> float:
        return min(1.0, self.active / self.covered) if self.covered else 0.0

    def length(self, first: date, last: date) -> int:
        """Days of ``first..last`` (inclusive) on this rate's basis."""
        if self.weekdays_only:
            return sum(1 for _ in business_days(first, last))
        return (last - first).days + 1

    def describe(self) -> str:
        what = "business days" if self.weekdays_only else "days"
        return f"{self.active} active {what} of {self.covered}"


def _rate(profile: PopulationProfile, start: date, cover_end: date) -> _Rate:
    active = [d for label in profile.occurrences if (d := date.fromisoformat(label)) <= cover_end]
    weekend = sum(1 for d in active if d.weekday() >= 5)
    weekdays_only = weekend < WEEKEND_SHARE * len(active)
    if weekdays_only:
        return _Rate(True, len(active) - weekend, sum(1 for _ in business_days(start, cover_end)))
    return _Rate(False, len(active), (cover_end - start).days + 1)


@dataclass(frozen=True)
class _Stretch:
    """A run of days with no row: where it is, how long, and how likely by chance."""

    first: date
    last: date
    edge: str  # "start" | "end" | ""
    probability: float

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def event_gap(
    subject: PopulationSubject, profile: PopulationProfile, controls: Sequence[Control]
) -> list[Finding]:
    """One finding naming every improbable stretch of ``subject``'s list (module doc)."""
    if profile.first_date is None or profile.last_date is None:
        return []
    cover_end = subject.cover_end(profile)
    rate = _rate(profile, subject.start, cover_end)
    if rate.covered == 0 or rate.active == 0:
        return []
    stretches = [
        s for s in _stretches(subject, profile, cover_end, rate) if s.probability < GAP_PROBABILITY
    ]
    if not stretches:
        return []
    edge = any(s.edge for s in stretches)
    lead = max(stretches, key=lambda s: (bool(s.edge), s.days))
    return [
        subject.finding(
            FindingCode.POPULATION_PERIOD_GAP,
            _stretch_title(subject.pid, lead, subject),
            f"At its own rate ({rate.describe()}) a silence this long is improbable "
            f"(p < {GAP_PROBABILITY:g}): "
            + "; ".join(
                f"{s.first}..{s.last} ({s.days} days, p = {s.probability:.1e})" for s in stretches
            )
            + ". Listings must cover the whole period and gaps in dates are the first thing "
            "the auditor looks for (soc2-domain.md §3.2, §6.4).",
            "Check the query's date filter and the source for the missing stretch, and export "
            "the complete population (or document why nothing happened).",
            controls=controls,
            kind="edge" if edge else "event_gap",
        )
    ]


def _stretches(
    subject: PopulationSubject, profile: PopulationProfile, cover_end: date, rate: _Rate
) -> list[_Stretch]:
    """The edge stretches longer than EDGE_DAYS and the interior gaps longer than a week."""
    assert profile.first_date is not None and profile.last_date is not None
    found: list[tuple[date, date, str]] = []
    if (profile.first_date - subject.start).days > EDGE_DAYS:
        found.append((subject.start, profile.first_date - timedelta(days=1), "start"))
    if (cover_end - profile.last_date).days > EDGE_DAYS:
        found.append((profile.last_date + timedelta(days=1), cover_end, "end"))
    before_start = subject.start - timedelta(days=1)
    after_end = subject.end + timedelta(days=1)
    for gap in profile.largest_gaps:
        if gap.after == before_start or gap.before == after_end or gap.days <= MIN_EVENT_GAP_DAYS:
            continue
        found.append((gap.after + timedelta(days=1), gap.before - timedelta(days=1), ""))
    spacings = rate.active - 1
    return [
        _Stretch(first, last, edge, gap_probability(rate.q, rate.length(first, last), spacings))
        for first, last, edge in found
    ]


def _stretch_title(pid: str, stretch: _Stretch, subject: PopulationSubject) -> str:
    if stretch.edge == "start":
        return (
            f"Population {pid} starts {counted(stretch.days, 'day')} after the period start "
            f"{subject.start}"
        )
    if stretch.edge == "end":
        return f"Population {pid} stops {counted(stretch.days, 'day')} before {stretch.last}"
    return (
        f"Population {pid} has no row from {stretch.first} to {stretch.last} "
        f"({stretch.days} days), improbable at its own rate"
    )
