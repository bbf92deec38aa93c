"""COLLECT.md: for each population of a starter program, how to export it and where it goes.

For populations a native importer reads, the exact export command of each
format (with the period filled in) and the ``mockaudit population import``
line; for the others, the system and query to run and the CSV columns to give
the file. Control-level evidence and policies follow, so one page is the
collection plan.
"""

from __future__ import annotations

import re

from mockaudit.domain import Program
from mockaudit.domain.starter import system_class
from mockaudit.scenarios.formats.registry import FORMATS, KIND_FORMATS, columns_for_kind


def collect_markdown(program: Program) -> str:
    engagement = program.engagement
    start = (engagement.period_start or engagement.period_end).isoformat()
    end = engagement.period_end.isoformat()
    lines = [
        f"# Collecting evidence for {program.organization.name}",
        "",
        f"Period: {start}..{end}. Systems: {', '.join(engagement.systems) or 'none named'}.",
        "Drop each export anywhere, then load it into the vault with the command shown",
        "(`mockaudit import .` first, once, so the vault knows the program). Keep the raw",
        "export: the vault stores it as the population's IPE evidence.",
        "",
        "## Populations",
        "",
    ]
    for population in program.populations:
        lines += _population_section(program, population.id, start, end)
    lines += _evidence_section(program)
    return "\n".join(lines) + "\n"


def _population_section(program: Program, population_id: str, start: str, end: str) -> list[str]:
    population = program.population(population_id)
    assert population is not None
    users = [c.id for c in program.controls if c.population == population_id]
    out = [
        f"### {population.id}: {population.title}",
        "",
        f"Tested by {', '.join(users)}. System of record: {population.system}. "
        f"File: `{population.file}` (key `{population.key}`, date `{population.date}`).",
        "",
    ]
    names = [n for n in KIND_FORMATS.get(population_id, ()) if _fits(program, n)]
    for name in names:
        fmt = FORMATS[name]
        command = fmt.export.replace("START", start).replace("END", end)
        saved = re.search(r">\s*([\w.-]+)", command)
        export = saved.group(1) if saved else "EXPORT"
        out += [
            f"- **{fmt.title}** (`--as {name}`):",
            "  ```",
            f"  {command}",
            f"  mockaudit population import {export} --as {name} --population {population.id}",
            "  ```",
        ]
    if not names:
        out += [
            f"- Run in {population.system}: `{population.query}`",
            f"- Save as CSV with columns: `{','.join(columns_for_kind(population_id))}`",
            "  (or import any CSV with `--map COLUMN=SOURCE` and `--date-format`), then:",
            f"  `mockaudit population import EXPORT.csv --population {population.id}`",
        ]
    out += [
        f"- Record the total the system showed as `declared_count` and the day you pulled it "
        f"as `extracted_on`; a screenshot of the count goes to `{population.count_evidence}`.",
        "",
    ]
    return out


def _fits(program: Program, format_name: str) -> bool:
    """A format is listed when its system is in scope, or when no system of its kind is."""
    vendor = format_name.split("-")[0]
    named = {s.lower() for s in program.engagement.systems}
    if vendor in ("hr", "jira") or any(s.startswith(vendor) for s in named):
        return True
    wanted = system_class(vendor if vendor != "google" else "google-workspace")
    return not any(system_class(s) == wanted for s in named)


def _evidence_section(program: Program) -> list[str]:
    out = ["## Control evidence (configurations and documents)", ""]
    for control in program.controls:
        for path in control.evidence:
            out.append(f"- `{path}`: {control.id} {control.title}")
    out += ["", "## Policies", ""]
    for policy in program.policies:
        out.append(f"- `{policy.file}`: {policy.title}; record `approved_on` in scenario.toml")
    out += [
        "",
        "## User listings (access reviews, MFA enrolment: request list R27–R29)",
        "",
    ]
    for name in ("okta-users", "google-workspace-users", "aws-iam-credential-report"):
        if _fits(program, name):
            out.append(
                f"- {FORMATS[name].title}: `{FORMATS[name].export}`; then "
                f"`mockaudit evidence add EXPORT --request PBC-NNN`"
            )
    return out
