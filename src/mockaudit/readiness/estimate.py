"""How many business days fieldwork would take: low, expected and high.

Why a formula and not a model: a team should be able to redo the arithmetic
and see which lever shortens fieldwork (soc2-audit-process.txt: "clean,
complete, well-organized evidence makes fieldwork fast — often one to three
weeks — while gaps and inconsistent populations drag it out with rounds of
follow-up requests").

The estimate, in business days::

    base     = PBC_WINDOW (5) + SAMPLE_TURNAROUND (2)     # initial requests, then samples
    testing  = ceil(controls tested / CONTROLS_PER_DAY (15))
    R        = follow-up rounds in the request log
    W        = populations with a completeness/accuracy finding (weak IPE)
    M        = requests answered partly or not at all

    low      = base + testing + 1·R                       # every round answered next day
    expected = base + testing + 2·R + ceil(W / 2) + ceil(M / 10)
    high     = base + testing + 3·R + W + ceil(M / 5)

One round costs 1–2 business days of client turnaround (soc2-domain.md §3.1,
[S25]) plus the auditor's review; ``expected`` takes two days a round, ``low``
one and ``high`` three (a slipped answer). Weak populations "add rounds"
(§3.2: unreliable IPE → expanded procedures, extra requests, delays): each costs
about half a day of extra completeness work expected, a full day at worst.
Unanswered requests mean chasing. A clean 42-control program lands at 10 days,
inside the guide's one-to-three weeks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mockaudit.domain.findings import Finding, FindingCode
from mockaudit.domain.run import (
    ControlConclusion,
    ControlTest,
    FieldworkDays,
    Request,
    RequestKind,
    RequestStatus,
)

PBC_WINDOW = 5
SAMPLE_TURNAROUND = 2
CONTROLS_PER_DAY = 15

WEAK_POPULATION_CODES = frozenset(
    {
        FindingCode.POPULATION_COUNT_MISMATCH,
        FindingCode.POPULATION_PERIOD_GAP,
        FindingCode.POPULATION_WEAK_SOURCE,
        FindingCode.POPULATION_EXTRACTED_EARLY,
        FindingCode.POPULATION_DUPLICATE,
        FindingCode.POPULATION_OUT_OF_PERIOD,
        FindingCode.POPULATION_MISSING_FIELD,
    }
)


def follow_up_rounds(requests: Sequence[Request]) -> int:
    """How many rounds issued at least one follow-up request."""
    return len({r.round for r in requests if r.kind is RequestKind.FOLLOW_UP})


def weak_populations(findings: Sequence[Finding]) -> int:
    """Populations with at least one completeness-and-accuracy finding."""
    return len({f.population for f in findings if f.population and f.code in WEAK_POPULATION_CODES})


def unanswered(requests: Sequence[Request]) -> int:
    """Requests the client answered only in part or not at all."""
    lacking = {RequestStatus.PARTIAL, RequestStatus.NOT_AVAILABLE, RequestStatus.OPEN}
    return sum(1 for r in requests if r.status in lacking)


def fieldwork_days(
    requests: Sequence[Request], findings: Sequence[Finding], tests: Sequence[ControlTest]
) -> FieldworkDays:
    """Low / expected / high business days of fieldwork (formula in the module docstring)."""
    tested = sum(1 for t in tests if t.conclusion is not ControlConclusion.NOT_TESTABLE)
    base = PBC_WINDOW + SAMPLE_TURNAROUND + math.ceil(tested / CONTROLS_PER_DAY)
    rounds = follow_up_rounds(requests)
    weak = weak_populations(findings)
    missing = unanswered(requests)
    return FieldworkDays(
        low=base + rounds,
        expected=base + 2 * rounds + math.ceil(weak / 2) + math.ceil(missing / 10),
        high=base + 3 * rounds + weak + math.ceil(missing / 5),
    )
