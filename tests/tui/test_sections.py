"""The fieldwork inbox and the vault screen, driven by keys on a copy of the demo vault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer

from mockaudit.tui.screens.findings import FindingScreen, FindingsScreen
from mockaudit.tui.widgets.attach import AttachScreen
from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import screen_text, settle, tui_app


@pytest.fixture
def vault_copy(demo_vault: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_vault, tmp_path / "vault"))


def _row(table: DataTable[object], key: str) -> dict[str, str]:
    """The row's cells by column label (the columns shown depend on the width)."""
    labels = [str(column.label) for column in table.columns.values()]
    return dict(zip(labels, (str(cell) for cell in table.get_row(key)), strict=True))


async def test_requests_are_answered_from_the_inbox(vault_copy: Path) -> None:
    app = tui_app(vault_copy, passphrase=DEMO_PASSPHRASE, start_section="fieldwork")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "seed 7" in shown and "PBC-001" in shown
        assert "round 1 · issued day 0" in shown  # the simulated clock

        await pilot.press("n")  # PBC-001 is not available
        await settle(pilot)
        table = app.screen.query_one("#requests", DataTable)
        assert _row(table, "PBC-001")["answer"] == "not available"

        await pilot.press("down", "a")  # attach vault evidence to PBC-002
        await settle(pilot)
        assert isinstance(app.screen, AttachScreen)
        await pilot.press("enter", "ctrl+s")  # tick the first file, attach
        await settle(pilot)
        table = app.screen.query_one("#requests", DataTable)
        assert _row(table, "PBC-002")["answer"] == "provided"
        assert "Your answer: provided" in screen_text(app)

        run_id = app.gate.call(lambda s: s.run().id)
        answers = app.gate.call(lambda s: s.responses(run_id))
        assert answers["PBC-001"].status == "not_available"
        assert len(answers["PBC-002"].evidence_ids) == 1

        # the mouse works too: the section bar, then a double click opens a finding
        await pilot.click("#navbar", offset=(65, 0))
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        await pilot.click("#findings-table", offset=(10, 2))
        await pilot.click("#findings-table", offset=(10, 2))
        await settle(pilot)
        assert isinstance(app.screen, FindingScreen)


async def test_vault_adds_a_file_linked_to_a_control_and_verifies(
    vault_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    note = tmp_path / "change-approval.txt"
    note.write_text("approved by the CAB on 2026-03-02\n")
    app = tui_app(vault_copy, passphrase=DEMO_PASSPHRASE, start_section="vault")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "71 of 71" in screen_text(app)
        await pilot.press("slash", *"count")
        await settle(pilot)
        assert "13 of 71" in screen_text(app)  # the IPE count screenshots
        app.screen.query_one("#vault-search").value = ""  # type: ignore[attr-defined]
        app.screen.query_one("#evidence").focus()

        await pilot.press("a")
        await pilot.press("c", "h")
        await settle(pilot)  # the path suggester completes the file name: → accepts it
        await pilot.press("right", "enter", *"CHG-01", "enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "Added 1 file(s): EV-000072" in shown
        assert "72 of 72" in shown

        await pilot.press("v")
        await settle(pilot)
        assert "Re-hashed 72 blobs against custody: no problems" in screen_text(app)


async def test_a_narrow_terminal_still_shows_quit_in_the_footer(vault_copy: Path) -> None:
    """At 80 columns the footer drops its spacing, so the dashboard's keys up to
    "q Quit" fit; at 120 it keeps the roomy layout."""
    app = tui_app(vault_copy, passphrase=DEMO_PASSPHRASE, start_section="dashboard")
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(Footer).compact
        assert "q Quit" in screen_text(app).splitlines()[-1]
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        assert not app.screen.query_one(Footer).compact
