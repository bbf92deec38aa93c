"""Management's response to a finding and its remediation to closure (issue 18).

A record follows a finding across runs: it is keyed on what the finding is about (the
same identity ``audit --compare`` matches on), not on the run's finding id. Statuses move
open → in_progress → remediated → retested; risk_accepted needs a reason and an approver.
Cause categories are the exception families of soc2-domain.md §3.4.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mockaudit.domain.run import Readiness


class RemediationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    REMEDIATED = "remediated"
    RETESTED = "retested"
    RISK_ACCEPTED = "risk_accepted"


class CauseCategory(StrEnum):
    """§3.4: description misstatement, design deficiency, and the operating sub-types."""

    DESCRIPTION = "description"
    DESIGN = "design"
    TIMING = "timing"
    EXECUTION = "execution"
    EVIDENCE = "evidence"
    SCOPE = "scope"


# Which status may follow which; "retested" is set when a later run no longer reports it.
TRANSITIONS: dict[RemediationStatus, frozenset[RemediationStatus]] = {
    RemediationStatus.OPEN: frozenset(
        {
            RemediationStatus.IN_PROGRESS,
            RemediationStatus.REMEDIATED,
            RemediationStatus.RISK_ACCEPTED,
        }
    ),
    RemediationStatus.IN_PROGRESS: frozenset(
        {RemediationStatus.OPEN, RemediationStatus.REMEDIATED, RemediationStatus.RISK_ACCEPTED}
    ),
    RemediationStatus.REMEDIATED: frozenset(
        {RemediationStatus.IN_PROGRESS, RemediationStatus.RETESTED}
    ),
    RemediationStatus.RISK_ACCEPTED: frozenset(
        {RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS}
    ),
    RemediationStatus.RETESTED: frozenset({RemediationStatus.IN_PROGRESS}),
}

# Still to be done by its owner: these can be overdue.
ACTIVE = frozenset({RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS})
# Counted as fixed when readiness assumes remediations done.
CLOSED = frozenset({RemediationStatus.REMEDIATED, RemediationStatus.RETESTED})


@dataclass(frozen=True)
class Remediation:
    """One finding's remediation record, as stored (encrypted) in the vault."""

    key: str  # the finding's identity across runs (readiness.compare.identity_key)
    finding_id: str  # its id in the run it was last seen in
    run_id: str  # that run
    title: str
    control: str | None = None
    cause: str = ""
    category: CauseCategory | None = None
    response: str = ""
    owner: str | None = None
    due: date | None = None
    status: RemediationStatus = RemediationStatus.OPEN
    reason: str = ""  # why the risk was accepted
    approver: str | None = None  # who accepted it
    evidence_ids: tuple[str, ...] = ()
    retest_run: str | None = None  # the run that no longer reported the finding
    updated_at: str = ""

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today and self.status in ACTIVE

    @property
    def key_digest(self) -> str:
        """A short stable name for the finding's identity (calendar UIDs)."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:16]

    @property
    def status_text(self) -> str:
        if self.status is RemediationStatus.RETESTED and self.retest_run:
            return f"retest passed ({self.retest_run})"
        return self.status.value.replace("_", " ")


def check_transition(current: RemediationStatus, new: RemediationStatus) -> str | None:
    """Why ``current`` cannot move to ``new``, or None when it can."""
    if new == current or new in TRANSITIONS[current]:
        return None
    allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current]))
    return f"status {current.value} cannot become {new.value} (allowed: {allowed})"


@dataclass(frozen=True)
class AssumedRemediation:
    """A run's readiness before and "as if" every remediation due before ``by`` were done."""

    by: date
    fixed: tuple[Remediation, ...]  # the records assumed done, by due date
    before: Readiness
    after: Readiness
