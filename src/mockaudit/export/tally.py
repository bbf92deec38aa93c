"""Finding counts by severity and by owner, as every summary (XLSX, Markdown) shows them.

Ownerless findings are counted under ``NO OWNER`` — the same label the CLI
prints — because "who fixes what" is the first question after an audit and an
empty owner is itself the answer to chase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mockaudit.domain.findings import Finding, Severity

NO_OWNER = "NO OWNER"


@dataclass
class OwnerTally:
    """How many findings one owner (or ``NO OWNER``) has, per severity."""

    owner: str
    counts: dict[Severity, int] = field(default_factory=lambda: dict.fromkeys(Severity, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Counts for every severity, high first, zeros included."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def by_owner(findings: Iterable[Finding]) -> list[OwnerTally]:
    """One tally per owner: most high findings first, then most findings, then by name;
    ``NO OWNER`` sorts like any other owner so a large ownerless pile leads the list."""
    tallies: dict[str, OwnerTally] = {}
    for finding in findings:
        owner = finding.owner or NO_OWNER
        tally = tallies.setdefault(owner, OwnerTally(owner))
        tally.counts[finding.severity] += 1
    return sorted(
        tallies.values(),
        key=lambda t: (-t.counts[Severity.HIGH], -t.counts[Severity.MEDIUM], -t.total, t.owner),
    )
