"""Times of the related events on a row, as offsets from the period start.

A fill is timed at ``seconds``; its other dates follow from those (approved
before, deployed after, reviewed a few days later), so every fill shifts,
moves back and caps offsets the same way.
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.period_calendar import DAY
from mockaudit.scenarios.synthetic.synthetic_rows import RowContext


def day_offsets(seconds: list[int]) -> list[int]:
    """The day of each moment (offsets in seconds → offsets in days)."""
    return [s // DAY for s in seconds]


def shift(values: list[int], deltas: list[int]) -> list[int]:
    """Each offset moved later by its delta."""
    return [v + d for v, d in zip(values, deltas, strict=True)]


def earlier(values: list[int], gaps: list[int]) -> list[int]:
    """Each offset moved back by its gap: an approval before a merge, a review before a date."""
    return shift(values, [-x for x in gaps])


def capped(ctx: RowContext, days: list[int], latest: int | None = None) -> list[int]:
    """Day offsets clipped to the last day of the period (or ``latest``)."""
    top = ctx.period.days - 1 if latest is None else latest
    return [min(d, top) for d in days]
