"""Completeness and accuracy of every population (soc2-domain.md §3.2, §6.3, §6.4).

One ``ProgramSource.profile`` call per population (SQL over every row in the
vault) gives the facts; this module decides what they mean:

* ``population.count_mismatch``: rows in the file ≠ the count the source showed.
* ``population.extracted_early``: pulled before period_end.
* ``population.out_of_period``: rows dated outside the window (excluded from sampling).
* ``population.duplicate``: a key on more than one row.
* ``population.missing_field``: a field an attribute reads is blank (one finding per
  population and field); rows whose date is blank are reported on the date column.
* ``population.weak_source``: one finding per population naming every weakness —
  a hand-made list (spreadsheet/manual), no query, no count evidence; its severity
  depends on whether a query and a count screenshot back the list (see severity.py).
* ``population.period_gap``, per control frequency (scenario-format.md table):

  - daily / weekly / monthly / quarterly / semiannual: every unit overlapping the
    window needs an occurrence (business days for daily). Monthly, quarterly and
    semiannual tolerate nothing. Weekly does not require an ISO week only partly
    inside the period (a job on a fixed weekday may fall outside it). Daily
    tolerates isolated missing business days — public holidays are not modelled —
    up to ``DAILY_RUN_TOLERANCE`` in a row and ``DAILY_SHARE_TOLERANCE`` of the
    expected days in all. A unit not yet over when the list was extracted is not
    expected (that is ``extracted_early``'s consequence, not a gap).
  - per_event / multiple_daily: a stretch with no row is suspicious when it is
    improbable at the population's own rate. The rate is measured in *active days*
    (days with at least one row), which is robust to bursts such as a training
    campaign — 500 rows on one day are one active day. Days are business days for
    a list with (almost) no weekend rows (a weekday process) and calendar days
    otherwise (``WEEKEND_SHARE``). With q = active days / days covered, a given
    stretch of g days is empty with probability (1 − q)^g, and some stretch among
    the n = active days − 1 spacings reaches g with probability
    p = 1 − (1 − (1 − q)^g)^n (a Bernoulli-day version of the Poisson argument
    1 − (1 − e^(−λg))^rows). A stretch is reported when p < ``GAP_PROBABILITY``
    (0.001) and it is either an interior gap longer than ``MIN_EVENT_GAP_DAYS``
    calendar days, or an edge (period start → first row, last row → period end or
    extraction date) longer than ``EDGE_DAYS`` (§3.2 "within about two weeks").
    Low-volume lists therefore never trip the edge rule by chance; one finding per
    population names every improbable stretch.
* ``control.not_operated``: for each control whose population has no row in the window.

Type 1 reports (an as-of date) run the accuracy checks over the year before the
as-of date and ``not_operated``, but no coverage checks: design is tested on one
recent instance (§2.3).

The checks live by what they look at: :mod:`~mockaudit.fieldwork.population_accuracy`
(one profile, any frequency), :mod:`~mockaudit.fieldwork.population_schedule_gaps`
(scheduled units) and :mod:`~mockaudit.fieldwork.population_event_gaps` (event-gap
probability), all reporting on a :class:`~mockaudit.fieldwork.population_subject.PopulationSubject`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from mockaudit.domain import Control, Finding, Frequency, Program, ReportType
from mockaudit.domain.observations import PeriodUnit, PopulationProfile
from mockaudit.domain.progress import StageProgress, quiet
from mockaudit.fieldwork.population_accuracy import accuracy_findings, not_operated
from mockaudit.fieldwork.population_event_gaps import (
    EDGE_DAYS,
    GAP_PROBABILITY,
    MIN_EVENT_GAP_DAYS,
    WEEKEND_SHARE,
    event_gap,
    gap_probability,
)
from mockaudit.fieldwork.population_schedule_gaps import (
    DAILY_RUN_TOLERANCE,
    DAILY_SHARE_TOLERANCE,
    SCHEDULE_UNIT,
    expected_units,
    occurrences_by,
    schedule_gap,
    unit_spans,
)
from mockaudit.fieldwork.population_subject import PopulationSubject, needed_columns
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.scope import audit_window

REVIEWING = "reviewing populations"

__all__ = [
    "DAILY_RUN_TOLERANCE",
    "DAILY_SHARE_TOLERANCE",
    "EDGE_DAYS",
    "EVENT_FREQUENCIES",
    "GAP_PROBABILITY",
    "MIN_EVENT_GAP_DAYS",
    "SCHEDULE_UNIT",
    "WEEKEND_SHARE",
    "PopulationReview",
    "expected_units",
    "gap_probability",
    "needed_columns",
    "occurrences_by",
    "population_findings",
    "profile_unit",
    "unit_spans",
]

EVENT_FREQUENCIES: Final = frozenset({Frequency.PER_EVENT, Frequency.MULTIPLE_DAILY})


@dataclass(frozen=True)
class PopulationReview:
    """The C&A findings and the profile of every population, by population id."""

    findings: tuple[Finding, ...]
    profiles: Mapping[str, PopulationProfile]


def population_findings(
    program: Program, source: ProgramSource, progress: StageProgress = quiet
) -> PopulationReview:
    """Profile every population once and report what its profile shows (module doc);
    ``progress`` hears each population profiled."""
    start, end = audit_window(program)
    type2 = program.engagement.report_type is ReportType.TYPE2
    findings: list[Finding] = []
    profiles: dict[str, PopulationProfile] = {}
    total = len(program.populations)
    progress(REVIEWING, 0, total)
    for done, population in enumerate(program.populations, 1):
        users = tuple(c for c in program.controls if c.population == population.id)
        subject = PopulationSubject(program, population, users, start, end)
        unit = profile_unit(users) if type2 else None
        profile = source.profile(
            population.id, start, end, unit=unit, columns=needed_columns(population, users)
        )
        profiles[population.id] = profile
        findings += accuracy_findings(subject, profile)
        if profile.in_period == 0:
            findings += not_operated(subject, provided=profile.rows > 0)
        elif type2:
            findings += _coverage_findings(subject, profile, unit)
        progress(REVIEWING, done, total)
    return PopulationReview(tuple(findings), profiles)


def profile_unit(users: Sequence[Control]) -> PeriodUnit | None:
    """The finest unit any control needs: one unit as is, several → days (aggregated here)."""
    units = {
        PeriodUnit.DAY if c.frequency in EVENT_FREQUENCIES else SCHEDULE_UNIT.get(c.frequency)
        for c in users
    }
    units.discard(None)
    if not units:
        return None
    if len(units) == 1:
        return next(u for u in units if u is not None)
    return PeriodUnit.DAY


def _coverage_findings(
    subject: PopulationSubject, profile: PopulationProfile, unit: PeriodUnit | None
) -> list[Finding]:
    findings: list[Finding] = []
    for frequency, controls in _by_frequency(subject.users).items():
        if frequency in SCHEDULE_UNIT and unit is not None:
            findings += schedule_gap(subject, profile, unit, frequency, controls)
    events = [c for c in subject.users if c.frequency in EVENT_FREQUENCIES]
    if events and unit is PeriodUnit.DAY:
        findings += event_gap(subject, profile, events)
    return findings


def _by_frequency(users: Sequence[Control]) -> dict[Frequency, list[Control]]:
    groups: dict[Frequency, list[Control]] = {}
    for control in users:
        groups.setdefault(control.frequency, []).append(control)
    return groups
