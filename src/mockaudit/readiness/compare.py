"""Run comparison: which findings were fixed, which are new, which are still open.

Findings are matched on what they are about, not on their ids (each run numbers its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from mockaudit.domain import Finding, FindingCode
from mockaudit.domain.comparison import Comparison

_PER_ITEM = {FindingCode.SAMPLE_DEVIATION, FindingCode.EVIDENCE_MISSING}


def _identity(f: Finding) -> tuple[object, ...]:
    """What a finding is about. Item findings are one item each; for the others the
    title with its numbers blanked tells apart findings on one subject (two blank
    fields of a population) without turning a partial fix ("3 rows" → "2 rows") into
    a fixed finding plus a new one."""
    subject = (f.code, f.control, f.population, f.policy, f.risk)
    if f.code in _PER_ITEM:
        return (*subject, tuple(sorted(f.items)))
    return (*subject, re.sub(r"\d+", "#", f.title))


def identity_key(f: Finding) -> str:
    """A finding's identity as text: the key a remediation record follows across runs."""
    return json.dumps(_identity(f), default=str, separators=(",", ":"))


def compare(previous: Sequence[Finding], current: Sequence[Finding]) -> Comparison:
    """Findings fixed since, new since, and still open — matched on what they are about."""
    before = {_identity(f): f for f in previous}
    after = {_identity(f): f for f in current}
    return Comparison(
        fixed=[f for k, f in before.items() if k not in after],
        new=[f for k, f in after.items() if k not in before],
        still_open=[f for k, f in after.items() if k in before],
    )
