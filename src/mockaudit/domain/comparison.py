"""Two runs side by side: findings fixed since, new since, and still open."""

from __future__ import annotations

from dataclasses import dataclass

from mockaudit.domain.findings import Finding


@dataclass(frozen=True)
class Comparison:
    fixed: list[Finding]
    new: list[Finding]
    still_open: list[Finding]
