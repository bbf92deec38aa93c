"""Issue 23: CLI progress shows counts, percentage and rate, is erased at the end, goes to
stderr only when it is a terminal, and the audit and the package report through it."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console

from mockaudit.cli import progress as cli_progress
from mockaudit.cli.progress import StageProgress
from mockaudit.domain.progress import StageProgress as StageProgressFn
from mockaudit.session import Session, audit_folder
from tests.conftest import FAST_KDF
from tests.tui.helpers import SCENARIO, TODAY

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100, color_system=None), out


def test_the_display_counts_rates_and_is_erased() -> None:
    console, out = _terminal()
    now = [0.0]
    progress = StageProgress(console, clock=lambda: now[0], auto_refresh=False)
    progress("rows", 0, 40_000)
    for second, done in ((1.0, 10_000), (2.0, 20_000)):
        now[0] = second
        progress("rows", done, 40_000)
        progress.progress.refresh()
    shown = ANSI.sub("", out.getvalue())
    assert "rows" in shown and "20,000 / 40,000" in shown and "50%" in shown
    assert "10,000/s" in shown
    now[0] = 3.0
    progress("files", 7, 0)  # the next stage, total unknown: a count
    progress.progress.refresh()
    assert "7 " in ANSI.sub("", out.getvalue()).split("files")[-1]
    before = len(out.getvalue())
    progress.close()
    progress.close()  # twice is harmless
    erased = out.getvalue()[before:]
    # the last frame is drawn, then the cursor goes back up over its one line (the earlier
    # stage is hidden) and erases it: nothing is left in front of the command's output
    assert erased.endswith("\x1b[1A\x1b[2K")


def test_silent_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli_progress.stage_progress() is None
    with cli_progress.progress_on_stderr() as progress:
        assert progress is None


def _recorder() -> tuple[list[tuple[str, int, int]], StageProgressFn]:
    heard: list[tuple[str, int, int]] = []
    return heard, lambda stage, done, total: heard.append((stage, done, total))


def _stages(heard: list[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """The last (done, total) each stage reported."""
    return {stage: (done, total) for stage, done, total in heard}


def test_audit_and_package_report_counts_with_their_totals(tmp_path: Path) -> None:
    heard, listen = _recorder()
    run = audit_folder(SCENARIO, seed=7, as_of=TODAY, progress=listen)
    stages = _stages(heard)
    controls = len(run.tests)
    assert stages["testing controls"] == (controls, controls)
    done, total = stages["reviewing populations"]
    assert done == total > 0

    with Session.create(tmp_path / "vault", "progress passphrase", kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
        heard, listen = _recorder()
        session.run_audit(seed=7, as_of=TODAY, progress=listen)
        assert _stages(heard)["testing controls"] == (controls, controls)
        heard, listen = _recorder()
        report = session.write_package(tmp_path / "p.zip", progress=listen)
    packaging = [(d, t) for stage, d, t in heard if stage == "packaging files"]
    assert packaging[0] == (0, report.files) and packaging[-1] == (report.files, report.files)
    assert [d for d, _ in packaging] == list(range(report.files + 1))
