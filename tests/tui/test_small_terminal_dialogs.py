"""Issue 23, acceptance 2, the rest of "every screen at 80×24": the rehearsal at each of its
steps, the lock screen, help and every dialog — no clipped column header, a whole footer.

The screens of test_small_terminal.py are the five sections and the owners view; here are
the ones pushed on top of them. Each case drives the real app there with the keys a user
presses, checks what a snapshot cannot (every table's columns fit, no footer key is cut,
nothing spills off the right edge) and takes the snapshot. The lock screen changes with
issue 20 (member names): regenerate its snapshot alone with
``pytest tests/tui/test_small_terminal_dialogs.py -k lock --snapshot-update`` after a look.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey

from mockaudit.tui.app import MockAuditApp
from mockaudit.tui.screens.dialogs import AddFilesScreen, ExportScreen, ImportScreen
from mockaudit.tui.screens.findings import FindingScreen
from mockaudit.tui.screens.help import HelpScreen
from mockaudit.tui.screens.response_form import ResponseForm
from mockaudit.tui.screens.unlock import UnlockScreen
from mockaudit.tui.screens.walkthrough import LeaveRehearsalScreen, WalkthroughScreen
from mockaudit.tui.widgets.attach import AttachScreen
from tests.tui.conftest import DEMO_PASSPHRASE, freeze_clock
from tests.tui.helpers import screen_text, settle, tui_app
from tests.tui.test_small_terminal import clipped_tables
from tests.tui.test_snapshots import _loaded

SIZE = (80, 24)
Opener = Callable[[Pilot[int]], Awaitable[None]]


async def _press(pilot: Pilot[int], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await _loaded(pilot)


async def _rehearsal(pilot: Pilot[int]) -> WalkthroughScreen:
    """Owners view, then enter: the first owner's next control (Aisha Bello, GOV-02)."""
    await _press(pilot, "o", "enter")
    screen = pilot.app.screen
    assert isinstance(screen, WalkthroughScreen) and screen.rehearsal is not None
    return screen


async def question(pilot: Pilot[int]) -> None:
    """A question waits, two answered above it in the log."""
    await _rehearsal(pilot)
    await pilot.press(*"Aisha Bello owns it", "enter")
    await pilot.press(*"HR sends the policies on day one", "enter")
    await _press(pilot)


async def evidence_pick(pilot: Pilot[int]) -> None:
    """The last step: pick the instance to show (a list, no text box)."""
    screen = await _rehearsal(pilot)
    rehearsal = screen.rehearsal
    assert rehearsal is not None
    while rehearsal.question is not None:
        await pilot.press("ctrl+s")
    await _press(pilot)


async def finished(pilot: Pilot[int]) -> None:
    """The summary after the instance is shown and the transcript saved."""
    await evidence_pick(pilot)
    await _press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, WalkthroughScreen) and screen.result is not None


async def leave_rehearsal(pilot: Pilot[int]) -> None:
    await _rehearsal(pilot)
    await pilot.press(*"Aisha Bello", "enter")
    await _press(pilot, "escape")


async def finding_detail(pilot: Pilot[int]) -> None:
    await _press(pilot, "enter")


async def response_form(pilot: Pilot[int]) -> None:
    await _press(pilot, "enter", "r")


async def attach(pilot: Pilot[int]) -> None:
    await _press(pilot, "a")


# case -> (section opened after unlocking, the keys that get there, the screen expected)
CASES: dict[str, tuple[str, Opener, type[Screen[object]]]] = {
    "rehearsal-question": ("dashboard", question, WalkthroughScreen),
    "rehearsal-evidence-pick": ("dashboard", evidence_pick, WalkthroughScreen),
    "rehearsal-finished": ("dashboard", finished, WalkthroughScreen),
    "rehearsal-leave": ("dashboard", leave_rehearsal, LeaveRehearsalScreen),
    "help": ("dashboard", lambda p: _press(p, "question_mark"), HelpScreen),
    "import": ("dashboard", lambda p: _press(p, "i"), ImportScreen),
    "add-files": ("vault", lambda p: _press(p, "a"), AddFilesScreen),
    "export": ("findings", lambda p: _press(p, "e"), ExportScreen),
    "finding": ("findings", finding_detail, FindingScreen),
    "response-form": ("findings", response_form, ResponseForm),
    "attach": ("fieldwork", attach, AttachScreen),
}


