"""Unlocking, wrong passphrases, locking by hand and auto-lock after idle minutes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.errors import InputError
from mockaudit.session import Session
from mockaudit.tui.commands import app_commands
from mockaudit.tui.screens.dashboard import DashboardScreen
from mockaudit.tui.screens.unlock import UnlockScreen
from mockaudit.tui.settings import AUTOLOCK_ENV, autolock_from_env
from tests.conftest import FAST_KDF
from tests.tui.helpers import screen_text, settle, tui_app

PASSPHRASE = "lock test passphrase"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF).close()
    return tmp_path / "vault"


async def test_wrong_passphrase_then_unlock_then_ctrl_l_locks_and_forgets(vault: Path) -> None:
    app = tui_app(vault)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Unlock the vault" in screen_text(app)
        await pilot.press(*"not it", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "wrong passphrase for this vault" in screen_text(app)
        assert not app.gate.is_open
        await pilot.press(*PASSPHRASE, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)

        session = app.gate.call(lambda s: s)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "Locked" in screen_text(app)
        assert not app.gate.is_open
        assert session.vault._vmk is None and not session.vault._subkeys  # keys dropped
        assert app.check_action("switch_mode", ("program",)) is False  # no section while locked
        assert [name for name, _, _ in app_commands(app)] == ["Help", "Quit"]
        await pilot.press(*PASSPHRASE, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_idle_minutes_lock_the_vault_and_activity_postpones_it(vault: Path) -> None:
    now = [1000.0]
    app = tui_app(
        vault,
        passphrase=PASSPHRASE,
        autolock_minutes=2.0,
        idle_check_seconds=0.05,
        monotonic=lambda: now[0],
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        now[0] += 100  # 1m40s idle: still open
        await pilot.pause(0.15)
        assert app.gate.is_open
        await pilot.press("3")  # activity at 1m40s restarts the count
        now[0] += 100
        await pilot.pause(0.15)
        assert app.gate.is_open
        now[0] += 30  # 2m10s since the last key
        await pilot.pause(0.15)
        await settle(pilot)
        assert not app.gate.is_open
        assert isinstance(app.screen, UnlockScreen)
        assert "Locked after 2 idle minute(s)" in screen_text(app)


def test_autolock_minutes_come_from_the_environment() -> None:
    assert autolock_from_env({}) == 15
    assert autolock_from_env({AUTOLOCK_ENV: "0"}) == 0
    assert autolock_from_env({AUTOLOCK_ENV: "2.5"}) == 2.5
    with pytest.raises(InputError, match=AUTOLOCK_ENV):
        autolock_from_env({AUTOLOCK_ENV: "soon"})
    with pytest.raises(InputError, match="negative"):
        autolock_from_env({AUTOLOCK_ENV: "-1"})


async def test_a_team_vault_asks_for_the_member_and_remembers_it(tmp_path: Path) -> None:
    """Issue 20: a vault with several members shows a member field (prefilled with the
    member last unlocked as); the unlock opens that member's slot only."""
    folder = tmp_path / "team"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF, member="lee", display="Lee Chen") as s:
        s.add_member("dana", "Dana Lee", "dana's tui passphrase")
    app = tui_app(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        member = app.screen.query_one("#member")
        assert member.value == "lee"  # remembered by the create
        member.value = "dana"
        app.screen.query_one("#passphrase").focus()
        await pilot.press(*PASSPHRASE, "enter")  # lee's passphrase, dana's slot
        await settle(pilot)
        assert "wrong passphrase for member 'dana'" in screen_text(app)
        assert not app.gate.is_open
        await pilot.press(*"dana's tui passphrase", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.gate.call(lambda s: s.me().label) == "Dana Lee (member dana)"
