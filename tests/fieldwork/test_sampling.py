"""Sample sizes (acceptance 4), seeded stratified selection, expansion and detection odds."""

from __future__ import annotations

import math
import subprocess
import sys
from collections import Counter
from math import comb

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mockaudit.domain import Control
from mockaudit.domain.enums import ControlKind, Frequency, ReportType, RiskTier
from mockaudit.domain.observations import PeriodUnit
from mockaudit.fieldwork.sampling import (
    ONE_DEVIATION_SIZE,
    ROW_CEILING,
    SAMPLE_SIZES,
    ZERO_DEVIATION_SIZE,
    control_seed,
    detection_probability,
    expanded_size,
    expansion_seed,
    plan_sample,
    select,
    select_expansion,
    select_recent,
    stratum_unit,
)

F, R = Frequency, RiskTier


def control(
    frequency: Frequency = F.PER_EVENT,
    risk: RiskTier = R.MODERATE,
    kind: ControlKind = ControlKind.MANUAL,
) -> Control:
    return Control(
        id="C-1",
        title="t",
        criteria=("CC8.1",),
        frequency=frequency,
        kind=kind,
        nature="preventive",
        risk=risk,
    )


def size(
    frequency: Frequency,
    risk: RiskTier,
    confidence: float,
    population: int,
    *,
    kind: ControlKind = ControlKind.MANUAL,
    report_type: ReportType = ReportType.TYPE2,
    itgc_clean: bool = False,
) -> int:
    plan = plan_sample(
        control(frequency, risk, kind),
        population_size=population,
        confidence=confidence,
        report_type=report_type,
        itgc_clean=itgc_clean,
    )
    return plan.size


# -- the table, cell by cell (written out independently of SAMPLE_SIZES) -------------------

# (frequency, population N, {confidence: (low, moderate, high)})
TABLE = [
    (F.ANNUAL, 1000, {0.90: (1, 1, 1), 0.95: (1, 1, 1)}),
    (F.SEMIANNUAL, 1000, {0.90: (2, 2, 2), 0.95: (2, 2, 2)}),
    (F.QUARTERLY, 1000, {0.90: (2, 2, 4), 0.95: (2, 4, 4)}),
    (F.MONTHLY, 1000, {0.90: (2, 3, 5), 0.95: (3, 5, 7)}),
    (F.WEEKLY, 1000, {0.90: (5, 10, 15), 0.95: (10, 15, 20)}),
    (F.DAILY, 1000, {0.90: (20, 25, 40), 0.95: (25, 40, 53)}),
    (F.CONTINUOUS, 1000, {0.90: (1, 1, 1), 0.95: (1, 1, 1)}),
]
for _frequency in (F.PER_EVENT, F.MULTIPLE_DAILY):
    TABLE += [
        (_frequency, 3, {0.90: (3, 3, 3), 0.95: (3, 3, 3)}),  # N ≤ 4: all
        (_frequency, 4, {0.90: (4, 4, 4), 0.95: (4, 4, 4)}),
        (_frequency, 5, {0.90: (2, 3, 5), 0.95: (3, 5, 5)}),  # 95 % high 7, capped at N=5
        (_frequency, 12, {0.90: (2, 3, 5), 0.95: (3, 5, 7)}),
        (_frequency, 13, {0.90: (5, 10, 13), 0.95: (10, 13, 13)}),  # capped at N=13
        (_frequency, 52, {0.90: (5, 10, 15), 0.95: (10, 15, 20)}),
        (_frequency, 53, {0.90: (20, 25, 40), 0.95: (25, 40, 53)}),
        (_frequency, 250, {0.90: (20, 25, 40), 0.95: (25, 40, 53)}),
        (_frequency, 251, {0.90: (25, 40, 60), 0.95: (40, 60, 79)}),
        (_frequency, 1_000_000, {0.90: (25, 40, 60), 0.95: (40, 60, 79)}),
    ]
CELLS = [
    pytest.param(
        frequency,
        n,
        risk,
        confidence,
        expected[confidence][i],
        id=f"{frequency}-N{n}-{risk}-{confidence}",
    )
    for frequency, n, expected in TABLE
    for confidence in (0.90, 0.95)
    for i, risk in enumerate((R.LOW, R.MODERATE, R.HIGH))
]


@pytest.mark.parametrize(("frequency", "population", "risk", "confidence", "expected"), CELLS)
def test_sample_size_table(
    frequency: Frequency, population: int, risk: RiskTier, confidence: float, expected: int
) -> None:
    assert size(frequency, risk, confidence, population) == expected
    # an IT-dependent manual control is sized like a manual one
    assert size(frequency, risk, confidence, population, kind=ControlKind.IT_DEPENDENT_MANUAL) == (
        expected
    )


def test_every_frequency_is_in_the_table() -> None:
    assert {row[0] for row in TABLE} == set(Frequency)


