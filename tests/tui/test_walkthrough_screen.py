"""Issue 7, acceptance 4: one walkthrough rehearsal end to end in the TUI, with real key presses."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from mockaudit.session import Session
from mockaudit.tui.screens.program import ProgramScreen
from mockaudit.tui.screens.walkthrough import WalkthroughScreen
from tests.conftest import FAST_KDF
from tests.tui.helpers import SCENARIO, screen_text, settle, tui_app

PASSPHRASE = "walkthrough vault passphrase"
GOV_05_ROW = 3  # GOV-01, GOV-02, GOV-03, GOV-05: documented as quarterly, owned by Priya


async def say(pilot: Pilot[int], text: str) -> None:
    """Type an answer key by key and send it with enter."""
    await pilot.press(*["space" if ch == " " else ch for ch in text], "enter")
    await pilot.pause()


async def test_rehearsal_gives_feedback_on_each_answer_and_saves_the_transcript(
    tmp_path: Path,
) -> None:
    vault = tmp_path / "vault"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)
        await pilot.press(*["down"] * GOV_05_ROW, "w")
        await settle(pilot)
        assert isinstance(app.screen, WalkthroughScreen)
        shown = screen_text(app)
        assert "Walkthrough of GOV-05" in shown
        assert "Question 1/21" in shown

        await say(pilot, "It keeps the board informed of security risks")
        await say(pilot, "Priya")
        shown = screen_text(app)
        assert "Question 3/21" in shown
        assert "CONSISTENT Consistent: Priya Natarajan is the documented owner." in shown

        await say(pilot, "Marcus reviews and Sam covers")
        await say(pilot, "once a year")
        shown = screen_text(app)
        assert "CONTRADICTION Contradiction: you said “once a year”" in shown
        assert 'Documented: GOV-05 frequency = "quarterly"' in shown

        await say(pilot, "")  # a required question left empty is noted as evasive
        assert "EVASIVE No answer to a required question: noted." in screen_text(app)

        screen = app.screen
        assert isinstance(screen, WalkthroughScreen)
        rehearsal = screen.rehearsal
        assert rehearsal is not None
        while rehearsal.question is not None:  # the remaining questions: skipped with ctrl+s
            await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Now show me the last instance" in screen_text(app)

        await pilot.press("home", "enter")  # "I cannot show anything"
        await settle(pilot)
        shown = screen_text(app)
        assert "1 finding(s)" in shown
        assert "contradicts the documented frequency" in shown
        assert "Saved as WT-000001" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)

    with Session.open(vault, PASSPHRASE) as session:
        saved = session.walkthroughs()
    assert [w.control_id for w in saved] == ["GOV-05"]


async def test_the_palette_opens_the_walkthrough_of_a_named_control(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"walkthrough", "space", *"GOV-05")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkthroughScreen)
        assert screen.control_id == "GOV-05"
        assert "Walkthrough of GOV-05" in screen_text(app)
