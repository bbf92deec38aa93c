"""Issue 23: the task bar shows a percentage where the total is known — the audit run
(populations reviewed, controls tested) and the evidence package (files written), like the
import before them."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.message import Message

from mockaudit.session import Session
from mockaudit.tui import jobs
from mockaudit.tui.messages import JobFinished, ProgressChanged
from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import TODAY, settle, tui_app


async def test_pressing_r_reports_controls_tested_out_of_how_many(
    demo_vault: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(demo_vault, vault)
    heard: list[Message] = []
    app = tui_app(vault, passphrase=DEMO_PASSPHRASE)
    async with app.run_test(size=(80, 24), message_hook=heard.append) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
    assert any(isinstance(m, JobFinished) and m.job == "run" for m in heard)
    known = [m for m in heard if isinstance(m, ProgressChanged) and m.job == "run" and m.total]
    assert known, "the run never said how far it was"
    assert all(0 <= m.done <= (m.total or 0) for m in known)
    assert {m.label.split(": ")[-1] for m in known} <= {
        "reviewing populations",
        "testing controls",
    }


def test_package_export_reports_files_written_out_of_all(demo_vault: Path, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(demo_vault, vault)
    heard: list[tuple[int, int | None, str]] = []
    with Session.open(vault, DEMO_PASSPHRASE) as session:
        outcome = jobs.export(
            session, "package", "zip", tmp_path / "out" / "package.zip", lambda *a: heard.append(a)
        )
        run = jobs.run_audit(session, 7, TODAY, lambda *a: heard.append(a))
    assert "package.zip" in outcome.text
    files = [(d, t) for d, t, stage in heard if stage == "packaging files"]
    assert files[-1][0] == files[-1][1] and (files[-1][1] or 0) > 0
    tested = [(d, t) for d, t, stage in heard if stage == "testing controls"]
    assert tested[-1][0] == tested[-1][1] and (tested[-1][1] or 0) > 0
    assert "seed 7" in run.text
