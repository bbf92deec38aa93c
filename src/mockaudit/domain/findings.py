"""A finding: what the simulated auditor (or the generator's truth manifest) reports.

Mirrors one element of ``findings`` in findings-format.md's JSON exactly, so
the engine's output and the generator's ``truth.json`` can be compared field
for field.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mockaudit.domain.criteria import is_criterion

FINDINGS_SCHEMA = "mockaudit.findings/1"


class Severity(StrEnum):
    """High findings block an audit (``--fail-on high``); low ones are housekeeping."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FindingCode(StrEnum):
    """The 21 finding codes of findings-format.md, stable across versions, then the
    project's additions (docs/findings-format.md): subservice organisations and the
    system description (issue 19)."""

    SCOPE_CRITERION_UNCOVERED = "scope.criterion_uncovered"
    SCOPE_TOO_BROAD = "scope.too_broad"
    CONTROL_OWNERLESS = "control.ownerless"
    CONTROL_NO_POPULATION = "control.no_population"
    CONTROL_NOT_OPERATED = "control.not_operated"
    CONTROL_NO_EVIDENCE = "control.no_evidence"
    POPULATION_PERIOD_GAP = "population.period_gap"
    POPULATION_COUNT_MISMATCH = "population.count_mismatch"
    POPULATION_OUT_OF_PERIOD = "population.out_of_period"
    POPULATION_DUPLICATE = "population.duplicate"
    POPULATION_MISSING_FIELD = "population.missing_field"
    POPULATION_WEAK_SOURCE = "population.weak_source"
    POPULATION_EXTRACTED_EARLY = "population.extracted_early"
    SAMPLE_DEVIATION = "sample.deviation"
    EVIDENCE_MISSING = "evidence.missing"
    EVIDENCE_INTEGRITY = "evidence.integrity"
    RECONCILIATION_BREAK = "reconciliation.break"
    POLICY_STALE = "policy.stale"
    POLICY_PRACTICE_DIVERGENCE = "policy.practice_divergence"
    RISK_UNMITIGATED = "risk.unmitigated"
    WALKTHROUGH_DIVERGENCE = "walkthrough.divergence"
    VENDOR_BRIDGE_LETTER_NEEDED = "vendor.bridge_letter_needed"
    VENDOR_REPORT_STALE = "vendor.report_stale"
    VENDOR_EXCEPTION_UNEVALUATED = "vendor.exception_unevaluated"
    VENDOR_CSOC_UNMONITORED = "vendor.csoc_unmonitored"
    VENDOR_CUEC_UNMAPPED = "vendor.cuec_unmapped"
    VENDOR_SYSTEM_UNADDRESSED = "vendor.system_unaddressed"
    VENDOR_REVIEW_INCOMPLETE = "vendor.review_incomplete"
    DESCRIPTION_ELEMENT_MISSING = "description.element_missing"
    DESCRIPTION_SLA_BREACH_UNDISCLOSED = "description.sla_breach_undisclosed"
    DESCRIPTION_INCIDENT_UNDISCLOSED = "description.incident_undisclosed"
    DESCRIPTION_CHANGE_UNDISCLOSED = "description.change_undisclosed"


class Finding(BaseModel):
    """One finding, with the objects it concerns and who should fix it.

    ``sampled`` and ``detection_probability`` are set only for item findings:
    whether the auditor's sample contained the item, and the chance a sample of
    that size hits at least one such item.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    code: FindingCode
    severity: Severity
    control: str | None = None
    population: str | None = None
    policy: str | None = None
    risk: str | None = None
    criteria: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    owner: str | None = None
    title: str
    detail: str = ""
    remediation: str = ""
    sampled: bool | None = None
    detection_probability: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("criteria")
    @classmethod
    def _known_criteria(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cid in value:
            if not is_criterion(cid):
                raise ValueError(f'unknown criterion "{cid}"')
        return value
