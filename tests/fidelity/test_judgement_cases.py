"""The fidelity panel's judgement checks: opinion, timeline and report of every case.

Each case folder's ``expected.toml`` says what a CPA firm would conclude and its
README says why (tests/fidelity/README.md). This file checks the ``[opinion]``,
``[timeline]`` and ``[report]`` tables against a real audit of the folder;
``test_engine_cases.py`` checks ``[[controls]]`` and ``[[findings]]``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mockaudit.domain.run import Run
from mockaudit.export.report_html import render_html
from mockaudit.scenarios.loader import load_scenario
from tests.fidelity.panel import Case, cases, cases_with, run_case


def _ids(found: list[Case]) -> list[str]:
    return [case.name for case in found]


OPINION = cases_with("opinion")
TIMELINE = cases_with("timeline")
REPORT = cases_with("report")


def test_every_case_has_a_readme_citing_the_domain_reference() -> None:
    for case in cases():
        readme = (case.folder / "README.md").read_text("utf-8")
        assert "§" in readme, f"{case.name}: README cites no soc2-domain.md section"


@pytest.mark.parametrize("case", OPINION, ids=_ids(OPINION))
def test_opinion(case: Case) -> None:
    expected: dict[str, Any] = case.expected["opinion"]
    run = run_case(case.name)
    readiness = run.readiness
    assert readiness is not None and readiness.opinion_distribution is not None
    distribution = readiness.opinion_distribution
    assert readiness.likely_opinion.value == expected["likely"], readiness.opinion_rule
    assert distribution.most_likely is readiness.likely_opinion
    criteria = {g.criterion for g in readiness.grounds}
    for crit in expected.get("grounds_include", ()):
        assert crit in criteria, f"{crit} not among the grounds: {readiness.opinion_rule}"
    possible = criteria | {
        crit for g in distribution.grounds if g.probability >= 0.5 for crit in g.criteria
    }
    for crit in expected.get("grounds_exclude", ()):
        assert crit not in possible, f"{crit} is a ground: {readiness.opinion_rule}"
    for text in expected.get("rule_includes", ()):
        assert text in readiness.opinion_rule


@pytest.mark.parametrize("case", TIMELINE, ids=_ids(TIMELINE))
def test_timeline(case: Case) -> None:
    expected: dict[str, Any] = case.expected["timeline"]
    timeline = run_case(case.name).readiness.timeline  # type: ignore[union-attr]
    assert timeline is not None
    if "completed" in expected:
        assert timeline.period_completed is expected["completed"]
    pairs = {
        "period_start": timeline.type2_period_start,
        "period_end": timeline.type2_period_end,
        "next_period_start": timeline.next_period_start,
    }
    for key, got in pairs.items():
        if key in expected:
            assert got == date.fromisoformat(expected[key]), key
    report = timeline.type2_report_date
    if "report_date_before" in expected:
        assert report < date.fromisoformat(expected["report_date_before"])
    if "report_date_after" in expected:
        assert report > date.fromisoformat(expected["report_date_after"])


@pytest.mark.parametrize("case", REPORT, ids=_ids(REPORT))
def test_report(case: Case) -> None:
    expected: dict[str, Any] = case.expected["report"]
    run: Run = run_case(case.name)
    html = render_html(run, load_scenario(case.folder).program)
    if "section_iv" in expected:
        has_tests = "Tests and Results" in html
        assert has_tests is expected["section_iv"]
