"""What a defect planner has planted so far, and what is still free to plant on.

Each defect is isolated where the program allows it (see
:mod:`mockaudit.scenarios.synthetic.planted_defects`): these are the rules that keep it so —
which controls, populations and rows are still free, which columns are
protected — and the sizes every defect family shares.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

from mockaudit.domain import Control, Policy
from mockaudit.domain.enums import Frequency
from mockaudit.domain.reference_controls import population_kind
from mockaudit.scenarios.synthetic.defect_plan import PopulationPlan, RowEdit, Truth
from mockaudit.scenarios.synthetic.period_calendar import Period
from mockaudit.scenarios.synthetic.synthetic_program import Draft
from mockaudit.scenarios.synthetic.synthetic_rows import RowSource
from mockaudit.scenarios.synthetic.synthetic_workforce import Workforce

SAMPLED = {
    Frequency.PER_EVENT,
    Frequency.MULTIPLE_DAILY,
    Frequency.DAILY,
    Frequency.WEEKLY,
    Frequency.MONTHLY,
    Frequency.QUARTERLY,
    Frequency.SEMIANNUAL,
}
"""Frequencies whose controls are tested on a sample of a population."""


class DefectTargets:
    """The draft, its row sources and the plans so far, with the rules for picking targets."""

    def __init__(
        self,
        draft: Draft,
        sources: dict[str, RowSource],
        workforce: Workforce,
        period: Period,
        categories_criteria: list[str],
        rng: random.Random,
        rate: float,
    ) -> None:
        self.draft = draft
        self.sources = sources
        self.workforce = workforce
        self.period = period
        self.criteria = categories_criteria
        self.rng = rng
        self.rate = rate
        self.plans: dict[str, PopulationPlan] = {p: PopulationPlan() for p in sources}
        self.truth: list[Truth] = []
        self.extracted_on: dict[str, date] = {}
        self.structural: set[str] = set()  # populations with a population-level defect
        self.dropping: set[str] = set()  # populations that lose rows
        self.used_rows: dict[str, set[int]] = {p: set() for p in sources}
        self.touched_controls: set[str] = set()

    # -- sizing ------------------------------------------------------------------------

    def how_many(self) -> int:
        """Controls or populations per code: 1 at low rates, up to 3 at rate 1."""
        return max(1, round(self.rate * 3))

    def item_count(self, rows: int) -> int:
        """Items per defect: about rate x 5% of the rows, at least one, at most a fifth."""
        return max(1, min(round(self.rate * 0.05 * rows), max(rows // 5, 1), 2000))

    # -- rows ---------------------------------------------------------------------------

    def free_rows(self, population: str, count: int) -> list[int]:
        """``count`` row indices of ``population`` no other defect uses (sorted)."""
        total = self.sources[population].count
        used = self.used_rows[population]
        pool = [i for i in range(total) if i not in used] if total < 50_000 else None
        if pool is not None:
            picked = self.rng.sample(pool, min(count, len(pool)))
        else:
            picked = []
            while len(picked) < count:
                i = self.rng.randrange(total)
                if i not in used and i not in picked:
                    picked.append(i)
        used.update(picked)
        return sorted(picked)

    def with_rows(
        self, candidates: list[Any], wanted: int, population_of: Callable[[Any], str]
    ) -> list[tuple[Any, list[int]]]:
        """Up to ``wanted`` candidates in random order, each with free rows to plant on;
        candidates whose population has no row left are skipped, not planted empty."""
        chosen: list[tuple[Any, list[int]]] = []
        for candidate in self.rng.sample(candidates, len(candidates)):
            if len(chosen) == wanted:
                break
            pid = population_of(candidate)
            rows = self.free_rows(pid, self.item_count(self.sources[pid].count))
            if rows:
                chosen.append((candidate, rows))
        return chosen

    def watch(self, population: str, rows: list[int], record: Truth) -> None:
        """Have ``record`` name the keys of ``rows`` once they are written."""
        for i in rows:
            self.plans[population].watch.setdefault(i, []).append(record)

    def edit_rows(self, population: str, rows: list[int], edit: RowEdit) -> None:
        """Apply ``edit`` to each of ``rows`` of ``population`` when it is written."""
        for row in rows:
            self.plans[population].edits.setdefault(row, []).append(edit)

    # -- picking targets ----------------------------------------------------------------

    def pick(self, candidates: list[Any], count: int | None = None) -> list[Any]:
        count = self.how_many() if count is None else count
        return self.rng.sample(candidates, min(count, len(candidates)))

    def free_controls(self) -> list[Control]:
        reconciled_controls = {r.control for r in self.draft.reconciliations}
        committed = {c for c, _ in self.draft.committed()}
        return [
            c
            for c in self.draft.controls
            if c.id not in self.touched_controls
            and c.id not in reconciled_controls
            and c.id not in committed
        ]

    def smaller_half(self, candidates: list[Any], population_of: Callable[[Any], str]) -> list[Any]:
        """The candidates whose population is no bigger than the median one.

        Emptying or unlinking a low-volume list is the realistic case, and it keeps
        a generated scenario near its size's row budget.
        """
        if not candidates:
            return candidates
        sizes = sorted(self.sources[population_of(c)].count for c in candidates)
        median = sizes[(len(sizes) - 1) // 2]
        return [c for c in candidates if self.sources[population_of(c)].count <= median]

    def replace_control(self, control: Control, **update: Any) -> None:
        index = self.draft.control_index(control.id)
        self.draft.controls[index] = self.draft.controls[index].model_copy(update=update)
        self.touched_controls.add(control.id)

    def replace_policy(self, policy: Policy, **update: Any) -> None:
        index = self.draft.policies.index(policy)
        self.draft.policies[index] = policy.model_copy(update=update)

    def free_populations(self, must: bool = False, *, dropping: bool = False) -> list[str]:
        """Populations in use, outside reconciliations, with no structural defect yet.

        With ``must`` (the first round, which guarantees every code once) and no
        free population left, fall back to populations whose defect keeps all
        their rows — never for a defect that itself drops rows.
        """
        reconciled = self.draft.reconciled()
        usable = [
            pid
            for pid in self.draft.populations
            if pid not in reconciled and self.draft.users_of(pid) and self.sources[pid].count
        ]
        free = [pid for pid in usable if pid not in self.structural]
        if free or not must or dropping:
            return free
        return [pid for pid in usable if pid not in self.dropping]

    def item_populations(self) -> list[str]:
        return [
            pid
            for pid in self.draft.populations
            if pid not in self.dropping and self.draft.users_of(pid) and self.sources[pid].count
        ]

    def claim(self, pid: str, *, dropping: bool = False) -> None:
        self.structural.add(pid)
        if dropping:
            self.dropping.add(pid)

    def reported_under(self, pid: str, column: str | None = None) -> str | None:
        """The control a population defect is reported under (the one reading ``column``)."""
        users = self.draft.users_of(pid)
        if column is not None:
            for control in users:
                if any(column in a.columns for a in control.attributes):
                    return control.id
        return users[0].id if users else None

    def frequency_of(self, pid: str) -> Frequency | None:
        users = self.draft.users_of(pid)
        return users[0].frequency if users else None

    def is_busy_event_list(self, pid: str, minimum: int = 100) -> bool:
        return self.frequency_of(pid) is Frequency.PER_EVENT and self.sources[pid].count >= minimum

    def has_reconciliation(self, rec_id: str) -> bool:
        return any(r.id == rec_id for r in self.draft.reconciliations)

    def protected(self, pid: str) -> set[str]:
        """Columns defects never change: key, date, evidence and reconciliation columns."""
        kind = population_kind(pid)
        fixed = {kind.key, kind.date, kind.evidence_column or ""}
        return fixed | self._reconciled_columns(pid)

    def _reconciled_columns(self, pid: str) -> set[str]:
        cols: set[str] = set()
        for r in self.draft.reconciliations:
            if r.left == pid:
                cols |= {r.left_match, r.left_date}
            if r.right == pid:
                cols |= {r.right_match, r.right_date}
        return cols

    def committed_columns(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for control_id, attribute_id in self.draft.committed():
            control = next(c for c in self.draft.controls if c.id == control_id)
            attribute = control.attribute(attribute_id)
            if control.population and attribute is not None:
                out.setdefault(control.population, set()).update(attribute.columns)
        return out
