"""Write a starter program folder: scenario.toml, empty population files, COLLECT.md.

The folder loads as it is (every population file exists, with the header the
native importers produce and no rows), imports, and audits: the findings of that
first audit are the to-do list — owners to assign, populations to export,
evidence to collect — each naming its control.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mockaudit.domain import criteria_for
from mockaudit.domain.reference_controls import population_kind
from mockaudit.domain.starter import StarterOptions, StarterReport
from mockaudit.errors import InputError
from mockaudit.fsio import atomic_write_bytes, describe_os_error
from mockaudit.scenarios.collect_guide import collect_markdown
from mockaudit.scenarios.formats.registry import columns_for_kind
from mockaudit.scenarios.starter_program import StarterProgram, build_starter
from mockaudit.scenarios.writer import SCENARIO_FILE, scenario_toml

_HEADER = """\
# {company}: a starter SOC 2 program from mockaudit's 90-control reference set
# (soc2-domain.md §5), for {scope}.
#
# Nothing here is invented about your company: no person, no approval date, no row.
# Owners are placeholders, one per role; add each to a [[people]] table to assign it:
#
{people}#
# Then: record each policy's approved_on date, export the populations (COLLECT.md says
# how, system by system) and put the control evidence under evidence/controls/.
# `mockaudit audit --scenario .` lists what is still missing, control by control.

"""


def write_starter(folder: Path, options: StarterOptions) -> StarterReport:
    """Write the starter program into ``folder`` (new or empty); refuse anything else."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder} exists and is not empty; choose a new folder")
    starter = build_starter(options)
    files = {
        SCENARIO_FILE: _scenario_text(starter, options).encode("utf-8"),
        "COLLECT.md": collect_markdown(starter.program).encode("utf-8"),
    }
    for population in starter.program.populations:
        files[population.file] = _empty_csv(population.id)
    for relative, data in files.items():
        target = folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise describe_os_error(exc, f"writing {target}") from None
    for sub in ("evidence/controls", "evidence/policies", "evidence/ipe"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return _report(folder, starter, options, sorted(files))


def _scenario_text(starter: StarterProgram, options: StarterOptions) -> str:
    engagement = starter.program.engagement
    scope = ", ".join(c.value for c in engagement.categories)
    if engagement.period_start is not None:
        scope += (
            f"; {engagement.report_type.value} {engagement.period_start}..{engagement.period_end}"
        )
    else:
        scope += f"; {engagement.report_type.value} as of {engagement.period_end}"
    people = "".join(
        f'#   [[people]]\n#   id = "{pid}"\n#   name = "…"\n#   role = "{role}"\n#\n'
        for pid, role in sorted(starter.roles.items())
    )
    head = _HEADER.format(company=options.company, scope=scope, people=people)
    # No `people = []`: the [[people]] tables the header shows are added to this file.
    body = scenario_toml(starter.program).replace("people = []\n", "", 1)
    return head + body


def _empty_csv(kind_id: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns_for_kind(kind_id))
    return out.getvalue().encode("utf-8")


def _report(
    folder: Path, starter: StarterProgram, options: StarterOptions, files: list[str]
) -> StarterReport:
    program = starter.program
    in_scope = {c.id for c in criteria_for(program.engagement.categories)}
    covered = {c for control in program.controls for c in control.criteria} & in_scope
    assert all(population_kind(p.id) for p in program.populations)
    return StarterReport(
        folder=str(folder),
        controls=len(program.controls),
        populations=len(program.populations),
        policies=len(program.policies),
        risks=len(program.risks),
        owner_roles=tuple(sorted(starter.roles)),
        criteria_covered=len(covered),
        criteria_in_scope=len(in_scope),
        files=files,
    )
