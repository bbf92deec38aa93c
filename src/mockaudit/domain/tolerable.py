"""The tolerable deviation rate, in one place: what a number of deviations means.

Traceable to soc2-domain.md:

* §2.2 — a planned sample of 22–25 items (90 % confidence, ≈ 9–10 % tolerable rate,
  zero expected deviations) supports "operating effectively" only with **0** deviations;
  one deviation needs the sample to grow to the one-deviation column (38 at 90 %,
  46 at 95 %) with no further deviation to keep that conclusion;
* §3.4 — "for small populations (quarterly, annual) there is nothing to expand into:
  one missed quarter = 1 of 4 failed"; every deviation found is disclosed in
  Section IV ("Exception noted"), even when the control is still effective.

The rule, as the issue states it and as CPA firms' methodologies apply it:

| deviations | sample | verdict |
| --- | --- | --- |
| 0 | any | effective, no exceptions noted |
| 1 | planned ≥ ``EXPANSION_MINIMUM`` | expand the sample once |
| 1 | after the expansion, no further deviation | effective, exception noted |
| ≥ 2 | expanded or not | not effective, exceptions noted |
| ≥ 1 | small sample (< ``EXPANSION_MINIMUM``) or the whole population | not effective |
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

EXPANSION_MINIMUM: Final = 20
"""Only a planned sample of at least this many items is expanded after one deviation."""

TOLERABLE_RATE: Final = 0.10
"""The tolerable deviation rate the sample sizes are built on (§2.2, 90 %/10 %/0 → 22)."""

ZERO_DEVIATION_SIZE: Final[Mapping[float, int]] = {0.90: 22, 0.95: 29}
"""§2.2, 10 % tolerable rate, no deviation expected: the sample by confidence."""

ONE_DEVIATION_SIZE: Final[Mapping[float, int]] = {0.90: 38, 0.95: 46}
"""§2.2, 10 % tolerable rate, one deviation absorbed: the expanded sample by confidence."""

SOURCE: Final = "soc2-domain.md §2.2 (one-deviation column) and §3.4 (expanding the sample)"


class Verdict(StrEnum):
    EFFECTIVE = "effective"  # no deviation
    EXPAND = "expand"  # one deviation in a sample large enough to expand
    EFFECTIVE_WITH_EXCEPTION = "effective_with_exception"  # 1 deviation, clean expansion
    NOT_EFFECTIVE = "not_effective"


def judge(
    *, planned: int, deviations: int, expanded: bool, whole_population: bool = False
) -> Verdict:
    """The verdict for ``deviations`` found among the sampled items (expansion included)."""
    if deviations <= 0:
        return Verdict.EFFECTIVE
    if deviations >= 2:
        return Verdict.NOT_EFFECTIVE
    if expanded:
        return Verdict.EFFECTIVE_WITH_EXCEPTION
    if planned >= EXPANSION_MINIMUM and not whole_population:
        return Verdict.EXPAND
    return Verdict.NOT_EFFECTIVE


def rule_text(planned: int) -> str:
    """The tolerable-deviation rule for a sample of ``planned`` items, in one line."""
    if planned >= EXPANSION_MINIMUM:
        return (
            f"0 of {planned} → effective; 1 → expand the sample; 1 in the expanded sample →"
            " effective, exception noted; ≥ 2 → not effective"
        )
    return f"0 of {planned} → effective; ≥ 1 → not effective (nothing to expand into)"


def expanded_size(planned: int, confidence: float, population_size: int) -> int:
    """The total sample after one deviation, so the same conclusion still holds (§3.4).

    At the 10 % tolerable rate of §2.2, one deviation needs 38 items at 90 % and 46
    at 95 % (instead of 22 / 29 with none). A planned sample already above that
    minimum keeps its surplus: ``max(n1, planned + (n1 − n0))``. Capped by the
    population size. (Same rule as ``fieldwork.sampling.expanded_size``, which the
    fieldwork engine draws with; readiness simulates it from here.)
    """
    column = 0.95 if confidence >= 0.95 else 0.90
    one, zero = ONE_DEVIATION_SIZE[column], ZERO_DEVIATION_SIZE[column]
    return min(max(one, planned + one - zero), population_size)
