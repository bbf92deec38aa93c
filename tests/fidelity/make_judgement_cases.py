"""Writes the judgement cases of the fidelity panel (``python -m tests.fidelity.make_judgement_cases``).

Each case is a small, complete scenario folder; the CSV rows are generated here
so that the data and the README's reasoning stay in one place. The folders are
committed: the panel reads them, not this script. Re-run it only to change a case
on purpose, and review the diff like any other data change.

Every case shares a *base*: one clean per-event control (``BASE-01``, code
changes approved by another engineer before merge) mapped to every in-scope
criterion the case does not test, so that only the case's own controls can move
the opinion. Its population has a query, a count screenshot and rows to within a
few days of both period ends, so it raises no completeness finding.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mockaudit.domain.criteria import criteria_for

CASES = Path(__file__).parent / "cases"
START, END = date(2026, 1, 1), date(2026, 6, 30)
PEOPLE = [
    ("alex", "Alex Moreau", "CTO"),
    ("sam", "Sam Reyes", "IT Lead"),
    ("kim", "Kim Osei", "Head of People"),
    ("rob", "Rob Lane", "Security Lead"),
]
PNG = b"\x89PNG\r\n\x1a\n fidelity-case count screenshot"


@dataclass
class Case:
    name: str
    readme: str
    expected: str
    report_type: str = "type2"
    covered: Sequence[str] = ()  # criteria the case's own controls address (BASE-01 skips them)
    controls: list[dict[str, Any]] = field(default_factory=list)
    populations: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)
    risks: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    reconciliations: list[dict[str, Any]] = field(default_factory=list)
    people: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    base_owner: str = "alex"


# -- rows ---------------------------------------------------------------------------------------


def days(start: date, end: date, step: int) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=step)


def change_rows(
    start: date = START, end: date = END, bad: Callable[[int], bool] = lambda i: False
) -> tuple[list[str], list[list[str]]]:
    """A merged PR every other day; ``bad(i)`` rows were approved by their author."""
    header = ["pr_id", "merged_at", "author", "approver", "approved_at"]
    rows = []
    for i, day in enumerate(days(start, end, 2)):
        author = ["dmiller", "jchen", "apatel"][i % 3]
        approver = author if bad(i) else ["jchen", "apatel", "dmiller"][i % 3]
        rows.append([f"app#{1000 + i}", f"{day}T15:00:00Z", author, approver, f"{day}T11:00:00Z"])
    return header, rows


def base_population() -> dict[str, Any]:
    return population(
        "changes",
        "Merged pull requests to production repositories",
        "github",
        key="pr_id",
        date="merged_at",
    )


def population(pid: str, title: str, system: str, **extra: Any) -> dict[str, Any]:
    body = {
        "id": pid,
        "title": title,
        "system": system,
        "file": f"populations/{pid}.csv",
        "extracted_on": date(2026, 7, 2),
        "query": f"{system} export of {pid} {START}..{END}",
        "count_evidence": f"evidence/ipe/{pid}-count.png",
    }
    body.update(extra)
    return body


def base_control(case: Case) -> dict[str, Any]:
    in_scope = [c.id for c in criteria_for(["security"])]
    return {
        "id": "BASE-01",
        "title": "Code changes approved by another engineer before merge",
        "description": "Stands in for the rest of the program: mapped to every criterion the "
        "case does not test, so only the case's controls decide the opinion.",
        "criteria": [c for c in in_scope if c not in case.covered],
        "owner": case.base_owner,
        "frequency": "per_event",
        "kind": "manual",
        "nature": "preventive",
        "risk": "moderate",
        "population": "changes",
        "attributes": [
            {"id": "independent-approval", "check": "different", "fields": ["author", "approver"]},
            {
                "id": "approved-before-merge",
                "check": "before",
                "fields": ["approved_at", "merged_at"],
            },
        ],
    }


# -- TOML -----------------------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def table(name: str, body: dict[str, Any]) -> str:
    lines = [f"[[{name}]]"]
    nested: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in body.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            nested.append((key, value))
        else:
            lines.append(f"{key} = {toml_value(value)}")
    for key, items in nested:
        for item in items:
            lines.append("")
            lines.append(f"  [[{name}.{key}]]")
            lines += [f"  {k} = {toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def systems(case: Case) -> list[str]:
    """Every system a population is drawn from (no system in scope with nothing tested)."""
    return list(dict.fromkeys(p["system"] for p in [base_population(), *case.populations]))


def scenario_toml(case: Case) -> str:
    engagement = [f'report_type = "{case.report_type}"']
    if case.report_type == "type2":
        engagement.append(f"period_start = {START}")
    engagement += [
        f"period_end = {END}",
        'categories = ["security"]',
        f"systems = {toml_value(systems(case))}",
        "confidence = 0.9",
    ]
    parts = [
        f"# Fidelity case {case.name}: see README.md for what a CPA concludes and why.\n"
        'format = "mockaudit.scenario/1"\n',
        '[organization]\nname = "Fidelity Case Co."\n'
        'services = "A small B2B SaaS used as a fidelity-panel case"\n',
        "[engagement]\n" + "\n".join(engagement) + "\n",
    ]
    people = [(p, n, r, None) for p, n, r in PEOPLE] + case.people
    for pid, name, role, left in people:
        body: dict[str, Any] = {"id": pid, "name": name, "role": role}
        if left:
            body["left_on"] = date.fromisoformat(left)
        parts.append(table("people", body))
    parts += [table("policies", p) for p in case.policies]
    parts += [table("risks", r) for r in case.risks]
    for pop in [base_population(), *case.populations]:
        header, rows = case.rows[pop["id"]]
        parts.append(table("populations", {**pop, "declared_count": len(rows)}))
    parts += [table("controls", c) for c in [base_control(case), *case.controls]]
    parts += [table("reconciliations", r) for r in case.reconciliations]
    return "\n".join(parts)


def write(case: Case) -> None:
    folder = CASES / case.name
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "populations").mkdir(parents=True)
    (folder / "evidence" / "ipe").mkdir(parents=True)
    case.rows.setdefault("changes", change_rows())
    for pid, (header, rows) in case.rows.items():
        with (folder / "populations" / f"{pid}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        (folder / "evidence" / "ipe" / f"{pid}-count.png").write_bytes(PNG)
    for policy in case.policies:
        path = folder / policy["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {policy['title']}\n\nApproved {policy['approved_on']}.\n", "utf-8")
    (folder / "scenario.toml").write_text(scenario_toml(case), "utf-8")
    (folder / "README.md").write_text(case.readme.strip() + "\n", "utf-8")
    (folder / "expected.toml").write_text(case.expected.strip() + "\n", "utf-8")


# -- the access-control building blocks ---------------------------------------------------------

ACCESS = ["CC6.1", "CC6.2", "CC6.3"]


def grant_rows() -> tuple[list[str], list[list[str]]]:
    header = ["request_id", "user", "approver", "approved_at", "provisioned_at"]
    rows = [
        [f"REQ-{100 + i}", f"user{i}", "sam", f"{d}T09:00:00Z", f"{d}T12:00:00Z"]
        for i, d in enumerate(days(START + timedelta(days=1), END - timedelta(days=1), 4))
    ]
    return header, rows


def removal_rows(late: Callable[[int], int]) -> tuple[list[str], list[list[str]]]:
    """A leaver every 8 days; ``late(i)`` days between termination and removal."""
    header = ["removal_id", "email", "terminated_on", "removed_on", "ticket_id"]
    rows = []
    for i, d in enumerate(days(START + timedelta(days=2), END - timedelta(days=10), 8)):
        removed = d + timedelta(days=late(i))
        rows.append(
            [f"DEACT-{i + 1:03d}", f"leaver{i}@case.example", str(d), str(removed), f"IT-{i}"]
        )
    return header, rows


def termination_rows(
    removals: tuple[list[str], list[list[str]]],
) -> tuple[list[str], list[list[str]]]:
    header = ["employee_id", "email", "terminated_on"]
    return header, [[f"E-{i + 1:03d}", r[1], r[2]] for i, r in enumerate(removals[1])]


def iam01(criteria: list[str], owner: str = "sam") -> dict[str, Any]:
    return {
        "id": "IAM-01",
        "title": "Access provisioning requires an approved request",
        "criteria": criteria,
        "owner": owner,
        "frequency": "per_event",
        "kind": "it_dependent_manual",
        "nature": "preventive",
        "risk": "high",
        "population": "access-grants",
        "attributes": [
            {"id": "approved", "check": "present", "field": "approver"},
            {
                "id": "approved-before-access",
                "check": "before",
                "fields": ["approved_at", "provisioned_at"],
            },
        ],
    }


def iam02(criteria: list[str], sla: int, owner: str = "sam") -> dict[str, Any]:
    return {
        "id": "IAM-02",
        "title": f"Access revoked within {sla} days of termination",
        "criteria": criteria,
        "owner": owner,
        "frequency": "per_event",
        "kind": "it_dependent_manual",
        "nature": "preventive",
        "risk": "high",
        "population": "access-removals",
        "attributes": [
            {
                "id": "removed-within-sla",
                "check": "within_days",
                "fields": ["terminated_on", "removed_on"],
                "days": sla,
            },
            {"id": "ticketed", "check": "present", "field": "ticket_id"},
        ],
    }


def access_populations() -> list[dict[str, Any]]:
    return [
        population(
            "access-grants",
            "Access requests provisioned in the period",
            "okta",
            key="request_id",
            date="provisioned_at",
        ),
        population(
            "access-removals",
            "Okta deactivations of departing users",
            "okta",
            key="removal_id",
            date="removed_on",
        ),
    ]


ACCESS_RISKS = [
    {
        "id": "R-01",
        "title": "Access is granted without approval",
        "likelihood": 3,
        "impact": 4,
        "controls": ["IAM-01"],
    },
    {
        "id": "R-02",
        "title": "A former worker keeps access",
        "likelihood": 3,
        "impact": 4,
        "controls": ["IAM-02"],
    },
]


def base_risk(*more: str) -> dict[str, Any]:
    return {
        "id": "R-00",
        "title": "An unreviewed change reaches production",
        "likelihood": 3,
        "impact": 4,
        "controls": ["BASE-01", *more],
    }


# -- the cases ------------------------------------------------------------------------------------


def deprovisioning_fails() -> Case:
    removals = removal_rows(lambda i: 6 if i % 2 == 0 else 0)
    return Case(
        name="deprovisioning-fails-no-cross-cover",
        covered=ACCESS,
        controls=[iam01(ACCESS), iam02(["CC6.2", "CC6.3"], sla=1)],
        populations=access_populations(),
        rows={"access-grants": grant_rows(), "access-removals": removals},
        risks=[base_risk(), *ACCESS_RISKS],
        readme="""
