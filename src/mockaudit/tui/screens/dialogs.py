"""Small modal dialogs: import a scenario folder, export a run, add evidence files.

Each returns its answer through ``dismiss`` (a typed ``ModalScreen[T]``) to the
callback the app passed to ``push_screen``; none of them touches the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from mockaudit.builtin import builtin_scenario, builtin_scenarios
from mockaudit.tui.gate import SessionGate
from mockaudit.tui.jobs import EXPORTS
from mockaudit.tui.widgets.path_input import PathInput

T = TypeVar("T")


def exports_folder(vault_dir: Path) -> Path:
    """Where the TUI suggests writing exports: a folder beside the vault, named after it."""
    vault = vault_dir.absolute()
    return vault.parent / f"{vault.name}-exports"


class Dialog(ModalScreen[T | None], Generic[T]):
    """Escape cancels; errors show on the dialog's last line."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def say(self, text: str) -> None:
        self.query_one(".dialog-error", Static).update(Content(text))


class ImportScreen(Dialog[Path]):
    """Pick a scenario folder (with completion) or one of the built-in companies."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Import a scenario folder", classes="dialog-title")
            yield PathInput(
                placeholder="scenario folder (→ completes)",
                dirs_only=True,
                id="import-path",
                compact=True,
            )
            yield Label("or a built-in company:")
            yield OptionList(
                *[Option(name, id=name) for name in builtin_scenarios()], id="import-builtins"
            )
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import", variant="primary", id="import-go", compact=True)
                yield Button("Cancel", id="import-cancel", compact=True)

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-go")
    def _submit(self) -> None:
        folder = self.query_one("#import-path", PathInput).path
        if not (folder / "scenario.toml").is_file():
            self.say(f"{folder} has no scenario.toml")
            return
        self.dismiss(folder)

    @on(OptionList.OptionSelected, "#import-builtins")
    def _builtin(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(builtin_scenario(event.option.id))

    @on(Button.Pressed, "#import-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


KIND_LABELS = {
    "findings": "Findings of the latest run",
    "requests": "Request (PBC) list of the latest run",
    "report": "Readiness report",
    "package": "Evidence package (zip)",
}


class ExportScreen(Dialog[tuple[str, str, Path]]):
    """Choose what to export, the format and where; formats not in this build say so."""

    def __init__(self, kind: str, gate: SessionGate) -> None:
        super().__init__()
        self.kind = kind if kind in EXPORTS else "findings"
        self.gate = gate

    def compose(self) -> ComposeResult:
        kinds = [(label, kind) for kind, label in KIND_LABELS.items()]
        with Vertical(classes="dialog"):
            yield Label("Export", classes="dialog-title")
            yield Label("What")
            yield Select(kinds, value=self.kind, allow_blank=False, id="export-kind", compact=True)
            yield Label("Format")
            yield Select(
                self._formats(self.kind),
                value=EXPORTS[self.kind][1][0],
                allow_blank=False,
                id="export-format",
                compact=True,
            )
            yield Label("File (→ completes)")
            yield PathInput(
                self._default_out(self.kind, EXPORTS[self.kind][1][0]),
                id="export-path",
                compact=True,
            )
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export-go", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        self._check_available()
        self.query_one("#export-path", PathInput).focus()

    @staticmethod
    def _formats(kind: str) -> list[tuple[str, str]]:
        return [(fmt.upper(), fmt) for fmt in EXPORTS[kind][1]]

    def _default_out(self, kind: str, fmt: str) -> str:
        """Beside the vault, in ``<vault>-exports/``: never the current folder, which in the
        demo is the git checkout (a decrypted package would show in ``git status``)."""
        return str(exports_folder(self.gate.vault_dir) / f"{kind}.{fmt}")

    def _check_available(self) -> bool:
        method = EXPORTS[self.kind][0]
        available = self.gate.has(method)
        self.query_one("#export-go", Button).disabled = not available
        self.say("" if available else f"{self.kind} export is not available in this build")
        return available

    @on(Select.Changed, "#export-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.kind:
            return
        self.kind = event.value
        first = EXPORTS[self.kind][1][0]
        formats = self.query_one("#export-format", Select)
        formats.set_options(self._formats(self.kind))
        formats.value = first
        self.query_one("#export-path", PathInput).value = self._default_out(self.kind, first)
        self._check_available()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            path = self.query_one("#export-path", PathInput)
            path.value = str(path.path.with_suffix(f".{event.value}"))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _submit(self) -> None:
        if not self._check_available():
            return
        fmt = self.query_one("#export-format", Select).value
        out = self.query_one("#export-path", PathInput).path
        if not isinstance(fmt, str) or not out.name:
            self.say("choose a format and a file name")
            return
        suggested = exports_folder(self.gate.vault_dir)  # made by the export if missing
        if not out.parent.is_dir() and out.parent.absolute() != suggested:
            self.say(f"{out.parent} is not a folder")
            return
        self.dismiss((self.kind, fmt, out))

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class AddFilesScreen(Dialog[tuple[list[Path], str]]):
    """A file (or a folder: its files) to store, optionally linked to a control."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add evidence files", classes="dialog-title")
            yield PathInput(placeholder="file or folder (→ completes)", id="add-path", compact=True)
            yield Input(placeholder="link to control id (optional)", id="add-control", compact=True)
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", variant="primary", id="add-go", compact=True)
                yield Button("Cancel", id="add-cancel", compact=True)

    @on(Input.Submitted, "#add-path")
    def _next(self) -> None:
        self.query_one("#add-control", Input).focus()

    @on(Input.Submitted, "#add-control")
    @on(Button.Pressed, "#add-go")
    def _submit(self) -> None:
        path = self.query_one("#add-path", PathInput).path
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            files = [path]
        if not files or not files[0].is_file():
            self.say(f"{path}: no such file")
            return
        self.dismiss((files, self.query_one("#add-control", Input).value.strip()))

    @on(Button.Pressed, "#add-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
