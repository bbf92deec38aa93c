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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from mockaudit.domain import (
    AttributeCheck,
    Control,
    Finding,
    FindingCode,
    Frequency,
    Population,
    Program,
    ReportType,
)
from mockaudit.domain.dates import business_days, days, unit_label
from mockaudit.domain.observations import Examples, PeriodUnit, PopulationProfile
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.scope import accountable_owner, audit_window
from mockaudit.fieldwork.severity import counted, severity_of

GAP_PROBABILITY: Final = 0.001
"""A silence less likely than this at the population's own rate is reported."""

EDGE_DAYS: Final = 14
"""A listing should run to within about two weeks of each end of the period (§3.2, §6.4)."""

MIN_EVENT_GAP_DAYS: Final = 7
"""Interior gaps of a week or less are never reported (weekends, holidays, model slack)."""

WEEKEND_SHARE: Final = 0.1
"""Below this share of active days on weekends, a list is a weekday process (rate per
business day); at or above it, its rate is measured per calendar day."""

DAILY_RUN_TOLERANCE: Final = 2
"""Consecutive missing business days a daily control may show (a holiday, a bridge day)."""

DAILY_SHARE_TOLERANCE: Final = 0.04
"""Share of a daily control's business days that may be missing (≈ 10 public holidays a year)."""

EVENT_FREQUENCIES: Final = frozenset({Frequency.PER_EVENT, Frequency.MULTIPLE_DAILY})

SCHEDULE_UNIT: Final[Mapping[Frequency, PeriodUnit]] = {
    Frequency.DAILY: PeriodUnit.DAY,
    Frequency.WEEKLY: PeriodUnit.WEEK,
    Frequency.MONTHLY: PeriodUnit.MONTH,
    Frequency.QUARTERLY: PeriodUnit.QUARTER,
    Frequency.SEMIANNUAL: PeriodUnit.HALF,
}
"""The unit in which a scheduled control must occur once (scenario-format.md table)."""

_LIST_LIMIT = 12


@dataclass(frozen=True)
class PopulationReview:
    """The C&A findings and the profile of every population, by population id."""

    findings: tuple[Finding, ...]
    profiles: Mapping[str, PopulationProfile]


@dataclass(frozen=True)
class _Subject:
    """One population under review, with the controls tested on it and the window."""

    program: Program
    population: Population
    users: tuple[Control, ...]
    start: date
    end: date

    @property
    def pid(self) -> str:
        return self.population.id

    def finding(
        self,
        code: FindingCode,
        title: str,
        detail: str,
        remediation: str,
        *,
        controls: Sequence[Control] | None = None,
        items: Iterable[str] = (),
        **context: object,
    ) -> Finding:
        """A finding about this population, addressed to the first control concerned."""
        concerned = tuple(controls) if controls is not None else self.users
        lead = concerned[0] if concerned else None
        criteria = tuple(dict.fromkeys(c for control in concerned for c in control.criteria))
        return Finding(
            id="",
            code=code,
            severity=severity_of(code, **context),
            control=lead.id if lead else None,
            population=self.pid,
            criteria=criteria,
            items=tuple(items),
            owner=accountable_owner(self.program, lead.owner) if lead else None,
            title=title,
            detail=detail,
            remediation=remediation,
        )


def population_findings(program: Program, source: ProgramSource) -> PopulationReview:
    """Profile every population once and report what its profile shows (module doc)."""
    start, end = audit_window(program)
    type2 = program.engagement.report_type is ReportType.TYPE2
    findings: list[Finding] = []
    profiles: dict[str, PopulationProfile] = {}
    for population in program.populations:
        users = tuple(c for c in program.controls if c.population == population.id)
        subject = _Subject(program, population, users, start, end)
        unit = profile_unit(users) if type2 else None
        profile = source.profile(
            population.id, start, end, unit=unit, columns=needed_columns(population, users)
        )
        profiles[population.id] = profile
        findings += _accuracy_findings(subject, profile)
        if profile.in_period == 0:
            findings += _not_operated(subject)
        elif type2:
            findings += _coverage_findings(subject, profile, unit)
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


def needed_columns(population: Population, users: Sequence[Control]) -> list[str]:
    """Every column an attribute reads (``absent`` checks want blanks, so not theirs)."""
    columns: list[str] = []
    for control in users:
        for attribute in control.attributes:
            if attribute.check is AttributeCheck.EVIDENCE:
                if population.evidence_column:
                    columns.append(population.evidence_column)
            elif attribute.check is not AttributeCheck.ABSENT:
                columns += attribute.columns
    return list(dict.fromkeys(columns))


def _readers(subject: _Subject, column: str) -> list[Control]:
    """The controls whose attributes need ``column`` filled (as :func:`needed_columns`)."""
    return [c for c in subject.users if column in needed_columns(subject.population, [c])]


