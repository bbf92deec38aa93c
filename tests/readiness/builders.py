"""Small programs, tests and findings for the readiness, request and export tests.

The program covers every security criterion: GOV-01 carries all of them except
CC8.1 (CHG-01 and CHG-02, which mitigate the same risk R-01), CC6.2 (IAM-01) and
CC7.2 (OPS-01), so an opinion test can make one criterion depend on exactly the
controls it wants.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mockaudit.domain import Finding, FindingCode, Program, Severity
from mockaudit.domain.criteria import criteria_for
from mockaudit.domain.enums import ControlKind, Frequency, RiskTier
from mockaudit.domain.run import ControlConclusion, ControlTest, SampleItem

PERIOD_START = date(2026, 1, 1)
PERIOD_END = date(2026, 6, 30)

_SPECIFIC = {"CC8.1", "CC6.2", "CC7.2"}
GOV_CRITERIA = [c.id for c in criteria_for(["security"]) if c.id not in _SPECIFIC]

_CONTROLS: dict[str, dict[str, Any]] = {
    "GOV-01": {
        "title": "Security policies approved annually",
        "criteria": GOV_CRITERIA,
        "owner": "dana",
        "frequency": "annual",
        "kind": "manual",
        "nature": "preventive",
        "risk": "moderate",
        "evidence": ["evidence/policies/register.pdf"],
    },
    "CHG-01": {
        "title": "Code changes are peer reviewed",
        "criteria": ["CC8.1"],
        "owner": "dana",
        "frequency": "per_event",
        "kind": "manual",
        "nature": "preventive",
        "risk": "moderate",
        "population": "changes",
        "attributes": [
            {"id": "independent-approval", "check": "different", "fields": ["author", "approver"]},
            {"id": "evidenced", "check": "evidence"},
        ],
    },
    "CHG-02": {
        "title": "CI passes before merge",
        "criteria": ["CC8.1"],
        "owner": "dana",
        "frequency": "per_event",
        "kind": "automated",
        "nature": "preventive",
        "risk": "low",
        "population": "changes",
        "evidence": ["evidence/config/branch-protection.png"],
        "attributes": [{"id": "ci-green", "check": "equals", "field": "ci", "value": "success"}],
    },
    "IAM-01": {
        "title": "Access removed on termination",
        "criteria": ["CC6.2"],
        "owner": "sam",
        "frequency": "per_event",
        "kind": "manual",
        "nature": "corrective",
        "risk": "high",
        "population": "terminations",
        "attributes": [{"id": "removed", "check": "present", "field": "removed_on"}],
    },
    "OPS-01": {
        "title": "Central logging is enabled",
        "criteria": ["CC7.2"],
        "owner": "sam",
        "frequency": "continuous",
        "kind": "automated",
        "nature": "detective",
        "risk": "moderate",
        "evidence": ["evidence/config/logging.png"],
    },
}

_POPULATIONS: list[dict[str, Any]] = [
    {
        "id": "changes",
        "title": "Merged pull requests to production repositories",
        "system": "github",
        "file": "populations/changes.csv",
        "key": "pr_id",
        "date": "merged_at",
        "declared_count": 6,
        "extracted_on": "2026-07-02",
        "query": "is:pr is:merged base:main",
        "count_evidence": "evidence/ipe/changes-count.png",
        "evidence_column": "evidence",
    },
    {
        "id": "terminations",
        "title": "Terminated employees",
        "system": "spreadsheet",
        "file": "populations/terminations.csv",
        "key": "email",
        "date": "terminated_on",
    },
]


def program(
    *,
    drop: tuple[str, ...] = (),
    owners: dict[str, str] | None = None,
    report_type: str = "type2",
) -> Program:
    """The five-control program, without the controls in ``drop``; ``owners`` overrides owners."""
    controls = []
    for cid, spec in _CONTROLS.items():
        if cid in drop:
            continue
        body = {"id": cid, **spec}
        if owners and cid in owners:
            body["owner"] = owners[cid]
        controls.append(body)
    engagement: dict[str, Any] = {
        "report_type": report_type,
        "period_end": PERIOD_END,
        "categories": ["security"],
        "systems": ["github", "okta"],
    }
    if report_type == "type2":
        engagement["period_start"] = PERIOD_START
    return Program.model_validate(
        {
            "organization": {"name": "Northwind Cloud Inc.", "services": "B2B invoicing"},
            "engagement": engagement,
            "people": [
                {"id": "dana", "name": "Dana Ortiz", "role": "CTO"},
                {"id": "sam", "name": "Sam Lee", "role": "Head of People"},
                {"id": "lee", "name": "Lee Park", "left_on": "2026-03-15"},
            ],
            "policies": [
                {
                    "id": "POL-ACCESS",
                    "title": "Access Control Policy",
                    "owner": "dana",
                    "approved_on": "2025-12-12",
                    "file": "evidence/policies/access-control.pdf",
                }
            ],
            "risks": [
                {
                    "id": "R-01",
                    "title": "Unreviewed change",
                    "likelihood": 3,
                    "impact": 4,
                    "controls": [c for c in ("CHG-01", "CHG-02") if c not in drop],
                }
            ],
            "populations": _POPULATIONS,
            "controls": controls,
        }
    )


def control_test(
    prog: Program,
    control_id: str,
    conclusion: ControlConclusion = ControlConclusion.NO_EXCEPTIONS,
    *,
    size: int = 25,
    deviations: int = 0,
    expansion: int = 0,
    keys: list[str] | None = None,
    **fields: Any,
) -> ControlTest:
    """A ControlTest of ``size`` items (``deviations`` of them failing, ``expansion`` extra).

    ``fields`` sets the Section IV fields (``effective``, ``missed_occurrences``,
    ``scope_limited``, ``frame_deviations``, ``population_size``…) directly.
    """
    control = prog.control(control_id)
    assert control is not None
    names = keys or [f"{control_id}-item-{i}" for i in range(size + expansion)]
    items = tuple(
        SampleItem(
            key=key,
            line=i + 2,
            expansion=i >= size,
            results=(
                ({"attribute": "a", "passed": i >= deviations},) if control.population else ()
            ),
        )
        for i, key in enumerate(names)
    )
    return ControlTest(
        control=control_id,
        owner=control.owner,
        population=control.population,
        frequency=Frequency(control.frequency),
        kind=ControlKind(control.kind),
        risk=RiskTier(control.risk),
        population_size=100,
        planned_size=size,
        items=items if control.population else (),
        expanded=expansion > 0,
        conclusion=conclusion,
    ).model_copy(update=fields)


def clean_tests(prog: Program) -> list[ControlTest]:
    return [control_test(prog, c.id) for c in prog.controls]


def finding(
    code: FindingCode,
    severity: Severity = Severity.HIGH,
    number: int = 1,
    **fields: Any,
) -> Finding:
    """A numbered finding with a title naming its code."""
    fields.setdefault("title", f"{code.value} issue")
    return Finding(id=f"F-{number:04d}", code=code, severity=severity, **fields)
