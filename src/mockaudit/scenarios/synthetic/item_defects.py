"""Item-level defects: rows that fail when sampled (missing fields, deviations, no evidence).

Each hits a few rows of a population, on one field or attribute only, and
watches those rows so the truth entry can name their keys once written.
"""

from __future__ import annotations

from mockaudit.domain import FindingCode
from mockaudit.domain.enums import AttributeCheck
from mockaudit.domain.reference_controls import population_kind
from mockaudit.scenarios.synthetic.defect_plan import entry
from mockaudit.scenarios.synthetic.defect_row_edits import deviation, mutated_column, set_value
from mockaudit.scenarios.synthetic.defect_targets import DefectTargets

_DEVIABLE = {
    AttributeCheck.DIFFERENT,
    AttributeCheck.BEFORE,
    AttributeCheck.WITHIN_DAYS,
    AttributeCheck.EQUALS,
    AttributeCheck.IN,
}


def missing_field(planner: DefectTargets) -> None:
    """Blank a field an attribute reads, on a few rows."""
    pairs = []
    committed = planner.committed_columns()
    for pid in planner.item_populations():
        protected = planner.protected(pid) | committed.get(pid, set())
        columns = sorted(
            {col for c in planner.draft.users_of(pid) for a in c.attributes for col in a.columns}
            - protected
        )
        pairs += [(pid, col) for col in columns]
    for (pid, column), rows in planner.with_rows(pairs, planner.how_many(), lambda p: p[0]):
        record = entry(
            FindingCode.POPULATION_MISSING_FIELD,
            planner.reported_under(pid, column),
            pid,
            field=column,
            implies="sample.deviation when a blank item is sampled",
        )
        planner.edit_rows(pid, rows, set_value(column, ""))
        planner.watch(pid, rows, record)
        planner.truth.append(record)


def sample_deviation(planner: DefectTargets) -> None:
    """Items failing one specific attribute (never one a policy commitment relies on)."""
    committed = planner.draft.committed()
    pairs = [
        (control, attribute)
        for pid in planner.item_populations()
        for control in planner.draft.users_of(pid)
        for attribute in control.attributes
        if attribute.check in _DEVIABLE
        and (control.id, attribute.id) not in committed
        and mutated_column(attribute, population_kind(pid)) not in planner.protected(pid)
    ]
    chosen = planner.with_rows(pairs, planner.how_many() * 2, lambda p: p[0].population or "")
    for (control, attribute), rows in chosen:
        pid = control.population or ""
        kind = population_kind(pid)
        record = entry(
            FindingCode.SAMPLE_DEVIATION,
            control.id,
            pid,
            attribute=attribute.id,
            check=attribute.check.value,
        )
        planner.edit_rows(pid, rows, deviation(attribute, kind, planner.rng))
        planner.watch(pid, rows, record)
        planner.truth.append(record)


def evidence_missing(planner: DefectTargets) -> None:
    """Rows that name evidence files which are never written."""
    candidates = [p for p in planner.item_populations() if population_kind(p).evidence_column]
    for pid, rows in planner.with_rows(candidates, planner.how_many(), lambda p: p):
        evidenced = [
            c.id
            for c in planner.draft.users_of(pid)
            if any(a.check is AttributeCheck.EVIDENCE for a in c.attributes)
        ]
        record = entry(
            FindingCode.EVIDENCE_MISSING,
            (evidenced or [planner.reported_under(pid) or ""])[0],
            pid,
            implies="sample.deviation (evidence attribute) when sampled",
        )
        planner.plans[pid].hide_evidence.update(rows)
        planner.watch(pid, rows, record)
        planner.truth.append(record)
