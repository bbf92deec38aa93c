"""Acceptance 2: while a mock audit of a medium scenario runs, a key press still changes the
screen — on the very next refresh, not when the run ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import RenderableType
from textual import events
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import WorkerState

from mockaudit.session import Session, generate_scenario
from mockaudit.tui.screens.dashboard import DashboardScreen
from tests.conftest import FAST_KDF
from tests.tui.helpers import settle, tui_app

PASSPHRASE = "medium vault passphrase"


@pytest.fixture(scope="module")
def medium_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("medium")
    generate_scenario(root / "scenario", seed=11, size="medium", defects=0.05)
    with Session.create(root / "vault", PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(root / "scenario")
    yield root / "vault"


async def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20.0
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.002)


@pytest.mark.slow
async def test_a_key_changes_the_screen_on_the_next_refresh_during_a_run(
    medium_vault: Path,
) -> None:
    app = tui_app(medium_vault, passphrase=PASSPHRASE, start_section="fieldwork")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1", "4")  # mount the dashboard once, come back
        await settle(pilot)

        frames: list[str] = []  # the screen each refresh painted, in order
        paint = app._display

        def recording(screen: Screen[object], renderable: RenderableType | None) -> None:
            if renderable is not None:
                frames.append(type(screen).__name__)
            paint(screen, renderable)

        app._display = recording  # type: ignore[method-assign]
        switch = app.switch_mode
        handled_at: list[int] = []  # frames painted before the key's action switched the screen

        def switching(mode: str) -> AwaitMount:
            handled_at.append(len(frames))
            return switch(mode)

        app.switch_mode = switching

        # the run starts from a real key event, as the terminal driver delivers it
        app.post_message(events.Key("r", "r"))
        await _wait_for(lambda: any(w.group == "run" for w in app.workers))
        run = next(w for w in app.workers if w.group == "run")
        await _wait_for(lambda: run.state is WorkerState.RUNNING)

        frames.clear()
        handled_at.clear()
        app.post_message(events.Key("1", "1"))
        await _wait_for(lambda: "DashboardScreen" in frames)
        assert run.state is WorkerState.RUNNING, "the key was only handled after the run"
        assert isinstance(app.screen, DashboardScreen)
        # A refresh already queued when the key arrived (the run's progress) may still paint
        # the old screen; every refresh after the key's action paints the new one.
        after = frames[handled_at[0] :]
        before = after.index("DashboardScreen")
        assert before <= 1, f"{before} refreshes after the key still showed the old screen: {after}"

        await app.workers.wait_for_complete()
        await settle(pilot)
        assert "Run run-" in app.status
