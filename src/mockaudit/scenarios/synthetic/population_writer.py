"""Stream a generated population to CSV, applying its planted defects on the way.

Rows arrive in column chunks and leave as CSV lines; a chunk with nothing
planted in it is written with a single ``writerows`` call, and a planted chunk
is only touched at the rows concerned. So a five-million-row population streams
through in bounded memory at close to the speed of the csv module.
"""

from __future__ import annotations

import csv
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from mockaudit.domain.reference_controls import ColumnType, PopulationKind
from mockaudit.scenarios.synthetic.period_calendar import Period
from mockaudit.scenarios.synthetic.planted_defects import ExtraRow, PopulationPlan, Row
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, RowContext, RowSource


@dataclass(frozen=True)
class WrittenPopulation:
    rows: int
    evidence_files: int


class EvidenceWriter:
    """Writes evidence files under the scenario root, creating folders once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[Path] = set()
        self.count = 0

    def write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        path.write_bytes(data)
        self.count += 1


def write_population(
    path: Path,
    source: RowSource,
    plan: PopulationPlan,
    ctx: RowContext,
    evidence: EvidenceWriter,
) -> WrittenPopulation:
    """Write ``source`` to ``path`` through ``plan``; returns how many rows were written."""
    kind = source.kind
    header = kind.column_names
    before = evidence.count
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        if plan.drop_all:
            return WrittenPopulation(0, 0)
        marks = _Marks(plan)
        saved: list[tuple[ExtraRow, Row]] = []
        rows = 0
        for first, columns in source.chunks():
            count = len(columns[kind.key])
            stop = first + count
            if source.evidence is None and not plan.touches(first, stop):
                writer.writerows(zip(*(columns[c] for c in header), strict=True))
                rows += count
                continue
            _apply_edits(columns, header, plan, marks.edits.between(first, stop), first)
            for gi in marks.watched.between(first, stop):
                for record in plan.watch[gi]:
                    record["items"].append(columns[kind.key][gi - first])
            for gi in marks.extra.between(first, stop):
                row = {c: columns[c][gi - first] for c in header}
                saved += [(extra, row) for extra in plan.extra if extra.source == gi]
            if source.evidence is not None:
                _write_row_evidence(source, columns, header, plan, first, ctx, evidence)
            lines = _kept_lines(columns, header, kind, plan, first)
            writer.writerows(lines)
            rows += len(lines)
        for extra, row in saved:
            writer.writerow(_moved(row, extra, kind, ctx.period, header))
            rows += 1
    return WrittenPopulation(rows, evidence.count - before)


class _Sorted:
    def __init__(self, values: Iterable[int]) -> None:
        self.values = sorted(set(values))

    def between(self, first: int, stop: int) -> list[int]:
        lo = bisect_left(self.values, first)
        hi = bisect_left(self.values, stop)
        return self.values[lo:hi]


class _Marks:
    def __init__(self, plan: PopulationPlan) -> None:
        self.edits = _Sorted(plan.edits)
        self.watched = _Sorted(plan.watch)
        self.extra = _Sorted(e.source for e in plan.extra)


def _apply_edits(
    columns: Chunk, header: tuple[str, ...], plan: PopulationPlan, rows: list[int], first: int
) -> None:
    for gi in rows:
        i = gi - first
        row = {c: columns[c][i] for c in header}
        for edit in plan.edits[gi]:
            edit(row)
        for c in header:
            columns[c][i] = row[c]


def _kept_lines(
    columns: Chunk, header: tuple[str, ...], kind: PopulationKind, plan: PopulationPlan, first: int
) -> list[tuple[str, ...]]:
    """The chunk's rows after drops, with duplicated rows written twice."""
    lines = list(zip(*(columns[c] for c in header), strict=True))
    if not (plan.drop_rows or plan.drop_between or plan.drop_after or plan.duplicate):
        return lines
    dates = columns[kind.date]
    kept: list[tuple[str, ...]] = []
    for i, line in enumerate(lines):
        gi, day = first + i, dates[i][:10]
        if gi in plan.drop_rows:
            continue
        if plan.drop_between and plan.drop_between[0] <= day <= plan.drop_between[1]:
            continue
        if plan.drop_after and day > plan.drop_after:
            continue
        kept.append(line)
        if gi in plan.duplicate:
            kept.append(line)
    return kept


def _write_row_evidence(
    source: RowSource,
    columns: Chunk,
    header: tuple[str, ...],
    plan: PopulationPlan,
    first: int,
    ctx: RowContext,
    evidence: EvidenceWriter,
) -> None:
    """Files for every exported row, except rows whose evidence is planted as missing."""
    assert source.evidence is not None
    kind = source.kind
    dates = columns[kind.date]
    for i in range(len(dates)):
        gi, day = first + i, dates[i][:10]
        if gi in plan.hide_evidence or gi in plan.drop_rows:
            continue
        if plan.drop_between and plan.drop_between[0] <= day <= plan.drop_between[1]:
            continue
        if plan.drop_after and day > plan.drop_after:
            continue
        row = {c: columns[c][i] for c in header}
        for relative, data in source.evidence(ctx, row):
            evidence.write(relative, data)


def _moved(
    row: Row, extra: ExtraRow, kind: PopulationKind, period: Period, header: tuple[str, ...]
) -> list[str]:
    """A copy of ``row`` with every date moved outside the period and a fresh key."""
    offset = period.offset(date.fromisoformat(row[kind.date][:10]))
    if extra.before:
        shift = -(offset + extra.gap)
    else:
        shift = period.days - 1 - offset + extra.gap
    moved = dict(row)
    for column in kind.columns:
        value = moved[column.name]
        if column.type in (ColumnType.DATE, ColumnType.DATETIME) and value:
            day = date.fromisoformat(value[:10]) + timedelta(days=shift)
            moved[column.name] = day.isoformat() + value[10:]
    moved[kind.key] = extra.key
    return [moved[c] for c in header]