def test_95_percent_column_follows_the_documented_rule() -> None:
    """95 %: low ← 90 % moderate, moderate ← 90 % high, high ← ceil(high × ln20/ln10)."""
    for row, columns in SAMPLE_SIZES.items():
        low, moderate, high = columns[0.90]
        bumped = math.ceil(high * math.log(20) / math.log(10))
        cap = ROW_CEILING.get(row, bumped)
        assert columns[0.95] == (moderate, high, min(bumped, cap)), row


def test_expansion_sizes_are_the_binomial_table_at_10_percent() -> None:
    """§2.2: smallest n whose P(≤ k deviations | 10 %) ≤ 1 − confidence."""

    def smallest(k: int, confidence: float) -> int:
        n = 1
        while sum(comb(n, i) * 0.1**i * 0.9 ** (n - i) for i in range(k + 1)) > 1 - confidence:
            n += 1
        return n

    for confidence in (0.90, 0.95):
        assert ZERO_DEVIATION_SIZE[confidence] == smallest(0, confidence)
        assert ONE_DEVIATION_SIZE[confidence] == smallest(1, confidence)


def test_plan_special_cases() -> None:
    auto = ControlKind.AUTOMATED
    # automated: one item only when the change and access ITGCs are clean
    assert size(F.DAILY, R.HIGH, 0.90, 300, kind=auto, itgc_clean=True) == 1
    assert size(F.DAILY, R.HIGH, 0.90, 300, kind=auto, itgc_clean=False) == 40
    assert size(F.DAILY, R.HIGH, 0.90, 300, itgc_clean=True) == 40  # manual ignores ITGCs
    # Type 1: one recent instance
    assert size(F.PER_EVENT, R.HIGH, 0.95, 5000, report_type=ReportType.TYPE1) == 1
    # capped by the population
    assert size(F.MONTHLY, R.HIGH, 0.90, 3) == 3
    assert size(F.DAILY, R.LOW, 0.90, 7) == 7
    # no occurrence: not testable, whatever the frequency or report type
    for frequency in Frequency:
        for report_type in ReportType:
            plan = plan_sample(
                control(frequency),
                population_size=0,
                confidence=0.9,
                report_type=report_type,
                itgc_clean=True,
            )
            assert not plan.testable and plan.size == 0
            assert plan.rule == "not testable: no occurrence in the period"


def test_plan_rule_cites_the_row_and_unit() -> None:
    plan = plan_sample(
        control(F.PER_EVENT, R.MODERATE),
        population_size=418,
        confidence=0.95,
        report_type=ReportType.TYPE2,
        itgc_clean=False,
    )
    assert plan.size == 60 and plan.testable
    assert plan.unit is PeriodUnit.MONTH
    assert "events>250" in plan.rule and "N=418" in plan.rule and "95%" in plan.rule
    assert "next tier up" in plan.rule and "\n" not in plan.rule
    capped = plan_sample(
        control(F.MONTHLY, R.HIGH),
        population_size=3,
        confidence=0.9,
        report_type=ReportType.TYPE2,
        itgc_clean=False,
    )
    assert capped.rule.endswith("capped at the population size 3")


def test_stratum_units() -> None:
    quarter = {F.QUARTERLY, F.SEMIANNUAL, F.ANNUAL}
    for frequency in Frequency:
        expected = PeriodUnit.QUARTER if frequency in quarter else PeriodUnit.MONTH
        assert stratum_unit(frequency) is expected


# -- selection -----------------------------------------------------------------------------

MONTHS = {f"2026-{m:02d}": 70 + 3 * m for m in range(1, 7)}


def test_same_seed_same_items_other_seed_other_items() -> None:
    first = select(MONTHS, 25, seed=7)
    assert select(dict(reversed(MONTHS.items())), 25, seed=7) == first  # frame order is irrelevant
    assert select(MONTHS, 25, seed=8) != first
    assert first == sorted(first)


def test_allocation_is_proportional_with_largest_remainder() -> None:
    picks = select({"a": 50, "b": 30, "c": 20}, 10, seed=1)
    assert Counter(label for label, _ in picks) == {"a": 5, "b": 3, "c": 2}
    # quotas 25×(0.5, 0.3, 0.2) = 12.5, 7.5, 5 → remainders go to the earlier stratum
    picks = select({"a": 50, "b": 30, "c": 20}, 25, seed=1)
    assert Counter(label for label, _ in picks) == {"a": 13, "b": 7, "c": 5}


def test_every_stratum_gets_one_when_size_allows() -> None:
    frame = {"2026-01": 1000, "2026-02": 1, "2026-03": 2, "2026-04": 0, "2026-05": 1}
    picks = select(frame, 4, seed=3)
    assert {label for label, _ in picks} == {"2026-01", "2026-02", "2026-03", "2026-05"}


def test_fewer_items_than_strata_still_spread_over_the_period() -> None:
    frame = {f"2026-{m:02d}": 10 for m in range(1, 13)}
    for seed in range(50):
        first, second = (label for label, _ in select(frame, 2, seed))
        assert first <= "2026-06" < second  # one in each half of the year


