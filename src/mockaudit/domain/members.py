"""Who may unlock a vault: one key slot per member (and one for the recovery kit).

Members are for attribution (custody names who collected what), revocation (a removed
member's old copy of vault.key opens nothing written afterwards) and recovery. They are
not for hiding evidence from each other: every member can read everything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    member_id: str  # "dana": what --member and MOCKAUDIT_MEMBER name
    display: str  # "Dana Lee"
    kind: str  # "passphrase" (a person), "recovery" (the recovery kit) or "removed"
    since: str  # added (or, for "removed", removed) at, ISO 8601 UTC
    pending: bool = False  # added with an enrolment code: no passphrase of their own yet

    @property
    def label(self) -> str:
        """ "Dana Lee (member dana)" as custody lines and reports print it."""
        return f"{self.display} (member {self.member_id})"
