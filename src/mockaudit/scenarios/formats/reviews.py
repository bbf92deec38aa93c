"""Approvals of a pull or merge request, and which one the change-control test reads.

The row's ``approver`` is the approval that makes the change independently
reviewed: the last approval before the merge by someone other than the author,
else the first one after it (the test then fails "approved before merge"), else
the author's own approval (a self-approval: the test fails "independent"). Every
approver is kept in ``approvers``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Approval:
    """One approving review: who, and when (ISO UTC, "" when the export has no time)."""

    at: str
    login: str


def approvals_by_number(pairs: Iterable[tuple[str, Approval]]) -> dict[str, list[Approval]]:
    """Approvals grouped by change key; only approvals are kept, so this stays small."""
    grouped: dict[str, list[Approval]] = {}
    for key, approval in pairs:
        grouped.setdefault(key, []).append(approval)
    return grouped


def pick_approval(approvals: list[Approval], author: str, merged_at: str) -> Approval | None:
    """The approval the independent-review test reads (see the module docstring)."""
    others = sorted(a for a in approvals if a.login and a.login.lower() != author.lower())
    before = [a for a in others if a.at and a.at <= merged_at]
    if before:
        return before[-1]
    if others:
        return others[0]
    own = sorted(a for a in approvals if a.login)
    return own[0] if own else None
