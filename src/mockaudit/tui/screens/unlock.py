"""Unlock the vault, or create it: masked passphrase, strength hint, progress, clear errors.

The passphrase leaves this screen once, as the argument of the app's unlock worker;
the inputs are cleared as soon as it is sent and whenever the screen comes back
(after a lock), so no widget keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, ProgressBar, Static

from mockaudit.builtin import DEMO_MARKER, DEMO_PASSPHRASE
from mockaudit.member_memory import unlock_hint
from mockaudit.tui.widgets.strength import strength_hint
from mockaudit.tui.widgets.taskbar import JobState

if TYPE_CHECKING:
    from mockaudit.tui.app import MockAuditApp


class UnlockScreen(Screen[None]):
    """The first screen, and the one every lock returns to."""

    @property
    def mock(self) -> MockAuditApp:
        return cast("MockAuditApp", self.app)

    def compose(self) -> ComposeResult:
        creating = self.mock.creating
        yield Header()
        with Vertical(id="unlock-box"):
            yield Label("Create a new vault" if creating else "Unlock the vault", id="unlock-title")
            yield Static(Content(str(self.mock.gate.vault_dir.absolute())), id="unlock-path")
            if not creating and (self.mock.gate.vault_dir / DEMO_MARKER).is_file():
                yield Static(
                    Content(f"Demo vault (made-up evidence), passphrase:\n{DEMO_PASSPHRASE}"),
                    id="unlock-demo",
                )
            members, suggested = ([], None) if creating else unlock_hint(self.mock.gate.vault_dir)
            if len(members) > 1:  # a team vault: whose key slot (one derivation, not one each)
                more = ", …" if len(members) > 4 else ""
                yield Input(
                    value=suggested or "",
                    placeholder=f"member ({', '.join(members[:4])}{more})",
                    id="member",
                )
            yield Input(password=True, placeholder="passphrase", id="passphrase")
            if creating:
                yield Input(password=True, placeholder="type it again", id="confirm")
                yield Static("", id="strength")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="unlock-progress")
            yield Static("", id="unlock-message")
            yield Button(
                "Create vault" if creating else "Unlock", variant="primary", id="unlock-go"
            )
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "unlock_error", self._show_error)
        self.watch(self.app, "job", self._show_job)
        self._set_blink()

    def on_screen_resume(self) -> None:
        for field in self.query(Input):
            if field.id != "member":  # who you are stays; only secrets are cleared
                field.value = ""
        member = self.query("#member")
        if member and not member.first(Input).value:
            member.first(Input).focus()
        else:
            self.query_one("#passphrase", Input).focus()

    def _set_blink(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.mock.settings.cursor_blink

    def _show_job(self, job: JobState | None) -> None:
        deriving = job is not None and job.job == "unlock"
        self.set_class(deriving, "-deriving")
        self.query_one("#unlock-go", Button).disabled = deriving
        # indeterminate (animated) only while the key is derived; idle screens stay idle
        self.query_one("#unlock-progress", ProgressBar).update(total=None if deriving else 1)
        if deriving:
            self.query_one("#unlock-message", Static).update(
                Content("Deriving the key… (Argon2id is slow on purpose)")
            )

    def _show_error(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(Content(text))
        self.set_class(bool(text), "-error")
        if text:
            self.query_one("#passphrase", Input).value = ""
            if self.query("#confirm"):
                self.query_one("#confirm", Input).value = ""
            self.query_one("#passphrase", Input).focus()

    @on(Input.Changed, "#passphrase")
    def _strength(self, event: Input.Changed) -> None:
        if not self.mock.creating or not self.query("#strength"):
            return
        level, hint = strength_hint(event.value)
        meter = self.query_one("#strength", Static)
        meter.update(Content(hint))
        for name in ("weak", "fair", "strong"):
            meter.set_class(name == level, f"-{name}")

    @on(Input.Submitted, "#member")
    def _member_entered(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def _passphrase_entered(self) -> None:
        if self.query("#confirm"):
            self.query_one("#confirm", Input).focus()
        else:
            self._go()

    @on(Input.Submitted, "#confirm")
    @on(Button.Pressed, "#unlock-go")
    def _go(self) -> None:
        passphrase = self.query_one("#passphrase", Input)
        if not passphrase.value:
            self._say("Type the passphrase first.")
            return
        if self.query("#confirm"):
            confirm = self.query_one("#confirm", Input)
            if confirm.value != passphrase.value:
                confirm.value = ""
                self._say("The two passphrases differ; type it again.")
                confirm.focus()
                return
            confirm.value = ""
        secret, passphrase.value = passphrase.value, ""
        member = self.query("#member")
        who = member.first(Input).value.strip() if member else ""
        self.mock.unlock(secret, who or None)

    def _say(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(Content(text))
