"""The engine's half of the fidelity panel: each case's [[controls]] and [[findings]].

Every case folder under ``cases/`` states what a CPA firm would report for each control
(Section IV text, effective / exceptions noted, sample sizes) and which findings a mock
audit must or must not raise, with the reasoning from soc2-domain.md in its README.
This test holds the seeded run to those statements (format: tests/fidelity/README.md;
``items`` and ``mentions`` on [[findings]] narrow the match to those item keys and to
text in the title or detail).
"""

from __future__ import annotations

from typing import Any

import pytest

from mockaudit.domain import Finding
from mockaudit.domain.run import ControlTest
from tests.fidelity.panel import Case, cases_with, run_case

CONTROL_CASES = cases_with("controls")
FINDING_CASES = cases_with("findings")


def _control_test(case: Case, control: str) -> ControlTest | None:
    return next((t for t in run_case(case.name).tests if t.control == control), None)


def _check_control(case: Case, want: dict[str, Any]) -> list[str]:
    test = _control_test(case, want["id"])
    where = f"{case.name} {want['id']}"
    if test is None:
        return [f"{where}: no ControlTest"]
    problems = []
    tested = bool(test.items) or test.effective is not None
    if "tested" in want and want["tested"] != tested:
        problems.append(f"{where}: tested {tested}, expected {want['tested']}")
    for key, actual in (
        ("sample_size", test.sample_size),
        ("planned_size", test.planned_size),
        ("exceptions_noted", test.exceptions_noted),
        ("frame_deviations", test.frame_deviations),
        ("scope_limited", test.scope_limited),
    ):
        if key in want and want[key] != actual:
            problems.append(f"{where}: {key} {actual}, expected {want[key]}")
    expected_effective = want.get("effective")
    if "effective" in want and test.effective is not expected_effective:
        problems.append(f"{where}: effective {test.effective}, expected {expected_effective}")
    problems += [
        f"{where}: result_text {test.result_text!r} lacks {text!r}"
        for text in want.get("result_contains", ())
        if text not in test.result_text
    ]
    problems += [
        f"{where}: result_text {test.result_text!r} contains {text!r}"
        for text in want.get("result_excludes", ())
        if text in test.result_text
    ]
    problems += [
        f"{where}: procedure {test.procedure!r} lacks {text!r}"
        for text in want.get("procedure_contains", ())
        if text not in test.procedure
    ]
    return problems


def _matches(finding: Finding, want: dict[str, Any]) -> bool:
    if finding.code.value != want["code"]:
        return False
    if want.get("control") not in (None, finding.control):
        return False
    if want.get("policy") not in (None, finding.policy):
        return False
    text = f"{finding.title} {finding.detail}".lower()
    return all(m.lower() in text for m in want.get("mentions", ()))


def _check_finding(case: Case, want: dict[str, Any]) -> list[str]:
    run = run_case(case.name)
    matching = [f for f in run.findings if _matches(f, want)]
    items = set(want.get("items", ()))
    if items:  # narrow to the findings about these items
        matching = [f for f in matching if items & set(f.items)]
    where = f"{case.name} {want['code']} {want.get('control') or ''} {sorted(items)}".strip()
    if not want.get("present", True):
        return [f"{where}: present, expected absent: {matching[0].title}"] if matching else []
    if not matching:
        return [f"{where}: absent, expected present"]
    problems = []
    found_items = {item for f in matching for item in f.items}
    if not items <= found_items:
        problems.append(f"{where}: items {sorted(items - found_items)} not found")
    for key in ("severity", "sampled"):
        if key in want:
            values = {getattr(f, key).value if key == "severity" else f.sampled for f in matching}
            if values != {want[key]}:
                problems.append(f"{where}: {key} {sorted(map(str, values))}, expected {want[key]}")
    return problems


@pytest.mark.parametrize("case", CONTROL_CASES, ids=[c.name for c in CONTROL_CASES])
def test_each_control_reads_as_a_practitioner_would_report_it(case: Case) -> None:
    problems = [p for want in case.expected["controls"] for p in _check_control(case, want)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", FINDING_CASES, ids=[c.name for c in FINDING_CASES])
def test_each_expected_finding_is_raised_or_absent(case: Case) -> None:
    problems = [p for want in case.expected["findings"] for p in _check_finding(case, want)]
    assert not problems, "\n".join(problems)


def test_the_engine_cases_cover_the_issue() -> None:
    """The cases the issue asks of the engine half are all in the panel."""
    names = {case.name for case in CONTROL_CASES}
    wanted = {
        "engine-missed-quarter",
        "engine-evidence-dated",
        "engine-emergency-change",
        "engine-six-month-sizes",
        "engine-unsampled-only",
        "engine-annual-instances",
    }
    assert wanted <= names
