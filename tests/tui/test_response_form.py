"""Pilot: open a finding, press r, write management's response with owner and due date,
then mark it remediated — stored through the session (issue 18)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from mockaudit.domain.remediation import RemediationStatus
from mockaudit.tui.screens.findings import FindingScreen, FindingsScreen
from mockaudit.tui.screens.response_form import ResponseForm
from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import screen_text, settle, tui_app


@pytest.fixture
def vault_copy(demo_vault: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_vault, tmp_path / "vault"))


async def test_write_a_response_then_mark_it_remediated(vault_copy: Path) -> None:
    app = tui_app(vault_copy, passphrase=DEMO_PASSPHRASE, start_section="findings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        table = app.screen.query_one("#findings-table", DataTable)
        finding_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingScreen)

        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ResponseForm)
        form.query_one("#response-owner", Select).value = "kenji"
        form.query_one("#response-due", Input).value = "2026-08-15"
        form.query_one("#response-cause", Input).value = "Weekly offboarding batch"
        form.query_one("#response-text", Input).value = "Same-day removal from the HR feed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"{finding_id}: response saved (open)" in screen_text(app)

        (record,) = app.gate.call(lambda s: s.remediations(overdue_on=date(2026, 8, 16)))
        assert (record.finding_id, record.owner, record.due) == (
            finding_id,
            "kenji",
            date(2026, 8, 15),
        )
        assert record.response == "Same-day removal from the HR feed"

        await pilot.press("r")  # the finding screen is still open
        await settle(pilot)
        assert isinstance(app.screen, ResponseForm)
        app.screen.query_one("#response-due", Input).value = "15 Aug"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not YYYY-MM-DD" in screen_text(app)  # nothing saved, the form stays
        assert isinstance(app.screen, ResponseForm)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        app.screen.query_one("#findings-remediation", Select).value = "overdue"
        await settle(pilot)
        assert "Nothing matches." in screen_text(app)  # due 2026-08-15, today 2026-07-20
        await pilot.press("1")
        await settle(pilot)
        assert "Remediation: 1 open" in screen_text(app) and "overdue:" not in screen_text(app)

    # the clock moves on (--as-of): the response is overdue, then remediated with evidence
    later = tui_app(
        vault_copy, passphrase=DEMO_PASSPHRASE, start_section="findings", today=date(2026, 8, 20)
    )
    async with later.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        later.screen.query_one("#findings-remediation", Select).value = "overdue"
        await settle(pilot)
        table = later.screen.query_one("#findings-table", DataTable)
        assert table.row_count == 1
        assert [str(table.get_cell(finding_id, k)) for k in ("status", "due")] == [
            "open",
            "2026-08-15 late",
        ]
        evidence = later.gate.call(lambda s: s.list_evidence()[0].evidence_id)
        await pilot.press("enter", "r")
        await settle(pilot)
        form = later.screen
        assert isinstance(form, ResponseForm)
        form.query_one("#response-status", Select).value = "remediated"
        form.query_one("#response-evidence", Input).value = evidence
        await pilot.press("ctrl+s")
        await settle(pilot)
        (done,) = later.gate.call(lambda s: s.remediations())
        assert done.status is RemediationStatus.REMEDIATED and done.evidence_ids == (evidence,)
        assert later.gate.call(lambda s: s.remediations(overdue_on=date(2026, 8, 20))) == []
        await pilot.press("escape")
        await settle(pilot)
        assert "Nothing matches." in screen_text(later)  # no longer overdue
        await pilot.press("1")  # the dashboard counts by status
        await settle(pilot)
        assert "Remediation: 1 remediated" in screen_text(later)
