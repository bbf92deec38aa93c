"""Exporting the findings of a ``large`` generated scenario's run stays well under 10 s a format.

Soak-marked: generating and auditing the scenario takes ~25 s; the exports
themselves take well under a second each (see the issue 5 notes for figures).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from mockaudit.export import formats
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import audit_folder, generate_scenario

BUDGET_S = 10.0


@pytest.mark.soak
def test_large_run_exports_within_budget(tmp_path: Path) -> None:
    folder = tmp_path / "large"
    generate_scenario(folder, seed=11, size="large", defects=0.05)
    run = audit_folder(folder, seed=7, as_of=date(2026, 7, 15))
    program = load_scenario(folder).program
    assert len(run.findings) > 50 and len(run.requests) > 50
    timings: dict[str, float] = {}
    for fmt in ("csv", "json", "md", "xlsx"):
        start = time.perf_counter()
        formats.write_findings(run, program, fmt, tmp_path / f"findings.{fmt}")
        timings[fmt] = time.perf_counter() - start
    for fmt in ("csv", "xlsx"):
        start = time.perf_counter()
        formats.write_requests(run, fmt, tmp_path / f"requests.{fmt}")
        timings[f"requests.{fmt}"] = time.perf_counter() - start
    slow = {name: seconds for name, seconds in timings.items() if seconds >= BUDGET_S}
    assert not slow, f"exports over {BUDGET_S} s: {slow}"
