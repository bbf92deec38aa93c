"""The clean program of a generated scenario: scope, controls, policies, risks, reconciliations.

"Clean" means what a competent auditor passes without exceptions: every
criterion of the in-scope categories has a control, every owner is a current
person, every policy was approved inside its review window, every risk names
controls, and every commitment is one the generated practice keeps. Defects are
planted on top of this by :mod:`mockaudit.scenarios.synthetic.planted_defects`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from mockaudit.domain import (
    Category,
    Commitment,
    Control,
    Person,
    Policy,
    Population,
    Reconciliation,
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
    DEPROVISION,
)
from mockaudit.scenarios.synthetic.synthetic_workforce import Workforce, slug


@dataclass(frozen=True)
class SizeProfile:
    """How big a generated company is and how much evidence it has."""

    name: str
    controls: int | None  # None: every eligible reference control
    rows: int
    headcount: tuple[int, int]
    roster: tuple[int, int]
    categories: tuple[Category, ...]
    scale: float  # multiplies small per-event volumes and periodic fan-out
    backup_datastores: int
    backup_runs_per_day: int


_SA = (Category.SECURITY, Category.AVAILABILITY)
_SAC = (*_SA, Category.CONFIDENTIALITY)

SIZES: dict[str, SizeProfile] = {
    "small": SizeProfile("small", 30, 2_000, (40, 80), (15, 25), _SA, 1.0, 1, 1),
    "medium": SizeProfile("medium", 60, 50_000, (150, 300), (25, 40), _SAC, 3.0, 3, 4),
    "large": SizeProfile("large", None, 500_000, (600, 1200), (40, 60), _SAC, 10.0, 8, 24),
    "huge": SizeProfile("huge", None, 5_000_000, (2000, 4000), (45, 60), _SAC, 30.0, 16, 96),
}

CORE_CONTROLS = (
    "GOV-01",
    "CHG-01",
    "IAM-02",
    "HR-08",
    "IAM-04",
    "HR-01",
    "HR-03",
    "AV-01",
    "AV-02",
    "VUL-02",
    "IR-02",
    "VEN-03",
)
"""Always generated: they carry the brief's headline populations and both reconciliations."""

_FAMILY_CATEGORY = {
    Family.CONFIDENTIALITY: Category.CONFIDENTIALITY,
    Family.PROCESSING_INTEGRITY: Category.PROCESSING_INTEGRITY,
    Family.PRIVACY: Category.PRIVACY,
}


def eligible_controls(categories: tuple[Category, ...]) -> list[ReferenceControl]:
    """Reference controls that make sense for the categories in scope."""
    in_scope = {c.id for c in criteria_for(categories)}
    return [
        ref
        for ref in REFERENCE_CONTROLS
        if _FAMILY_CATEGORY.get(ref.family, Category.SECURITY) in categories
        and in_scope & set(ref.criteria)
    ]


def select_controls(
    rng: random.Random, categories: tuple[Category, ...], count: int | None
) -> list[ReferenceControl]:
    """The core controls, then a greedy cover of every in-scope criterion, then random fill."""
    eligible = eligible_controls(categories)
    if count is None:
        return eligible
    chosen = [ref for ref in eligible if ref.id in CORE_CONTROLS]
    uncovered = {c.id for c in criteria_for(categories)} - {c for r in chosen for c in r.criteria}
    while uncovered:
        rest = [r for r in eligible if r not in chosen]
        best = max(len(uncovered & set(r.criteria)) for r in rest)
        pick = rng.choice([r for r in rest if len(uncovered & set(r.criteria)) == best])
        chosen.append(pick)
        uncovered -= set(pick.criteria)
    rest = [r for r in eligible if r not in chosen]
    rng.shuffle(rest)
    chosen += rest[: max(count - len(chosen), 0)]
    order = {r.id: i for i, r in enumerate(REFERENCE_CONTROLS)}
    return sorted(chosen, key=lambda r: order[r.id])


def control_evidence_path(ref: ReferenceControl) -> str:
    """Where the control-level evidence of ``ref`` lives; its format follows the control kind."""
    extension = {ControlKind.AUTOMATED: "png", ControlKind.IT_DEPENDENT_MANUAL: "csv"}
    words = "-".join(slug(w) for w in ref.evidence.split()[:5] if slug(w) != "x")
    return f"evidence/controls/{ref.id}-{words}.{extension.get(ref.kind, 'pdf')}"


def needs_control_evidence(ref: ReferenceControl) -> bool:
    """Annual and continuous controls are evidenced at control level (plus any population)."""
    return ref.frequency in (Frequency.ANNUAL, Frequency.CONTINUOUS) or ref.population is None


