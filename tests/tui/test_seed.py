"""Issue 23, acceptance 4: the seed offered is the shown run's, and a re-run compares alike."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Input

from mockaudit.domain.comparison import run_to_compare, seed_change
from tests.tui.conftest import DEMO_PASSPHRASE
from tests.tui.helpers import screen_text, settle, tui_app


def test_a_run_is_compared_with_the_latest_earlier_run_of_its_seed() -> None:
    runs = [("R1", 7), ("R2", 3), ("R3", 9), ("R4", 7)]
    assert run_to_compare(runs) == "R1"
    assert run_to_compare(runs[:3]) == "R2"  # no earlier seed 9: the one before
    assert run_to_compare(runs[:1]) is None
    assert seed_change(7, 7) == "seed 7 → seed 7: same samples"
    assert "sampling differs" in seed_change(3, 7)


async def test_r_reruns_the_shown_seed_and_finds_nothing_fixed_or_new(
    demo_vault: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(demo_vault, vault)
    app = tui_app(vault, passphrase=DEMO_PASSPHRASE, seed=None)  # no pinned seed: random
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "seed 7" in shown  # the last run of the vault (seeds 3 then 7)
        assert "different seed (3 → 7): sampling differs" in shown
        assert app.seed == 7
        await pilot.press("4")
        await settle(pilot)
        assert app.screen.query_one("#seed", Input).value == "7"
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        shown = screen_text(app)
        assert "seed 7 → seed 7: same samples" in shown
        assert "0 fixed, 0 new" in shown
