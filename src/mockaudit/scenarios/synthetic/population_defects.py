"""Population-level defects: the ``population.*`` codes of a whole list, and ``not_operated``.

Each takes a population no other structural defect has claimed (see
:meth:`DefectTargets.free_populations`) and plans what happens to its rows or its
declared source: emptied, pulled early, a stretch missing, a hand-made source,
a misdeclared count, rows outside the period, rows exported twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mockaudit.domain import FindingCode
from mockaudit.domain.enums import Frequency
from mockaudit.scenarios.synthetic.defect_plan import ExtraRow, entry
from mockaudit.scenarios.synthetic.defect_targets import SAMPLED, DefectTargets


def not_operated(planner: DefectTargets, round_number: int) -> None:
    """A population with no occurrence: the export is a header row."""
    candidates = [
        pid
        for pid in planner.free_populations(round_number == 0, dropping=True)
        if len(users := planner.draft.users_of(pid)) == 1 and users[0].frequency in SAMPLED
    ]
    for pid in planner.pick(planner.smaller_half(candidates, lambda p: p), 1):
        planner.plans[pid].drop_all = True
        planner.claim(pid, dropping=True)
        planner.truth.append(
            entry(FindingCode.CONTROL_NOT_OPERATED, planner.reported_under(pid), pid)
        )


def weak_source(planner: DefectTargets, round_number: int) -> None:
    """Alternately a hand-made list and a list with no query or count behind it."""
    for pid in planner.pick(planner.free_populations(round_number == 0), 1):
        population = planner.draft.populations[pid]
        if round_number % 2 == 0:
            update: dict[str, Any] = {"system": "spreadsheet"}
            variant = "spreadsheet"
        else:
            update = {"query": None, "count_evidence": None}
            variant = "no_query_or_count_evidence"
        planner.draft.populations[pid] = population.model_copy(update=update)
        planner.claim(pid)
        planner.truth.append(
            entry(
                FindingCode.POPULATION_WEAK_SOURCE,
                planner.reported_under(pid),
                pid,
                variant=variant,
            )
        )


def extracted_early(planner: DefectTargets, round_number: int) -> None:
    """Pulled a few days before period_end: the last days' rows are not in the export."""
    candidates = [
        p
        for p in planner.free_populations(round_number == 0, dropping=True)
        if planner.is_busy_event_list(p)
    ]
    for pid in planner.pick(candidates, 1):
        days = planner.rng.randint(3, 7)
        extracted = planner.period.end - timedelta(days=days)
        planner.extracted_on[pid] = extracted
        planner.plans[pid].drop_after = extracted.isoformat()
        planner.claim(pid, dropping=True)
        planner.truth.append(
            entry(
                FindingCode.POPULATION_EXTRACTED_EARLY,
                planner.reported_under(pid),
                pid,
                extracted_on=extracted.isoformat(),
                period_end=planner.period.end.isoformat(),
            )
        )


def period_gap(planner: DefectTargets, round_number: int) -> None:
    """A stretch with no rows: a missed month or quarter, or weeks of silence."""
    periodic = (Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY)
    candidates = [
        p
        for p in planner.free_populations(round_number == 0, dropping=True)
        if planner.frequency_of(p) in periodic or planner.is_busy_event_list(p, minimum=60)
    ]
    for pid in planner.pick(candidates, 1):
        first, last = _gap_window(planner, planner.frequency_of(pid))
        planner.plans[pid].drop_between = (planner.period.day(first), planner.period.day(last))
        planner.claim(pid, dropping=True)
        planner.truth.append(
            entry(
                FindingCode.POPULATION_PERIOD_GAP,
                planner.reported_under(pid),
                pid,
                missing_from=planner.period.day(first),
                missing_to=planner.period.day(last),
            )
        )


def _gap_window(planner: DefectTargets, frequency: Frequency | None) -> tuple[int, int]:
    """First and last day offset of the stretch to drop: an inner month or quarter, or
    10 days (daily), 21 days (weekly) or a fifth of the period (event lists)."""
    p = planner.period
    if frequency is Frequency.MONTHLY:
        slots = p.months()
    elif frequency is Frequency.QUARTERLY:
        slots = p.quarters()
    else:
        length = p.days // 5
        if frequency is Frequency.DAILY:
            length = 10
        elif frequency is Frequency.WEEKLY:
            length = 21
        first = planner.rng.randint(p.days // 3, p.days // 2)
        return first, first + length - 1
    inner = slots[1:-1] or slots[-1:]
    slot = planner.rng.choice(inner)
    return slot.first, slot.last


def count_mismatch(planner: DefectTargets, round_number: int) -> None:
    """A source count a few rows off the export (mostly more rows than exported)."""
    candidates = [
        p for p in planner.free_populations(round_number == 0) if planner.sources[p].count >= 5
    ]
    for pid in planner.pick(candidates, 1):
        size = planner.sources[pid].count
        delta = planner.rng.randint(2, 9) * (1 if planner.rng.random() < 0.7 or size < 20 else -1)
        planner.plans[pid].count_delta = delta
        planner.claim(pid)
        planner.truth.append(
            entry(
                FindingCode.POPULATION_COUNT_MISMATCH,
                planner.reported_under(pid),
                pid,
                declared_minus_rows=delta,
            )
        )


def out_of_period(planner: DefectTargets, round_number: int) -> None:
    """Rows dated before the period starts or after it ends, under new keys."""
    for pid in planner.pick(planner.free_populations(round_number == 0), 1):
        source = planner.sources[pid]
        rows = planner.free_rows(pid, min(planner.item_count(source.count), 20))
        plan = planner.plans[pid]
        record = entry(FindingCode.POPULATION_OUT_OF_PERIOD, planner.reported_under(pid), pid)
        for n, row in enumerate(rows):
            key = source.extra_key(len(plan.extra))
            plan.extra.append(ExtraRow(row, key, n % 2 == 0, planner.rng.randint(3, 40)))
            record["items"].append(key)
        planner.claim(pid)
        planner.truth.append(record)


def duplicate(planner: DefectTargets, round_number: int) -> None:
    """Rows exported twice: the same key on two identical rows."""
    for pid in planner.pick(planner.free_populations(round_number == 0), 1):
        rows = planner.free_rows(pid, min(planner.item_count(planner.sources[pid].count), 50))
        planner.plans[pid].duplicate.update(rows)
        record = entry(FindingCode.POPULATION_DUPLICATE, planner.reported_under(pid), pid)
        planner.watch(pid, rows, record)
        planner.claim(pid)
        planner.truth.append(record)