def _keys(examples: Examples) -> str:
    shown = ", ".join(examples.keys[:5])
    more = examples.count - min(len(examples.keys), 5)
    return shown + (f" and {more} more" if more > 0 else "")


# -- accuracy and source --------------------------------------------------------------------


def _accuracy_findings(subject: _Subject, profile: PopulationProfile) -> list[Finding]:
    findings = _count_mismatch(subject, profile)
    findings += _extracted_early(subject)
    findings += _out_of_period(subject, profile)
    findings += _duplicates(subject, profile)
    findings += _missing_fields(subject, profile)
    findings += _weak_source(subject)
    return findings


def _count_mismatch(subject: _Subject, profile: PopulationProfile) -> list[Finding]:
    declared = subject.population.declared_count
    if declared is None or declared == profile.rows:
        return []
    return [
        subject.finding(
            FindingCode.POPULATION_COUNT_MISMATCH,
            f"Population {subject.pid} has {counted(profile.rows, 'row')} but the source showed "
            f"{declared}",
            f"The file holds {profile.rows} rows; the count the system of record showed is "
            f"{declared} ({profile.rows - declared:+d}). A list that does not reconcile to the "
            "source's own count fails completeness (soc2-domain.md §3.2).",
            "Re-run the query, export every row, and record the on-screen total with the export.",
        )
    ]


def _extracted_early(subject: _Subject) -> list[Finding]:
    extracted = subject.population.extracted_on
    if extracted is None or extracted >= subject.end:
        return []
    early = (subject.end - extracted).days
    return [
        subject.finding(
            FindingCode.POPULATION_EXTRACTED_EARLY,
            f"Population {subject.pid} was extracted on {extracted}, "
            f"{counted(early, 'day')} before the period end {subject.end}",
            "Rows after the extraction date cannot be in the list, so the last days of the "
            "period are untested (soc2-domain.md §3.2 timely).",
            "Pull the list again after the period end with the same query.",
            days_early=early,
        )
    ]


def _out_of_period(subject: _Subject, profile: PopulationProfile) -> list[Finding]:
    outside = profile.out_of_period
    if outside.count == 0:
        return []
    return [
        subject.finding(
            FindingCode.POPULATION_OUT_OF_PERIOD,
            f"Population {subject.pid} has {counted(outside.count, 'row')} dated outside "
            f"{subject.start}..{subject.end}",
            f"{outside.count} rows fall outside the window ({_keys(outside)}); they are kept, "
            "flagged and excluded from sampling, but show the extract was not filtered as "
            "described (soc2-domain.md §3.2).",
            "Filter the export to the period in the query itself and export again.",
            items=outside.keys,
        )
    ]


def _duplicates(subject: _Subject, profile: PopulationProfile) -> list[Finding]:
    dup = profile.duplicates
    if dup.count == 0:
        return []
    key = subject.population.key
    return [
        subject.finding(
            FindingCode.POPULATION_DUPLICATE,
            f"Population {subject.pid} has {counted(dup.count, 'duplicate row')} "
            f"(a {key} on more than one row)",
            f"{dup.count} extra rows repeat a key ({_keys(Examples(dup.count, dup.keys))}); "
            f"{key} must be unique per row (soc2-domain.md §3.2 accurate).",
            "Remove the duplicated rows at the source query (joins often multiply rows) and "
            "export again.",
            items=dup.keys,
        )
    ]


def _missing_fields(subject: _Subject, profile: PopulationProfile) -> list[Finding]:
    findings = []
    if profile.undated.count:
        column = subject.population.date
        findings.append(
            subject.finding(
                FindingCode.POPULATION_MISSING_FIELD,
                f"Population {subject.pid}: {counted(profile.undated.count, 'row')} without a "
                f'usable date in "{column}"',
                f"Rows without a date cannot be placed in the period or sampled "
                f"({_keys(profile.undated)}; soc2-domain.md §3.2).",
                f'Fill "{column}" with an ISO-8601 date on every row.',
                items=profile.undated.keys,
            )
        )
    for column, blanks in profile.blanks.items():
        if blanks.count == 0:
            continue
        findings.append(
            subject.finding(
                FindingCode.POPULATION_MISSING_FIELD,
                f'Population {subject.pid}: "{column}" is blank on {counted(blanks.count, "row")}',
                f'An attribute reads "{column}", so a blank row is a deviation when sampled '
                f"({_keys(blanks)}; soc2-domain.md §2.1, §3.2).",
                f'Export "{column}" from the system of record, or record why it is blank.',
                controls=_readers(subject, column) or None,
                items=blanks.keys,
            )
        )
    return findings


