"""Readiness "as if" remediations were done (issue 18, ``audit --assume-remediated-by``).

The findings assumed fixed are dropped; a control all of whose findings are assumed fixed
is taken to operate effectively in the next period (no deviation, no missed instance, no
scope limitation), because that is what its remediation is for. The score, the opinion
distribution and the timeline are then concluded again with the run's own seed; the
timeline starts from the last due date assumed met, so it follows the owners' due dates.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from mockaudit.domain import Finding, FindingCode, Program
from mockaudit.domain.run import ControlConclusion, ControlTest, Readiness, Run
from mockaudit.readiness import conclude


def cleared_test(test: ControlTest) -> ControlTest:
    """``test`` as it reads once its control's remediation is done."""
    items = tuple(
        item.model_copy(
            update={"results": tuple(r.model_copy(update={"passed": True}) for r in item.results)}
        )
        for item in test.items
    )
    return test.model_copy(
        update={
            "items": items,
            "conclusion": ControlConclusion.NO_EXCEPTIONS,
            "effective": True if test.effective is not None else None,
            "exceptions_noted": 0,
            "missed_occurrences": (),
            "scope_limited": False,
            "frame_deviations": 0,
            "expanded": False,
        }
    )


def _with_planned_controls(
    program: Program, tests: list[ControlTest], criteria: list[str]
) -> tuple[Program, list[ControlTest]]:
    """An uncovered criterion is remediated by designing a control for it: add one per
    criterion (modelled on the program's first tested control) that operates effectively."""
    model = next((t for t in tests if t.control), None)
    if not criteria or model is None or not program.controls:
        return program, tests
    template = program.control(model.control) or program.controls[0]
    added = [
        template.model_copy(
            update={"id": f"PLANNED-{crit}", "criteria": (crit,), "title": f"Planned for {crit}"}
        )
        for crit in criteria
    ]
    planned = [cleared_test(model).model_copy(update={"control": c.id}) for c in added]
    return program.model_copy(update={"controls": (*program.controls, *added)}), tests + planned


def assumed_readiness(
    run: Run,
    program: Program,
    fixed: Collection[str],
    *,
    from_day: date,
    window_months: int = 6,
) -> Readiness:
    """The readiness of ``run`` with the findings ``fixed`` (ids) assumed remediated."""
    remaining: list[Finding] = [f for f in run.findings if f.id not in fixed]
    touched = {f.control for f in run.findings if f.id in fixed and f.control}
    still = {f.control for f in remaining if f.control}
    cleared = touched - still
    tests = [cleared_test(t) if t.control in cleared else t for t in run.tests]
    covered = [
        crit
        for f in run.findings
        if f.id in fixed and f.code is FindingCode.SCOPE_CRITERION_UNCOVERED
        for crit in f.criteria
    ]
    program, tests = _with_planned_controls(program, tests, covered)
    return conclude(
        remaining,
        tests,
        run.requests,
        program,
        as_of=from_day,
        window_months=window_months,
        seed=run.seed,
    )