def test_recent_selection_takes_the_latest_stratum() -> None:
    picks = select_recent({"2026-01": 5, "2026-02": 9, "2026-03": 0}, 1, seed=4)
    assert len(picks) == 1 and picks[0][0] == "2026-02" and 0 <= picks[0][1] < 9
    assert select_recent({"a": 1, "b": 1}, 2, seed=0) == [("a", 0), ("b", 0)]


frames = st.dictionaries(
    st.sampled_from([f"2026-{m:02d}" for m in range(1, 13)]), st.integers(0, 60), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(frame=frames, size=st.integers(0, 400), seed=st.integers(0, 2**64))
def test_selection_properties(frame: dict[str, int], size: int, seed: int) -> None:
    picks = select(frame, size, seed)
    total = sum(frame.values())
    assert len(picks) == min(size, total)
    assert len(set(picks)) == len(picks)
    assert all(0 <= index < frame[label] for label, index in picks)
    assert picks == sorted(picks)
    nonempty = {label for label, count in frame.items() if count}
    if size >= len(nonempty):
        assert {label for label, _ in picks} == nonempty
    assert select(frame, size, seed) == picks


@settings(max_examples=150, deadline=None)
@given(
    frame=frames,
    size=st.integers(0, 60),
    extra=st.integers(0, 60),
    seed=st.integers(0, 2**32),
)
@example(frame={"2026-01": 1, "2026-02": 3}, size=2, extra=2, seed=0)  # a stratum used up
def test_expansion_draw_properties(frame: dict[str, int], size: int, extra: int, seed: int) -> None:
    drawn = select(frame, size, seed)
    more = select_expansion(frame, drawn, extra, expansion_seed(seed))
    total = sum(frame.values())
    assert len(more) == min(extra, total - len(drawn))
    assert not set(more) & set(drawn)
    assert len(set(more)) == len(more)
    assert all(0 <= index < frame[label] for label, index in more)
    assert select_expansion(frame, drawn, extra, expansion_seed(seed)) == more


def test_expanded_size() -> None:
    # §3.4: a planned 25 needs ~38–42 at 90 % and 46 at 95 % after one deviation
    assert expanded_size(25, 0.90, 10_000) == 41
    assert expanded_size(25, 0.95, 10_000) == 46
    assert expanded_size(20, 0.90, 10_000) == 38
    assert expanded_size(40, 0.90, 10_000) == 56  # a larger sample keeps its surplus
    assert expanded_size(60, 0.95, 10_000) == 77
    assert expanded_size(25, 0.90, 30) == 30  # capped by the population


def test_control_seed_is_stable_across_processes() -> None:
    code = "from mockaudit.fieldwork.sampling import control_seed;print(control_seed(7, 'CHG-01'))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": str(hash_seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for hash_seed in (0, 1)
    }
    assert outputs == {str(control_seed(7, "CHG-01"))}
    assert control_seed(7, "CHG-01") == 11746864586079679918
    assert control_seed(7, "CHG-02") != control_seed(7, "CHG-01") != control_seed(8, "CHG-01")


# -- detection probability -----------------------------------------------------------------


def exact(population: int, bad: int, sample: int) -> float:
    return 1 - comb(population - bad, sample) / comb(population, sample)


@pytest.mark.parametrize(
    ("population", "bad", "sample"),
    [(10, 1, 1), (10, 3, 4), (300, 12, 25), (418, 5, 40), (60, 59, 1), (1000, 1, 999)],
)
def test_detection_probability_matches_the_exact_formula(
    population: int, bad: int, sample: int
) -> None:
    assert detection_probability(population, bad, sample) == pytest.approx(
        exact(population, bad, sample), rel=1e-12, abs=1e-15
    )


def test_detection_probability_edges_and_scale() -> None:
    assert detection_probability(100, 0, 25) == 0.0
    assert detection_probability(100, 5, 0) == 0.0
    assert detection_probability(100, 5, 96) == 1.0  # n > N − K: a bad item must be drawn
    assert detection_probability(0, 0, 0) == 0.0
    # one bad item in a million, 25 drawn: 25 / 1,000,000
    assert detection_probability(1_000_000, 1, 25) == pytest.approx(25e-6, rel=1e-9)
    assert 0.999999 < detection_probability(5_000_000, 2_000_000, 60) <= 1.0
    with pytest.raises(ValueError, match="invalid"):
        detection_probability(10, 11, 1)


@settings(max_examples=300, deadline=None)
@given(
    population=st.integers(1, 3_000_000),
    bad_share=st.floats(0, 1),
    sample_share=st.floats(0, 1),
)
def test_detection_probability_is_monotone(
    population: int, bad_share: float, sample_share: float
) -> None:
    bad = min(
        population, int(bad_share * population) if population < 5000 else int(bad_share * 300)
    )
    sample = min(population, int(sample_share * 120))
    p = detection_probability(population, bad, sample)
    assert 0.0 <= p <= 1.0
    if sample < population:
        assert detection_probability(population, bad, sample + 1) >= p
    if bad < population:
        assert detection_probability(population, bad + 1, sample) >= p
    if sample > population - bad:
        assert p == 1.0
