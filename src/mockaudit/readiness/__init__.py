"""What the simulated auditor concludes: score, likely opinion, fieldwork length, timeline.

``conclude`` composes the four small modules; each holds one rule set and
documents where it comes from (soc2-domain.md §3, soc2-audit-process.txt).
Readiness never touches files: it reads the findings, tests and requests the
fieldwork engine produced, and the program.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mockaudit.domain import Program
from mockaudit.domain.findings import Finding
from mockaudit.domain.run import ControlConclusion, ControlCounts, ControlTest, Readiness, Request
from mockaudit.readiness.distribution import DEFAULT_SAMPLES, simulate
from mockaudit.readiness.estimate import fieldwork_days, follow_up_rounds
from mockaudit.readiness.evaluation import Context, outcomes
from mockaudit.readiness.opinion import conclusions, criterion_map, likely_opinion, notes
from mockaudit.readiness.scoring import score
from mockaudit.readiness.timeline import timeline

__all__ = [
    "conclude",
    "control_counts",
    "criterion_map",
    "fieldwork_days",
    "likely_opinion",
    "score",
    "simulate",
    "timeline",
]


def control_counts(program: Program, tests: Sequence[ControlTest]) -> ControlCounts:
    """How many controls ended each way; an untested control counts as not testable."""
    verdicts = list(conclusions(program, tests).values())
    return ControlCounts(
        total=len(verdicts),
        no_exceptions=verdicts.count(ControlConclusion.NO_EXCEPTIONS),
        exceptions=verdicts.count(ControlConclusion.EXCEPTIONS),
        not_testable=verdicts.count(ControlConclusion.NOT_TESTABLE),
    )


def conclude(
    findings: Sequence[Finding],
    tests: Sequence[ControlTest],
    requests: Sequence[Request],
    program: Program,
    *,
    as_of: date,
    window_months: int = 6,
    seed: int = 0,
    samples: int = DEFAULT_SAMPLES,
) -> Readiness:
    """The readiness block of a run (findings should already be numbered F-0001…).

    The likely opinion is the most probable one over ``samples`` simulated auditor
    samples drawn with ``seed`` (readiness/distribution.py); ``opinion_rule`` and
    ``grounds`` explain it with the seeded run's own evaluation when that run reached
    the same opinion, else with the first simulated sample that did.
    """
    value, weights = score(findings, tests)
    context = Context.of(program, findings)
    distribution, case = simulate(
        context,
        outcomes(program, tests, findings),
        tests,
        report_type=program.engagement.report_type,
        confidence=program.engagement.confidence,
        seed=seed,
        samples=samples,
        notes=notes(findings),
    )
    share = distribution.probabilities[distribution.most_likely.value]
    return Readiness(
        score=value,
        likely_opinion=distribution.most_likely,
        opinion_rule=f"{case.rule}; most probable in {share:.0%} of {samples:,} simulated samples",
        fieldwork_days=fieldwork_days(requests, findings, tests),
        follow_up_rounds=follow_up_rounds(requests),
        controls=control_counts(program, tests),
        criteria=criterion_map(program, tests),
        weights=weights,
        timeline=timeline(
            findings,
            program.engagement,
            as_of=as_of,
            window_months=window_months,
            desks={c.id: c.owner for c in program.controls if c.owner},
        ),
        grounds=case.grounds,
        opinion_distribution=distribution,
    )
