"""The scope check and the control-design checks an auditor makes before sampling anything.

Scope (soc2-domain.md §1, §6.3 "scope too broad", §6.4 overly_broad_scope): every
criterion of an in-scope category needs a control; every in-scope system should
be touched by something; the sample load the program implies should be in line
with what a comparable company tests.

Controls (§6.3 "controls without clear owners", §6.4 ownerless_control, §3.2):
each control has a current owner, a sampled control has a population, and an
annual or continuous control has control-level evidence that is in the vault.

This module also holds the two small rules every fieldwork module shares: the
window a run looks at (:func:`audit_window`) and who a finding is addressed to
(:func:`accountable_owner`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from mockaudit.domain import (
    Category,
    Control,
    Finding,
    FindingCode,
    Frequency,
    Program,
    ReportType,
    criteria_for,
)
from mockaudit.domain.reference_controls import REFERENCE_CONTROLS, Family
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.sampling import table_size
from mockaudit.fieldwork.severity import counted, severity_of

TYPE1_LOOKBACK_DAYS: Final = 365
"""A Type 1 has an as-of date only; where a window is needed it is the year before it."""

PEER_LOAD_FACTOR: Final = 2.0
"""A sample load more than this many times the peer baseline is "far above" it (§6.4)."""

PEER_POPULATION_SIZE: Final = 1_000
"""The population size the peer baseline assumes for event-driven controls (the > 250 band)."""

UNSAMPLED: Final = frozenset({Frequency.ANNUAL, Frequency.CONTINUOUS})
"""Frequencies tested from control-level evidence rather than from a sampled population."""

_FAMILY_CATEGORY: Final = {
    Family.CONFIDENTIALITY: Category.CONFIDENTIALITY,
    Family.PROCESSING_INTEGRITY: Category.PROCESSING_INTEGRITY,
    Family.PRIVACY: Category.PRIVACY,
}


def audit_window(program: Program) -> tuple[date, date]:
    """Type 2: the period; Type 1: the 365 days up to the as-of date (engine.md convention)."""
    engagement = program.engagement
    end = engagement.period_end
    if engagement.report_type is ReportType.TYPE2 and engagement.period_start is not None:
        return engagement.period_start, end
    return end - timedelta(days=TYPE1_LOOKBACK_DAYS), end


# -- ownership ------------------------------------------------------------------------------


class OwnerProblem(StrEnum):
    """Why a named owner is not an owner (the three titles of ``control.ownerless``)."""

    NONE = "none"
    UNKNOWN = "unknown"
    LEFT = "left"


def owner_problem(program: Program, owner: str | None) -> OwnerProblem | None:
    """None when ``owner`` is a person of the program who had not left before period_end.

    Someone whose ``left_on`` is the period_end itself was still there for the
    whole period, so they still count as the owner.
    """
    if owner is None or not owner.strip():
        return OwnerProblem.NONE
    person = program.person(owner)
    if person is None:
        return OwnerProblem.UNKNOWN
    if person.left_on is not None and person.left_on < program.engagement.period_end:
        return OwnerProblem.LEFT
    return None


def accountable_owner(program: Program, owner: str | None) -> str | None:
    """The owner to put on a finding: ``owner`` when it is a current person, else None."""
    return owner if owner_problem(program, owner) is None else None


# -- scope --------------------------------------------------------------------------------


def scope_findings(program: Program, *, sample_load: int) -> list[Finding]:
    """Uncovered criteria, untouched systems and categories, and an outsized sample load."""
    findings = _uncovered_criteria(program)
    findings += _untouched_systems(program)
    findings += _uncovered_categories(program)
    findings += _sample_load(program, sample_load)
    return findings


def _covered(program: Program) -> set[str]:
    return {cid for control in program.controls for cid in control.criteria}


def _uncovered_criteria(program: Program) -> list[Finding]:
    covered = _covered(program)
    return [
        Finding(
            id="",
            code=FindingCode.SCOPE_CRITERION_UNCOVERED,
            severity=severity_of(FindingCode.SCOPE_CRITERION_UNCOVERED),
            criteria=(criterion.id,),
            title=f"No control is mapped to {criterion.id} ({criterion.theme})",
            detail=f"{criterion.id} is a {criterion.category.value} criterion in scope: "
            f"{criterion.summary}",
            remediation=f"Map an existing control to {criterion.id}, or design one that meets it.",
        )
        for criterion in criteria_for(program.engagement.categories)
        if criterion.id not in covered
    ]


def _program_text(program: Program) -> str:
    """Everything a system name may be mentioned in, lower-cased, one string."""
    parts: list[str] = []
    for control in program.controls:
        parts += [control.title, control.description, *control.evidence]
    for population in program.populations:
        parts += [population.title, population.file, population.query or ""]
    for policy in program.policies:
        parts.append(policy.title)
        parts += [commitment.statement for commitment in policy.commitments]
    return "\n".join(parts).lower()


def _untouched_systems(program: Program) -> list[Finding]:
    """Systems that no population comes from and no control, population or commitment names."""
    sources = {p.system.strip().lower() for p in program.populations}
    text = _program_text(program)
    findings = []
    for system in dict.fromkeys(s.strip() for s in program.engagement.systems):
        name = system.lower()
        if not name or name in sources or name in text:
            continue
        findings.append(
            Finding(
                id="",
                code=FindingCode.SCOPE_TOO_BROAD,
                severity=severity_of(FindingCode.SCOPE_TOO_BROAD),
                title=f'System "{system}" is in scope but no control or population touches it',
                detail="No population comes from it and no control, population or policy "
                "commitment mentions it, yet every in-scope system adds requests and "
                "walkthroughs (soc2-domain.md §6.3).",
                remediation=f'Remove "{system}" from engagement.systems, or name the controls '
                "and populations that cover it.",
            )
        )
    return findings


def _uncovered_categories(program: Program) -> list[Finding]:
    """Optional categories none of whose criteria has a control (they add scope, no assurance)."""
    covered = _covered(program)
    findings = []
    for category in program.engagement.categories:
        if category is Category.SECURITY:
            continue
        ids = tuple(c.id for c in criteria_for([category]) if c.category is category)
        if not ids or covered & set(ids):
            continue
        findings.append(
            Finding(
                id="",
                code=FindingCode.SCOPE_TOO_BROAD,
                severity=severity_of(FindingCode.SCOPE_TOO_BROAD),
                criteria=ids,
                title=f'Category "{category.value}" is in scope but none of its criteria '
                "has a control",
                detail=f"{len(ids)} criteria ({', '.join(ids)}) are uncovered; a category "
                "chosen without controls (or a customer commitment) only widens the "
                "examination (soc2-domain.md §6.3, §6.4).",
                remediation=f'Drop "{category.value}" from engagement.categories, or map '
                "controls to its criteria.",
            )
        )
    return findings


def peer_sample_load(program: Program) -> int:
    """What a comparable company tests: the §5 reference controls eligible for the same
    categories, each at its own risk tier and the engagement's confidence, with large
    event populations (§2.3 engine defaults via ``sampling.table_size``)."""
    categories = set(program.engagement.categories)
    in_scope = {c.id for c in criteria_for(categories)}
    confidence = program.engagement.confidence
    return sum(
        table_size(ref.frequency, ref.risk, confidence, PEER_POPULATION_SIZE)
        for ref in REFERENCE_CONTROLS
        if _FAMILY_CATEGORY.get(ref.family, Category.SECURITY) in categories
        and in_scope & set(ref.criteria)
    )


def _sample_load(program: Program, sample_load: int) -> list[Finding]:
    baseline = peer_sample_load(program)
    if baseline <= 0 or sample_load <= PEER_LOAD_FACTOR * baseline:
        return []
    return [
        Finding(
            id="",
            code=FindingCode.SCOPE_TOO_BROAD,
            severity=severity_of(FindingCode.SCOPE_TOO_BROAD),
            title=f"The sample load of {sample_load} items is {sample_load / baseline:.1f} "
            f"times what a comparable program needs (~{baseline})",
            detail=f"Peer baseline: the reference control set for the same categories at its "
            f"usual risk tiers, {baseline} items; more than {PEER_LOAD_FACTOR:g}× that is far "
            "above it (soc2-domain.md §6.4 overly_broad_scope).",
            remediation="Trim controls the criteria do not need, lower risk tiers that are not "
            "justified, or narrow the categories and systems in scope.",
        )
    ]


# -- controls -----------------------------------------------------------------------------


def control_findings(program: Program, source: ProgramSource) -> list[Finding]:
    """Ownerless controls, sampled controls without a population, and missing evidence."""
    paths = list(dict.fromkeys(p for c in program.controls for p in c.evidence))
    stored = source.evidence(paths) if paths else {}
    absent = {path for path, ref in stored.items() if ref.evidence_id is None}
    findings: list[Finding] = []
    for control in program.controls:
        findings += _ownerless(program, control)
        findings += _no_population(program, control)
        findings += _no_evidence(program, control)
        findings += _missing_evidence(
            program, control, [p for p in control.evidence if p in absent]
        )
    return findings


def _ownerless(program: Program, control: Control) -> list[Finding]:
    problem = owner_problem(program, control.owner)
    if problem is None:
        return []
    if problem is OwnerProblem.NONE:
        title = f"Control {control.id} has no owner"
        detail = "Nobody is named to perform and evidence it."
    elif problem is OwnerProblem.UNKNOWN:
        title = f'Control {control.id} is owned by "{control.owner}", who is not among the people'
        detail = f'"{control.owner}" is not an id in the people table.'
    else:
        person = program.person(control.owner or "")
        left_on = person.left_on if person is not None else None
        name = person.name if person is not None else control.owner
        title = f"Control {control.id} is owned by {name}, who left on {left_on}"
        detail = f"{name} left before the period end {program.engagement.period_end}."
    return [
        Finding(
            id="",
            code=FindingCode.CONTROL_OWNERLESS,
            severity=severity_of(FindingCode.CONTROL_OWNERLESS, variant=problem.value),
            control=control.id,
            criteria=control.criteria,
            title=title,
            detail=detail + " Controls without a clear owner are a leading cause of evidence "
            "gaps and delays (soc2-domain.md §6.3).",
            remediation=f"Assign {control.id} to a current member of staff in the people table.",
        )
    ]


def _no_population(program: Program, control: Control) -> list[Finding]:
    if control.frequency in UNSAMPLED or control.population is not None:
        return []
    return [
        Finding(
            id="",
            code=FindingCode.CONTROL_NO_POPULATION,
            severity=severity_of(FindingCode.CONTROL_NO_POPULATION),
            control=control.id,
            criteria=control.criteria,
            owner=accountable_owner(program, control.owner),
            title=f"Control {control.id} runs {control.frequency.value} but has no population "
            "to sample from",
            detail="A control that operates many times in the period is tested on a sample of "
            "its occurrences; without the list of occurrences it cannot be tested "
            "(soc2-domain.md §2.1, §3.2).",
            remediation="Export the list of occurrences from the system of record and link it "
            f"as {control.id}'s population.",
        )
    ]


def _no_evidence(program: Program, control: Control) -> list[Finding]:
    if control.frequency not in UNSAMPLED or control.evidence or control.population is not None:
        return []  # an annual control over a population (one review per vendor) is sampled
    what = "configuration" if control.frequency is Frequency.CONTINUOUS else "annual instance"
    return [
        Finding(
            id="",
            code=FindingCode.CONTROL_NO_EVIDENCE,
            severity=severity_of(FindingCode.CONTROL_NO_EVIDENCE),
            control=control.id,
            criteria=control.criteria,
            owner=accountable_owner(program, control.owner),
            title=f"Control {control.id} ({control.frequency.value}) names no evidence",
            detail=f"A {control.frequency.value} control is tested from control-level evidence "
            f"of its {what}; none is listed (soc2-domain.md §2.3, §4).",
            remediation=f"Add the {what} evidence (export, screenshot or approved document) to "
            f"{control.id}'s evidence list and the vault.",
        )
    ]


def _missing_evidence(program: Program, control: Control, missing: Iterable[str]) -> list[Finding]:
    paths = list(missing)
    if not paths:
        return []
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return [
        Finding(
            id="",
            code=FindingCode.EVIDENCE_MISSING,
            severity=severity_of(FindingCode.EVIDENCE_MISSING),
            control=control.id,
            criteria=control.criteria,
            owner=accountable_owner(program, control.owner),
            title=f"Control {control.id} names {counted(len(paths), 'evidence file')} not in "
            "the vault",
            detail=f"Not in the vault: {shown} (soc2-domain.md §3.1 'evidence referenced but "
            "not attached').",
            remediation="Add the files to the vault (mockaudit evidence add --control "
            f"{control.id}) or correct the paths.",
        )
    ]