def _weak_source(subject: _Subject) -> list[Finding]:
    population = subject.population
    has_query = bool(population.query and population.query.strip())
    has_count = bool(population.count_evidence and population.count_evidence.strip())
    reasons = []
    if population.is_hand_made:
        reasons.append(f'it is a hand-made list (system "{population.system}")')
    if not has_query:
        reasons.append("no query or report parameters are recorded")
    if not has_count:
        reasons.append("no screenshot of the total count backs it")
    if not reasons:
        return []
    return [
        subject.finding(
            FindingCode.POPULATION_WEAK_SOURCE,
            f"Population {subject.pid} has a weak source: " + "; ".join(reasons),
            "The auditor tests completeness and accuracy through the system of record, the "
            "query that produced the list and a count matching the source "
            "(soc2-domain.md §3.2, [S20][S23]).",
            "Export the list from the system of record, record the query, and keep a "
            "screenshot of the on-screen total.",
            has_query=has_query,
            has_count_evidence=has_count,
        )
    ]


def _not_operated(subject: _Subject) -> list[Finding]:
    return [
        subject.finding(
            FindingCode.CONTROL_NOT_OPERATED,
            f"Control {control.id} did not operate in {subject.start}..{subject.end}: "
            f"population {subject.pid} has no occurrence",
            "With no occurrence in the period the control's operating effectiveness cannot be "
            "tested (soc2-domain.md §2.1, §3.2 zero-occurrence populations).",
            "Confirm nothing happened (and say so in the description), or export the missing "
            "occurrences; for an annual control, perform it inside the period.",
            controls=(control,),
            frequency=control.frequency,
        )
        for control in subject.users
    ]


# -- coverage -------------------------------------------------------------------------------


def _coverage_findings(
    subject: _Subject, profile: PopulationProfile, unit: PeriodUnit | None
) -> list[Finding]:
    findings: list[Finding] = []
    for frequency, controls in _by_frequency(subject.users).items():
        if frequency in SCHEDULE_UNIT and unit is not None:
            findings += _schedule_gap(subject, profile, unit, frequency, controls)
    events = [c for c in subject.users if c.frequency in EVENT_FREQUENCIES]
    if events and unit is PeriodUnit.DAY:
        findings += _event_gap(subject, profile, events)
    return findings


def _by_frequency(users: Sequence[Control]) -> dict[Frequency, list[Control]]:
    groups: dict[Frequency, list[Control]] = {}
    for control in users:
        groups.setdefault(control.frequency, []).append(control)
    return groups


def _cover_end(subject: _Subject, profile: PopulationProfile) -> date:
    """The last day the list can cover: period end, or the extraction date if earlier
    (but never before a row it evidently holds)."""
    end = subject.end
    extracted = subject.population.extracted_on
    if extracted is not None and extracted < end:
        end = max(extracted, profile.last_date or extracted)
    return end


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


def _schedule_gap(
    subject: _Subject,
    profile: PopulationProfile,
    asked: PeriodUnit,
    frequency: Frequency,
    controls: Sequence[Control],
) -> list[Finding]:
    unit = SCHEDULE_UNIT[frequency]
    counts = occurrences_by(profile, asked, unit)
    expected = expected_units(subject.start, subject.end, unit, _cover_end(subject, profile))
    missing = [label for label in expected if counts.get(label, 0) == 0]
    if not missing:
        return []
    if frequency is Frequency.DAILY and _daily_tolerated(expected, set(missing)):
        return []
    names = ", ".join(c.id for c in controls)
    what = "business days" if unit is PeriodUnit.DAY else f"{unit.value}s"
    listed = _label_list(missing, unit)
    return [
        subject.finding(
            FindingCode.POPULATION_PERIOD_GAP,
            f"Population {subject.pid} has no occurrence in {len(missing)} of {len(expected)} "
            f"{what} ({frequency.value} control {controls[0].id}): {_short(listed)}",
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
        if runs and _next_business_day(runs[-1][-1]) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [
        f"{run[0]}" if len(run) == 1 else f"{run[0]}..{run[-1]} ({len(run)} business days)"
        for run in runs
    ]


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _short(labels: Sequence[str]) -> str:
    shown = ", ".join(labels[:_LIST_LIMIT])
    return shown + (f" and {len(labels) - _LIST_LIMIT} more" if len(labels) > _LIST_LIMIT else "")


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


def _event_gap(
    subject: _Subject, profile: PopulationProfile, controls: Sequence[Control]
) -> list[Finding]:
    if profile.first_date is None or profile.last_date is None:
        return []
    cover_end = _cover_end(subject, profile)
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
    subject: _Subject, profile: PopulationProfile, cover_end: date, rate: _Rate
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


def _stretch_title(pid: str, stretch: _Stretch, subject: _Subject) -> str:
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
