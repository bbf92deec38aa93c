"""Populations (the lists an auditor samples from) and reconciliations between two of them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from mockaudit.domain.values import Day, Identifier, PositiveCount, Text


class Population(BaseModel):
    """A list of occurrences of a control, exported from a system of record.

    ``declared_count``, ``extracted_on``, ``query`` and ``count_evidence`` are the
    completeness-and-accuracy (IPE) facts an auditor asks for; leaving them out is
    allowed here and becomes a ``population.weak_source`` finding later.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    system: Text
    file: Text
    key: Text
    date: Text
    declared_count: PositiveCount | None = None
    extracted_on: Day | None = None
    query: Text | None = None
    count_evidence: Text | None = None
    evidence_column: Text | None = None

    @property
    def is_hand_made(self) -> bool:
        """A spreadsheet or manual list is weak information produced by the entity."""
        return self.system.strip().lower() in {"spreadsheet", "manual"}


class Reconciliation(BaseModel):
    """Every ``left`` row must have a ``right`` row with the same match value within max_days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    control: Identifier | None = None
    left: Identifier
    left_match: Text
    left_date: Text
    right: Identifier
    right_match: Text
    right_date: Text
    max_days: PositiveCount