def build_controls(
    refs: list[ReferenceControl], categories: tuple[Category, ...], owners: dict[str, str]
) -> list[Control]:
    in_scope = {c.id for c in criteria_for(categories)}
    return [
        Control(
            id=ref.id,
            title=ref.title,
            description=ref.description,
            criteria=tuple(c for c in ref.criteria if c in in_scope),
            owner=owners[ref.owner_role],
            frequency=ref.frequency,
            kind=ref.kind,
            nature=ref.nature,
            risk=ref.risk,
            population=ref.population,
            evidence=(control_evidence_path(ref),) if needs_control_evidence(ref) else (),
            attributes=ref.attributes,
        )
        for ref in refs
    ]


def population_kinds_of(refs: list[ReferenceControl]) -> list[str]:
    kinds = {ref.population for ref in refs if ref.population is not None}
    return sorted(kinds)


def build_people(workforce: Workforce) -> list[Person]:
    return [
        Person(id=e.person_id or "", name=e.name, role=e.role, email=e.email, left_on=e.end)
        for e in workforce.roster
    ]


def build_population(kind_id: str, start: date, end: date, extracted_on: date) -> Population:
    """Population metadata with full IPE support; the declared count is set after writing."""
    kind = population_kind(kind_id)
    return Population(
        id=kind.id,
        title=kind.title,
        system=kind.system,
        file=f"populations/{kind.id}.csv",
        key=kind.key,
        date=kind.date,
        declared_count=0,
        extracted_on=extracted_on,
        query=kind.query.format(start=start.isoformat(), end=end.isoformat()),
        count_evidence=f"evidence/ipe/{kind.id}-count.png",
        evidence_column=kind.evidence_column,
    )


