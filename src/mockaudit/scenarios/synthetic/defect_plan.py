"""The plan of planted defects: what to do to each population's rows, and the truth manifest.

The planner fills these in before any row is written; the generator applies a
:class:`PopulationPlan` while streaming the population to disk, and writes the
truth entries to ``truth.json`` once the watched rows have their keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Row = dict[str, str]
RowEdit = Callable[[Row], None]
Truth = dict[str, Any]


@dataclass
class ExtraRow:
    """A copy of row ``source`` moved ``gap`` days outside the period, under a new key."""

    source: int
    key: str
    before: bool
    gap: int


@dataclass
class PopulationPlan:
    """What to do to one population's rows while it is written."""

    edits: dict[int, list[RowEdit]] = field(default_factory=dict)
    drop_rows: set[int] = field(default_factory=set)
    duplicate: set[int] = field(default_factory=set)
    hide_evidence: set[int] = field(default_factory=set)
    extra: list[ExtraRow] = field(default_factory=list)
    drop_between: tuple[str, str] | None = None  # [first, last] day texts, inclusive
    drop_after: str | None = None  # day text; rows dated later are not exported
    drop_all: bool = False
    count_delta: int = 0
    watch: dict[int, list[Truth]] = field(default_factory=dict)  # index -> entries to get its key

    def touches(self, first: int, stop: int) -> bool:
        """Whether any per-row work falls in rows ``first..stop-1`` (else the fast path)."""
        if self.drop_between or self.drop_after or self.drop_all:
            return True
        marked = (self.edits, self.drop_rows, self.duplicate, self.hide_evidence, self.watch)
        return any(any(first <= i < stop for i in group) for group in marked) or any(
            first <= e.source < stop for e in self.extra
        )


@dataclass
class DefectPlan:
    populations: dict[str, PopulationPlan]
    truth: list[Truth]
    extracted_on: dict[str, date]


def entry(code: str, control: str | None, population: str | None, **extra: Any) -> Truth:
    """A truth record: what was planted, where, on which items."""
    return {"code": str(code), "control": control, "population": population, "items": [], **extra}
