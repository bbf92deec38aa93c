"""How many items the auditor tests, and which ones: sizes, seeded selection, expansion.

Every number here is traceable to soc2-domain.md:

* sizes: §2.3 "Recommended engine defaults" (frequency × risk tier), with the exact
  cell chosen inside each range written in :data:`SAMPLE_SIZES`;
* 95 % confidence: §2.2 — the next risk tier up, and for the high tier the
  same tolerable rate at 95 % (``n95 = ceil(n90 × ln 20 / ln 10)``);
* expansion after one deviation: §2.2's one-deviation column and §3.4;
* selection: random, spread over the whole period, stratified by month or quarter
  (§2.3 "Timing", §3.3), seeded so anyone can redraw it.

Nothing here reads data: callers pass counts (the sampling frame) and get back
(stratum label, index) pairs, so a million-row population never sits in memory.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Final

from mockaudit.domain.controls import Control
from mockaudit.domain.dates import expected_labels
from mockaudit.domain.enums import ControlKind, Frequency, ReportType, RiskTier
from mockaudit.domain.observations import PeriodUnit
from mockaudit.domain.tolerable import EXPANSION_MINIMUM as EXPANSION_MINIMUM
from mockaudit.domain.tolerable import ONE_DEVIATION_SIZE as ONE_DEVIATION_SIZE
from mockaudit.domain.tolerable import ZERO_DEVIATION_SIZE as ZERO_DEVIATION_SIZE
from mockaudit.domain.tolerable import expanded_size as expanded_size  # §3.4, re-exported

HIGH_CONFIDENCE: Final = 0.95
"""Confidence at or above this uses the 95 % column of the table."""

CONFIDENCE_BUMP: Final = math.log(20) / math.log(10)
"""n95 / n90 at the same tolerable rate with zero expected deviations (§2.2): 1.301."""

Sizes = tuple[int, int, int]  # low, moderate, high

SAMPLE_SIZES: Final[Mapping[str, Mapping[float, Sizes]]] = {
    # row: {confidence: (low, moderate, high)}
    # 90 % is §2.3's engine defaults as written; where §2.3 gives a range the
    # tiers take the periodic frequency with the same number of occurrences a year
    # (≤ 12 ~ monthly, ≤ 52 ~ weekly, ≤ 250 ~ daily). Quarterly moderate is 2: the
    # common minimum of §2.3 variant A; 4 is variant B's "prior deficiency" column,
    # which is the high tier here.
    # 95 % is the next tier up (low ← moderate, moderate ← high); high is the 90 %
    # high size × ln 20 / ln 10 rounded up (the same tolerable rate at 95 %),
    # never above what the row can hold (ROW_CEILING: annual 1, quarterly 4, N ≤ 4 …).
    "annual": {0.90: (1, 1, 1), 0.95: (1, 1, 1)},
    "semiannual": {0.90: (2, 2, 2), 0.95: (2, 2, 2)},
    "quarterly": {0.90: (2, 2, 4), 0.95: (2, 4, 4)},
    "monthly": {0.90: (2, 3, 5), 0.95: (3, 5, 7)},
    "weekly": {0.90: (5, 10, 15), 0.95: (10, 15, 20)},
    "daily": {0.90: (20, 25, 40), 0.95: (25, 40, 53)},
    "events<=4": {0.90: (4, 4, 4), 0.95: (4, 4, 4)},  # all of them (capped by N ≤ 4)
    "events<=12": {0.90: (2, 3, 5), 0.95: (3, 5, 7)},
    "events<=52": {0.90: (5, 10, 15), 0.95: (10, 15, 20)},
    "events<=250": {0.90: (20, 25, 40), 0.95: (25, 40, 53)},
    "events>250": {0.90: (25, 40, 60), 0.95: (40, 60, 79)},
}

ROW_CEILING: Final[Mapping[str, int]] = {
    "annual": 1,
    "semiannual": 2,
    "quarterly": 4,
    "monthly": 12,
    "weekly": 52,
    "daily": 260,
    "events<=4": 4,
    "events<=12": 12,
    "events<=52": 52,
    "events<=250": 250,
}
"""The most occurrences a row can have (a year's, or its band's N): the ceiling of the
95 % high-tier bump, which cannot ask for more items than there are."""

EVENT_BANDS: Final[tuple[tuple[int | None, str], ...]] = (
    (4, "events<=4"),
    (12, "events<=12"),
    (52, "events<=52"),
    (250, "events<=250"),
    (None, "events>250"),
)
"""per_event / multiple_daily rows of the table, by in-period population size N."""

_TIER_INDEX: Final = {RiskTier.LOW: 0, RiskTier.MODERATE: 1, RiskTier.HIGH: 2}
_BY_QUARTER: Final = {Frequency.QUARTERLY, Frequency.SEMIANNUAL, Frequency.ANNUAL}
_BY_EVENT: Final = {Frequency.PER_EVENT, Frequency.MULTIPLE_DAILY}

# §2.2, tolerable deviation rate 10 %: zero-deviation and one-deviation sample sizes.
EXPANSION_TDR: Final = 0.10


@dataclass(frozen=True)
class SamplePlan:
    """How many items to test and how to spread them; ``rule`` says why, in one line."""

    size: int
    unit: PeriodUnit | None
    testable: bool
    rule: str


def confidence_column(confidence: float) -> float:
    """The table column a confidence uses: 0.95 and above → 0.95, else 0.90."""
    return 0.95 if confidence >= HIGH_CONFIDENCE else 0.90


def stratum_unit(frequency: Frequency) -> PeriodUnit:
    """Quarters for controls that run a few times a year, months for everything else."""
    return PeriodUnit.QUARTER if frequency in _BY_QUARTER else PeriodUnit.MONTH


def table_row(frequency: Frequency, population_size: int) -> str:
    """The :data:`SAMPLE_SIZES` row a frequency (and, for events, the size N) uses."""
    if frequency in _BY_EVENT:
        for limit, row in EVENT_BANDS:
            if limit is None or population_size <= limit:
                return row
    return frequency.value


def table_size(
    frequency: Frequency, risk: RiskTier, confidence: float, population_size: int
) -> int:
    """The uncapped table cell (continuous controls are not in the table: 1)."""
    if frequency is Frequency.CONTINUOUS:
        return 1
    row = SAMPLE_SIZES[table_row(frequency, population_size)]
    return row[confidence_column(confidence)][_TIER_INDEX[risk]]


def plan_sample(
    control: Control,
    *,
    population_size: int,
    confidence: float,
    report_type: ReportType,
    itgc_clean: bool,
    period: tuple[date, date] | None = None,
) -> SamplePlan:
    """The sample size for one control, capped by the in-period population size.

    Order of the rules: nothing in the period → not testable; Type 1 → one recent
    instance (design and implementation, §2.3); continuous → the configuration
    once; automated with effective change and access ITGCs over its systems → 1
    (§2.3 automated controls), otherwise tested like a manual control of its
    frequency; then the table — scaled to a period shorter than a year
    (:func:`scale_to_period`), or, for a periodic control with several instances
    per occurrence (one review per vendor), sized on those instances
    (:func:`instances_row`).
    """
    frequency = control.frequency
    unit = None if frequency is Frequency.CONTINUOUS else stratum_unit(frequency)
    if population_size <= 0:
        return SamplePlan(0, None, False, "not testable: no occurrence in the period")
    if report_type is ReportType.TYPE1:
        return SamplePlan(1, unit, True, "Type 1: one recent instance (soc2-domain.md §2.3)")
    if frequency is Frequency.CONTINUOUS:
        return SamplePlan(1, None, True, "continuous: configuration tested once (§2.3)")
    if control.kind is ControlKind.AUTOMATED and itgc_clean:
        return SamplePlan(
            1, unit, True, "automated, change and access ITGCs over its systems effective: 1 (§2.3)"
        )
    column = confidence_column(confidence)
    occurrences = period_occurrences(frequency, period)
    row = instances_row(frequency, population_size, occurrences) or table_row(
        frequency, population_size
    )
    size = SAMPLE_SIZES[row][column][_TIER_INDEX[control.risk]]
    rule = (
        f"{frequency.value} ({row}, N={population_size}), {control.risk.value} risk,"
        f" {column:.0%} confidence: {size} (soc2-domain.md §2.3 engine defaults"
        + ("; 95% takes the next tier up)" if column == 0.95 else ")")
    )
    scaled = scale_to_period(size, row, column, frequency, occurrences)
    if scaled < size:
        rule += (
            f", scaled to the period's {occurrences} of {ANNUAL_OCCURRENCES[frequency]}"
            f" occurrences a year: {scaled} (§2.3 variant D)"
        )
        size = scaled
    if control.kind is ControlKind.AUTOMATED:
        rule = "automated but ITGCs not clean, tested as manual: " + rule
    if size > population_size:
        size = population_size
        rule += f", capped at the population size {population_size}"
    return SamplePlan(size, unit, True, rule)


ANNUAL_OCCURRENCES: Final[Mapping[Frequency, int]] = {
    Frequency.DAILY: 260,
    Frequency.WEEKLY: 52,
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.SEMIANNUAL: 2,
    Frequency.ANNUAL: 1,
}
"""Occurrences of a periodic control in a 12-month period (business days for daily)."""

_PERIOD_UNIT: Final[Mapping[Frequency, PeriodUnit]] = {
    Frequency.DAILY: PeriodUnit.DAY,
    Frequency.WEEKLY: PeriodUnit.WEEK,
    Frequency.MONTHLY: PeriodUnit.MONTH,
    Frequency.QUARTERLY: PeriodUnit.QUARTER,
    Frequency.SEMIANNUAL: PeriodUnit.HALF,
    Frequency.ANNUAL: PeriodUnit.YEAR,
}
_SCALED: Final = frozenset({Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY})
_FEW_A_YEAR: Final = frozenset({Frequency.ANNUAL, Frequency.SEMIANNUAL, Frequency.QUARTERLY})


def period_occurrences(frequency: Frequency, period: tuple[date, date] | None) -> int | None:
    """How many times a periodic control operates in ``period`` (None: not periodic)."""
    if period is None or frequency not in ANNUAL_OCCURRENCES:
        return None
    start, end = period
    if frequency is Frequency.ANNUAL:
        return max(1, round(((end - start).days + 1) / 365))
    return len(expected_labels(start, end, _PERIOD_UNIT[frequency]))


def scale_to_period(
    size: int, row: str, column: float, frequency: Frequency, occurrences: int | None
) -> int:
    """A daily, weekly or monthly control's size for a period shorter than a year.

    The §2.3 engine defaults are for 12 months; a shorter period has fewer
    occurrences, so the size scales with them (§2.3 variant D, 6-month period:
    monthly 2–5, daily 15–25), never below the row's low tier (the common minimum,
    variant A) nor above the occurrences themselves.
    """
    annual = ANNUAL_OCCURRENCES.get(frequency)
    if frequency not in _SCALED or occurrences is None or annual is None or occurrences >= annual:
        return size
    floor = SAMPLE_SIZES[row][column][0]
    return min(size, max(floor, math.ceil(size * occurrences / annual)), occurrences)


def instances_row(frequency: Frequency, population_size: int, occurrences: int | None) -> str:
    """The event row for a quarterly/semiannual/annual control with several instances per
    occurrence — one review per vendor — which samples those instances (§2.3 per-event
    bands), or "" when the population is one row per occurrence."""
    if frequency not in _FEW_A_YEAR or occurrences is None or population_size <= occurrences:
        return ""
    row = table_row(Frequency.PER_EVENT, population_size)
    own = SAMPLE_SIZES[frequency.value][0.90][0]
    return row if SAMPLE_SIZES[row][0.90][0] >= own else ""


def control_seed(run_seed: int, control_id: str) -> int:
    """A per-control seed, stable across Python runs and platforms (not ``hash()``)."""
    digest = hashlib.sha256(f"{run_seed}:{control_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def expansion_seed(seed: int) -> int:
    """The seed of the one expansion draw, derived from the control's seed."""
    return control_seed(seed, "#expansion")


