"""Reconciliation breaks and the policy commitments that rest on a reconciliation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mockaudit.domain import FindingCode, Severity
from mockaudit.fieldwork.reconcile import reconciliation_findings
from tests.fieldwork.clean_programs import Row, Spec, clean_tables, source, spec

C = FindingCode
TERMINATED = date(2026, 3, 2)


def deprovisioning_spec(commitment_days: int | None = 1, rec_days: int = 3) -> Spec:
    s = spec()
    s["populations"] += [
        {"id": "terminations", "title": "Leavers", "system": "bamboohr",
         "file": "populations/terminations.csv", "key": "employee_id", "date": "terminated_on",
         "extracted_on": "2026-07-02", "query": "leavers", "count_evidence": "t.png"},
        {"id": "removals", "title": "Deactivations", "system": "okta",
         "file": "populations/removals.csv", "key": "removal_id", "date": "removed_on",
         "extracted_on": "2026-07-02", "query": "deactivations", "count_evidence": "r.png"},
    ]  # fmt: skip
    s["controls"].append(
        {"id": "IAM-02", "title": "Leavers lose access", "criteria": ["CC6.2"], "owner": "dana",
         "frequency": "per_event", "kind": "manual", "nature": "preventive", "risk": "high",
         "population": "removals"}
    )  # fmt: skip
    s["reconciliations"] = [
        {"id": "terminations-vs-removals", "control": "IAM-02", "left": "terminations",
         "left_match": "email", "left_date": "terminated_on", "right": "removals",
         "right_match": "email", "right_date": "removed_on", "max_days": rec_days}
    ]  # fmt: skip
    commitment: dict[str, object] = {
        "id": "deprovision-1-day",
        "statement": "Access is removed within 1 day of termination",
        "reconciliation": "terminations-vs-removals",
    }
    if commitment_days is not None:
        commitment["max_days"] = commitment_days
    s["policies"].append(
        {"id": "POL-ACCESS", "title": "Access Control Policy", "owner": "sam",
         "approved_on": "2026-01-05", "commitments": [commitment]}
    )  # fmt: skip
    return s


def tables(lags: dict[str, int | None]) -> dict[str, list[Row]]:
    """One leaver per entry; removal ``lag`` days after termination, or none."""
    out = clean_tables()
    out["terminations"] = []
    out["removals"] = []
    for n, (person, lag) in enumerate(lags.items()):
        ended = TERMINATED + timedelta(days=7 * n)
        out["terminations"].append(
            {"employee_id": person, "email": f" {person.upper()}@X.example",
             "terminated_on": ended.isoformat()}
        )  # fmt: skip
        if lag is not None:
            out["removals"].append(
                {"removal_id": f"RM-{n}", "email": f"{person}@x.example",
                 "removed_on": (ended + timedelta(days=lag)).isoformat()}
            )  # fmt: skip
    return out


def run(program_spec: Spec, lags: dict[str, int | None]) -> list[tuple[str, tuple[str, ...]]]:
    src = source(program_spec, tables(lags))
    return [(f.code.value, f.items) for f in reconciliation_findings(src.program(), src)]


def test_every_leaver_removed_in_time_gives_no_finding() -> None:
    assert run(deprovisioning_spec(), {"E1": 0, "E2": 1}) == []


def test_a_leaver_never_removed_breaks_the_reconciliation_and_the_commitment() -> None:
    assert run(deprovisioning_spec(), {"E1": 0, "E2": None, "E3": 1}) == [
        ("reconciliation.break", ("E2",)),
        ("policy.practice_divergence", ("E2",)),
    ]


def test_a_stricter_commitment_is_checked_with_its_own_delay() -> None:
    s = deprovisioning_spec(commitment_days=1, rec_days=3)
    assert run(s, {"E1": 2, "E2": 3, "E3": 1}) == [("policy.practice_divergence", ("E1", "E2"))]
    assert run(s, {"E1": 4}) == [
        ("reconciliation.break", ("E1",)),
        ("policy.practice_divergence", ("E1",)),
    ]


@pytest.mark.parametrize(("lag", "broken"), [(3, False), (4, True)])
def test_a_commitment_without_max_days_uses_the_reconciliations(lag: int, broken: bool) -> None:
    s = deprovisioning_spec(commitment_days=None, rec_days=3)
    expected = ["reconciliation.break", "policy.practice_divergence"] if broken else []
    assert [code for code, _ in run(s, {"E1": lag})] == expected


def test_findings_carry_the_control_policy_and_owner() -> None:
    src = source(deprovisioning_spec(), tables({"E1": None}))
    brk, divergence = reconciliation_findings(src.program(), src)
    assert (brk.control, brk.population, brk.criteria, brk.owner) == (
        "IAM-02",
        "terminations",
        ("CC6.2",),
        "dana",
    )
    assert brk.severity is Severity.HIGH
    assert "1 terminations row without a matching removals row within 3 days" in brk.title
    assert divergence.policy == "POL-ACCESS"
    assert divergence.severity is Severity.HIGH
    assert '"Access is removed within 1 day of termination"' in divergence.title
    assert "within 1 day" in divergence.title


def test_leavers_outside_the_period_are_not_reconciled() -> None:
    s = deprovisioning_spec()
    data = tables({"E1": None})
    data["terminations"][0]["terminated_on"] = "2025-12-20"
    src = source(s, data)
    assert reconciliation_findings(src.program(), src) == []
