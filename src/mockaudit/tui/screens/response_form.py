"""Management's response to one finding (issue 18): owner, due date, cause, response and
status, opened with ``r`` from a finding. ``ctrl+s`` saves through the app's job
(session.set_remediation / set_remediation_status); escape cancels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from mockaudit.domain import Finding, Program
from mockaudit.domain.remediation import RemediationStatus
from mockaudit.tui.screens.dialogs import Dialog

KEEP = "keep"


@dataclass(frozen=True)
class ResponseInput:
    """What the form collected; None/empty: leave unchanged."""

    finding_id: str
    owner: str | None
    due: date | None
    cause: str | None
    response: str | None
    status: str | None
    evidence: tuple[str, ...] = ()


class ResponseForm(Dialog[ResponseInput]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, finding: Finding, program: Program | None) -> None:
        super().__init__()
        self.finding = finding
        self.people = [(p.name, p.id) for p in program.people] if program else []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="response-form"):
            yield Label(f"Management's response to {self.finding.id}", classes="dialog-title")
            yield Label(self.finding.title)
            yield Select(self.people, prompt="owner", id="response-owner", compact=True)
            yield Input(placeholder="due date YYYY-MM-DD", id="response-due", compact=True)
            yield Input(placeholder="cause", id="response-cause", compact=True)
            yield Input(placeholder="management's response", id="response-text", compact=True)
            statuses = [("status unchanged", KEEP)] + [
                (s.value.replace("_", " "), s.value)
                for s in RemediationStatus
                if s not in (RemediationStatus.RETESTED, RemediationStatus.RISK_ACCEPTED)
            ]
            yield Select(
                statuses, value=KEEP, allow_blank=False, id="response-status", compact=True
            )
            yield Input(
                placeholder="evidence of the fix: EV-… ids, comma-separated",
                id="response-evidence",
                compact=True,
            )
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="response-save", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "response-save":
            self.action_save()

    def action_save(self) -> None:
        due_text = self.query_one("#response-due", Input).value.strip()
        try:
            due = date.fromisoformat(due_text) if due_text else None
        except ValueError:
            self.say(f"due date {due_text!r} is not YYYY-MM-DD")
            return
        owner = self.query_one("#response-owner", Select).value
        status = self.query_one("#response-status", Select).value
        cause = self.query_one("#response-cause", Input).value.strip()
        response = self.query_one("#response-text", Input).value.strip()
        evidence_text = self.query_one("#response-evidence", Input).value
        evidence = tuple(e.strip() for e in evidence_text.replace(",", " ").split() if e.strip())
        if evidence and not (isinstance(status, str) and status != KEEP):
            self.say("evidence goes with a status change: pick a status (e.g. remediated)")
            return
        self.dismiss(
            ResponseInput(
                self.finding.id,
                owner if isinstance(owner, str) else None,
                due,
                cause or None,
                response or None,
                status if isinstance(status, str) and status != KEEP else None,
                evidence,
            )
        )
