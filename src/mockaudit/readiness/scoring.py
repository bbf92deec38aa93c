"""The readiness score: explainable (a weight per finding) and monotone (fixing never hurts).

Why a list of weights rather than a model: a team must see *why* it scored 71.5
and which fix buys the most points, so every finding shows the points it takes
off and ``score = 100 − Σ shown weights``.

How: each finding has a raw weight (table below); with W = Σ raw weights and a
program scale S,

    score = 100 × exp(−W / S),      S = 100 + 2 × (number of controls tested)

and the points lost, 100 − score, are shared among the findings in proportion
to their raw weights. The exponential saturates, so a small program with a
realistic 5% defect rate scores low but not zero, and the scale grows with the
program because one finding weighs less in a 90-control program than in a
10-control one. One high finding alone costs 100·(1 − e^(−8/S)) ≈ 5–8 points.

Why monotone: fixing a finding must never lower the score, or people stop
trusting it. Raw weights are positive and the only ones that depend on other
findings are shares of a group total that grows with the group, so removing any
finding lowers W, and the score rises (tests/readiness/test_scoring.py checks
it with hypothesis over random finding lists).

Raw weight table:

=================  ======  =========================================================
severity           base    why
=================  ======  =========================================================
high               8       blocks the audit or becomes an exception (§3.4, §6.1)
medium             3       a follow-up round or a likely exception (§6.3)
low                1       housekeeping an auditor notes but rarely raises
=================  ======  =========================================================

Code factors multiply the base: ``scope.criterion_uncovered`` ×1.5 (a missing
control is a design deficiency, "more serious" per soc2-domain.md §6.2);
``scope.too_broad`` and ``walkthrough.divergence`` ×0.5 (they cost time, or
are a rehearsal answer, not an exception in the report).

Per-item codes (``sample.deviation``, ``evidence.missing``,
``evidence.integrity``, ``reconciliation.break``) are raised once per item, so
one control with 40 bad items would otherwise dominate the score. Findings of
such a code that share a subject (control, else population, else policy) and a
severity form a group whose total is ``base × factor × g(n)`` with
``g(n) = 3 − 2/√n`` (g(1) = 1, g(4) = 2, g(40) ≈ 2.68, never above 3), split
equally among the n findings. ``g`` strictly increases, so fixing any one item
still raises the score.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from mockaudit.domain.findings import Finding, FindingCode, Severity
from mockaudit.domain.run import ControlTest, FindingWeight

SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 3.0,
    Severity.LOW: 1.0,
}

CODE_FACTOR: dict[FindingCode, float] = {
    FindingCode.SCOPE_CRITERION_UNCOVERED: 1.5,
    FindingCode.SCOPE_TOO_BROAD: 0.5,
    FindingCode.WALKTHROUGH_DIVERGENCE: 0.5,
}

PER_ITEM_CODES: frozenset[FindingCode] = frozenset(
    {
        FindingCode.SAMPLE_DEVIATION,
        FindingCode.EVIDENCE_MISSING,
        FindingCode.EVIDENCE_INTEGRITY,
        FindingCode.RECONCILIATION_BREAK,
    }
)

SCALE_BASE = 100.0
SCALE_PER_CONTROL = 2.0

GROUP_CEILING = 3.0
"""A group of per-item findings never costs more than this many times one finding."""

WEIGHT_DECIMALS = 6
"""Weights are shown to 6 decimals; the score itself is computed from exact weights."""

_GroupKey = tuple[FindingCode, str, Severity]


def group_factor(count: int) -> float:
    """g(n) = 3 − 2/√n: 1 for one finding, rising ever more slowly towards 3."""
    return GROUP_CEILING - (GROUP_CEILING - 1.0) / math.sqrt(count)


def base_weight(finding: Finding) -> float:
    """The weight one finding would have on its own: severity base × code factor."""
    return SEVERITY_WEIGHT[finding.severity] * CODE_FACTOR.get(finding.code, 1.0)


def finding_label(finding: Finding) -> str:
    """The finding's id, or a stable description when the engine has not numbered it yet."""
    if finding.id:
        return finding.id
    subject = finding.control or finding.population or finding.policy or finding.risk or ""
    item = finding.items[0] if finding.items else ""
    return ":".join(part for part in (finding.code.value, subject, item) if part)


def _group_key(finding: Finding) -> _GroupKey | None:
    if finding.code not in PER_ITEM_CODES:
        return None
    subject = finding.control or finding.population or finding.policy or finding.risk or ""
    return (finding.code, subject, finding.severity)


def raw_weights(findings: Sequence[Finding]) -> list[float]:
    """Each finding's exact weight, in the order given (the score is computed from these)."""
    keys = [_group_key(f) for f in findings]
    sizes = Counter(key for key in keys if key is not None)
    out: list[float] = []
    for finding, key in zip(findings, keys, strict=True):
        weight = base_weight(finding)
        if key is not None:
            weight *= group_factor(sizes[key]) / sizes[key]
        out.append(weight)
    return out


def scale(tests: Sequence[ControlTest]) -> float:
    """S in the module docstring: bigger programs absorb more findings per point."""
    return SCALE_BASE + SCALE_PER_CONTROL * len(tests)


def score(
    findings: Sequence[Finding], tests: Sequence[ControlTest]
) -> tuple[float, tuple[FindingWeight, ...]]:
    """The readiness score (0–100, two decimals) and the points each finding takes off."""
    exact = raw_weights(findings)
    total = math.fsum(exact)
    value = 100.0 * math.exp(-total / scale(tests))
    lost = 100.0 - value
    shown = tuple(  # built without re-validation: tens of thousands on a large scan
        FindingWeight.model_construct(
            finding=finding_label(f), weight=round(lost * w / total, WEIGHT_DECIMALS)
        )
        for f, w in zip(findings, exact, strict=True)
    )
    return round(value, 2), shown
