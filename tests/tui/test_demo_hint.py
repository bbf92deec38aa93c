"""Issue 23: the demo vault's lock screen names its passphrase; no other vault's does."""

from __future__ import annotations

from pathlib import Path

from mockaudit.builtin import DEMO_PASSPHRASE
from mockaudit.cli.demo_cmd import mark_demo
from mockaudit.session import Session
from tests.conftest import FAST_KDF
from tests.tui.helpers import screen_text, settle, tui_app


async def test_the_demo_vault_lock_screen_shows_the_passphrase_and_a_real_one_does_not(
    tmp_path: Path,
) -> None:
    demo, real = tmp_path / "demo-vault", tmp_path / "vault"
    for folder in (demo, real):
        Session.create(folder, DEMO_PASSPHRASE, kdf=FAST_KDF).close()
    mark_demo(demo)
    for folder, shown in ((demo, True), (real, False)):
        app = tui_app(folder)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "Unlock the vault" in text
            assert ("Demo vault (made-up evidence), passphrase:" in text) is shown
            assert (DEMO_PASSPHRASE in text) is shown
