"""Dates in population cells and the calendar units the auditor counts in.

One definition, used by the importer (which stores each row's day and ISO week),
the engine (attribute checks, coverage) and the test fakes, so a row is "in the
period" or "in 2026-W09" the same way everywhere.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from mockaudit.domain.observations import PeriodUnit


def parse_instant(text: str) -> datetime | None:
    """An ISO-8601 date or datetime cell as an aware UTC datetime; None if blank or not a date.

    A date alone is midnight UTC; a datetime without an offset is UTC (scenario-format.md).
    """
    try:
        moment = datetime.fromisoformat(text.strip())  # 3.11+: accepts "Z"
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@lru_cache(maxsize=16384)
def parse_day(text: str) -> date | None:
    """The UTC day of a cell (cached: populations repeat the same dates a lot)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


@lru_cache(maxsize=4096)
def day_labels(day: date) -> tuple[str, str]:
    """(ISO day, ISO week label) of a day, as the importer stores them."""
    return day.isoformat(), iso_week(day)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def unit_label(day: date, unit: PeriodUnit) -> str:
    if unit is PeriodUnit.DAY:
        return day.isoformat()
    if unit is PeriodUnit.WEEK:
        return iso_week(day)
    if unit is PeriodUnit.MONTH:
        return f"{day.year}-{day.month:02d}"
    if unit is PeriodUnit.QUARTER:
        return f"{day.year}-Q{(day.month + 2) // 3}"
    if unit is PeriodUnit.HALF:
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    return str(day.year)


def days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def business_days(start: date, end: date) -> Iterator[date]:
    """Monday to Friday (public holidays are not modelled)."""
    return (d for d in days(start, end) if d.weekday() < 5)


def expected_labels(start: date, end: date, unit: PeriodUnit) -> list[str]:
    """Every unit label overlapping [start, end], in order; business days only for DAY."""
    source = business_days(start, end) if unit is PeriodUnit.DAY else days(start, end)
    return list(dict.fromkeys(unit_label(d, unit) for d in source))


def add_business_days(start: date, count: int) -> date:
    day = start
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
