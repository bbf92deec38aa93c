"""An in-memory ``ProgramSource``: the reference meaning of every port method.

Engine tests build one from a Program and plain dict rows; the vault's SQL
implementation is checked against it (tests/vault/test_program_source.py), so
the two cannot drift apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from mockaudit.domain import Program, Reconciliation
from mockaudit.domain.dates import parse_day, unit_label
from mockaudit.domain.observations import (
    EXAMPLE_LIMIT,
    EvidenceRef,
    Examples,
    Gap,
    PeriodUnit,
    PopulationProfile,
    PopulationRow,
    ReconciliationBreak,
)


def _examples(keys: Sequence[str]) -> Examples:
    return Examples(len(keys), tuple(keys[:EXAMPLE_LIMIT]))


@dataclass
class FakeSource:
    prog: Program
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    files: dict[str, EvidenceRef] = field(default_factory=dict)  # path → ref (present ones)
    texts: dict[str, str] = field(default_factory=dict)  # path → content of text evidence

    def program(self) -> Program:
        return self.prog

    def _population(self, population: str) -> tuple[str, str]:
        pop = next(p for p in self.prog.populations if p.id == population)
        return pop.key, pop.date

    def rows(self, population: str) -> Iterator[PopulationRow]:
        key_col, date_col = self._population(population)
        for i, values in enumerate(self.tables.get(population, [])):
            yield PopulationRow(
                values.get(key_col, ""), i + 2, parse_day(values.get(date_col, "")), values
            )

    def _in_period(self, population: str, start: date, end: date) -> list[PopulationRow]:
        return [r for r in self.rows(population) if r.day is not None and start <= r.day <= end]

    def profile(
        self,
        population: str,
        start: date,
        end: date,
        *,
        unit: PeriodUnit | None,
        columns: Sequence[str],
    ) -> PopulationProfile:
        rows = list(self.rows(population))
        counts = Counter(r.key for r in rows)
        dup_keys = [k for k in dict.fromkeys(r.key for r in rows) if counts[k] > 1]
        inside = self._in_period(population, start, end)
        days = sorted({r.day for r in inside if r.day})
        occurrences: dict[str, int] = {}
        if unit is not None:
            for r in inside:
                assert r.day is not None
                label = unit_label(r.day, unit)
                occurrences[label] = occurrences.get(label, 0) + 1
        return PopulationProfile(
            population=population,
            rows=len(rows),
            distinct_keys=len(counts),
            duplicates=Examples(
                sum(c - 1 for c in counts.values()), tuple(dup_keys[:EXAMPLE_LIMIT])
            ),
            undated=_examples([r.key for r in rows if r.day is None]),
            out_of_period=_examples(
                [r.key for r in rows if r.day is not None and not start <= r.day <= end]
            ),
            in_period=len(inside),
            first_date=days[0] if days else None,
            last_date=days[-1] if days else None,
            blanks={
                c: _examples([r.key for r in rows if not r.values.get(c, "").strip()])
                for c in columns
            },
            occurrences=dict(sorted(occurrences.items())),
            largest_gaps=_gaps(days, start, end),
        )

    def strata(
        self, population: str, start: date, end: date, unit: PeriodUnit
    ) -> Mapping[str, int]:
        out: dict[str, int] = {}
        for r in self._in_period(population, start, end):
            assert r.day is not None
            label = unit_label(r.day, unit)
            out[label] = out.get(label, 0) + 1
        return dict(sorted(out.items()))

    def row_at(
        self, population: str, start: date, end: date, unit: PeriodUnit, label: str, index: int
    ) -> PopulationRow:
        rows = [
            r
            for r in self._in_period(population, start, end)
            if r.day and unit_label(r.day, unit) == label
        ]
        return rows[index]

    def evidence(self, paths: Iterable[str], *, verify: bool = False) -> Mapping[str, EvidenceRef]:
        return {p: self.files.get(p, EvidenceRef(p, None)) for p in paths}

    def evidence_text(self, path: str, *, limit: int) -> str | None:
        ref = self.files.get(path)
        text = self.texts.get(path)
        if ref is None or ref.verified is False or text is None:
            return None
        return text if len(text.encode()) <= limit else None

    def reconciliation_breaks(
        self, reconciliation: Reconciliation, start: date, end: date
    ) -> list[ReconciliationBreak]:
        r = reconciliation
        right: dict[str, list[date]] = {}
        for row in self.tables.get(r.right, []):
            day = parse_day(row.get(r.right_date, ""))
            if day is not None:
                right.setdefault(row.get(r.right_match, "").strip().lower(), []).append(day)
        left_key, _ = self._population(r.left)
        breaks = []
        for row in self.tables.get(r.left, []):
            day = parse_day(row.get(r.left_date, ""))
            if day is None or not start <= day <= end:
                continue
            candidates = sorted(right.get(row.get(r.left_match, "").strip().lower(), []))
            if any(0 <= (d - day).days <= r.max_days for d in candidates):
                continue
            later = [d for d in candidates if d >= day]
            nearest = later[0] if later else None
            breaks.append(
                ReconciliationBreak(
                    row.get(left_key, ""), day, nearest, (nearest - day).days if nearest else None
                )
            )
        return breaks


def _gaps(days: list[date], start: date, end: date, top: int = 3) -> tuple[Gap, ...]:
    bounds = [start - timedelta(days=1), *days, end + timedelta(days=1)]
    gaps = [Gap(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if (b - a).days > 1]
    gaps.sort(key=lambda g: (-g.days, g.after))
    return tuple(gaps[:top])
