"""Where each control owner stands: stored rehearsals and what to rehearse next.

Readiness uses the latest rehearsal of each control an owner holds: an owner is ready
when every control was rehearsed with no divergence, no evasion and a corroborated last
instance. Pure functions of the records, so the CLI and the TUI show the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class WalkthroughRecord:
    """One stored rehearsal as listed from the vault (no transcript)."""

    walkthrough_id: str
    control_id: str
    owner: str | None
    started_at: str
    evidence_id: str | None
    score: float
    divergences: tuple[str, ...] = ()
    evasions: tuple[str, ...] = ()
    corroborated: bool = False


@dataclass(frozen=True)
class OwnerReadiness:
    """How ready one owner is for the real walkthroughs, from their latest rehearsals."""

    owner: str
    name: str
    controls: tuple[str, ...]
    rehearsed: tuple[str, ...]
    score: float | None
    divergences: int
    evasions: int
    not_corroborated: int

    @property
    def ready(self) -> bool:
        """Every owned control rehearsed, with no divergence, no evasion, and corroborated."""
        return (
            bool(self.controls)
            and set(self.controls) <= set(self.rehearsed)
            and self.divergences == 0
            and self.evasions == 0
            and self.not_corroborated == 0
        )


def latest_by_control(records: Iterable[WalkthroughRecord]) -> dict[str, WalkthroughRecord]:
    """The most recent rehearsal of each control (the one readiness counts)."""
    latest: dict[str, WalkthroughRecord] = {}
    for record in sorted(records, key=lambda r: (r.started_at, r.walkthrough_id)):
        latest[record.control_id] = record
    return latest


def open_issues(record: WalkthroughRecord) -> list[str]:
    """What keeps a rehearsed control from being ready, in the owner's words."""
    issues = []
    if record.divergences:
        issues.append(f"{len(record.divergences)} divergence(s): {', '.join(record.divergences)}")
    if record.evasions:
        issues.append(f"{len(record.evasions)} evasive answer(s)")
    if not record.corroborated:
        issues.append("last instance not shown")
    return issues


def next_step(
    readiness: OwnerReadiness, latest: dict[str, WalkthroughRecord]
) -> tuple[str | None, str]:
    """The control to rehearse next: one never rehearsed first, then the weakest latest
    rehearsal with something open, then (all ready) the one rehearsed longest ago."""
    for control_id in readiness.controls:
        if control_id not in latest:
            return control_id, "never rehearsed"
    mine = [latest[c] for c in readiness.controls]
    weak = [r for r in mine if open_issues(r)]
    if weak:
        worst = min(weak, key=lambda r: (r.score, r.started_at))
        return (
            worst.control_id,
            f"scored {worst.score:.1f}, {len(open_issues(worst))} issue(s) open",
        )
    if mine:
        oldest = min(mine, key=lambda r: (r.started_at, r.walkthrough_id))
        return oldest.control_id, "ready: keep it fresh (rehearsed longest ago)"
    return None, "owns no control now"
