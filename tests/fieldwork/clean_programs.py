"""A clean program (every check passes) and its rows, for the checks' tests to break one by one.

``spec()`` returns the program as a plain dict (the TOML shape), so a test edits
exactly one thing and calls ``build``; ``clean_tables`` returns rows that meet
every frequency of the scenario-format.md table over the period.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, timedelta
from typing import Any

from mockaudit.domain import Program, criteria_for
from mockaudit.domain.dates import business_days, days, unit_label
from mockaudit.domain.observations import EvidenceRef, PeriodUnit
from tests.fieldwork.fake_source import FakeSource

START = date(2026, 1, 1)  # a Thursday: ISO week 2026-W01 is only partly inside
END = date(2026, 6, 30)
Spec = dict[str, Any]
Row = dict[str, str]

CONTROL_EVIDENCE = "evidence/policies/infosec.pdf"


def _population(pid: str, system: str, key: str, day: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "title": f"{pid} list",
        "system": system,
        "file": f"populations/{pid}.csv",
        "key": key,
        "date": day,
        "extracted_on": END + timedelta(days=2),
        "query": f"{pid} between {START} and {END}",
        "count_evidence": f"evidence/ipe/{pid}.png",
        **extra,
    }


def _control(cid: str, frequency: str, criteria: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "title": f"{cid} control",
        "criteria": criteria,
        "owner": "dana",
        "frequency": frequency,
        "kind": "manual",
        "nature": "preventive",
        "risk": "moderate",
        **extra,
    }


def spec() -> Spec:
    """The clean program: five populations (per_event, quarterly, weekly, daily, monthly)."""
    used = ["CC8.1", "CC6.2", "CC7.1", "CC7.2", "CC6.1"]
    rest = [c.id for c in criteria_for(["security"]) if c.id not in used]
    return deepcopy(
        {
            "organization": {"name": "Northwind"},
            "engagement": {
                "report_type": "type2",
                "period_start": START,
                "period_end": END,
                "categories": ["security"],
                "systems": ["github", "okta"],
            },
            "people": [
                {"id": "dana", "name": "Dana Ortiz"},
                {"id": "sam", "name": "Sam Lee", "left_on": "2026-03-15"},
            ],
            "policies": [
                {
                    "id": "POL-CHANGE",
                    "title": "Change Management Policy",
                    "owner": "dana",
                    "approved_on": "2026-01-10",
                    "commitments": [
                        {
                            "id": "independent-review",
                            "statement": "Every change is approved by someone else",
                            "control": "CHG-01",
                            "attribute": "independent-approval",
                        }
                    ],
                }
            ],
            "risks": [
                {
                    "id": "R-01",
                    "title": "Bad change",
                    "likelihood": 3,
                    "impact": 4,
                    "controls": ["CHG-01"],
                },
            ],  # fmt: skip
            "populations": [
                _population("changes", "github", "pr_id", "merged_at", evidence_column="evidence"),
                _population("reviews", "okta", "review_id", "completed_on"),
                _population("scans", "okta", "scan_id", "scan_date"),
                _population("backups", "okta", "backup_id", "run_on"),
                _population("patches", "okta", "patch_id", "done_on"),
            ],
            "controls": [
                _control(
                    "CHG-01",
                    "per_event",
                    ["CC8.1"],
                    population="changes",
                    attributes=[
                        {
                            "id": "independent-approval",
                            "check": "different",
                            "fields": ["author", "approver"],
                        },
                        {"id": "evidenced", "check": "evidence"},
                    ],
                ),
                _control(
                    "IAM-04",
                    "quarterly",
                    ["CC6.2"],
                    population="reviews",
                    attributes=[{"id": "reviewed", "check": "present", "field": "reviewer"}],
                ),
                _control("VUL-01", "weekly", ["CC7.1"], population="scans"),
                _control("AV-01", "daily", ["CC7.2"], population="backups"),
                _control("VUL-03", "monthly", ["CC6.1"], population="patches"),
                _control("GOV-01", "annual", rest, evidence=[CONTROL_EVIDENCE]),
            ],  # fmt: skip
        }
    )


def build(program_spec: Spec) -> Program:
    return Program.model_validate(program_spec)


def one_per_unit(start: date, end: date, unit: PeriodUnit) -> list[date]:
    """The first in-period day (business day for DAY) of every unit overlapping the period."""
    source = business_days(start, end) if unit is PeriodUnit.DAY else days(start, end)
    firsts: dict[str, date] = {}
    for day in source:
        firsts.setdefault(unit_label(day, unit), day)
    return list(firsts.values())


def change_rows(start: date, end: date, per_day: int = 2) -> list[Row]:
    rows = []
    for day in days(start, end):
        for n in range(per_day):
            rows.append(
                {
                    "pr_id": f"PR-{day:%m%d}-{n}",
                    "merged_at": f"{day}T1{n}:00:00Z",
                    "author": "ann",
                    "approver": "bob",
                    "evidence": f"evidence/prs/{day:%m%d}-{n}.png",
                }
            )
    return rows


def dated_rows(prefix: str, key: str, column: str, when: list[date]) -> list[Row]:
    return [{key: f"{prefix}-{i + 1}", column: d.isoformat(), "reviewer": "dana"}
            for i, d in enumerate(when)]  # fmt: skip


def clean_tables(start: date = START, end: date = END) -> dict[str, list[Row]]:
    return {
        "changes": change_rows(start, end),
        "reviews": dated_rows("UAR", "review_id", "completed_on",
                              one_per_unit(start, end, PeriodUnit.QUARTER)),
        "scans": dated_rows("SCAN", "scan_id", "scan_date",
                            one_per_unit(start, end, PeriodUnit.WEEK)),
        "backups": dated_rows("BKP", "backup_id", "run_on",
                              one_per_unit(start, end, PeriodUnit.DAY)),
        "patches": dated_rows("PATCH", "patch_id", "done_on",
                              one_per_unit(start, end, PeriodUnit.MONTH)),
    }  # fmt: skip


def with_counts(program_spec: Spec, tables: dict[str, list[Row]]) -> Spec:
    """Declare each population's count as the rows it really has."""
    for population in program_spec["populations"]:
        population["declared_count"] = len(tables.get(population["id"], []))
    return program_spec


def source(
    program_spec: Spec | None = None,
    tables: dict[str, list[Row]] | None = None,
    files: list[str] | None = None,
    *,
    declare: bool = True,
) -> FakeSource:
    """A FakeSource over the (clean unless given) program and rows; with ``declare`` each
    population's declared_count is set to the rows it really has."""
    tables = clean_tables() if tables is None else tables
    program_spec = spec() if program_spec is None else program_spec
    if declare:
        with_counts(program_spec, tables)
    stored = [CONTROL_EVIDENCE] if files is None else files
    return FakeSource(
        build(program_spec),
        tables,
        {p: EvidenceRef(p, f"ev-{i}", "0" * 64) for i, p in enumerate(stored)},
    )
