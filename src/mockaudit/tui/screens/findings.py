"""Findings: a filterable, sortable table of the latest run; detail, remediation and owner.

``enter`` opens the highlighted finding; ``s`` (or a click on a column header)
changes the sort; ``e`` exports. Everything is loaded once per run in a worker —
a run holds at most a few hundred findings, so filtering is done in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select, Static

from mockaudit.domain import Finding, Program
from mockaudit.domain.remediation import Remediation
from mockaudit.domain.run import Run
from mockaudit.session import Session
from mockaudit.tui.screens.base import MainScreen
from mockaudit.tui.widgets import cells, fit, panels
from mockaudit.tui.widgets.tables import current_key, move_to_key

SORTS = ("worst", "id", "control", "owner", "code")


@dataclass(frozen=True)
class FindingsData:
    program: Program | None
    run: Run | None
    responses: Mapping[str, Remediation] = field(default_factory=dict)


def load_findings(run_id: str | None) -> Callable[[Session], FindingsData]:
    def load(session: Session) -> FindingsData:
        if not session.runs():
            return FindingsData(None, None)
        run = session.run(run_id)
        return FindingsData(session.program(), run, session.remediations_by_finding(run))

    return load


def remediation_filters(program: Program | None) -> list[tuple[str, str]]:
    """Who and what to show: everyone, the overdue, the unassigned, or one person's."""
    people = [(f"{p.name}'s", f"owner:{p.id}") for p in program.people] if program else []
    return [("all remediations", "all"), ("overdue", "overdue"), ("unassigned", "unassigned")] + (
        people
    )


def keeps(record: Remediation | None, choice: str, today: date) -> bool:
    """Whether a finding with this remediation record passes the remediation filter."""
    if choice == "all":
        return True
    if choice == "overdue":
        return record is not None and record.overdue(today)
    if choice == "unassigned":
        return record is None or record.owner is None
    return record is not None and record.owner == choice.removeprefix("owner:")


def describe(finding: Finding, program: Program | None) -> Content:
    """The whole finding, for the detail pane and the finding screen."""
    owner = panels.person_name(program, finding.owner)
    about = [
        f"{label} {value}"
        for label, value in (
            ("control", finding.control),
            ("population", finding.population),
            ("policy", finding.policy),
            ("risk", finding.risk),
        )
        if value
    ]
    parts: list[Content] = [
        Content.assemble((finding.title, "bold")),
        Content.assemble(
            (finding.severity.value.upper(), cells.SEVERITY_STYLE[finding.severity.value]),
            f"  {finding.id}  {finding.code.value}",
        ),
        Content.assemble(
            ("Owner: ", "bold"), (owner or cells.NONE_OWNER, "" if owner else "bold red")
        ),
    ]
    if about:
        parts.append(Content.assemble(("About: ", "bold"), ", ".join(about)))
    if finding.criteria:
        parts.append(Content.assemble(("Criteria: ", "bold"), ", ".join(finding.criteria)))
    if finding.items:
        shown = ", ".join(finding.items[:12])
        more = f" and {len(finding.items) - 12} more" if len(finding.items) > 12 else ""
        parts.append(Content.assemble(("Items: ", "bold"), shown + more))
    if finding.detail:
        parts.extend([Content(""), Content(finding.detail)])
    if finding.remediation:
        parts.extend(
            [Content(""), Content.assemble(("Remediation: ", "bold green"), finding.remediation)]
        )
    return Content("\n").join(parts)


