"""What the auditor can observe in the vault: population profiles, rows, evidence status.

These are the values that cross from the vault (which runs the SQL) to the
fieldwork engine (which decides what they mean). The engine never sees a
database; it sees these objects through ``fieldwork.ports.ProgramSource``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# How many keys a profile lists per problem (counts are always exact); findings list
# these keys as their items, so the cap is high enough for any realistic defect.
EXAMPLE_LIMIT = 2000


class PeriodUnit(StrEnum):
    """Calendar units used for coverage and for stratified selection."""

    DAY = "day"  # business days (Mon–Fri) only
    WEEK = "week"  # ISO weeks, labelled 2026-W09
    MONTH = "month"  # 2026-03
    QUARTER = "quarter"  # 2026-Q1
    HALF = "half"  # 2026-H1
    YEAR = "year"  # 2026


@dataclass(frozen=True)
class Examples:
    """An exact count with up to EXAMPLE_LIMIT example keys."""

    count: int = 0
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A stretch of the period with no row: the days strictly between two rows."""

    after: date
    before: date

    @property
    def days(self) -> int:
        return (self.before - self.after).days - 1


@dataclass(frozen=True)
class PopulationProfile:
    """Completeness-and-accuracy facts about one population, computed over every row.

    ``in_period`` counts rows whose date falls in [period_start, period_end];
    ``occurrences`` counts in-period rows per calendar unit (the unit asked for).
    """

    population: str
    rows: int
    distinct_keys: int
    duplicates: Examples  # keys appearing more than once (count = extra rows)
    undated: Examples  # date column blank or not a date
    out_of_period: Examples
    in_period: int
    first_date: date | None
    last_date: date | None
    blanks: Mapping[str, Examples] = field(default_factory=dict)  # column → blank rows
    occurrences: Mapping[str, int] = field(default_factory=dict)
    largest_gaps: tuple[Gap, ...] = ()


@dataclass(frozen=True)
class PopulationRow:
    """One row as the auditor sees it: its key, CSV line, date and every column's text."""

    key: str
    line: int
    day: date | None
    values: Mapping[str, str]


@dataclass(frozen=True)
class EvidenceRef:
    """A file a program or row names, and whether the vault holds it (and it verifies)."""

    path: str
    evidence_id: str | None  # None: not in the vault
    sha256: str | None = None
    verified: bool | None = None  # None: not checked; False: fails decryption/hash


@dataclass(frozen=True)
class ReconciliationBreak:
    """A left row with no right row within max_days (right_day None: no match at all)."""

    left_key: str
    left_day: date | None
    right_day: date | None
    days: int | None
