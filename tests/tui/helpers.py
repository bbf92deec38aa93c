"""Helpers for the TUI tests: a test app, waiting for workers, reading what the screen shows."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from mockaudit.tui.app import MockAuditApp, make_app
from mockaudit.tui.settings import TuiSettings
from tests.conftest import FAST_KDF

TODAY = date(2026, 7, 20)
SEED = 7
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "northwind-first-type2"


def tui_settings(**overrides: object) -> TuiSettings:
    values: dict[str, object] = {
        "kdf": FAST_KDF,
        "cursor_blink": False,
        "seed": SEED,
        "today": TODAY,
        "autolock_minutes": 0.0,
    }
    values.update(overrides)
    return TuiSettings(**values)  # type: ignore[arg-type]


def tui_app(vault_dir: Path, *, passphrase: str | None = None, **overrides: object) -> MockAuditApp:
    return make_app(vault_dir, passphrase=passphrase, settings=tui_settings(**overrides))


async def settle(pilot: Pilot[int]) -> None:
    """Wait until every worker is done and the messages they posted are handled: workers
    finishing post messages that start more workers (a reload), so loop until quiet."""
    app = pilot.app
    for _ in range(8):
        busy = any(not worker.is_finished for worker in app.workers)
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the app reported it (a failed job is a message, not a crash)
        await pilot.pause()
        if not busy and not any(not worker.is_finished for worker in app.workers):
            return


def screen_text(app: MockAuditApp) -> str:
    """The characters on the terminal right now (what a user reads)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()
