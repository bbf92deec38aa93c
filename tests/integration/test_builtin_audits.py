"""Each built-in scenario yields what its README says (issue: the simulated auditor, acceptance 3).

``expected.json`` beside each pack lists the findings a correct mock audit must
produce and the codes it must not; the matching rule is written in the file.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mockaudit.domain import Finding
from mockaudit.domain.run import Run
from mockaudit.session import audit_folder

PACKS = Path(__file__).parents[2] / "scenarios"
NAMES = sorted(p.name for p in PACKS.iterdir() if (p / "expected.json").is_file())


@pytest.fixture(scope="module", params=NAMES)
def audited(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Run]:
    folder = PACKS / request.param
    expected = json.loads((folder / "expected.json").read_text())
    return expected, audit_folder(folder, seed=7, as_of=date(2026, 7, 15))


def _satisfied(entry: dict[str, Any], findings: tuple[Finding, ...]) -> bool:
    matches = [
        f
        for f in findings
        if f.code.value == entry["code"]
        and all(
            entry.get(k) in (None, getattr(f, k))
            for k in ("control", "population", "policy", "risk")
        )
        and (entry.get("criteria") is None or set(entry["criteria"]) <= set(f.criteria))
        and all(m.lower() in (f.title + " " + f.detail).lower() for m in _mentions(entry))
    ]
    found_items = {item for f in matches for item in f.items}
    return bool(matches) and set(entry.get("items") or ()) <= found_items


def _mentions(entry: dict[str, Any]) -> list[str]:
    value = entry.get("mentions") or []
    return [value] if isinstance(value, str) else list(value)


def test_every_expected_finding_appears(audited: tuple[dict[str, Any], Run]) -> None:
    expected, run = audited
    missing = [e for e in expected["must_find"] if not _satisfied(e, run.findings)]
    assert not missing, f"{expected['scenario']}: not found: {missing}"


def test_no_forbidden_code_appears(audited: tuple[dict[str, Any], Run]) -> None:
    expected, run = audited
    codes = {f.code.value for f in run.findings}
    assert not codes & set(expected["must_not_find"])


def test_every_finding_is_explained_by_the_readme(audited: tuple[dict[str, Any], Run]) -> None:
    expected, run = audited
    unexplained = [
        f"{f.code.value} {f.control or f.population or f.policy or f.risk} {f.items}"
        for f in run.findings
        if not any(_explains(e, f) for e in expected["must_find"])
    ]
    assert not unexplained, (
        f"{expected['scenario']}: findings the README does not explain: {unexplained}"
    )


def _explains(entry: dict[str, Any], finding: Finding) -> bool:
    if entry["code"] != finding.code.value:
        return False
    if any(
        entry.get(k) not in (None, getattr(finding, k))
        for k in ("control", "population", "policy", "risk")
    ):
        return False
    return not finding.items or not entry.get("items") or set(finding.items) <= set(entry["items"])


def test_likely_opinion_is_what_a_cpa_concludes(audited: tuple[dict[str, Any], Run]) -> None:
    """expected.json's ``opinion``: the README's reasoning, criterion by criterion (§3.5)."""
    expected, run = audited
    want = expected["opinion"]
    readiness = run.readiness
    assert readiness is not None and readiness.opinion_distribution is not None
    assert readiness.likely_opinion.value == want["likely"], readiness.opinion_rule
    grounds = {g.criterion for g in readiness.grounds}
    assert set(want["grounds_include"]) <= grounds, readiness.opinion_rule
    likely = {
        crit
        for g in readiness.opinion_distribution.grounds
        if g.probability >= 0.5
        for crit in g.criteria
    }
    assert not set(want["grounds_exclude"]) & (grounds | likely), readiness.opinion_rule


def test_section_iv_discloses_what_the_readme_says(audited: tuple[dict[str, Any], Run]) -> None:
    expected, run = audited
    results = {t.control: t.result_text for t in run.tests}
    for control, parts in expected["section_iv"].items():
        for part in parts:
            assert part in results[control], (control, results[control])


def test_basis_cites_only_what_the_auditor_saw(audited: tuple[dict[str, Any], Run]) -> None:
    """Items the sample did not contain are a risk of an exception, never a stated basis."""
    from mockaudit.export.report_text import basis_paragraph
    from mockaudit.scenarios.loader import load_scenario

    expected, run = audited
    basis = basis_paragraph(run, load_scenario(PACKS / expected["scenario"]).program) or ""
    unsampled = {i for f in run.findings if f.sampled is False for i in f.items}
    assert not [item for item in unsampled if item in basis], basis
    assert "policy commitment" not in basis and "promises" not in basis  # not grounds (§3.5)