# Provisioning effective, deprovisioning failing: qualified on CC6.2 and CC6.3

IAM-01 (access provisioning needs an approved request) operates without exception. IAM-02
(access revoked within 1 day of termination) fails: every second leaver keeps access for 6
days, so any sample the auditor draws holds several late removals — far above the tolerable
rate (soc2-domain.md §2.2, §3.4; `domain/tolerable.py`: ≥ 2 deviations → not effective).

Both controls map to CC6.2 and CC6.3, but they mitigate different risks: IAM-01 the risk that
access is granted without approval (R-01), IAM-02 the risk that a former worker keeps access
(R-02). A compensating control must address the same risk (§3.4: "compensating/mitigating
controls may be identified and tested to limit the impact"); approving new access does nothing
for leavers. So CC6.2 and CC6.3 are not met, and the opinion is **qualified** on them (§3.5:
"logical access not applied consistently → qualification on the related criteria"). CC6.1 rests
on IAM-01, which operated effectively: no ground there.
""",
        expected="""
seed = 7

[opinion]
likely = "qualified"
grounds_include = ["CC6.2", "CC6.3"]
grounds_exclude = ["CC6.1"]
rule_includes = ["IAM-02"]
""",
    )


def policy_stricter() -> Case:
    removals = removal_rows(lambda i: 2 if i % 4 == 0 else 0)
    return Case(
        name="policy-stricter-than-practice",
        covered=["CC6.2", "CC6.3"],
        controls=[iam02(["CC6.2", "CC6.3"], sla=3)],
        populations=[
            population(
                "access-removals",
                "Okta deactivations of departing users",
                "okta",
                key="removal_id",
                date="removed_on",
            ),
            population(
                "terminations",
                "Terminations in the period",
                "bamboohr",
                key="employee_id",
                date="terminated_on",
            ),
        ],
        rows={"access-removals": removals, "terminations": termination_rows(removals)},
        risks=[base_risk(), ACCESS_RISKS[1]],
        policies=[
            {
                "id": "POL-ACCESS",
                "title": "Access Control Policy",
                "owner": "sam",
                "approved_on": date(2026, 1, 12),
                "file": "evidence/policies/access-control-policy.md",
                "commitments": [
                    {
                        "id": "deprovision-1-day",
                        "statement": "Access is removed within 1 day of termination",
                        "reconciliation": "terminations-vs-removals",
                        "max_days": 1,
                    }
                ],
            }
        ],
        reconciliations=[
            {
                "id": "terminations-vs-removals",
                "control": "IAM-02",
                "left": "terminations",
                "left_match": "email",
                "left_date": "terminated_on",
                "right": "access-removals",
                "right_match": "email",
                "right_date": "removed_on",
                "max_days": 3,
            }
        ],
        readme="""
# Policy worded stricter than practice: unqualified, exception plus a description fix

The access policy promises removal "within 1 day of termination". Practice, and the control as
described (IAM-02), removes access within 3 days: every fourth leaver is removed after 2 days.
Every removal meets IAM-02's own 3-day SLA, and the reconciliation of HR terminations to Okta
deactivations finds every leaver removed within 3 days.

A CPA tests the control as described and weighs whether the criterion is met (§3.4). Removal
within 3 days meets CC6.2/CC6.3 for this system, so the opinion stays **unqualified** (§3.5: a
clean opinion "can still contain exceptions"). The policy wording is still wrong: the leavers
removed after 2 days break the written promise, which is reported (`policy.practice_divergence`)
as an exception plus a description fix — amend the policy to what is done, or bring practice up
to it (§6.3 "policy stricter than reality"). It is not a ground for qualification by itself.
""",
        expected="""
seed = 7

[opinion]
likely = "unqualified"
grounds_exclude = ["CC6.2", "CC6.3"]
rule_includes = ["POL-ACCESS", "description fix", "not a ground by itself"]

[[findings]]
code = "policy.practice_divergence"
present = true

[[findings]]
code = "reconciliation.break"
present = false
""",
    )


def ownerless_operating() -> Case:
    return Case(
        name="ownerless-but-operating",
        covered=["CC6.2", "CC6.3"],
        controls=[iam02(["CC6.2", "CC6.3"], sla=1, owner="lee")],
        people=[("lee", "Lee Park", "Former Security Lead", "2026-03-15")],
        populations=[
            population(
                "access-removals",
                "Okta deactivations of departing users",
                "okta",
                key="removal_id",
                date="removed_on",
            )
        ],
        rows={"access-removals": removal_rows(lambda i: 0)},
        risks=[base_risk(), ACCESS_RISKS[1]],
        readme="""
# Ownerless but operating: unqualified, the missing owner is a readiness risk

IAM-02 (access revoked within 1 day of termination) is the only control for CC6.2 and CC6.3.
Its owner, Lee Park, left on 2026-03-15 and nobody was named after her: the control has no
current owner (scenario-format.md, `left_on`).

Every leaver in the period was still removed the same day, so IAM-02 operated effectively and
CC6.2 / CC6.3 are met. An auditor tests whether the control operated, not the org chart: a
control without a current owner is a readiness risk (evidence may stop being collected, §6.3)
and is reported as `control.ownerless` at **medium** severity when the control operated — high
only when it also failed or never operated. It is not one of the grounds for a modified opinion
(§3.5: description misstatement, design or operating failure, scope limitation). The opinion is
**unqualified**.
""",
        expected="""
seed = 7

[opinion]
likely = "unqualified"
grounds_exclude = ["CC6.2", "CC6.3"]
rule_includes = ["ownerless controls (IAM-02) are a readiness risk"]

[[findings]]
code = "control.ownerless"
control = "IAM-02"
present = true
severity = "medium"
""",
    )


def completed_period() -> Case:
    return Case(
        name="completed-period-timeline",
        rows={"changes": change_rows(bad=lambda i: i == 40)},
        risks=[base_risk()],
        readme="""
# A completed period's timeline: reported as run, remediation goes into the next period

The Type 2 period ran from 2026-01-01 to 2026-06-30 and the mock audit runs on 2026-08-15,
after it ended. One pull request (`app#1040`) was approved by its author, an open finding the
team will fix.

A period that is over cannot be re-run: the auditor reports it as it operated, with every
exception found disclosed in Section IV (§3.4), and the report is dated after fieldwork, the
draft, management's responses and issuance (§3.1: several weeks after the period). Remediation
cannot reach back into it; it goes into the next period, which starts the day after the
completed one (§3.6: consecutive periods, a bridge letter covers the gap to the next report).
So the timeline keeps 2026-01-01..2026-06-30, dates the report in the autumn, and opens the next
period on 2026-07-01.

The single self-approval is one deviation among about 90 changes: a sample of 25 either misses
it or finds one deviation and is expanded without finding another (§3.4, `domain/tolerable.py`),
so the opinion on the completed period is **unqualified**, with the exception noted when sampled.
""",
        expected="""
seed = 7
as_of = "2026-08-15"

[opinion]
likely = "unqualified"

[timeline]
completed = true
period_start = "2026-01-01"
period_end = "2026-06-30"
next_period_start = "2026-07-01"
report_date_after = "2026-08-15"
report_date_before = "2026-10-31"
""",
    )


def type1_case() -> Case:
    return Case(
        name="type1-without-section-iv",
        report_type="type1",
        risks=[base_risk()],
        readme="""
# Type 1: design and implementation as of a date, no Tests and Results section

A Type 1 examination covers the description and the suitability of the design of the controls,
and their implementation, **as of a date** (2026-06-30 here); it expresses no opinion on
operating effectiveness (§3.6). The auditor inspects one recent instance of each control to
confirm it is implemented (§2.3: "in a Type 1 the auditor typically inspects one recent
instance"), and the report has no tests of operating effectiveness: Section IV lists the
criteria and the controls, without "Tests and Results" (§3.8 report layout; §3.5: the
operating-effectiveness part of the opinion is Type 2 only).

The one control is designed and implemented, so the likely opinion is **unqualified**, and the
mock report must not print a Tests and Results section.
""",
        expected="""
seed = 7

[opinion]
likely = "unqualified"

[report]
section_iv = false
""",
    )


def scope_limitation() -> Case:
    def no_population(cid: str, title: str, criteria: list[str]) -> dict[str, Any]:
        return {
            "id": cid,
            "title": title,
            "criteria": criteria,
            "owner": "sam",
            "frequency": "per_event",
            "kind": "manual",
            "nature": "preventive",
            "risk": "high",
        }

    return Case(
        name="scope-limitation-disclaimer",
        covered=["CC6.1", "CC6.2", "CC6.3", "CC1.4", "CC7.4"],
        controls=[
            no_population(
                "IAM-01", "Access provisioning requires an approved request", ["CC6.1", "CC6.2"]
            ),
            no_population(
                "IAM-02", "Access revoked within 1 day of termination", ["CC6.2", "CC6.3"]
            ),
            no_population("HR-01", "Background checks before start", ["CC1.4"]),
            no_population("IR-02", "Incidents resolved and reviewed", ["CC7.4"]),
        ],
        risks=[base_risk()],
        readme="""
# Scope limitation over most of the examination: disclaimer

Four of the five controls operate per event (access grants, removals, hires, incidents), but
management could not produce the list of occurrences for any of them: there is no population to
sample from and no sampled evidence. Only the change control could be tested.

When the auditor cannot obtain sufficient appropriate evidence the driver is a scope limitation,
not a control failure (§3.5: "Disclaimer — auditor cannot obtain sufficient evidence (scope
limitation, missing records, access denied); not a statement that controls failed"; §2.1: an
item the procedure cannot be applied to is not evidence). A limitation confined to one criterion
area would qualify the opinion; here it covers four controls of five (80 %, above the 50 %
threshold of `readiness/opinion.py`), so for most of the period and most of the criteria there is
no evidence at all: the likely opinion is a **disclaimer**.
""",
        expected="""
seed = 7

[opinion]
likely = "disclaimer"
rule_includes = ["4 of 5 controls"]
""",
    )


def pervasive() -> Case:
    groups = {
        "GOV-A": ("Board reviews security quarterly", "CC1"),
        "COM-A": ("Security responsibilities communicated", "CC2"),
        "RSK-A": ("Risks assessed for each change request", "CC3"),
        "MON-A": ("Control deficiencies tracked to closure", "CC4"),
        "CTL-A": ("Control activities approved", "CC5"),
        "OPS-A": ("Security events triaged", "CC7"),
    }
    in_scope = [c.id for c in criteria_for(["security"])]
    controls = []
    covered: list[str] = []
    for cid, (title, group) in groups.items():
        crits = [c for c in in_scope if c.partition(".")[0] == group]
        covered += crits
        controls.append(
            {
                "id": cid,
                "title": title,
                "criteria": crits,
                "owner": "rob",
                "frequency": "per_event",
                "kind": "manual",
                "nature": "detective",
                "risk": "moderate",
                "population": "tickets",
                "attributes": [{"id": "signed-off", "check": "present", "field": "signed_off_by"}],
            }
        )
    header = ["ticket_id", "opened_on", "signed_off_by"]
    rows = [
        [f"SEC-{i + 1:03d}", str(d), "" if i % 5 in (0, 1, 2) else "rob"]
        for i, d in enumerate(days(START + timedelta(days=1), END - timedelta(days=1), 2))
    ]
    return Case(
        name="pervasive-adverse",
        covered=covered,
        controls=controls,
        populations=[
            population(
                "tickets",
                "Security tickets in the period",
                "jira",
                key="ticket_id",
                date="opened_on",
            )
        ],
        rows={"tickets": (header, rows)},
        risks=[base_risk()],
        readme="""
# Pervasive failures: adverse

Six controls, one for each of the criterion groups CC1, CC2, CC3, CC4, CC5 and CC7, rest on the
same security-ticket process, and three tickets in five were never signed off. Any sample the
auditor draws holds many deviations, far above the tolerable rate (§2.2, §3.4), and no other
control mitigates the same risks, so none of those criteria is met.

A qualification is for "a specific, limited material issue … for one criterion area" (§3.5).
Here 22 of the 33 common criteria, in six of the nine groups, are not met — more than half of
the criteria and at least three groups, the pervasiveness thresholds of `readiness/opinion.py` —
so the deficiencies are material and pervasive and the controls cannot be relied on: the likely
opinion is **adverse** (§3.5).
""",
        expected="""
seed = 7

[opinion]
likely = "adverse"
grounds_include = ["CC1.1", "CC2.1", "CC3.1", "CC4.1", "CC5.1", "CC7.1"]
grounds_exclude = ["CC6.1", "CC8.1"]
rule_includes = ["22 of 33 in-scope criteria are not met"]
""",
    )


def missed_quarter() -> Case:
    reviews = (
        ["review_id", "system", "completed_on", "reviewer"],
        [
            ["UAR-2026Q1-okta", "okta", "2026-03-25", "sam"],
            ["UAR-2026Q1-aws", "aws", "2026-03-26", "sam"],
            ["UAR-2026Q1-github", "github", "2026-03-27", "sam"],
        ],
    )
    iam04 = {
        "id": "IAM-04",
        "title": "Quarterly user access reviews of in-scope systems",
        "criteria": ["CC6.1", "CC6.2", "CC6.3"],
        "owner": "sam",
        "frequency": "quarterly",
        "kind": "it_dependent_manual",
        "nature": "detective",
        "risk": "high",
        "population": "access-reviews",
        "attributes": [{"id": "reviewer-recorded", "check": "present", "field": "reviewer"}],
    }
    return Case(
        name="missed-quarter-qualified",
        covered=ACCESS,
        controls=[iam04, iam02(["CC6.2", "CC6.3"], sla=1)],
        populations=[
            population(
                "access-reviews",
                "Quarterly access review campaigns",
                "okta",
                key="review_id",
                date="completed_on",
            ),
            population(
                "access-removals",
                "Okta deactivations of departing users",
                "okta",
                key="removal_id",
                date="removed_on",
            ),
        ],
        rows={"access-reviews": reviews, "access-removals": removal_rows(lambda i: 0)},
        risks=[
            base_risk(),
            {
                "id": "R-02",
                "title": "A former worker keeps access",
                "likelihood": 3,
                "impact": 4,
                "controls": ["IAM-02", "IAM-04"],
            },
        ],
        readme="""
# A missed quarter: exception noted, the related criterion qualified

IAM-04, the quarterly user access review, ran in Q1 2026 (three campaigns, 25–27 March) and not
in Q2 2026: the period 2026-01-01..2026-06-30 spans two quarters and one review per quarter is
required. For a quarterly control there is nothing to expand into: one missed quarter is a
failed instance (§3.4, "one missed quarter = 1 of 4 failed"; here 1 of 2), and a control that did
not operate for part of the period is an operating failure, disclosed as "Exception noted" in
Section IV (§3.4).

IAM-04 maps to CC6.1, CC6.2 and CC6.3. IAM-02 (timely deprovisioning) mitigates the same risk
(R-02, a former worker keeps access), maps to CC6.2 and CC6.3 and operated without exception:
it compensates for the missed review on those two criteria (§3.4, compensating controls). No
other control for that risk addresses CC6.1, so CC6.1 is not met and the opinion is **qualified**
on CC6.1 (§3.5: "logical access not applied consistently → qualification on the related
criteria").
""",
        expected="""
seed = 7

[[controls]]
id = "IAM-04"
tested = true
exceptions_noted = 1
effective = false
result_contains = ["Exception noted", "Q2 2026"]
result_excludes = ["No exceptions noted"]

[opinion]
likely = "qualified"
grounds_include = ["CC6.1"]
grounds_exclude = ["CC6.2", "CC6.3"]
rule_includes = ["IAM-04", "Q2 2026"]
""",
    )


def unsampled_only() -> Case:
    return Case(
        name="unsampled-deviation-unqualified",
        rows={"changes": change_rows(bad=lambda i: i == 44)},
        risks=[base_risk()],
        readme="""
# Unsampled deviations only: unqualified, with the risk of an exception shown

One pull request of the 91 merged in the period (`app#1044`) was approved by its author. The
full-population scan finds it; the auditor's sample of 25 (seed 7) does not contain it.

Section IV discloses the deviations the auditor found (§3.4: "all deviations found are
disclosed"); an item outside the sample is not something the auditor saw, so it is not an
exception in the report and not a ground for the opinion. mockaudit still reports it — as the
*risk* of an exception (`sample.deviation` with `sampled = false`, never high) — because another
sample could contain it: with one deviating item in 91 and a sample of 25, about 27 % of samples
would. Even then there is one deviation in a sample of at least 20, so the auditor expands the
sample and, finding no second deviation, concludes the control operated effectively with an
exception noted (§2.2 one-deviation column, §3.4, `domain/tolerable.py`). In every simulated
sample the opinion is **unqualified**.
""",
        expected="""
seed = 7

[[findings]]
code = "sample.deviation"
control = "BASE-01"
items = ["app#1044"]
present = true
sampled = false

[opinion]
likely = "unqualified"
grounds_exclude = ["CC8.1"]
rule_includes = ["deviations the auditor's sample did not contain (BASE-01) are a risk of an exception"]
""",
    )


ALL = (
    deprovisioning_fails,
    policy_stricter,
    ownerless_operating,
    completed_period,
    type1_case,
    scope_limitation,
    pervasive,
    missed_quarter,
    unsampled_only,
)


if __name__ == "__main__":
    for make in ALL:
        write(make())
        print(f"wrote {CASES / make().name}")
