"""Acceptance 3: snapshots of the five sections at 120×40, fixed seed and clock.

Review a failing snapshot's report before running ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import settle, tui_app

SIZE = (120, 40)


async def _loaded(pilot: Pilot[int]) -> None:
    await settle(pilot)
    # A DataTable sizes its columns on its next idle: under load the snapshot could catch
    # the rows in with the header still at its label widths (seen once in a CI run).
    for _ in range(50):
        pending = [t for t in pilot.app.screen.query(DataTable) if t._require_update_dimensions]
        if not pending:
            break
        await pilot.pause(0.01)
    await pilot.pause()


@pytest.mark.parametrize("section", ["dashboard", "program", "vault", "fieldwork", "findings"])
def test_section_snapshot(
    section: str, demo_vault: Path, snap_compare: Callable[..., bool]
) -> None:
    """Each section opened straight after unlocking (start_section), once its data is in."""
    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE, start_section=section)
    assert snap_compare(app, terminal_size=SIZE, run_before=_loaded)
