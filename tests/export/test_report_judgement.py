"""The mock report's judgement wording: Type 1 has no Tests and Results; the basis cites grounds."""

from __future__ import annotations

from mockaudit.domain import Program
from mockaudit.domain.enums import ReportType
from mockaudit.domain.run import Ground, GroundKind, Opinion, Run
from mockaudit.export.report_html import render_html
from mockaudit.export.report_text import basis_paragraph, result_text


def _type1(run: Run) -> Run:
    return run.model_copy(update={"report_type": ReportType.TYPE1, "period_start": None})


def test_type1_report_has_no_tests_and_results(golden_run: Run, golden_program: Program) -> None:
    html = render_html(_type1(golden_run), golden_program)
    assert "Tests and Results" not in html
    assert "Test performed" not in html
    assert "IV. Trust Services Criteria and Related Controls" in html
    assert "design and implementation of the controls as of a date" in html
    type2 = render_html(golden_run, golden_program)
    assert "IV. Trust Services Criteria, Related Controls, Tests and Results" in type2


def test_basis_names_the_grounds_not_the_rule_text(
    golden_run: Run, golden_program: Program
) -> None:
    assert golden_run.readiness is not None
    ground = Ground(
        criterion="CC6.2",
        kind=GroundKind.NOT_OPERATING,
        controls=("IAM-04",),
        text="IAM-04 did not operate for part of the period (Q4 2025 not performed)",
    )
    readiness = golden_run.readiness.model_copy(
        update={"likely_opinion": Opinion.QUALIFIED, "grounds": (ground,)}
    )
    run = golden_run.model_copy(update={"readiness": readiness})
    basis = basis_paragraph(run, golden_program)
    assert basis is not None
    assert basis.startswith(
        "The following matters were identified: CC6.2 — IAM-04 did not operate for part of the"
        " period (Q4 2025 not performed)."
    )
    assert "simulated auditor samples" in basis


def test_result_text_prefers_the_section_iv_wording(
    golden_run: Run, golden_program: Program
) -> None:
    test = golden_run.tests[0].model_copy(
        update={"result_text": "Exception noted: 1 of 4 quarterly reviews was not performed"}
    )
    control = golden_program.control(test.control)
    assert result_text(test, control, golden_program) == (
        "Exception noted: 1 of 4 quarterly reviews was not performed"
    )
