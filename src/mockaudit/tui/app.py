"""MockAuditApp: wiring only — modes, bindings, jobs, auto-lock and a crash screen that redacts.

Screens call the session through ``self.gate``; every slow call runs in a named
thread worker that reports back with messages (messages.py). Nothing here runs at
import time: ``make_app`` builds the app for the CLI, the tests and the snapshots.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, cast, runtime_checkable

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from mockaudit.paths import KEY_FILE
from mockaudit.tui import jobs
from mockaudit.tui.commands import MockAuditCommands
from mockaudit.tui.crash import RedactedCrashes
from mockaudit.tui.gate import SessionGate
from mockaudit.tui.messages import (
    JobFinished,
    ProgressChanged,
    UnlockFailed,
    VaultLocked,
    VaultUnlocked,
)
from mockaudit.tui.redact import one_line
from mockaudit.tui.screens.unlock import UnlockScreen
from mockaudit.tui.settings import TuiSettings
from mockaudit.tui.widgets.taskbar import JobState

if TYPE_CHECKING:
    from mockaudit.session import Session
    from mockaudit.tui.screens.response_form import ResponseInput


@runtime_checkable
class RehearsalGuard(Protocol):
    """A screen that must not lose its answers (the walkthrough rehearsal)."""

    @property
    def unsaved_answers(self) -> int: ...

    def confirm_leave(self, leaving: str, then: Callable[[], object]) -> None: ...

    def save_early(self, then: Callable[[], object]) -> None: ...


class LazyScreen:
    """A section's screen class, imported when the section is first shown.

    The sections load the whole core (session, engine, pydantic models); the first
    frame is the unlock screen, which needs none of it (bench: TUI cold start).
    """

    def __init__(self, module: str, name: str) -> None:
        self.module = f"mockaudit.tui.screens.{module}"
        self.name = name

    def load(self) -> type[Screen[None]]:
        return cast("type[Screen[None]]", getattr(import_module(self.module), self.name))

    def __call__(self) -> Screen[None]:
        return self.load()()


MAIN_MODES: dict[str, Callable[[], Screen[None]]] = {
    "dashboard": LazyScreen("dashboard", "DashboardScreen"),
    "program": LazyScreen("program", "ProgramScreen"),
    "vault": LazyScreen("vault", "VaultScreen"),
    "fieldwork": LazyScreen("fieldwork", "FieldworkScreen"),
    "findings": LazyScreen("findings", "FindingsScreen"),
}
# Actions bound to printable keys: off while a screen owns the keyboard (a rehearsal's
# text entry and its leave dialog), so typing never imports, runs or switches sections.
LETTER_ACTIONS = {"switch_mode", "help", "import_scenario", "run_audit", "owners"}
NEEDS_VAULT = {
    "switch_mode",
    "add_files",
    "import_scenario",
    "run_audit",
    "export",
    "verify",
    "lock",
    "owners",
}


class MockAuditApp(RedactedCrashes):
    """The mock audit in a terminal: unlock, then five sections over one session."""

    CSS_PATH = ["global.tcss", "app.tcss"]
    TITLE = "mockaudit"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        MockAuditCommands
    }
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    # The unlock screen is Textual's default screen, in the "unlock" mode (added on mount):
    # switching to it from a blank default screen re-parsed every stylesheet twice before
    # the first frame.
    DEFAULT_MODE = "unlock"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {**MAIN_MODES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('dashboard')", "Dashboard", show=False),
        Binding("2", "switch_mode('program')", "Program", show=False),
        Binding("3", "switch_mode('vault')", "Vault", show=False),
        Binding("4", "switch_mode('fieldwork')", "Fieldwork", show=False),
        Binding("5", "switch_mode('findings')", "Findings", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("i", "import_scenario", "Import"),
        Binding("r", "run_audit", "Run"),
        Binding("o", "owners", "Owners"),
        Binding("ctrl+l", "lock", "Lock"),
        Binding("q", "quit", "Quit"),
    ]

    job: reactive[JobState | None] = reactive(None)
    status: reactive[str] = reactive("")
    unlock_error: reactive[str] = reactive("")
    data_version: reactive[int] = reactive(0)

    def __init__(
        self,
        vault_dir: Path,
        *,
        passphrase: str | None = None,
        create: bool = False,
        settings: TuiSettings | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or TuiSettings()
        self.gate = SessionGate(Path(vault_dir))
        self.force_create = create
        self._initial_passphrase = passphrase
        self._jobs: dict[str, JobState] = {}
        self._seed: int | None = self.settings.seed  # None: drawn on first use
        self.current_run_id: str | None = None
        self._last_activity = self.settings.monotonic()
        self.sub_title = self.gate.vault_dir.name

    # ----- lifecycle -----

    @property
    def creating(self) -> bool:
        """Whether unlocking makes a new vault (no vault.key in the folder yet)."""
        return self.force_create or not (self.gate.vault_dir / KEY_FILE).exists()

    def get_default_screen(self) -> Screen[None]:
        return UnlockScreen()

    def on_mount(self) -> None:
        self.add_mode("unlock", UnlockScreen)  # its screen is already up: the default screen
        minutes = self.settings.autolock_minutes
        if minutes > 0:  # look often enough to lock within a quarter of the idle time
            every = min(self.settings.idle_check_seconds, max(0.05, minutes * 15))
            self.set_interval(every, self.check_autolock)
        passphrase, self._initial_passphrase = self._initial_passphrase, None
        if passphrase:
            self.unlock(passphrase)

    def on_unmount(self) -> None:
        self.gate.close()

    # ----- unlock / lock -----

    def unlock(self, passphrase: str, member: str | None = None) -> None:
        """Derive the key and open (or create) the vault in a worker (one at a time: a thread
        cannot be cancelled, and two opens would race for the vault's writer lock).
        ``member``: whose key slot (None: the session's default, see Session.open)."""
        if self.gate.is_open or (self.job is not None and self.job.job == "unlock"):
            return
        self.unlock_error = ""
        self.job = JobState("unlock", "Deriving the key (Argon2id)")
        self._unlock(passphrase, self.creating, member)

    @work(thread=True, group="unlock", exclusive=True, exit_on_error=False, name="unlock")
    def _unlock(self, passphrase: str, create: bool, member: str | None = None) -> None:
        from mockaudit.session import Session  # the core loads here, off the event loop

        folder = self.gate.vault_dir
        if create:
            session = Session.create(folder, passphrase, kdf=self.settings.kdf)
        else:
            session = Session.open(folder, passphrase, member=member)
        self.gate.attach(session)
        for screen in MAIN_MODES.values():  # import the sections here, not on the event loop
            if isinstance(screen, LazyScreen):
                screen.load()
        self.post_message(VaultUnlocked(create))

    def on_vault_unlocked(self, message: VaultUnlocked) -> None:
        self.job = None
        self._last_activity = self.settings.monotonic()
        verb = "Created" if message.created else "Unlocked"
        self.status = f"{verb} the vault {self.gate.vault_dir.name!r}"
        start = self.settings.start_section
        self.switch_mode(start if start in MAIN_MODES else "dashboard")
        if message.created:  # the next unlock screen unlocks; it no longer creates
            self.remove_mode("unlock")
            self.add_mode("unlock", UnlockScreen)
        self.data_version += 1

    def on_unlock_failed(self, message: UnlockFailed) -> None:
        self.job = None
        self.unlock_error = message.text

    def action_lock(self, reason: str = "Locked. Type the passphrase to unlock.") -> None:
        """Lock; a rehearsal with unsaved answers asks first (save as finished early?)."""
        if not self.gate.is_open:
            return
        rehearsal = self._unsaved_rehearsal()
        if rehearsal is not None:
            rehearsal.confirm_leave("Locking", lambda: self._lock(reason))
        else:
            self._lock(reason)

    async def action_quit(self) -> None:
        """Quit; a rehearsal with unsaved answers asks first (save as finished early?)."""
        rehearsal = self._unsaved_rehearsal()
        if rehearsal is not None:
            rehearsal.confirm_leave("Quitting", self.exit)
        else:
            self.exit()

    def _unsaved_rehearsal(self) -> RehearsalGuard | None:
        """The rehearsal screen (of any section's stack) holding answers not yet saved."""
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, RehearsalGuard) and screen.unsaved_answers:
                    return screen
        return None

    @work(thread=True, group="lock", exclusive=True, exit_on_error=False, name="lock")
    def _lock(self, reason: str) -> None:
        self.gate.close()  # waits for a running job's call to end, then drops the keys
        self.post_message(VaultLocked(reason))

    def on_vault_locked(self, message: VaultLocked) -> None:
        self._jobs.clear()
        self.job = None
        self.current_run_id = None
        self.switch_mode("unlock")
        for mode, screen in MAIN_MODES.items():
            self.remove_mode(mode)  # drop every screen that showed vault content
            self.add_mode(mode, screen)
        self.unlock_error = message.reason
        self.status = message.reason

    # ----- auto-lock -----

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseMove | events.MouseScrollUp
        ):
            self._last_activity = self.settings.monotonic()
        await super().on_event(event)

    def check_autolock(self) -> None:
        """Lock when nobody touched a key or the mouse for the configured minutes."""
        minutes = self.settings.autolock_minutes
        if minutes <= 0 or not self.gate.is_open:
            return
        if self.settings.monotonic() - self._last_activity >= minutes * 60:
            reason = f"Locked after {minutes:g} idle minute(s). Type the passphrase."
            rehearsal = self._unsaved_rehearsal()
            if rehearsal is not None:  # nobody is there to ask: keep the answers
                self._last_activity = self.settings.monotonic()
                rehearsal.save_early(lambda: self._lock(reason))
            else:
                self.action_lock(reason)

    # ----- jobs -----

    def start_job(
        self,
        job: str,
        label: str,
        body: Callable[[Session, jobs.Report], jobs.Outcome],
        *,
        changes: bool = True,
    ) -> bool:
        """Run ``body`` in the thread worker group ``job``; refuse a second one of the same kind."""
        if job in self._jobs:
            self.show_error(f"{label}: already in progress, wait for it to finish")
            return False
        gate = self.gate

        def report(done: int, total: int | None, stage: str) -> None:
            text = f"{label}: {stage}" if stage else label
            self.post_message(ProgressChanged(job, text, done, total))

        def work() -> None:
            outcome = gate.call(lambda session: body(session, report))
            self.post_message(JobFinished(job, outcome.text, changed=changes, value=outcome.value))

        self._jobs[job] = self.job = JobState(job, label)
        self.run_worker(
            work,
            name=job,
            group=job,
            description=label.lower(),
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def on_progress_changed(self, message: ProgressChanged) -> None:
        if message.job in self._jobs or message.job == "unlock":
            state = JobState(message.job, message.label, message.done, message.total)
            if message.job != "unlock":
                self._jobs[message.job] = state
            self.job = state

    def on_job_finished(self, message: JobFinished) -> None:
        self._end_job(message.job)
        if message.job == "run" and isinstance(message.value, str):
            self.current_run_id = message.value
        self.status = message.text
        self.notify(message.text, title="Done", timeout=6)
        if message.changed:
            self.data_version += 1

    def _end_job(self, job: str) -> None:
        self._jobs.pop(job, None)
        self.job = next(reversed(self._jobs.values()), None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is not WorkerState.ERROR or worker.error is None:
            return
        text = one_line(worker.error, worker.description or worker.name)
        if worker.group == "unlock":
            self.post_message(UnlockFailed(text))
            return
        self._end_job(worker.group)
        self.show_error(text)

    def show_error(self, text: str) -> None:
        self.status = f"Error: {text}"
        self.notify(text, title="Error", severity="error", timeout=10)

    # ----- actions (bindings, the command palette, screens) -----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_VAULT and not self.gate.is_open:
            return False
        if action in LETTER_ACTIONS and getattr(self.screen, "owns_keyboard", False):
            return False
        return True

    def action_help(self) -> None:
        from mockaudit.tui.screens.help import HelpScreen  # dialogs load when first opened

        self.push_screen(HelpScreen())

    def action_import_scenario(self) -> None:
        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self.import_scenario(folder)

        from mockaudit.tui.screens.dialogs import ImportScreen

        self.push_screen(ImportScreen(), chosen)

    def import_scenario(self, folder: Path) -> None:
        self.start_job(
            "import",
            f"Importing {folder.name}",
            lambda s, report: jobs.import_scenario(s, folder, report),
        )

    def action_run_audit(self) -> None:
        self.run_audit(self.seed)

    def run_audit(self, seed: int) -> None:
        self.seed = seed
        as_of = self.settings.as_of()
        self.start_job(
            "run",
            f"Running the mock audit (seed {seed})",
            lambda s, report: jobs.run_audit(s, seed, as_of, report),
        )

    def run_with_new_seed(self) -> None:
        self.run_audit(_new_seed())

    @property
    def seed(self) -> int:
        """The sampling seed of the next run: the settings' one, else a fresh one."""
        if self._seed is None:
            self._seed = _new_seed()
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        self._seed = value

    def action_add_files(self) -> None:
        def chosen(choice: tuple[list[Path], str] | None) -> None:
            if choice is not None:
                self.add_files(*choice)

        from mockaudit.tui.screens.dialogs import AddFilesScreen

        self.push_screen(AddFilesScreen(), chosen)

    def add_files(self, paths: list[Path], control: str) -> None:
        self.start_job(
            "add",
            f"Adding {len(paths)} file(s)",
            lambda s, report: jobs.add_files(s, paths, control, report),
        )

    def respond(self, run_id: str, code: str, status: str, ids: list[str], note: str) -> None:
        """Record the client's answer to one request (attach evidence / not available)."""
        self.start_job(
            "respond",
            f"Answering {code}",
            lambda s, report: jobs.respond(s, run_id, code, status, ids, note),
        )

    def remediate(self, form: ResponseInput) -> None:
        """Store management's response to a finding (the response form)."""
        self.start_job(
            "remediate",
            f"Saving the response to {form.finding_id}",
            lambda s, report: jobs.remediate(s, form),
        )

    def action_export(self, kind: str = "findings") -> None:
        def chosen(choice: tuple[str, str, Path] | None) -> None:
            if choice is not None:
                self.export(*choice)

        from mockaudit.tui.screens.dialogs import ExportScreen

        self.push_screen(ExportScreen(kind, self.gate), chosen)

    def export(self, kind: str, fmt: str, out: Path) -> None:
        self.start_job(
            "export",
            f"Exporting {kind} as {fmt}",
            lambda s, report: jobs.export(s, kind, fmt, out, report),
            changes=False,
        )

    def action_verify(self) -> None:
        self.start_job("verify", "Verifying the vault", jobs.verify, changes=False)

    def action_owners(self) -> None:
        """Walkthrough readiness per control owner, over the Program section (one at most)."""
        from mockaudit.tui.screens.owners import OwnersScreen

        self.switch_mode("program")
        if not any(isinstance(screen, OwnersScreen) for screen in self.screen_stack):
            self.push_screen(OwnersScreen())


def _new_seed() -> int:
    from mockaudit.domain.seed import new_seed  # the domain (pydantic) loads after the first frame

    return new_seed()


def make_app(
    vault_dir: Path,
    *,
    passphrase: str | None = None,
    create: bool = False,
    settings: TuiSettings | None = None,
) -> MockAuditApp:
    """The app for ``vault_dir``; with ``passphrase`` it unlocks straight away (the demo)."""
    return MockAuditApp(vault_dir, passphrase=passphrase, create=create, settings=settings)