def mask_paths(app: MockAuditApp) -> None:
    """The temp folder's path differs run to run: show a fixed one where a path is shown."""
    for widget in app.screen.query("#unlock-path, #export-path"):
        if isinstance(widget, Input):
            widget.value = "/home/auditor/vault-exports/" + Path(widget.value).name
        elif isinstance(widget, Static):
            widget.update("/home/auditor/vault")


def footer_problems(app: MockAuditApp) -> list[str]:
    """Footer keys cut off or pushed off screen (the footer showing is the top screen's,
    else the one of the screen under the dialog)."""
    footer = next(
        (f for s in reversed(app.screen_stack) for f in s.query(Footer) if f.display), None
    )
    if footer is None:
        return ["no footer"]
    problems = []
    if footer.virtual_size.width > footer.size.width:
        problems.append(f"footer is {footer.virtual_size.width} wide in {footer.size.width}")
    line = screen_text(app).rstrip("\n").splitlines()[-1]
    for key in footer.query(FooterKey):
        if key.display and f"{key.key_display} {key.description}".strip() not in line:
            problems.append(f"{key.description!r} not whole in {line.rstrip()!r}")
    return problems


def spill(app: MockAuditApp) -> list[str]:
    """Widgets of the top screen that reach past the right edge of the terminal."""
    width = app.size.width
    return [
        f"{w.__class__.__name__}#{w.id}: right {w.region.right} > {width}"
        for w in app.screen.query("*")
        if w.display and w.region.width and w.region.right > width
    ]


def _copy(demo_vault: Path, tmp_path: Path) -> Path:
    target = tmp_path / "vault"
    shutil.copytree(demo_vault, target)
    return target


@pytest.mark.parametrize("case", list(CASES))
def test_screen_fits_80x24(
    case: str,
    demo_vault: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    snap_compare: Callable[..., bool],
) -> None:
    freeze_clock(monkeypatch)  # a saved rehearsal's id and date, the checkpoint times
    section, opener, expected = CASES[case]
    app = tui_app(_copy(demo_vault, tmp_path), passphrase=DEMO_PASSPHRASE, start_section=section)
    seen: dict[str, object] = {}

    async def before(pilot: Pilot[int]) -> None:
        await _loaded(pilot)
        await opener(pilot)
        seen["screen"] = type(pilot.app.screen)
        seen["clipped"] = clipped_tables(app)
        seen["footer"] = footer_problems(app)
        seen["spill"] = spill(app)
        mask_paths(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
    assert seen["screen"] is expected
    assert seen["clipped"] == []
    assert seen["footer"] == []
    assert seen["spill"] == []


def test_lock_screen_fits_80x24(demo_vault: Path, snap_compare: Callable[..., bool]) -> None:
    """No passphrase given: the app opens on the lock screen."""
    app = tui_app(demo_vault)
    seen: dict[str, object] = {}

    async def before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        seen["screen"] = type(pilot.app.screen)
        seen["footer"] = footer_problems(app)
        seen["spill"] = spill(app)
        mask_paths(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
    assert seen == {"screen": UnlockScreen, "footer": [], "spill": []}


async def test_command_palette_fits_80x24(demo_vault: Path) -> None:
    """Checked without a snapshot: Textual's palette gathers its commands in a worker whose
    busy indicator is drawn or not depending on timing (the snapshot differed between runs)."""
    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE)
    async with app.run_test(size=SIZE) as pilot:
        await _loaded(pilot)
        await _press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        assert "Search for commands" in screen_text(app)
        assert footer_problems(app) == []
        assert spill(app) == []
