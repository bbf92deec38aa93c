"""The closed vocabularies of a SOC 2 program, as string enums.

Each value is exactly the string a scenario file uses, so a model dumped with
``mode="json"`` writes back the same TOML a user would type.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """A Trust Services category; ``security`` (the common criteria) is always in scope."""

    SECURITY = "security"
    AVAILABILITY = "availability"
    CONFIDENTIALITY = "confidentiality"
    PROCESSING_INTEGRITY = "processing_integrity"
    PRIVACY = "privacy"


class ReportType(StrEnum):
    """Type 1 tests design at a date; Type 2 tests operation over a period."""

    TYPE1 = "type1"
    TYPE2 = "type2"


class Frequency(StrEnum):
    """How often a control operates: it decides what a complete population looks like."""

    PER_EVENT = "per_event"
    MULTIPLE_DAILY = "multiple_daily"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    CONTINUOUS = "continuous"


class ControlKind(StrEnum):
    """Who performs the control; automated controls are tested with fewer items."""

    MANUAL = "manual"
    AUTOMATED = "automated"
    IT_DEPENDENT_MANUAL = "it_dependent_manual"


class Nature(StrEnum):
    """Whether a control stops, finds or fixes a problem."""

    PREVENTIVE = "preventive"
    DETECTIVE = "detective"
    CORRECTIVE = "corrective"


class RiskTier(StrEnum):
    """The risk of the control failing: picks the sample-size tier."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class AttributeCheck(StrEnum):
    """What the auditor checks on each sampled item (scenario-format.md, attribute checks)."""

    PRESENT = "present"
    ABSENT = "absent"
    EQUALS = "equals"
    IN = "in"
    DIFFERENT = "different"
    BEFORE = "before"
    WITHIN_DAYS = "within_days"
    EVIDENCE = "evidence"