# policy id, title, owner role, commitments as (id, statement, control, attribute)
_POLICIES: tuple[tuple[str, str, str, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("POL-INFOSEC", "Information Security Policy", "Security Lead", ()),
    (
        "POL-ACCESS",
        "Access Control Policy",
        "IT Lead",
        (
            (
                "approval-before-access",
                "Access is granted only after a documented approval",
                "IAM-01",
                "approved-before-provisioning",
            ),
        ),
    ),
    (
        "POL-CHANGE",
        "Change Management Policy",
        "VP Eng",
        (
            (
                "independent-review",
                "Every change is approved by someone other than its author",
                "CHG-01",
                "independent-approval",
            ),
            (
                "emergency-review",
                "Emergency changes are reviewed within two days",
                "CHG-04",
                "reviewed-within-2-days",
            ),
        ),
    ),
    (
        "POL-IR",
        "Incident Response Plan",
        "Security Lead",
        (
            (
                "root-cause",
                "Every incident ends with a documented root-cause review",
                "IR-02",
                "root-cause-documented",
            ),
        ),
    ),
    (
        "POL-BCDR",
        "Business Continuity and Disaster Recovery Policy",
        "CTO",
        (
            (
                "encrypted-backups",
                "Backups of production data are encrypted",
                "AV-01",
                "backup-encrypted",
            ),
            (
                "restore-verified",
                "Restore tests verify the integrity of restored data",
                "AV-02",
                "integrity-verified",
            ),
        ),
    ),
    (
        "POL-VENDOR",
        "Vendor Management Policy",
        "GRC Lead",
        (
            (
                "cuecs-mapped",
                "Critical vendors' user-entity controls are mapped to our controls",
                "VEN-03",
                "cuecs-mapped",
            ),
        ),
    ),
    (
        "POL-PEOPLE",
        "Personnel Security Policy",
        "Head of People",
        (
            (
                "checks-before-start",
                "Background checks are completed before the first day",
                "HR-01",
                "check-before-start",
            ),
        ),
    ),
    (
        "POL-TRAINING",
        "Security Awareness and Training Policy",
        "Security Lead",
        (
            (
                "training-on-time",
                "Security training is completed by its due date",
                "HR-03",
                "completed-by-due-date",
            ),
        ),
    ),
    (
        "POL-VULN",
        "Vulnerability Management Policy",
        "Security Lead",
        (
            (
                "fix-by-sla",
                "Vulnerabilities are fixed within their severity SLA",
                "VUL-02",
                "fixed-by-due-date",
            ),
        ),
    ),
    ("POL-CONDUCT", "Code of Conduct", "Head of People", ()),
    ("POL-RISK", "Risk Management Policy", "GRC Lead", ()),
    (
        "POL-DATA",
        "Data Classification and Retention Policy",
        "Security Lead",
        (
            (
                "delete-on-exit",
                "Customer data is deleted within 30 days of contract end",
                "CONF-03",
                "deleted-within-30-days",
            ),
        ),
    ),
)


def build_policies(
    rng: random.Random,
    controls: list[Control],
    reconciliations: list[Reconciliation],
    owners: dict[str, str],
    period_end: date,
) -> list[Policy]:
    """Policies approved inside their annual window, with commitments the practice keeps."""
    present = {(c.id, a.id) for c in controls for a in c.attributes}
    policies = []
    for pid, title, role, promises in _POLICIES:
        commitments = [
            Commitment(id=cid, statement=text, control=control, attribute=attribute)
            for cid, text, control, attribute in promises
            if (control, attribute) in present
        ]
        if pid == "POL-ACCESS" and any(r.id == DEPROVISION for r in reconciliations):
            commitments.insert(
                0,
                Commitment(
                    id="deprovision-1-day",
                    statement="Access is removed within 1 day of termination",
                    reconciliation=DEPROVISION,
                    max_days=1,
                ),
            )
        if promises and not commitments and pid not in ("POL-ACCESS",):
            continue
        policies.append(
            Policy(
                id=pid,
                title=title,
                owner=owners[role],
                approved_on=period_end - timedelta(days=rng.randint(30, 300)),
                review_interval_days=365,
                file=f"evidence/policies/{pid}.pdf",
                commitments=tuple(commitments),
            )
        )
    return policies


_RISKS: dict[Family, tuple[str, ...]] = {
    Family.GOVERNANCE: (
        "Staff do not know their security responsibilities",
        "Leadership does not oversee security risk",
    ),
    Family.RISK: (
        "Significant risks go unidentified or untreated",
        "Insider fraud is not considered",
    ),
    Family.PEOPLE: (
        "An untrustworthy person is hired into a sensitive role",
        "Departing staff keep company devices or data",
    ),
    Family.ACCESS: (
        "A former employee keeps access to production",
        "Excessive privileges accumulate over time",
        "An account is taken over with a stolen password",
    ),
    Family.INFRASTRUCTURE: (
        "Customer data is exposed from an unencrypted store",
        "Attackers reach internal services from the internet",
    ),
    Family.MONITORING: (
        "A known vulnerability is exploited before it is patched",
        "An attack goes unnoticed",
    ),
    Family.INCIDENT: ("An incident is mishandled and customers are not told",),
    Family.CHANGE: (
        "An unreviewed change reaches production",
        "A faulty deployment corrupts customer data",
    ),
    Family.VENDOR: ("A critical vendor fails to protect our data",),
    Family.AVAILABILITY: (
        "Data is lost and cannot be restored",
        "The service is unavailable beyond the SLA",
    ),
    Family.CONFIDENTIALITY: (
        "Confidential data is kept longer than allowed",
        "Customer data leaks through non-production copies",
    ),
    Family.PROCESSING_INTEGRITY: ("Transactions are processed incompletely or inaccurately",),
    Family.PRIVACY: ("Personal data is used without consent", "Data subject requests are missed"),
}


def build_risks(rng: random.Random, refs: list[ReferenceControl]) -> list[Risk]:
    """Risks per family present, each mitigated by one to three of that family's controls."""
    risks: list[Risk] = []
    for family in Family:
        members = [r.id for r in refs if r.family is family]
        if not members:
            continue
        for title in _RISKS[family]:
            picked = rng.sample(members, min(len(members), rng.randint(1, 3)))
            risks.append(
                Risk(
                    id=f"R-{len(risks) + 1:02d}",
                    title=title,
                    likelihood=rng.randint(1, 5),
                    impact=rng.randint(2, 5),
                    controls=tuple(sorted(picked)),
                )
            )
    return risks


@dataclass
class Draft:
    """The program while it is being assembled and defects are planted (mutable lists)."""

    people: list[Person]
    policies: list[Policy]
    risks: list[Risk]
    populations: dict[str, Population]
    controls: list[Control]
    reconciliations: list[Reconciliation]
    extra_systems: list[str] = field(default_factory=list)

    def control_index(self, control_id: str) -> int:
        return next(i for i, c in enumerate(self.controls) if c.id == control_id)

    def users_of(self, population_id: str) -> list[Control]:
        """Controls tested on ``population_id``, in program order."""
        return [c for c in self.controls if c.population == population_id]

    def reconciled(self) -> set[str]:
        """Populations a reconciliation reads."""
        return {p for r in self.reconciliations for p in (r.left, r.right)}

    def committed(self) -> set[tuple[str, str]]:
        """(control, attribute) pairs some policy commitment relies on."""
        return {
            (c.control, c.attribute)
            for p in self.policies
            for c in p.commitments
            if c.control is not None and c.attribute is not None
        }
