"""Two runs side by side: findings fixed since, new since, and still open."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockaudit.domain.findings import Finding


@dataclass(frozen=True)
class Comparison:
    fixed: list[Finding]
    new: list[Finding]
    still_open: list[Finding]


def run_to_compare(runs: Sequence[tuple[str, int]]) -> str | None:
    """The earlier run the last of ``runs`` (id, seed; oldest first) is compared with:
    the latest one drawn with the same seed (same samples: a change is a fix or a new gap),
    else the one just before it (its samples differ). None for a first run."""
    if len(runs) < 2:
        return None
    *earlier, (_, seed) = runs
    same_seed = [run_id for run_id, run_seed in earlier if run_seed == seed]
    return same_seed[-1] if same_seed else earlier[-1][0]


def seed_change(previous_seed: int, seed: int) -> str:
    """How the two runs' samples relate, as the dashboard says it."""
    if previous_seed == seed:
        return f"seed {previous_seed} → seed {seed}: same samples"
    return f"different seed ({previous_seed} → {seed}): sampling differs"
