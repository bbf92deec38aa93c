"""The system description tested against DC 200 (soc2-domain.md §3.8).

Runs only when the scenario models its description (``Program.describes_system``):
a folder without any of the description keys is audited exactly as before.

* ``description.element_missing``: one finding per DC criterion the description does
  not cover — DC1 no services, DC2 no service commitments, DC3 components or boundaries
  not described, DC4 / DC6 / DC7 / DC9 an empty list that management has not stated to
  be empty (``no_significant_incidents``, ``no_cuecs``, ``no_subservice_organizations``,
  ``no_significant_changes``), DC5 no controls. DC8 ("criteria not relevant, and why")
  is checked when the scenario is loaded (a reason is required) and an in-scope
  criterion with no control is already ``scope.criterion_uncovered``.
* ``description.sla_breach_undisclosed``: a measured commitment (``measure``) not met on
  some in-period row of its population, and no disclosed incident names it.
* ``description.incident_undisclosed`` / ``description.change_undisclosed``: a
  significant incident (DC4) or change (DC9) dated in the period that the description
  does not disclose.

Not opinion grounds by themselves (``DESCRIPTION_JUDGEMENT``): the auditor prompts
management to amend the description before the report is issued; only an omission
left in the issued description modifies the opinion (§3.8).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from mockaudit.domain import Finding, FindingCode, Program
from mockaudit.domain.description import COMPONENTS, DC_TITLES, ServiceCommitment
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.severity import counted, severity_of
from mockaudit.fieldwork.window import fieldwork_window

DESCRIPTION_CRITERIA: Final = ("CC2.3",)
"""The entity communicates with external parties about matters affecting the system
(TSC CC2.3): the description is that communication."""

DESCRIPTION_JUDGEMENT: Final = (
    " The auditor asks management to amend the description before the report is issued; "
    "left in the issued description, the omission is a misstatement that modifies the "
    "opinion on fair presentation (soc2-domain.md §3.8)."
)

_C = FindingCode


def description_findings(program: Program, source: ProgramSource) -> list[Finding]:
    """Every check of the module docstring (nothing when the description is not modelled)."""
    if not program.describes_system:
        return []
    start, end = fieldwork_window(program.engagement)
    found = [_missing(dc, why) for dc, why in missing_elements(program)]
    for commitment in program.service_commitments:
        found += _breaches(program, source, commitment, start, end)
    found += [
        _undisclosed(
            _C.DESCRIPTION_INCIDENT_UNDISCLOSED,
            incident.id,
            f'Significant incident {incident.id} "{incident.title}" ({incident.occurred_on}) '
            "is not disclosed in the description",
            "DC4 requires each significant system incident in the period: its nature, timing "
            "and resolution.",
        )
        for incident in program.incidents
        if incident.significant and not incident.disclosed and start <= incident.occurred_on <= end
    ]
    found += [
        _undisclosed(
            _C.DESCRIPTION_CHANGE_UNDISCLOSED,
            change.id,
            f'Significant change {change.id} "{change.title}" ({change.changed_on}) is not '
            "disclosed in the description",
            "DC9 requires the significant changes to the system and its controls during the "
            "period.",
        )
        for change in program.significant_changes
        if change.significant and not change.disclosed and start <= change.changed_on <= end
    ]
    return found


def missing_elements(program: Program) -> list[tuple[str, str]]:
    """(DC id, what is missing) for each DC 200 criterion the description does not cover."""
    description = program.description
    missing: list[tuple[str, str]] = []
    if not program.organization.services.strip():
        missing.append(("DC1", "organization.services is empty"))
    if not program.service_commitments:
        missing.append(("DC2", "no service commitments or system requirements are listed"))
    components = set(description.components) if description else set()
    absent = [c for c in COMPONENTS if c not in components]
    if absent:
        missing.append(("DC3", f"components not described: {', '.join(absent)}"))
    if description is None or not description.boundaries.strip():
        missing.append(("DC3", "the system boundaries are not described"))
    said = description or None
    _unless_none(
        missing, "DC4", program.incidents, said and said.no_significant_incidents, "incidents"
    )
    if not program.controls:
        missing.append(("DC5", "no controls are described"))
    _unless_none(missing, "DC6", program.cuecs, said and said.no_cuecs, "CUECs")
    subservice = [v for v in program.vendors if v.subservice]
    _unless_none(
        missing,
        "DC7",
        subservice,
        said and said.no_subservice_organizations,
        "subservice organisations",
    )
    _unless_none(
        missing,
        "DC9",
        program.significant_changes,
        said and said.no_significant_changes,
        "significant changes",
    )
    return missing


def _unless_none(
    missing: list[tuple[str, str]], dc: str, rows: Iterable[object], stated_none: object, what: str
) -> None:
    if not list(rows) and not stated_none:
        missing.append((dc, f"no {what} are listed and the description does not say none"))


def _missing(dc: str, why: str) -> Finding:
    code = _C.DESCRIPTION_ELEMENT_MISSING
    return Finding(
        id="",
        code=code,
        severity=severity_of(code),
        criteria=DESCRIPTION_CRITERIA,
        items=(dc,),
        title=f"Description does not cover {dc} ({DC_TITLES[dc]}): {why}",
        detail=f"DC 200 {dc} requires the description to present {DC_TITLES[dc].lower()}; "
        "a description that fails DC 200 leads to a modified opinion." + DESCRIPTION_JUDGEMENT,
        remediation=f"Write the {dc} part of Section III (or state that there is none).",
    )


def _undisclosed(code: FindingCode, item: str, title: str, why: str) -> Finding:
    return Finding(
        id="",
        code=code,
        severity=severity_of(code),
        criteria=DESCRIPTION_CRITERIA,
        items=(item,),
        title=title,
        detail=why + DESCRIPTION_JUDGEMENT,
        remediation=f"Disclose {item} in Section III (nature, timing, resolution) and set "
        "disclosed = true.",
    )


def _breaches(
    program: Program, source: ProgramSource, commitment: ServiceCommitment, start: date, end: date
) -> list[Finding]:
    measure = commitment.measure
    if measure is None:
        return []
    misses: list[tuple[str, str]] = []
    for row in source.rows(measure.population):
        if row.day is None or not start <= row.day <= end:
            continue
        value = _number(row.values.get(measure.column, ""))
        if value is not None and value < measure.at_least:
            misses.append((row.key, row.values.get(measure.column, "").strip()))
    disclosed = any(i.disclosed and commitment.id in i.commitments for i in program.incidents)
    if not misses or disclosed:
        return []
    code = _C.DESCRIPTION_SLA_BREACH_UNDISCLOSED
    shown = ", ".join(f"{key} ({value})" for key, value in misses[:5])
    return [
        Finding(
            id="",
            code=code,
            severity=severity_of(code),
            population=measure.population,
            criteria=DESCRIPTION_CRITERIA,
            items=tuple(key for key, _ in misses),
            title=f'Commitment {commitment.id} "{commitment.statement}" was not met in '
            f"{counted(len(misses), 'period')} and the description does not disclose it",
            detail=f"{measure.column} below {measure.at_least:g} on {shown} "
            f"({commitment.source.upper()}). A commitment not met is a significant incident "
            "the description must disclose (DC2, DC4)." + DESCRIPTION_JUDGEMENT,
            remediation="Disclose the breach as a significant incident (nature, timing, "
            "resolution) and name the commitment in its commitments list.",
        )
    ]


def _number(text: str) -> float | None:
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        return None
