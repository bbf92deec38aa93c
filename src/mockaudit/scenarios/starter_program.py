"""A company's first program, drawn from the 90-control reference set (soc2-domain.md §5).

``mockaudit new DIR --from-reference`` writes what this module builds: every
reference control that fits the categories in scope and the systems the company
runs, with placeholder owners (one id per owner role, e.g. ``security-lead``, not
yet in the people table), policies with their commitments, risks linked to
controls, and populations declared with the columns the native importers
produce. Nothing is invented: no person, no approval date, no row. The first
audit of the folder therefore says exactly which owners, populations and
evidence are missing, control by control.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockaudit.domain import (
    Category,
    Commitment,
    Control,
    Engagement,
    Organization,
    Policy,
    Population,
    Program,
    Reconciliation,
    ReportType,
    Risk,
    criteria_for,
)
from mockaudit.domain.enums import ControlKind, Frequency
from mockaudit.domain.reference_controls import (
    REFERENCE_CONTROLS,
    Family,
    ReferenceControl,
    population_kind,
)
from mockaudit.domain.reference_reconciliations import (
    reference_reconciliations,
)
from mockaudit.domain.starter import SYSTEM_CLASSES, StarterOptions, system_class
from mockaudit.errors import InputError

_FAMILY_CATEGORY = {
    Family.CONFIDENTIALITY: Category.CONFIDENTIALITY,
    Family.PROCESSING_INTEGRITY: Category.PROCESSING_INTEGRITY,
    Family.PRIVACY: Category.PRIVACY,
}

KIND_CLASS: dict[str, str] = {
    "changes": "code",
    "code_scan_findings": "code",
    "access_removals": "idp",
    "access_reviews": "idp",
    "contractor_access": "idp",
    "backups": "cloud",
    "patch_rollouts": "cloud",
    "secret_rotations": "cloud",
    "purge_runs": "cloud",
    "vulnerability_scans": "cloud",
    "infra_changes": "cloud",
    "access_grants": "tickets",
    "vulnerabilities": "tickets",
    "emergency_changes": "tickets",
    "data_fixes": "tickets",
    "releases": "tickets",
    "restore_tests": "tickets",
    "incidents": "paging",
    "security_alerts": "monitoring",
    "job_reviews": "monitoring",
}
"""Which kind of system a population kind is exported from; unlisted kinds come from
systems every company has in some form (HR, contracts, meeting minutes, the GRC
register) and are always kept."""

ALWAYS_KEPT = frozenset({"incidents", "vulnerabilities", "access_grants"})
"""Populations every auditor asks for (§4 R24, R41, R47) whatever the systems: kept even
when no system of their kind is named (they then come from the reference set's usual source)."""

_SAMPLED = "populations"


@dataclass(frozen=True)
class StarterProgram:
    """The program plus what the folder writer needs beside it."""

    program: Program
    roles: dict[str, str]  # owner placeholder id -> role name
    references: tuple[ReferenceControl, ...]


def owner_placeholder(role: str) -> str:
    """``Security Lead`` -> ``security-lead``: the owner id to add to the people table."""
    return re.sub(r"[^a-z0-9]+", "-", role.lower()).strip("-")


def build_starter(options: StarterOptions) -> StarterProgram:
    """The starter program for ``options`` (categories, systems, period, report type)."""
    categories = tuple(dict.fromkeys((Category.SECURITY, *options.categories)))
    refs = select_references(categories, options.systems)
    in_scope = {c.id for c in criteria_for(categories)}
    roles = {owner_placeholder(r.owner_role): r.owner_role for r in refs}
    kinds = sorted({r.population for r in refs if r.population is not None})
    populations = [_population(k, options) for k in kinds]
    controls = [_control(r, in_scope) for r in refs]
    reconciliations = reference_reconciliations(kinds)
    program = Program(
        organization=Organization(name=options.company, services="Describe the service (DC1)"),
        engagement=_engagement(options, categories),
        policies=tuple(_policies(controls, reconciliations)),
        risks=tuple(_risks(refs)),
        populations=tuple(populations),
        controls=tuple(controls),
        reconciliations=tuple(reconciliations),
    )
    return StarterProgram(program, roles, tuple(refs))


def select_references(
    categories: tuple[Category, ...], systems: tuple[str, ...]
) -> list[ReferenceControl]:
    """Reference controls of the categories whose population the named systems can export.

    A control whose population needs a kind of system the company did not name
    (paging, ticketing…) is kept only when it is the only cover of one of its
    criteria, so every criterion in scope stays covered.
    """
    in_scope = {c.id for c in criteria_for(categories)}
    classes = {system_class(s) for s in systems}
    eligible = [
        ref
        for ref in REFERENCE_CONTROLS
        if _FAMILY_CATEGORY.get(ref.family, Category.SECURITY) in categories
        and in_scope & set(ref.criteria)
    ]
    served = [r for r in eligible if _served(r, classes)]
    covered = {c for r in served for c in r.criteria}
    extra = [r for r in eligible if r not in served and (set(r.criteria) & in_scope) - covered]
    chosen: list[ReferenceControl] = list(served)
    for ref in extra:  # the fewest unserved controls that close the remaining gaps
        gaps = (set(ref.criteria) & in_scope) - covered
        if gaps:
            chosen.append(ref)
            covered |= gaps
    order = {r.id: i for i, r in enumerate(REFERENCE_CONTROLS)}
    return sorted(chosen, key=lambda r: order[r.id])


def _served(ref: ReferenceControl, classes: set[str]) -> bool:
    if ref.population is None:
        return True
    needed = KIND_CLASS.get(ref.population)
    return needed is None or needed in classes or ref.population in ALWAYS_KEPT


def population_system(kind_id: str, systems: tuple[str, ...]) -> str:
    """The named system that exports ``kind_id``, else the reference set's usual source.

    With two systems of one kind (Okta and Google Workspace), that kind's populations
    are shared out in turn, so each named system is the source of at least one.
    """
    needed = KIND_CLASS.get(kind_id)
    same = [s for s in systems if needed is not None and system_class(s) == needed]
    if same:
        siblings = sorted(k for k, c in KIND_CLASS.items() if c == needed)
        return same[siblings.index(kind_id) % len(same)]
    if needed is None:
        hr = [s for s in systems if system_class(s) == "hr"]
        if hr and population_kind(kind_id).system == "bamboohr":
            return hr[0]
    return population_kind(kind_id).system


def _population(kind_id: str, options: StarterOptions) -> Population:
    kind = population_kind(kind_id)
    start = (options.period_start or options.period_end).isoformat()
    end = options.period_end.isoformat()
    system = population_system(kind_id, options.systems)
    query = kind.query.format(start=start, end=end)
    if not kind.system.startswith(system):  # the reference query is in its source's language
        query = f"{system}: {kind.title.lower()}, {start}..{end}"
    return Population(
        id=kind.id,
        title=kind.title,
        system=system,
        file=f"{_SAMPLED}/{kind.id}.csv",
        key=kind.key,
        date=kind.date,
        query=query,
        count_evidence=f"evidence/ipe/{kind.id}-count.png",
        evidence_column=kind.evidence_column,
    )


def control_evidence_path(ref: ReferenceControl) -> str:
    """Where the control-level evidence of ``ref`` is expected (a config export, a document)."""
    extension = {ControlKind.AUTOMATED: "png", ControlKind.IT_DEPENDENT_MANUAL: "csv"}
    return f"evidence/controls/{ref.id}.{extension.get(ref.kind, 'pdf')}"


def needs_control_evidence(ref: ReferenceControl) -> bool:
    """Annual and continuous controls (and document controls) are evidenced at control level."""
    return ref.frequency in (Frequency.ANNUAL, Frequency.CONTINUOUS) or ref.population is None


def _control(ref: ReferenceControl, in_scope: set[str]) -> Control:
    return Control(
        id=ref.id,
        title=ref.title,
        description=ref.description,
        criteria=tuple(c for c in ref.criteria if c in in_scope),
        owner=owner_placeholder(ref.owner_role),
        frequency=ref.frequency,
        kind=ref.kind,
        nature=ref.nature,
        risk=ref.risk,
        population=ref.population,
        evidence=(control_evidence_path(ref),) if needs_control_evidence(ref) else (),
        attributes=ref.attributes,
    )


def _engagement(options: StarterOptions, categories: tuple[Category, ...]) -> Engagement:
    type2 = options.report_type is ReportType.TYPE2
    if type2 and options.period_start is None:
        raise InputError("a type2 program needs a period: --period START..END")
    return Engagement(
        report_type=options.report_type,
        period_start=options.period_start if type2 else None,
        period_end=options.period_end,
        categories=categories,
        systems=options.systems,
    )


# policy id, title, owner role, commitments as (id, statement, control, attribute)
_PolicySpec = tuple[str, str, str, tuple[tuple[str, str, str, str], ...]]
POLICIES: tuple[_PolicySpec, ...] = (
    ("POL-INFOSEC", "Information Security Policy", "Security Lead", ()),
    ("POL-ACCESS", "Access Control Policy", "IT Lead", (
        ("approval-before-access", "Access is granted only after a documented approval",
         "IAM-01", "approved-before-provisioning"),
        ("deprovision-3-days", "Access is removed within 3 days of termination",
         "IAM-02", "removed-within-sla"),
    )),
    ("POL-CHANGE", "Change Management Policy", "VP Eng", (
        ("independent-review", "Every change is approved by someone other than its author",
         "CHG-01", "independent-approval"),
        ("approved-before-merge", "Every change is approved before it is merged",
         "CHG-01", "approved-before-merge"),
        ("emergency-review", "Emergency changes are reviewed within two days",
         "CHG-04", "reviewed-within-2-days"),
    )),
    ("POL-IR", "Incident Response Plan", "Security Lead", (
        ("root-cause", "Every incident ends with a documented root-cause review",
         "IR-02", "root-cause-documented"),
    )),
    ("POL-BCDR", "Business Continuity and Disaster Recovery Policy", "CTO", (
        ("encrypted-backups", "Backups of production data are encrypted",
         "AV-01", "backup-encrypted"),
        ("restore-verified", "Restore tests verify the integrity of restored data",
         "AV-02", "integrity-verified"),
    )),
    ("POL-VENDOR", "Vendor Management Policy", "GRC Lead", (
        ("cuecs-mapped", "Critical vendors' user-entity controls are mapped to our controls",
         "VEN-03", "cuecs-mapped"),
    )),
    ("POL-PEOPLE", "Personnel Security Policy", "Head of People", (
        ("checks-before-start", "Background checks are completed before the first day",
         "HR-01", "check-before-start"),
    )),
    ("POL-TRAINING", "Security Awareness and Training Policy", "Security Lead", (
        ("training-on-time", "Security training is completed by its due date",
         "HR-03", "completed-by-due-date"),
    )),
    ("POL-VULN", "Vulnerability Management Policy", "Security Lead", (
        ("fix-by-sla", "Vulnerabilities are fixed within their severity SLA",
         "VUL-02", "fixed-by-due-date"),
    )),
    ("POL-CONDUCT", "Code of Conduct", "Head of People", ()),
    ("POL-RISK", "Risk Management Policy", "GRC Lead", ()),
    ("POL-DATA", "Data Classification and Retention Policy", "Security Lead", (
        ("delete-on-exit", "Customer data is deleted within 30 days of contract end",
         "CONF-03", "deleted-within-30-days"),
    )),
)  # fmt: skip


def _policies(controls: list[Control], reconciliations: list[Reconciliation]) -> list[Policy]:
    """The policy set; approval dates are left for the company to record (none is invented)."""
    present = {(c.id, a.id) for c in controls for a in c.attributes}
    policies = []
    for pid, title, role, promises in POLICIES:
        commitments = tuple(
            Commitment(id=cid, statement=text, control=control, attribute=attribute)
            for cid, text, control, attribute in promises
            if (control, attribute) in present
        )
        if promises and not commitments:
            continue
        policies.append(
            Policy(
                id=pid,
                title=title,
                owner=owner_placeholder(role),
                review_interval_days=365,
                file=f"evidence/policies/{pid}.pdf",
                commitments=commitments,
            )
        )
    return policies


_RISKS: dict[Family, tuple[str, ...]] = {
    Family.GOVERNANCE: ("Staff do not know their security responsibilities",
                        "Leadership does not oversee security risk"),
    Family.RISK: ("Significant risks go unidentified or untreated",
                  "Insider fraud is not considered"),
    Family.PEOPLE: ("An untrustworthy person is hired into a sensitive role",
                    "Departing staff keep company devices or data"),
    Family.ACCESS: ("A former employee keeps access to production",
                    "Excessive privileges accumulate over time",
                    "An account is taken over with a stolen password"),
    Family.INFRASTRUCTURE: ("Customer data is exposed from an unencrypted store",
                            "Attackers reach internal services from the internet"),
    Family.MONITORING: ("A known vulnerability is exploited before it is patched",
                        "An attack goes unnoticed"),
    Family.INCIDENT: ("An incident is mishandled and customers are not told",),
    Family.CHANGE: ("An unreviewed change reaches production",
                    "A faulty deployment corrupts customer data"),
    Family.VENDOR: ("A critical vendor fails to protect our data",),
    Family.AVAILABILITY: ("Data is lost and cannot be restored",
                          "The service is unavailable beyond the SLA"),
    Family.CONFIDENTIALITY: ("Confidential data is kept longer than allowed",
                             "Customer data leaks through non-production copies"),
    Family.PROCESSING_INTEGRITY: ("Transactions are processed incompletely or inaccurately",),
    Family.PRIVACY: ("Personal data is used without consent", "Data subject requests are missed"),
}  # fmt: skip


def _risks(refs: list[ReferenceControl]) -> list[Risk]:
    """Risks per family, each mitigated by that family's controls (rated 3 x 3 until assessed)."""
    risks: list[Risk] = []
    for family in Family:
        members = tuple(r.id for r in refs if r.family is family)
        for title in _RISKS[family] if members else ():
            risks.append(
                Risk(
                    id=f"R-{len(risks) + 1:02d}",
                    title=title,
                    likelihood=3,
                    impact=3,
                    controls=members,
                )
            )
    return risks


def known_systems() -> str:
    """The system names ``--systems`` understands, for help and error messages."""
    return ", ".join(sorted(SYSTEM_CLASSES))
