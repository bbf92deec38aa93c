"""Days, timestamps and period slots for the synthetic generator.

Why a module of its own: the generator writes millions of dates, and
``datetime.isoformat`` per value is the slowest step of the whole pipeline.
Rows are therefore timed as integer offsets from the period start (days or
seconds) and turned into text through precomputed tables. The slot helpers
say what "one per month / ISO week / quarter / business day" means for a
period, which is what a complete population must contain.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

DAY = 86_400
"""Seconds in a day."""

_MARGIN_DAYS = 800
"""How far before the period start (and after its end) offsets may reach."""


@dataclass(frozen=True)
class Slot:
    """One unit of a period (a month, an ISO week…) as inclusive day offsets, with a label."""

    first: int
    last: int
    label: str


_KeyOf = Callable[[date], tuple[int, int]]
_LabelOf = Callable[[tuple[int, int]], str]


@cache
def _clock() -> tuple[str, ...]:
    """``HH:MM:SSZ`` for every second of a day."""
    return tuple(
        f"{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)
    )


class Period:
    """The observation window, with fast text for any day or second offset from its start."""

    def __init__(self, start: date, end: date) -> None:
        if end < start:
            raise ValueError(f"period end {end} is before its start {start}")
        self.start = start
        self.end = end
        self.days = (end - start).days + 1
        self.seconds = self.days * DAY
        total = self.days + 2 * _MARGIN_DAYS
        first = start - timedelta(days=_MARGIN_DAYS)
        self._iso = tuple((first + timedelta(days=i)).isoformat() for i in range(total))
        self._iso_t = tuple(text + "T" for text in self._iso)

    def date_of(self, offset: int) -> date:
        return self.start + timedelta(days=offset)

    def offset(self, day: date) -> int:
        return (day - self.start).days

    def day(self, offset: int) -> str:
        """``YYYY-MM-DD`` of the day ``offset`` days after the period start."""
        return self._iso[offset + _MARGIN_DAYS]

    def days_text(self, offsets: list[int]) -> list[str]:
        iso, shift = self._iso, _MARGIN_DAYS
        return [iso[o + shift] for o in offsets]

    def moment(self, second: int) -> str:
        """``YYYY-MM-DDTHH:MM:SSZ`` of ``second`` seconds after the period start (UTC)."""
        d, r = divmod(second, DAY)
        return self._iso_t[d + _MARGIN_DAYS] + _clock()[r]

    def moments_text(self, seconds: list[int]) -> list[str]:
        iso_t, clock, shift = self._iso_t, _clock(), _MARGIN_DAYS
        return [iso_t[s // DAY + shift] + clock[s % DAY] for s in seconds]

    def contains(self, offset: int) -> bool:
        return 0 <= offset < self.days

    def is_business_day(self, offset: int) -> bool:
        return self.date_of(offset).weekday() < 5

    def business_days(self) -> list[int]:
        return [o for o in range(self.days) if self.is_business_day(o)]

    def months(self) -> list[Slot]:
        """Every calendar month overlapping the period, clipped to it."""
        return self._slots(lambda d: (d.year, d.month), lambda k: f"{k[0]}-{k[1]:02d}")

    def quarters(self) -> list[Slot]:
        """Every calendar quarter overlapping the period, clipped to it."""
        return self._slots(lambda d: (d.year, (d.month - 1) // 3 + 1), lambda k: f"{k[0]}-Q{k[1]}")

    def iso_weeks(self) -> list[Slot]:
        """Every ISO week overlapping the period, clipped to it."""
        return self._slots(lambda d: d.isocalendar()[:2], lambda k: f"{k[0]}-W{k[1]:02d}")

    def _slots(self, key_of: _KeyOf, label_of: _LabelOf) -> list[Slot]:
        slots: list[Slot] = []
        current: tuple[int, int] | None = None
        first = 0
        for offset in range(self.days + 1):
            key = key_of(self.date_of(offset)) if offset < self.days else None
            if key != current:
                if current is not None:
                    slots.append(Slot(first, offset - 1, label_of(current)))
                current, first = key, offset
        return slots

    def pick_business_day(self, rng: random.Random, slot: Slot) -> int:
        """A random weekday of the slot; any day of it when the slot has no weekday."""
        weekdays = [o for o in range(slot.first, slot.last + 1) if self.is_business_day(o)]
        return rng.choice(weekdays or list(range(slot.first, slot.last + 1)))


def spread_seconds(
    rng: random.Random, first: int, stop: int, total: int, span: int, edge: int = 5 * DAY
) -> list[int]:
    """Times of rows ``first..stop-1`` of ``total`` events spread evenly over ``span`` seconds.

    Row i falls in the i-th of ``total`` equal strata, so the list is sorted and
    has no gap the population's own rate cannot explain; the first and last
    rows are pulled within ``edge`` of the period's ends so coverage of the
    start and end is never in doubt, even for a handful of events.
    """
    width = span / total
    near = min(width, edge)
    out = [int((i + rng.random()) * width) for i in range(first, stop)]
    if first == 0 and out:
        out[0] = int(rng.random() * near)
    if stop == total and out:
        out[-1] = span - 1 - int(rng.random() * near)
    return out
