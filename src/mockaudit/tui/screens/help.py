"""The help screen (``?``): the keys, and what each section shows.

Plain styled text rather than a Markdown widget: it opens instantly, even while a
long run keeps the other core busy.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("1 … 5", "Dashboard, Program, Vault, Fieldwork, Findings (or click the names)"),
    ("ctrl+p", "command palette: every action by name"),
    ("i", "import a scenario folder (or a built-in company)"),
    ("r", "run the mock audit with the seed shown on Fieldwork"),
    ("o", "walkthrough readiness per owner; enter rehearses the next"),
    ("w", "rehearse the highlighted control (Program › Controls)"),
    ("[ ]", "previous / next tab (Program, Fieldwork)"),
    ("ctrl+l", "lock: close the vault and forget the keys"),
    ("?", "this help · q quit · escape closes a dialog"),
)

SECTIONS = (
    (
        "Dashboard",
        "readiness score, likely opinion and why, fieldwork estimate, criteria heat "
        "map, top gaps with owners, the Type 1 / Type 2 timeline, change since the last run.",
    ),
    (
        "Program",
        "controls (ownerless ones in red), people, policies and commitments, "
        "populations with their completeness; enter on a population browses its rows "
        "(home / end jump to the first / last row, any size).",
    ),
    (
        "Walkthrough",
        "the simulated auditor interviews a control's owner: type each answer and press "
        "enter; feedback on contradictions shows at once; ctrl+s skips a question, ctrl+f "
        "finishes early (the rest is recorded as skipped); then pick the evidence of the last "
        "instance. The transcript is saved encrypted in the vault; o shows every owner's "
        "readiness.",
    ),
    (
        "Vault",
        "evidence with search and filters and each item's custody history; "
        "a adds files, v verifies every blob.",
    ),
    (
        "Fieldwork",
        "edit the seed and start a run; the auditor's requests by round on the "
        "simulated clock — a attaches evidence from the vault, n marks it not available; "
        "samples per control with each item's attribute results; the correspondence.",
    ),
    (
        "Findings",
        "filter and sort (s, or click a column); enter opens a finding; e exports "
        "(XLSX, CSV, JSON, Markdown, HTML, OSCAL; request list; report; evidence package).",
    ),
)


def help_text() -> Content:
    lines = [Content.styled("mockaudit — keys", "bold"), Content("")]
    lines.extend(Content.assemble((f"{key:>8}  ", "bold"), what) for key, what in KEYS)
    lines.append(Content(""))
    for name, what in SECTIONS:
        lines.extend([Content.assemble((name, "bold"), f"  {what}"), Content("")])
    lines.append(
        Content(
            "The vault locks itself after MOCKAUDIT_AUTOLOCK_MINUTES idle minutes "
            "(default 15; 0 turns it off)."
        )
    )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(help_text())
