"""One population under review: its controls, the window, and how a finding about it reads.

The accuracy checks and the two gap analyses all report on the same subject the
same way — addressed to the first control concerned, with every criterion of
the controls concerned, listing keys or units up to a limit — so that way lives
here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from mockaudit.domain import (
    AttributeCheck,
    Control,
    Finding,
    FindingCode,
    Population,
    Program,
)
from mockaudit.domain.observations import PopulationProfile
from mockaudit.fieldwork.scope import accountable_owner
from mockaudit.fieldwork.severity import severity_of


@dataclass(frozen=True)
class PopulationSubject:
    """One population under review, with the controls tested on it and the window."""

    program: Program
    population: Population
    users: tuple[Control, ...]
    start: date
    end: date

    @property
    def pid(self) -> str:
        return self.population.id

    def finding(
        self,
        code: FindingCode,
        title: str,
        detail: str,
        remediation: str,
        *,
        controls: Sequence[Control] | None = None,
        items: Iterable[str] = (),
        **context: object,
    ) -> Finding:
        """A finding about this population, addressed to the first control concerned."""
        concerned = tuple(controls) if controls is not None else self.users
        lead = concerned[0] if concerned else None
        criteria = tuple(dict.fromkeys(c for control in concerned for c in control.criteria))
        return Finding(
            id="",
            code=code,
            severity=severity_of(code, **context),
            control=lead.id if lead else None,
            population=self.pid,
            criteria=criteria,
            items=tuple(items),
            owner=accountable_owner(self.program, lead.owner) if lead else None,
            title=title,
            detail=detail,
            remediation=remediation,
        )

    def readers(self, column: str) -> list[Control]:
        """The controls whose attributes need ``column`` filled (as :func:`needed_columns`)."""
        return [c for c in self.users if column in needed_columns(self.population, [c])]

    def cover_end(self, profile: PopulationProfile) -> date:
        """The last day the list can cover: period end, or the extraction date if earlier
        (but never before a row it evidently holds)."""
        end = self.end
        extracted = self.population.extracted_on
        if extracted is not None and extracted < end:
            end = max(extracted, profile.last_date or extracted)
        return end


def needed_columns(population: Population, users: Sequence[Control]) -> list[str]:
    """Every column an attribute reads (``absent`` checks want blanks, so not theirs)."""
    columns: list[str] = []
    for control in users:
        for attribute in control.attributes:
            if attribute.check is AttributeCheck.EVIDENCE:
                if population.evidence_column:
                    columns.append(population.evidence_column)
            elif attribute.check is not AttributeCheck.ABSENT:
                columns += attribute.columns
    return list(dict.fromkeys(columns))


def and_more(shown: Sequence[str], total: int, limit: int) -> str:
    """The first ``limit`` of ``shown``, then "and N more" for the rest of ``total``."""
    more = total - min(len(shown), limit)
    return ", ".join(shown[:limit]) + (f" and {more} more" if more > 0 else "")
