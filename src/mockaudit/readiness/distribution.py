"""The opinion over many simulated auditor samples, not one draw.

A real auditor draws one sample per control; whether it contains a deviating
item is luck. The full-population scan knows every deviating row of a control's
frame (``ControlTest.frame_deviations``, K of the in-period N), so the chance of
each verdict of ``domain.tolerable.judge`` is exact:

* the planned sample of n items holds d deviations with the hypergeometric
  probability C(K, d)·C(N−K, n−d) / C(N, n);
* d = 1 in a sample of at least ``EXPANSION_MINIMUM`` expands it to
  ``expanded_size`` (§3.4); the extra items hold no further deviation with
  probability C(N−n−(K−1), e) / C(N−n, e) — effective with an exception noted;
* anything else is not effective.

Population-level facts stay fixed in every simulated sample: missed occurrences,
scope limitations, design and description facts, controls tested in full (the
whole population) and controls without a population. Each simulated sample
redraws every control whose verdict depends on the sample, then runs the same
per-criterion evaluation and opinion rule as the seeded run (``evaluation``,
``opinion.decide``). A sample's verdicts are drawn from one ``random.Random(seed)``,
so the same seed gives the same distribution; identical verdict combinations are
evaluated once.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from mockaudit.domain.enums import ReportType
from mockaudit.domain.run import (
    ControlConclusion,
    ControlTest,
    Ground,
    GroundKind,
    GroundProbability,
    Opinion,
    OpinionDistribution,
)
from mockaudit.domain.tolerable import Verdict, expanded_size, judge
from mockaudit.readiness.evaluation import Context, Outcome, summary_text
from mockaudit.readiness.opinion import decide

DEFAULT_SAMPLES: Final = 1000
"""Simulated samples per run (the issue's default)."""

TOP_GROUNDS: Final = 12
"""Grounds kept in the distribution, most probable first."""

_SEVERITY: Final = {
    Opinion.UNQUALIFIED: 0,
    Opinion.QUALIFIED: 1,
    Opinion.ADVERSE: 2,
    Opinion.DISCLAIMER: 3,
}

_GroundKey = tuple[str, GroundKind, tuple[str, ...], str]


@dataclass(frozen=True)
class Chances:
    """One control's verdict probabilities over the auditor's possible samples."""

    control: str
    clean: float  # no deviation in the sample
    tolerated: float  # one deviation, none in the expansion: effective, exception noted

    def draw(self, u: float) -> int:
        """0 clean, 1 tolerated, 2 not effective, for a uniform ``u`` in [0, 1)."""
        if u < self.clean:
            return 0
        return 1 if u < self.clean + self.tolerated else 2


@dataclass(frozen=True)
class Simulated:
    """What one combination of verdicts concludes."""

    opinion: Opinion
    rule: str
    grounds: tuple[Ground, ...]


def log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeometric(population: int, bad: int, sample: int, hits: int) -> float:
    """P(exactly ``hits`` of ``bad`` items in a sample of ``sample`` from ``population``)."""
    if hits < 0 or hits > bad or hits > sample or sample - hits > population - bad:
        return 0.0
    return math.exp(
        log_comb(bad, hits)
        + log_comb(population - bad, sample - hits)
        - log_comb(population, sample)
    )


def chances(test: ControlTest, confidence: float) -> Chances:
    """The verdict probabilities of ``judge`` for a fresh sample of ``test``'s plan."""
    n, big_n, k = test.planned_size, test.population_size, test.frame_deviations
    clean = hypergeometric(big_n, k, n, 0)
    one = hypergeometric(big_n, k, n, 1)
    tolerated = 0.0
    if judge(planned=n, deviations=1, expanded=False) is Verdict.EXPAND:
        extra = expanded_size(n, confidence, big_n) - n
        if extra > 0:
            after = judge(planned=n, deviations=1, expanded=True)
            no_more = hypergeometric(big_n - n, k - 1, extra, 0)
            if after is Verdict.EFFECTIVE_WITH_EXCEPTION:
                tolerated = one * no_more
    return Chances(test.control, clean, tolerated)


def varies(test: ControlTest, report_type: ReportType) -> bool:
    """Whether another sample could conclude differently (module docstring)."""
    return (
        report_type is ReportType.TYPE2
        and test.conclusion is not ControlConclusion.NOT_TESTABLE
        and not test.scope_limited
        and 0 < test.planned_size < test.population_size
        and 0 < test.frame_deviations <= test.population_size
    )


def simulate(
    context: Context,
    seeded: Mapping[str, Outcome],
    tests: Sequence[ControlTest],
    *,
    report_type: ReportType,
    confidence: float,
    seed: int,
    samples: int = DEFAULT_SAMPLES,
    notes: Sequence[str] = (),
) -> tuple[OpinionDistribution, Simulated]:
    """The distribution over ``samples`` simulated samples, and the most likely opinion's case.

    The case returned explains the most probable opinion: the seeded run's own
    evaluation when it reached that opinion, else the first simulated sample that did.
    """
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    varying = [
        chances(t, confidence) for t in tests if t.control in seeded and varies(t, report_type)
    ]
    rng = random.Random(seed)
    cache: dict[tuple[int, ...], Simulated] = {}
    opinions: Counter[Opinion] = Counter()
    hits: Counter[_GroundKey] = Counter()
    first: dict[Opinion, Simulated] = {}
    for _ in range(samples):
        combo = tuple(c.draw(rng.random()) for c in varying)
        case = cache.get(combo)
        if case is None:
            case = _evaluate(context, seeded, varying, combo, notes)
            cache[combo] = case
        opinions[case.opinion] += 1
        first.setdefault(case.opinion, case)
        for key in dict.fromkeys(_key(g) for g in case.grounds):
            hits[key] += 1
    most = max(opinions, key=lambda o: (opinions[o], _SEVERITY[o]))
    own = Simulated(*decide(context, seeded, notes=notes))
    distribution = OpinionDistribution(
        samples=samples,
        seed=seed,
        probabilities={o.value: round(opinions[o] / samples, 4) for o in Opinion},
        most_likely=most,
        grounds=_top(hits, samples),
        varying=tuple(c.control for c in varying),
        seeded_opinion=own.opinion,
    )
    return distribution, own if own.opinion is most else first[most]


def _evaluate(
    context: Context,
    seeded: Mapping[str, Outcome],
    varying: Sequence[Chances],
    combo: tuple[int, ...],
    notes: Sequence[str],
) -> Simulated:
    results = dict(seeded)
    for chance, verdict in zip(varying, combo, strict=True):
        results[chance.control] = seeded[chance.control].with_verdict(verdict < 2, None)
    return Simulated(*decide(context, results, notes=notes))


def _key(ground: Ground) -> _GroundKey:
    return (ground.criterion, ground.kind, ground.controls, summary_text(ground))


def _top(hits: Counter[_GroundKey], samples: int) -> tuple[GroundProbability, ...]:
    """Grounds by probability; criteria with the same cause and the same count merged."""
    merged: dict[tuple[GroundKind, tuple[str, ...], str, int], list[str]] = {}
    for (crit, kind, controls, text), count in hits.items():
        merged.setdefault((kind, controls, text, count), []).append(crit)
    ranked = sorted(merged.items(), key=lambda kv: -kv[0][3])[:TOP_GROUNDS]
    return tuple(
        GroundProbability(
            criteria=tuple(crits),
            kind=kind,
            controls=controls,
            text=text,
            probability=round(count / samples, 4),
        )
        for (kind, controls, text, count), crits in ranked
    )
