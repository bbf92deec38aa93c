"""Occurrences of a scheduled control that never happened: each one is a deviation.

soc2-domain.md §3.4: "for small populations (quarterly, annual) there is nothing
to expand into: one missed quarter = 1 of 4 failed". The same units the
population review checks (``population.period_gap``, population_schedule_gaps.py)
reach the control's own result here: a weekly, monthly, quarterly or semiannual
control with no occurrence in a unit of a Type 2 period has that unit as a missed
occurrence. Daily controls are left to the population review, whose holiday
tolerance a per-day count cannot apply; units not yet over when the list was
extracted are not expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from mockaudit.domain import Control, Frequency, Population
from mockaudit.fieldwork.population_schedule_gaps import SCHEDULE_UNIT, expected_units
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.section_iv import period_label

COUNTED: Final = frozenset(
    {Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.SEMIANNUAL}
)


@dataclass(frozen=True)
class Schedule:
    """How many occurrences the period calls for and which units had none."""

    expected: int = 0
    missed: tuple[str, ...] = ()  # as shown: "Q2 2026", "March 2026"


def schedule(
    control: Control, population: Population, source: ProgramSource, start: date, end: date
) -> Schedule:
    """The expected units of ``control``'s frequency in [start, end] and those with no row."""
    if control.frequency not in COUNTED:
        return Schedule()
    unit = SCHEDULE_UNIT[control.frequency]
    counts = source.strata(population.id, start, end, unit)
    extracted = population.extracted_on
    cover_end = extracted if extracted is not None and extracted < end else end
    expected = expected_units(start, end, unit, cover_end)
    performed = [label for label, n in counts.items() if n and label not in expected]
    missed = tuple(period_label(label) for label in expected if counts.get(label, 0) == 0)
    return Schedule(expected=len(expected) + len(performed), missed=missed)
