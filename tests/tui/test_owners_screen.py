"""Issue 7: the per-owner readiness view and finishing a rehearsal early, with real key presses."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from mockaudit.fieldwork.walkthrough.rehearsal import (
    NOT_ASKED,
    OwnerReadiness,
    Verdict,
    WalkthroughRecord,
    latest_by_control,
    next_step,
)
from mockaudit.session import Session
from mockaudit.tui.app import MockAuditApp
from mockaudit.tui.screens.owners import (
    NO_PROGRAM,
    NO_REHEARSAL,
    OwnersScreen,
)
from mockaudit.tui.screens.walkthrough import WalkthroughScreen
from tests.conftest import FAST_KDF
from tests.tui.helpers import SCENARIO, screen_text, settle, tui_app

PASSPHRASE = "owners vault passphrase"
SIZE = (160, 50)
NORTHWIND_OWNERS = 11  # people owning at least one control (AV-02 has no owner)


def northwind(tmp_path: Path, *, rehearse: str | None = None) -> Path:
    """Northwind imported; with ``rehearse``, one rehearsal of that control saved."""
    vault = tmp_path / "vault"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
        if rehearse is not None:
            answers = {"performer": "Elena", "frequency": "once a year"}
            session.save_walkthrough(session.rehearse(rehearse, answers))
    return vault


async def say(pilot: Pilot[int], text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text], "enter")
    await pilot.pause()


async def open_owners(pilot: Pilot[int]) -> OwnersScreen:
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OwnersScreen)
    return screen


async def highlight(pilot: Pilot[int], owner: str) -> None:
    """Move the cursor down to ``owner``'s row with the arrow keys."""
    table = pilot.app.screen.query_one("#owners", DataTable)
    await pilot.press(*["down"] * table.get_row_index(owner))
    await pilot.pause()


def row_of(app: MockAuditApp, owner: str) -> list[str]:
    table = app.screen.query_one("#owners", DataTable)
    return [str(value) for value in table.get_row(owner)]


async def test_owners_view_counts_a_saved_rehearsal_and_starts_the_owners_next_control(
    tmp_path: Path,
) -> None:
    vault = northwind(tmp_path, rehearse="CHG-01")
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=SIZE) as pilot:
        await open_owners(pilot)
        table = app.screen.query_one("#owners", DataTable)
        assert table.row_count == NORTHWIND_OWNERS
        # owner, rehearsed/owned, runs, avg, last, divergences, evasions, next
        assert row_of(app, "elena") == [
            "Elena Sokolova", "1/2", "1", "11.1", "11.1", "1", "6", "CHG-02",
        ]  # fmt: skip
        assert row_of(app, "priya") == ["Priya Natarajan", "0/1", "0", "—", "—", "0", "0", "GOV-05"]
        assert "Control owners: walkthrough readiness" in screen_text(app)

        await highlight(pilot, "elena")
        shown = screen_text(app)
        assert "owns 2 control(s), 1 rehearsed" in shown
        assert "WT-000001 scored 11.1" in shown
        assert "• 1 divergence(s): frequency" in shown
        assert "Next: CHG-02 (never rehearsed)" in shown

        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkthroughScreen)
        assert screen.control_id == "CHG-02"
        assert "Walkthrough of CHG-02" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OwnersScreen)


async def test_finishing_early_saves_the_rest_as_skipped_and_shows_the_summary(
    tmp_path: Path,
) -> None:
    vault = northwind(tmp_path)
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=SIZE) as pilot:
        await open_owners(pilot)
        assert NO_REHEARSAL in screen_text(app)
        await highlight(pilot, "priya")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WalkthroughScreen)
        await say(pilot, "It keeps the board informed of security risks")
        await say(pilot, "Priya")
        assert "Question 3/" in screen_text(app)

        await pilot.press("ctrl+f")
        await settle(pilot)
        shown = screen_text(app)
        assert "Finished early after 2 of 20 question(s)" in shown
        assert "18 question(s) skipped" in shown
        assert "Saved as WT-000001" in shown

        await pilot.press("escape")  # back on the owners view, which shows the new rehearsal
        await settle(pilot)
        assert isinstance(app.screen, OwnersScreen)
        assert row_of(app, "priya")[:3] == ["Priya Natarajan", "1/1", "1"]

    with Session.open(vault, PASSPHRASE) as session:
        [record] = session.walkthroughs()
        result = session.walkthrough(record.walkthrough_id)
    assert result.control_id == "GOV-05" and len(result.steps) == 20
    assert [s.feedback.answer for s in result.steps[:2]] == [
        "It keeps the board informed of security risks",
        "Priya",
    ]
    assert all(s.feedback.verdict is Verdict.SKIPPED for s in result.steps[2:])
    assert all(s.feedback.message.startswith(NOT_ASKED) for s in result.steps[2:])
    assert result.evasions == ()
    assert not result.corroboration.corroborated


async def test_without_a_program_the_owners_view_says_to_import_one_then_fills_in(
    tmp_path: Path,
) -> None:
    vault = tmp_path / "vault"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF):
        pass
    app = tui_app(vault, passphrase=PASSPHRASE)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_owners(pilot)
        shown = " ".join(screen_text(app).split())
        assert NO_PROGRAM in shown
        assert "Control owners" not in shown  # no empty table: the hint says what to do
        assert "Rehearse next" not in shown  # nothing to rehearse yet

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"northwind", "enter")  # import a built-in company from the palette
        await settle(pilot)
        assert isinstance(app.screen, OwnersScreen)
        assert app.screen.query_one("#owners", DataTable).row_count == NORTHWIND_OWNERS
        assert NO_REHEARSAL in " ".join(screen_text(app).split())


def _wt(number: int, control: str, score: float, *, clean: bool) -> WalkthroughRecord:
    divergences = () if clean else ("frequency",)
    started = f"2026-07-{number:02d}T09:00:00+00:00"
    return WalkthroughRecord(f"WT-{number:06d}", control, "dana", started, None, score,
                             divergences, (), corroborated=clean)  # fmt: skip


def test_next_control_is_a_new_one_first_then_the_weakest_open_one_then_the_oldest() -> None:
    owner = OwnerReadiness("dana", "Dana", ("A", "B", "C"), (), None, 0, 0, 0)
    records = [_wt(1, "A", 90.0, clean=False), _wt(2, "B", 40.0, clean=False)]
    assert next_step(owner, latest_by_control(records)) == ("C", "never rehearsed")
    records.append(_wt(3, "C", 100.0, clean=True))
    control, why = next_step(owner, latest_by_control(records))
    assert (control, why) == ("B", "scored 40.0, 2 issue(s) open")
    records += [_wt(4, "A", 100.0, clean=True), _wt(5, "B", 100.0, clean=True)]
    control, why = next_step(owner, latest_by_control(records))  # all clean: the stalest
    assert control == "C" and why.startswith("ready")
