"""Issue 23, acceptance 1: a rehearsal owns the keyboard and never loses its answers.

At every step (a question waiting in the text box, the last-instance pick), the app's
one-letter keys are text or off, and q, ctrl+q, ctrl+l and Escape ask before leaving;
"save as finished early" stores the answers given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from mockaudit.domain.walkthrough import Phase, Verdict
from mockaudit.session import Session
from mockaudit.tui.app import MockAuditApp
from mockaudit.tui.screens.dialogs import ImportScreen
from mockaudit.tui.screens.program import ProgramScreen
from mockaudit.tui.screens.unlock import UnlockScreen
from mockaudit.tui.screens.walkthrough import LeaveRehearsalScreen, WalkthroughScreen
from tests.conftest import FAST_KDF
from tests.tui.helpers import SCENARIO, settle, tui_app

PASSPHRASE = "rehearsal keys passphrase"
GOV_05_ROW = 3


@pytest.fixture(scope="module")
def seeded_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("seed") / "vault"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
    return vault


def copy_vault(seeded: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "vault"
    shutil.copytree(seeded, target)
    return target


async def open_rehearsal(pilot: Pilot[int], app: MockAuditApp) -> WalkthroughScreen:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(app.screen, ProgramScreen)
    await pilot.press(*["down"] * GOV_05_ROW, "w")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, WalkthroughScreen)
    assert screen.rehearsal is not None
    return screen


async def asks_and_stays(pilot: Pilot[int], app: MockAuditApp, key: str) -> None:
    """``key`` brings up the leave dialog; Escape there goes back to the rehearsal."""
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, LeaveRehearsalScreen), key
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, WalkthroughScreen), key


async def letters_do_nothing(
    pilot: Pilot[int], app: MockAuditApp, screen: WalkthroughScreen
) -> None:
    for key in ("r", "i", "o", "1", "question_mark"):
        await pilot.press(key)
        await settle(pilot)
        assert app.screen is screen, key
    assert not isinstance(app.screen, ImportScreen)
    assert not app.workers or all(w.group != "run" for w in app.workers)


async def test_every_step_keeps_the_answers_and_saves_them_finished_early(
    seeded_vault: Path, tmp_path: Path
) -> None:
    vault = copy_vault(seeded_vault, tmp_path)
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rehearsal(pilot, app)
        rehearsal = screen.rehearsal
        assert rehearsal is not None

        # a question waits: the letters are text in the answer box
        await pilot.press("q", "r", "i", "o")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        answer = screen.query_one("#wt-answer")
        assert getattr(answer, "value", None) == "qrio"
        for key in ("ctrl+l", "escape", "ctrl+q"):  # typed, not sent: still asks
            await asks_and_stays(pilot, app, key)
        await pilot.press("enter")
        await pilot.pause()
        assert [s.feedback.answer for s in rehearsal.steps] == ["qrio"]
        for key in ("ctrl+l", "escape", "ctrl+q"):
            await asks_and_stays(pilot, app, key)
        assert app.gate.is_open

        # the last-instance pick: letters are off, q asks like ctrl+q
        while rehearsal.question is not None:
            await pilot.press("ctrl+s")
        await pilot.pause()
        assert rehearsal.phase is Phase.CORROBORATION
        await letters_do_nothing(pilot, app, screen)
        for key in ("q", "ctrl+q", "ctrl+l", "escape"):
            await asks_and_stays(pilot, app, key)
        assert rehearsal.phase is Phase.CORROBORATION and app.gate.is_open

        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")  # save as finished early, then go back
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)

    with Session.open(vault, PASSPHRASE) as session:
        [record] = session.walkthroughs()
        stored = session.walkthrough(record.walkthrough_id)
    assert stored.control_id == "GOV-05"
    assert stored.steps[0].feedback.answer == "qrio"
    assert not stored.corroboration.corroborated


async def test_locking_mid_question_saves_the_typed_answer_when_asked_to(
    seeded_vault: Path, tmp_path: Path
) -> None:
    vault = copy_vault(seeded_vault, tmp_path)
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rehearsal(pilot, app)
        await pilot.press(*"Priya", "enter")
        await pilot.press(*"Marcus")  # typed, not sent
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LeaveRehearsalScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert screen.result is not None

    with Session.open(vault, PASSPHRASE) as session:
        [record] = session.walkthroughs()
        stored = session.walkthrough(record.walkthrough_id)
    assert [s.feedback.answer for s in stored.steps[:2]] == ["Priya", "Marcus"]
    assert stored.steps[2].feedback.verdict is Verdict.SKIPPED


async def test_quit_with_discard_leaves_nothing_and_without_answers_quits_at_once(
    seeded_vault: Path, tmp_path: Path
) -> None:
    vault = copy_vault(seeded_vault, tmp_path)
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_rehearsal(pilot, app)
        await pilot.press(*"Priya", "enter", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, LeaveRehearsalScreen)
        await pilot.press("d")
        await settle(pilot)
        assert not app.is_running
    with Session.open(vault, PASSPHRASE) as session:
        assert session.walkthroughs() == []
