"""How synthetic population rows are produced: column-wise, in chunks, from a schedule.

Why column-wise: drawing a whole column with one ``random.Random`` call pattern
and formatting dates from lookup tables runs at hundreds of thousands of rows a
second, where building one dict per row (or calling Faker per row) would run at
a few thousand. Why chunks: a "huge" population has millions of rows, and the
generator streams it to disk without ever holding it.

A :class:`RowSource` yields ``(first_row_index, columns)`` chunks; row indices
are stable, so defects can be planned by index before anything is generated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from mockaudit.domain.reference_controls import PopulationKind
from mockaudit.scenarios.synthetic.period_calendar import DAY, Period, Slot, spread_seconds
from mockaudit.scenarios.synthetic.synthetic_workforce import Workforce

Chunk = dict[str, list[str]]
"""Column name → the column's values for the rows of one chunk."""

CHUNK_ROWS = 25_000


@dataclass
class RowContext:
    """What every row generator may read: the period, the company and the program's shape."""

    seed: int
    period: Period
    workforce: Workforce
    companies: tuple[str, ...]
    control_owners: dict[str, str]
    reviewed_systems: tuple[str, ...]
    scale: float
    backup_datastores: int
    backup_runs_per_day: int
    volumes: dict[str, int] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """An independent stream per population, so adding one never shifts another."""
        return random.Random(f"{self.seed}:{name}")

    def fixed(self, low: int, high: int, rng: random.Random) -> int:
        """A small per-event volume, scaled by company size and period length."""
        months = self.period.days / 30.4
        return max(4, round(rng.randint(low, high) * self.scale * months / 12))

    def owner(self, role: str) -> str:
        return self.workforce.owners[role]

    def email_of(self, person_id: str) -> str:
        return f"{person_id}@{self.workforce.domain}"


class Draw:
    """Column-wise random draws; each method returns ``n`` values."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random

    def ints(self, lo: int, hi: int, n: int) -> list[int]:
        r, width = self.random, hi - lo + 1
        return [lo + int(r() * width) for _ in range(n)]

    def pick(self, values: Sequence[str], n: int) -> list[str]:
        return self.rng.choices(values, k=n)

    def weighted(self, values: Sequence[str], weights: Sequence[int], n: int) -> list[str]:
        return self.rng.choices(values, weights=weights, k=n)

    def codes(self, prefix: str, lo: int, hi: int, n: int) -> list[str]:
        return [f"{prefix}{x}" for x in self.ints(lo, hi, n)]

    def other_than(self, values: Sequence[str], avoid: Sequence[str]) -> list[str]:
        """One value per ``avoid`` entry, never equal to it (``values`` has ≥ 2 entries)."""
        m, r = len(values), self.random
        out = []
        for bad in avoid:
            choice = values[int(r() * m)]
            while choice == bad:
                choice = values[int(r() * m)]
            out.append(choice)
        return out


FillFn = Callable[[RowContext, Draw, list[int], list[str]], Chunk]
"""Columns (all but the key) for rows timed at ``seconds`` with per-row ``tags``."""

EvidenceFn = Callable[[RowContext, dict[str, str]], list[tuple[str, bytes]]]
"""The evidence files (path, content) that one row's evidence column names."""


class Schedule:
    """When the rows of a population happen; ``batches`` yields (first index, seconds, tags)."""

    count: int

    def batches(self, rng: random.Random) -> Iterator[tuple[int, list[int], list[str]]]:
        raise NotImplementedError


class EventSchedule(Schedule):
    """``count`` events spread evenly over the period (per-event controls)."""

    def __init__(self, count: int, period: Period) -> None:
        self.count = count
        self.span = period.seconds

    def batches(self, rng: random.Random) -> Iterator[tuple[int, list[int], list[str]]]:
        for first in range(0, self.count, CHUNK_ROWS):
            stop = min(first + CHUNK_ROWS, self.count)
            yield first, spread_seconds(rng, first, stop, self.count, self.span), []


class SlotSchedule(Schedule):
    """One row per (slot, tag) pair: a review per system per quarter, a scan per group per week."""

    def __init__(
        self,
        period: Period,
        pairs: Sequence[tuple[Slot, str]],
        rng: random.Random,
        *,
        business: bool = True,
        hours: tuple[int, int] = (9, 18),
    ) -> None:
        times: list[tuple[int, str]] = []
        for slot, tag in pairs:
            if business:
                day = period.pick_business_day(rng, slot)
            else:
                day = rng.randint(slot.first, slot.last)
            second = rng.randint(hours[0] * 3600, hours[1] * 3600 - 1)
            times.append((day * DAY + second, tag))
        times.sort()
        self.times = times
        self.count = len(times)

    def batches(self, rng: random.Random) -> Iterator[tuple[int, list[int], list[str]]]:
        for first in range(0, self.count, CHUNK_ROWS):
            part = self.times[first : first + CHUNK_ROWS]
            yield first, [t for t, _ in part], [tag for _, tag in part]