class FindingScreen(ModalScreen[None]):
    """One finding in full (opened with enter); ``r`` writes management's response."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("enter", "dismiss", "Close"),
        Binding("r", "respond", "Response"),
    ]

    def __init__(
        self, text: Content, finding: Finding | None = None, program: Program | None = None
    ) -> None:
        super().__init__()
        self.text = text
        self.finding = finding
        self.program = program

    def action_respond(self) -> None:
        from mockaudit.tui.screens.response_form import ResponseForm, ResponseInput

        if self.finding is None:
            return
        app = self.app

        def chosen(form: ResponseInput | None) -> None:
            if form is not None:
                app.remediate(form)  # type: ignore[attr-defined]

        app.push_screen(ResponseForm(self.finding, self.program), chosen)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="finding-full", classes="dialog"):
            yield Static(self.text, id="finding-full-text")


FINDING_COLUMNS = (
    fit.Column("sev"),
    fit.Column("id"),
    fit.Column("code", 3, 16),
    fit.Column("control", 2),
    fit.Column("owner", 2, 10),
    fit.Column("status", 1, 8),
    fit.Column("due", 1),
    fit.Column("title", 0, 20),
)


class FindingsScreen(MainScreen):
    SECTION = "findings"
    AUTO_FOCUS = "#findings-table"
    BINDINGS = [
        Binding("s", "sort", "Sort"),
        Binding("e", "app.export('findings')", "Export"),
        Binding("slash", "filter", "Filter", show=False),
        Binding("escape", "leave_filter", "Leave filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = FindingsData(None, None)
        self.sort = "worst"

    def compose_body(self) -> Iterable[Widget]:
        table = fit.FitTable(FINDING_COLUMNS, id="findings-table")
        detail = VerticalScroll(Static("", id="finding-detail"), id="finding-detail-box")
        detail.border_title = "Finding"
        severities = [
            ("all severities", "all"),
            ("high", "high"),
            ("medium", "medium"),
            ("low", "low"),
        ]
        yield Horizontal(
            Input(
                placeholder="/ filter: words, code, control, owner",
                id="findings-filter",
                compact=True,
            ),
            Select(
                severities, value="all", allow_blank=False, id="findings-severity", compact=True
            ),
            Select(
                remediation_filters(None),
                value="all",
                allow_blank=False,
                id="findings-remediation",
                compact=True,
            ),
            Label("", id="findings-count"),
            id="findings-bar",
        )
        yield Horizontal(table, detail, id="findings-body")

    def on_mount(self) -> None:
        self.query_one("#findings-filter", Input).cursor_blink = self.mock.settings.cursor_blink
        super().on_mount()

    def reload(self) -> None:
        self.fetch("findings", load_findings(self.mock.current_run_id), self.show)

    def show(self, data: FindingsData) -> None:
        self.data = data
        choice = self.query_one("#findings-remediation", Select)
        keep = choice.value
        options = remediation_filters(data.program)
        choice.set_options(options)
        choice.value = keep if any(v == keep for _, v in options) else "all"
        self.refill()

    def shown_findings(self) -> list[Finding]:
        run, program = self.data.run, self.data.program
        if run is None:
            return []
        words = self.query_one("#findings-filter", Input).value.lower().split()
        severity = self.query_one("#findings-severity", Select).value
        choice = str(self.query_one("#findings-remediation", Select).value)
        today = self.mock.settings.as_of()
        shown = []
        for finding in panels.worst_first(run.findings, run.readiness):
            if severity != "all" and finding.severity.value != severity:
                continue
            if not keeps(self.data.responses.get(finding.id), choice, today):
                continue
            owner = panels.person_name(program, finding.owner) or "nobody"
            haystack = " ".join(
                [
                    finding.id,
                    finding.code.value,
                    finding.title,
                    finding.control or "",
                    finding.population or "",
                    finding.policy or "",
                    owner,
                ]
            ).lower()
            if all(word in haystack for word in words):
                shown.append(finding)
        if self.sort != "worst":
            shown.sort(key=lambda f: (str(self._sort_value(f)), f.id))
        return shown

    def _sort_value(self, finding: Finding) -> str:
        if self.sort == "owner":
            return panels.person_name(self.data.program, finding.owner) or "~"
        return str(getattr(finding, self.sort) or "~")

    def refill(self) -> None:
        table = self.query_one("#findings-table", fit.FitTable)
        keep = current_key(table)
        shown = self.shown_findings()
        today = self.mock.settings.as_of()
        rows = []
        for finding in shown:
            record = self.data.responses.get(finding.id)
            late = record is not None and record.overdue(today)
            due = record.due.isoformat() if record and record.due else ""
            cells_of_row = (
                cells.severity(finding.severity.value),
                cells.cell(finding.id),
                cells.cell(finding.code.value),
                cells.cell(finding.control or ""),
                cells.owner(panels.person_name(self.data.program, finding.owner)),
                cells.cell(record.status_text if record else ""),
                cells.cell(due + (" late" if late else "")),
                cells.cell(cells.shorten(finding.title, 70)),
            )
            rows.append((finding.id, cells_of_row))
        table.show_rows(rows)
        total = len(self.data.run.findings) if self.data.run else 0
        self.query_one("#findings-count", Label).update(
            f"{len(shown)} of {total} · sorted by {self.sort}"
        )
        if not shown:
            message = "No audit run yet: press r." if self.data.run is None else "Nothing matches."
            self.query_one("#finding-detail", Static).update(message)
        else:
            move_to_key(table, keep)
            self._detail(current_key(table) or shown[0].id)

    def _finding(self, finding_id: str) -> Finding | None:
        run = self.data.run
        return next((f for f in run.findings if f.id == finding_id), None) if run else None

    def _detail(self, finding_id: str) -> None:
        finding = self._finding(finding_id)
        if finding is not None:
            self.query_one("#finding-detail", Static).update(describe(finding, self.data.program))

    @on(DataTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self._detail(event.row_key.value)

    @on(DataTable.RowSelected, "#findings-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    @on(DataTable.HeaderSelected, "#findings-table")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        label = str(event.label)
        self.sort = {"sev": "worst", "title": "worst"}.get(label, label)
        self.refill()

    @on(Input.Changed, "#findings-filter")
    @on(Select.Changed, "#findings-severity")
    @on(Select.Changed, "#findings-remediation")
    def _filter_changed(self) -> None:
        self.refill()

    def action_open(self) -> None:
        table = self.query_one("#findings-table", DataTable)
        if not table.row_count:
            return
        finding = self._finding(current_key(table) or "")
        if finding is not None:
            program = self.data.program
            self.app.push_screen(FindingScreen(describe(finding, program), finding, program))

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refill()

    def action_filter(self) -> None:
        self.query_one("#findings-filter", Input).focus()

    def action_leave_filter(self) -> None:
        """Escape in the filter box: back to the table (the filter stays applied)."""
        self.query_one("#findings-table", DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_filter":  # only while the filter box has the focus
            return self.focused is not None and self.focused.id == "findings-filter"
        return True
