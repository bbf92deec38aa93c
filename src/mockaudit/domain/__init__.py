"""The vocabulary of mockaudit: pydantic models and enums only, no I/O.

Nothing here imports another mockaudit package, so every layer can use it.
"""

from __future__ import annotations

from mockaudit.domain.controls import CHECK_KEYS, Attribute, Control
from mockaudit.domain.criteria import CRITERIA, Criterion, criteria_for, criterion, is_criterion
from mockaudit.domain.enums import (
    AttributeCheck,
    Category,
    ControlKind,
    Frequency,
    Nature,
    ReportType,
    RiskTier,
)
from mockaudit.domain.findings import FINDINGS_SCHEMA, Finding, FindingCode, Severity
from mockaudit.domain.populations import Population, Reconciliation
from mockaudit.domain.program import (
    REFERENCE_ERROR,
    SCENARIO_FORMAT,
    Commitment,
    Engagement,
    Organization,
    Person,
    Policy,
    Program,
    Risk,
)

__all__ = [
    "CHECK_KEYS",
    "CRITERIA",
    "FINDINGS_SCHEMA",
    "REFERENCE_ERROR",
    "SCENARIO_FORMAT",
    "Attribute",
    "AttributeCheck",
    "Category",
    "Commitment",
    "Control",
    "ControlKind",
    "Criterion",
    "Engagement",
    "Finding",
    "FindingCode",
    "Frequency",
    "Nature",
    "Organization",
    "Person",
    "Policy",
    "Population",
    "Program",
    "Reconciliation",
    "ReportType",
    "Risk",
    "RiskTier",
    "Severity",
    "criteria_for",
    "criterion",
    "is_criterion",
]
