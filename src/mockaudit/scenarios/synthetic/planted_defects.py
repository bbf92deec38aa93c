"""Plant audit defects of every plantable finding code, and record each in the truth manifest.

The planner works before any row is written: program-level defects edit the
draft program, population-level ones become a :class:`PopulationPlan` (rows to
drop, edit, duplicate or add, a count to misdeclare) that the generator applies
while streaming rows to disk. Each defect is isolated where the program allows
it — a population carries at most one structural defect, an item deviates on one
attribute only, commitments are never broken by accident — so the truth entry
names the cause an auditor should report. ``RATE`` scales how many controls,
populations and items are hit; any rate above zero plants every plantable code.

Two codes cannot be planted in a folder: ``evidence.integrity`` needs evidence
already stored in a vault, and ``walkthrough.divergence`` needs rehearsal answers.

The defects live by family of finding codes — ``program_defects``,
``population_defects``, ``item_defects``,
``governance_defects`` — on the targets of
``defect_targets``; this module plays them in an order
that keeps every code plantable.
"""

from __future__ import annotations

from collections.abc import Callable

from mockaudit.domain import FindingCode
from mockaudit.scenarios.synthetic import governance_defects as governance
from mockaudit.scenarios.synthetic import item_defects as item
from mockaudit.scenarios.synthetic import population_defects as population
from mockaudit.scenarios.synthetic import program_defects as program
from mockaudit.scenarios.synthetic.defect_plan import (
    DefectPlan,
    ExtraRow,
    PopulationPlan,
    Row,
    RowEdit,
    Truth,
    entry,
)
from mockaudit.scenarios.synthetic.defect_row_edits import mutated_column
from mockaudit.scenarios.synthetic.defect_targets import DefectTargets

__all__ = [
    "NOT_PLANTABLE",
    "PLANTABLE",
    "DefectPlan",
    "DefectPlanner",
    "ExtraRow",
    "PopulationPlan",
    "Row",
    "RowEdit",
    "Truth",
    "entry",
    "mutated_column",
]

NOT_PLANTABLE: dict[str, str] = {
    FindingCode.EVIDENCE_INTEGRITY: "needs evidence already stored in a vault and then damaged",
    FindingCode.WALKTHROUGH_DIVERGENCE: "needs a walkthrough rehearsal answer, not a file",
    **{
        code: "the generator does not model vendors or the system description yet"
        for code in FindingCode
        if code.value.startswith(("vendor.", "description."))
    },
}
PLANTABLE: tuple[str, ...] = tuple(c.value for c in FindingCode if c not in NOT_PLANTABLE)

Step = Callable[[DefectTargets], None]
RoundStep = Callable[[DefectTargets, int], None]

_PROGRAM_STEPS: tuple[Step, ...] = (
    program.criterion_uncovered,
    program.too_broad,
    program.ownerless,
    program.no_population,
    program.no_evidence,
)
# one population per structural code per round, the scarcest candidates first,
# so a high rate cannot starve a later code of populations
_STRUCTURAL_STEPS: tuple[RoundStep, ...] = (
    population.extracted_early,
    population.period_gap,
    population.not_operated,
    population.weak_source,
    population.count_mismatch,
    population.out_of_period,
    population.duplicate,
)
_ITEM_STEPS: tuple[Step, ...] = (
    governance.reconciliation_break,
    governance.practice_divergence,
    item.missing_field,
    item.sample_deviation,
    item.evidence_missing,
    governance.policy_stale,
    governance.risk_unmitigated,
)


class DefectPlanner(DefectTargets):
    """Plans every plantable defect on a draft program and its row sources."""

    def plan(self) -> DefectPlan:
        """Program defects, then rounds of structural ones, then items, policies and risks."""
        for program_step in _PROGRAM_STEPS:
            program_step(self)
        for round_number in range(self.how_many()):
            for step in _STRUCTURAL_STEPS:
                step(self, round_number)
        for item_step in _ITEM_STEPS:
            item_step(self)
        return DefectPlan(self.plans, self.truth, self.extracted_on)
