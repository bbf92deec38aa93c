"""Acceptance 3: snapshots of the five sections at 120×40, fixed seed and clock.

Review a failing snapshot's report before running ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import settle, tui_app

SIZE = (120, 40)


async def _loaded(pilot: Pilot[int]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("section", ["dashboard", "program", "vault", "fieldwork", "findings"])
def test_section_snapshot(
    section: str, demo_vault: Path, snap_compare: Callable[..., bool]
) -> None:
    """Each section opened straight after unlocking (start_section), once its data is in."""
    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE, start_section=section)
    assert snap_compare(app, terminal_size=SIZE, run_before=_loaded)
