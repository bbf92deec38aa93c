"""When a control's next instances are due, from its frequency (issue 18 reminders).

One instance per unit of the control's frequency, due on the unit's last day (a business
day for daily controls, the Friday of a week, the month's, quarter's or half-year's last
day, the period's end for an annual control), clipped to the period. Per-event and
continuous controls have no schedule: they run when their event happens.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from mockaudit.domain.dates import business_days
from mockaudit.domain.enums import Frequency

UNSCHEDULED = frozenset({Frequency.PER_EVENT, Frequency.CONTINUOUS})


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _unit_end(day: date, frequency: Frequency) -> date:
    """The last day of the frequency unit ``day`` falls in."""
    if frequency is Frequency.WEEKLY:
        return day + timedelta(days=(4 - day.weekday()) % 7)  # that week's Friday
    if frequency is Frequency.MONTHLY:
        return _month_end(day)
    if frequency is Frequency.QUARTERLY:
        month = ((day.month - 1) // 3) * 3 + 3
        return _month_end(day.replace(day=1, month=month))
    if frequency is Frequency.SEMIANNUAL:
        return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)
    return day


def instance_dates(frequency: Frequency, start: date, end: date, today: date) -> list[date]:
    """The due dates of a control's instances in [start, end] not yet past on ``today``."""
    if frequency in UNSCHEDULED or end < max(start, today):
        return []
    if frequency is Frequency.ANNUAL:
        return [end]
    if frequency in (Frequency.DAILY, Frequency.MULTIPLE_DAILY):
        return list(business_days(max(start, today), end))
    dues: list[date] = []
    day = start
    while day <= end:
        due = min(_unit_end(day, frequency), end)
        if due >= today and (not dues or dues[-1] != due):
            dues.append(due)
        day = due + timedelta(days=1)
    return dues
