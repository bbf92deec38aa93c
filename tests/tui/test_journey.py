"""Acceptance 1: the main journey with real key presses, asserting on what the screen shows.

create a vault → import the demo scenario → run a mock audit → open the worst finding
→ export XLSX.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.tui.screens.dashboard import DashboardScreen
from mockaudit.tui.screens.findings import FindingScreen, FindingsScreen
from tests.tui.helpers import SCENARIO, screen_text, settle, tui_app

PASSPHRASE = "Q7!zx-Lp9#k"  # short to type, still "Strong"


async def test_create_import_run_open_worst_and_export_xlsx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "northwind").symlink_to(SCENARIO, target_is_directory=True)
    app = tui_app(tmp_path / "vault")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Create a new vault" in screen_text(app)

        # create: passphrase, confirm; the strength hint reacts while typing
        await pilot.press(*PASSPHRASE)
        assert "Strong" in screen_text(app)
        await pilot.press("enter", *PASSPHRASE, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        shown = screen_text(app)
        assert "Created the vault 'vault'" in shown
        assert "no program yet" in shown
        assert (tmp_path / "vault" / "vault.key").is_file()

        # import: the dialog takes a folder path, completed with → (the suggester)
        await pilot.press("i", "n", "o")
        await settle(pilot)
        await pilot.press("right")
        assert "northwind/" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "Imported northwind: program v1, 14 populations" in shown
        assert "No audit run yet for Northwind Cloud Inc." in shown

        # run: the fieldwork screen shows the seed; r runs with it
        await pilot.press("4")
        await settle(pilot)
        assert "Seed" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        shown = screen_text(app)
        assert "seed 7" in shown
        assert "PBC-001" in shown  # the request inbox of the new run
        await pilot.press("1")
        await settle(pilot)
        shown = screen_text(app)
        assert "QUALIFIED" in shown
        # Northwind, seed 7 (issue 14: GOV-01, CHG-01 changed; issue 19: vendors and description)
        assert "31.8 / 100" in shown
        assert "Top gaps" in shown

        # the worst finding: findings are sorted worst first; enter opens the highlighted one
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingScreen)
        shown = screen_text(app)
        assert "No control is mapped to C1.1" in shown
        assert "HIGH" in shown
        assert "Remediation:" in shown
        await pilot.press("escape")

        # export XLSX through the dialog (format XLSX is the default for findings)
        await pilot.press("e")
        await settle(pilot)
        assert "Export" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        out = tmp_path / "vault-exports" / "findings.xlsx"  # beside the vault, not the cwd
        assert f"Wrote {out}" in screen_text(app)

        # lock: the vault made at the start now asks to be unlocked, not created
        await pilot.press("ctrl+l")
        await settle(pilot)
        shown = screen_text(app)
        assert "Unlock the vault" in shown and "Create" not in shown
        assert not app.gate.is_open

    from openpyxl import load_workbook

    book = load_workbook(out, read_only=True)
    titles = [
        str(c.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value
    ]
    assert any("No control is mapped to C1.1" in t for t in titles)
