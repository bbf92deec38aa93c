"""Issue 23, acceptance 2: every screen at 80×24 — no clipped column header, a whole footer.

One snapshot per screen (review the report before ``--snapshot-update``), and a check a
snapshot cannot make by itself: every visible table's columns fit inside the table, and
the footer's last key description is whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from mockaudit.tui.app import MockAuditApp
from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import screen_text, settle, tui_app
from tests.tui.test_snapshots import _loaded

SIZE = (80, 24)
SCREENS = ["dashboard", "program", "vault", "fieldwork", "findings", "owners"]


def _start(screen: str) -> dict[str, object]:
    return {"start_section": "program" if screen == "owners" else screen}


async def _open(pilot: Pilot[int], screen: str) -> None:
    await _loaded(pilot)
    if screen == "owners":
        await pilot.press("o")
        await _loaded(pilot)


def clipped_tables(app: MockAuditApp) -> list[str]:
    """Visible tables whose columns are wider than the table (a header or cell cut off)."""
    bad = []
    for table in app.screen.query(DataTable):
        if not table.display or not table.region.width or not table.columns:
            continue
        room = table.content_region.width - table.styles.scrollbar_size_vertical
        used = sum(c.get_render_width(table) for c in table.columns.values())
        if used > room:
            bad.append(f"{table.id}: {used} > {room}")
    return bad


@pytest.mark.parametrize("screen", SCREENS)
async def test_no_table_is_clipped_and_the_footer_is_whole(demo_vault: Path, screen: str) -> None:
    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE, **_start(screen))
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, screen)
        tabs = 4 if screen in ("program",) else 3 if screen == "fieldwork" else 1
        for _ in range(tabs):
            await settle(pilot)
            assert clipped_tables(app) == []
            footer = screen_text(app).rstrip("\n").splitlines()[-1].rstrip()
            assert footer.endswith("q Quit"), footer
            await pilot.press("right_square_bracket")


@pytest.mark.parametrize("screen", SCREENS)
def test_screen_snapshot_at_80x24(
    screen: str, demo_vault: Path, snap_compare: Callable[..., bool]
) -> None:
    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE, **_start(screen))

    async def before(pilot: Pilot[int]) -> None:
        await _open(pilot, screen)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
