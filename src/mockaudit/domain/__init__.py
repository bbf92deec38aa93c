"""The vocabulary of mockaudit: pydantic models and enums only, no I/O.

Nothing here imports another mockaudit package, so every layer can use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# The names load on first use (PEP 562): a process that needs one small module, such as
# the population parser's ``domain.dates``, does not build every pydantic model first.
_HOMES = {
    **dict.fromkeys(("CHECK_KEYS", "Attribute", "Control"), "controls"),
    **dict.fromkeys(
        ("CRITERIA", "Criterion", "criteria_for", "criterion", "is_criterion"), "criteria"
    ),
    **dict.fromkeys(
        (
            "AttributeCheck",
            "Category",
            "ControlKind",
            "Frequency",
            "Nature",
            "ReportType",
            "RiskTier",
        ),
        "enums",
    ),
    **dict.fromkeys(("FINDINGS_SCHEMA", "Finding", "FindingCode", "Severity"), "findings"),
    **dict.fromkeys(("Population", "Reconciliation"), "populations"),
    **dict.fromkeys(
        (
            "REFERENCE_ERROR",
            "SCENARIO_FORMAT",
            "Commitment",
            "Engagement",
            "Organization",
            "Person",
            "Policy",
            "Program",
            "Risk",
        ),
        "program",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