# -- selection ---------------------------------------------------------------------------


def _allocate(counts: list[int], size: int, rng: random.Random) -> list[int]:
    """Spread ``size`` items over strata proportionally to ``counts``.

    With at least one item per non-empty stratum: each of them gets one, the rest
    follows the largest-remainder method (exact integers, ties to the earlier
    stratum). With fewer items than strata: a systematic pass over the cumulative
    counts from a seeded random start, so the items still spread over the period.
    """
    total = sum(counts)
    size = min(size, total)
    if size <= 0:
        return [0] * len(counts)
    if size < sum(1 for c in counts if c > 0):
        bounds = list(accumulate(counts))
        start = rng.randrange(total)
        alloc = [0] * len(counts)
        for j in range(size):
            alloc[bisect_right(bounds, (j * total + start) // size)] += 1
        return alloc
    alloc = [max(1, size * c // total) if c else 0 for c in counts]

    def remainder(i: int) -> int:  # (exact quota − allocation) × total
        return size * counts[i] - alloc[i] * total

    excess = sum(alloc) - size
    while excess > 0:
        i = min((i for i in range(len(counts)) if alloc[i] > 1), key=remainder)
        alloc[i] -= 1
        excess -= 1
    while excess < 0:
        i = max(
            (i for i in range(len(counts)) if alloc[i] < counts[i]),
            key=lambda i: (remainder(i), -i),
        )
        alloc[i] += 1
        excess += 1
    return alloc


def _frame(frame: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted((label, count) for label, count in frame.items() if count > 0)


def select(frame: Mapping[str, int], size: int, seed: int) -> list[tuple[str, int]]:
    """``size`` distinct items spread over the strata, drawn with ``random.Random(seed)``.

    Returns (stratum label, 0-based index within the stratum), sorted by label then
    index; ``min(size, N)`` items. The same frame, size and seed always give the same items.
    """
    strata = _frame(frame)
    rng = random.Random(seed)
    alloc = _allocate([count for _, count in strata], size, rng)
    picks: list[tuple[str, int]] = []
    for (label, count), take in zip(strata, alloc, strict=True):
        picks.extend((label, index) for index in rng.sample(range(count), take))
    return sorted(picks)


def select_recent(frame: Mapping[str, int], size: int, seed: int) -> list[tuple[str, int]]:
    """``size`` random items from the latest strata (Type 1: recent instances)."""
    rng = random.Random(seed)
    picks: list[tuple[str, int]] = []
    for label, count in reversed(_frame(frame)):
        if len(picks) >= size:
            break
        take = min(count, size - len(picks))
        picks.extend((label, index) for index in rng.sample(range(count), take))
    return sorted(picks)


def select_expansion(
    frame: Mapping[str, int],
    drawn: Collection[tuple[str, int]],
    extra: int,
    seed: int,
) -> list[tuple[str, int]]:
    """``extra`` more items, none of them already ``drawn``, spread like :func:`select`.

    The extra items are allocated over what each stratum has left, then drawn
    uniformly among that stratum's undrawn items (a uniform draw of taken+need
    indices, skipping the taken ones, keeps memory at the sample's size).
    """
    strata = _frame(frame)
    taken: dict[str, set[int]] = {}
    for label, index in drawn:
        taken.setdefault(label, set()).add(index)
    left = [count - len(taken.get(label, ())) for label, count in strata]
    rng = random.Random(seed)
    alloc = _allocate(left, extra, rng)
    picks: list[tuple[str, int]] = []
    for (label, count), need in zip(strata, alloc, strict=True):
        if need == 0:
            continue
        skip = taken.get(label, set())
        drawn_here = rng.sample(range(count), need + len(skip))
        picks.extend((label, i) for i in [i for i in drawn_here if i not in skip][:need])
    return sorted(picks)


# -- what a sample of this size can find -------------------------------------------------

_UNDERFLOW: Final = -746.0  # exp() of anything below is 0.0 in binary64


def detection_probability(population: int, bad: int, sample: int) -> float:
    """P(a random sample of ``sample`` items without replacement hits ≥ 1 of ``bad`` items).

    Hypergeometric: 1 − C(N−K, n) / C(N, n), computed as a sum of ``log1p`` terms
    over the smaller of n and K (the ratio is symmetric in n and K), so it is
    stable for N in the millions and exactly monotone in n and K.
    """
    if population < 0 or bad < 0 or sample < 0 or bad > population:
        raise ValueError(f"invalid hypergeometric arguments N={population} K={bad} n={sample}")
    if bad == 0 or sample == 0:
        return 0.0
    if sample > population - bad:
        return 1.0
    fewer, more = min(bad, sample), max(bad, sample)
    log_miss = 0.0
    for i in range(fewer):
        log_miss += math.log1p(-more / (population - i))
        if log_miss < _UNDERFLOW:
            return 1.0
    return min(1.0, max(0.0, -math.expm1(log_miss)))
