"""The system description's own facts (DC 200, soc2-domain.md §3.8).

* ``ServiceCommitment`` (DC2): a principal service commitment or system requirement and
  its source (MSA, SLA, terms…); with ``measure`` the audit reads a population to find
  the periods in which it was not met.
* ``Incident`` (DC4) and ``SignificantChange`` (DC9): what happened in the period, whether
  it is significant and whether the description discloses it.
* ``Description``: what the description covers beyond the tables — the DC3 components and
  boundaries, the criteria not relevant (DC8), and management's explicit "none" for the
  lists that may legitimately be empty.

Field names are the TOML keys (scenario-format.md, "System description").
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from mockaudit.domain.values import Day, Identifier, Text

COMMITMENT_SOURCES: Final = ("msa", "sla", "terms", "dpa", "contract", "law", "regulation")
CommitmentSource = Literal["msa", "sla", "terms", "dpa", "contract", "law", "regulation"]
COMPONENTS: Final = ("infrastructure", "software", "people", "procedures", "data")
Component = Literal["infrastructure", "software", "people", "procedures", "data"]
DC_TITLES: Final = {
    "DC1": "Types of services provided",
    "DC2": "Principal service commitments and system requirements",
    "DC3": "Components of the system",
    "DC4": "System incidents",
    "DC5": "Applicable trust services criteria and related controls",
    "DC6": "Complementary user entity controls (CUECs)",
    "DC7": "Subservice organizations and complementary subservice organization controls",
    "DC8": "Criteria not relevant",
    "DC9": "Significant changes during the period",
}
"""The nine DC 200 description criteria, in order (§3.8)."""


class Measure(BaseModel):
    """How a commitment is measured: a numeric column of a population, at least a target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    population: Identifier
    column: Text
    at_least: float


class ServiceCommitment(BaseModel):
    """A service commitment or system requirement the description states (DC2)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    statement: Text
    source: CommitmentSource
    measure: Measure | None = None


class Incident(BaseModel):
    """A system incident in the period; a significant one must be disclosed (DC4)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    occurred_on: Day
    resolved_on: Day | None = None
    significant: bool = True
    disclosed: bool = False
    resolution: Text = ""
    commitments: tuple[Identifier, ...] = ()  # service commitments it breached


class SignificantChange(BaseModel):
    """A change to the system or its controls in the period (DC9); material ones go into a
    bridge letter too (§3.6)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    changed_on: Day
    area: Literal["system", "controls", "people", "organization", "vendor"] = "system"
    significant: bool = True
    disclosed: bool = False


class NotRelevant(BaseModel):
    """A criterion management says is not relevant, and why (DC8)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criterion: Text
    reason: Text

    @field_validator("reason")
    @classmethod
    def _said_why(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the criterion is not relevant")
        return value


class Description(BaseModel):
    """What the description covers beyond the tables, and management's explicit "none"s."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: Text | None = None
    components: tuple[Component, ...] = ()
    boundaries: Text = ""
    not_relevant: tuple[NotRelevant, ...] = ()
    no_significant_incidents: bool = False
    no_significant_changes: bool = False
    no_cuecs: bool = False
    no_subservice_organizations: bool = False