def cross(slots: Sequence[Slot], tags: Sequence[str]) -> list[tuple[Slot, str]]:
    """Every (slot, tag) pair: one occurrence per tag in each slot."""
    return [(slot, tag) for slot in slots for tag in tags]


def split(period: Period, tags: Sequence[str]) -> list[tuple[Slot, str]]:
    """The period cut into ``len(tags)`` equal slots, one tag each (annual work spread out)."""
    count = max(len(tags), 1)
    width = period.days / count
    return [
        (Slot(int(i * width), max(int((i + 1) * width) - 1, int(i * width)), ""), tag)
        for i, tag in enumerate(tags)
    ]


class DailySchedule(Schedule):
    """``runs`` rows per tag on each of ``days`` (backups, daily job reviews)."""

    def __init__(self, days: Sequence[int], tags: Sequence[str], runs: int = 1) -> None:
        self.days = list(days)
        self.tags = list(tags)
        self.runs = runs
        self.count = len(self.days) * len(self.tags) * runs

    def batches(self, rng: random.Random) -> Iterator[tuple[int, list[int], list[str]]]:
        step = DAY // self.runs
        jitter = min(900, step - 1)
        per_day = len(self.tags) * self.runs
        days_per_chunk = max(1, CHUNK_ROWS // per_day)
        r = rng.random
        for start in range(0, len(self.days), days_per_chunk):
            seconds: list[int] = []
            tags: list[str] = []
            for day in self.days[start : start + days_per_chunk]:
                base = day * DAY + (3600 if self.runs == 1 else 0)
                for run in range(self.runs):
                    for tag in self.tags:
                        seconds.append(base + run * step + int(r() * jitter))
                        tags.append(tag)
            yield start * per_day, seconds, tags


class RowSource:
    """A population's rows, produced in chunks; subclasses say how."""

    kind: PopulationKind
    count: int
    evidence: EvidenceFn | None = None

    def chunks(self) -> Iterator[tuple[int, Chunk]]:
        raise NotImplementedError

    def extra_key(self, j: int) -> str:
        """A key no generated row has, for rows a defect adds."""
        raise NotImplementedError


class TimedSource(RowSource):
    """Rows from a schedule and a fill function; keys are ``prefix`` + a running number."""

    def __init__(
        self,
        ctx: RowContext,
        kind: PopulationKind,
        prefix: str,
        schedule: Schedule,
        fill: FillFn,
        rng: random.Random,
        evidence: EvidenceFn | None = None,
        evidence_paths: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.kind = kind
        self.prefix = prefix
        self.schedule = schedule
        self.fill = fill
        self.rng = rng
        self.count = schedule.count
        self.evidence = evidence
        self.evidence_paths = evidence_paths
        self.base = 1001

    def chunks(self) -> Iterator[tuple[int, Chunk]]:
        draw = Draw(self.rng)
        for first, seconds, tags in self.schedule.batches(self.rng):
            columns = _unaliased(self.fill(self.ctx, draw, seconds, tags))
            keys = [f"{self.prefix}{self.base + first + i}" for i in range(len(seconds))]
            columns[self.kind.key] = keys
            if self.kind.evidence_column and self.evidence_paths is not None:
                paths = self.evidence_paths
                columns[self.kind.evidence_column] = [";".join(paths(k)) for k in keys]
            yield first, columns

    def extra_key(self, j: int) -> str:
        return f"{self.prefix}{self.base + self.count + 100 + j}"


class MaterializedSource(RowSource):
    """A small population built in full up front (HR lists, incidents and their derivatives)."""

    def __init__(
        self,
        kind: PopulationKind,
        columns: Chunk,
        extra_key: Callable[[int], str],
        evidence: EvidenceFn | None = None,
    ) -> None:
        self.kind = kind
        self.columns = columns
        self.count = len(columns[kind.key])
        self._extra_key = extra_key
        self.evidence = evidence

    def chunks(self) -> Iterator[tuple[int, Chunk]]:
        yield 0, {name: list(values) for name, values in self.columns.items()}

    def extra_key(self, j: int) -> str:
        return self._extra_key(j)


def _unaliased(columns: Chunk) -> Chunk:
    """Give every column its own list: fills may reuse one list for two equal columns
    (author and merged_by), and a defect edited into one must not leak into the other."""
    seen: set[int] = set()
    for name, values in columns.items():
        if id(values) in seen:
            columns[name] = list(values)
        seen.add(id(columns[name]))
    return columns


def materialize(source: TimedSource) -> MaterializedSource:
    """Run a small timed source once and keep its rows (so other populations can derive)."""
    merged: Chunk = {}
    for _, chunk in source.chunks():
        for name, values in chunk.items():
            merged.setdefault(name, []).extend(values)
    if not merged:
        merged = {c: [] for c in source.kind.column_names}
    return MaterializedSource(source.kind, merged, source.extra_key, source.evidence)


def rows_of(columns: Chunk, names: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a chunk as dicts (only for small populations)."""
    count = len(columns[names[0]]) if names else 0
    return [{name: columns[name][i] for name in names} for i in range(count)]
