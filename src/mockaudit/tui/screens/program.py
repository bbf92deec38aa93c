"""Program: controls (ownerless ones stand out), people, policies and commitments,
populations with their completeness, and a virtual browser over any population's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from mockaudit.domain import Control, Program
from mockaudit.domain.run import ControlTest, Run
from mockaudit.session import Session
from mockaudit.tui.screens.base import TAB_BINDINGS, MainScreen
from mockaudit.tui.screens.walkthrough import WalkthroughCommands, WalkthroughScreen
from mockaudit.tui.widgets import cells, fit
from mockaudit.tui.widgets.population_view import PopulationView

if TYPE_CHECKING:
    from mockaudit.domain.population_table import PopulationTable


@dataclass(frozen=True)
class ProgramData:
    program: Program | None
    tables: dict[str, PopulationTable]
    run: Run | None


def load_program(session: Session) -> ProgramData:
    if not session.program_history():
        return ProgramData(None, {}, None)
    tables = {t.population_id: t for t in session.populations()}
    run = session.run() if session.runs() else None
    return ProgramData(session.program(), tables, run)


def owner_known(program: Program, owner: str | None) -> bool:
    person = program.person(owner) if owner else None
    return person is not None and person.left_on is None


def _name(program: Program, person_id: str | None) -> str | None:
    person = program.person(person_id) if person_id else None
    return person.name if person else person_id


def population_status(data: ProgramData, population_id: str) -> Text:
    """Imported or not, the count against the declared one, and the run's findings on it."""
    program = data.program
    declared = program.population(population_id) if program else None
    table = data.tables.get(population_id)
    if table is None:
        return cells.cell("not imported", "bold red")
    problems = sorted(
        {
            f.code.value.split(".", 1)[1]
            for f in (data.run.findings if data.run else ())
            if f.population == population_id and f.code.value.startswith("population.")
        }
    )
    if declared is not None and declared.declared_count not in (None, table.row_count):
        problems.insert(0, f"{table.row_count:,} vs {declared.declared_count:,} declared")
    if problems:
        return cells.cell("; ".join(problems).replace("_", " "), "yellow")
    return cells.cell(f"complete ({table.row_count:,} rows)", "green")


def control_detail(control: Control, test: ControlTest | None, program: Program) -> Content:
    owner = program.person(control.owner) if control.owner else None
    owner_text = owner.name if owner else (control.owner or cells.NONE_OWNER)
    lines = [
        Content.assemble((f"{control.id} {control.title}", "bold")),
        Content.assemble(
            ("Owner: ", "bold"),
            (owner_text, "" if owner_known(program, control.owner) else "bold red"),
        ),
        Content(
            f"{control.frequency.value} · {control.kind.value} · {control.nature.value} · "
            f"{control.risk.value} risk · criteria {', '.join(control.criteria)}"
        ),
    ]
    if control.description:
        lines.extend([Content(""), Content(control.description)])
    if control.attributes:
        lines.append(
            Content.assemble(("Attributes: ", "bold"), ", ".join(a.id for a in control.attributes))
        )
    if control.evidence:
        lines.append(Content.assemble(("Evidence: ", "bold"), ", ".join(control.evidence)))
    if test is not None:
        lines.extend([Content(""), Content.assemble(("Last test: ", "bold"), test.reason)])
    return Content("\n").join(lines)


C = fit.Column
COLUMNS: dict[str, tuple[fit.Column, ...]] = {
    "controls": (
        C("id"),
        C("title", 0, 14),
        C("owner", 1, 10),
        C("frequency", 4),
        C("criteria", 5, 10),
        C("population", 3),
        C("last result", 2, 12),
    ),
    "people": (
        C("id"),
        C("name"),
        C("role", 4, 12),
        C("email", 2, 12),
        C("left", 1),
        C("owns", 1),
    ),
    "policies": (
        C("id"),
        C("title", 0, 14),
        C("owner", 1, 10),
        C("approved", 1),
        C("review", 3),
        C("commitments", 2),
    ),
    "populations": (
        C("id"),
        C("title", 3, 12),
        C("system", 4),
        C("rows", 2),
        C("completeness", 0, 14),
    ),
}


class ProgramScreen(MainScreen):
    SECTION = "program"
    AUTO_FOCUS = "#controls"
    BINDINGS = [*TAB_BINDINGS, Binding("w", "walkthrough", "Walkthrough", show=False)]
    COMMANDS = MainScreen.COMMANDS | {WalkthroughCommands}

    def __init__(self) -> None:
        super().__init__()
        self.data = ProgramData(None, {}, None)

    def compose_body(self) -> Iterable[Widget]:
        def table(table_id: str) -> DataTable[object]:
            return fit.FitTable(COLUMNS[table_id], id=table_id)

        browser = PopulationView(id="population-rows")
        browser.border_title = "Rows"
        yield Static("Loading…", id="program-empty")
        with TabbedContent(id="program-tabs"):
            with TabPane("Controls", id="tab-controls"):
                yield Horizontal(
                    table("controls"),
                    VerticalScroll(Static("", id="control-detail"), id="control-detail-box"),
                    classes="master-detail stacked",
                )
            with TabPane("People", id="tab-people"):
                yield table("people")
            with TabPane("Policies", id="tab-policies"):
                yield Horizontal(
                    table("policies"),
                    VerticalScroll(Static("", id="policy-detail"), id="policy-detail-box"),
                    classes="master-detail stacked",
                )
            with TabPane("Populations", id="tab-populations"):
                yield Vertical(table("populations"), browser, id="populations-box")

    def _fill(self, table_id: str, rows: list[fit.Row]) -> None:
        """Show ``rows`` with the columns that fit the table's width (80×24 included)."""
        self.query_one(f"#{table_id}", fit.FitTable).show_rows(rows)

    def reload(self) -> None:
        self.fetch("program", load_program, self.show)

    def show(self, data: ProgramData) -> None:
        self.data = data
        self.set_class(data.program is None, "-empty")
        program = data.program
        if program is None:
            self.query_one("#program-empty", Static).update(
                "No program yet: press i to import a scenario folder."
            )
            return
        self._controls(program, data.run)
        self._people(program)
        self._policies(program)
        self._populations(program)

    def _controls(self, program: Program, run: Run | None) -> None:
        tests = {t.control: t for t in run.tests} if run else {}
        rows: list[fit.Row] = []
        for control in program.controls:
            known = owner_known(program, control.owner)
            test = tests.get(control.id)
            result = test.conclusion.value if test else None
            if test is not None and test.deviations:
                result = f"{result}: {test.deviations}/{test.sample_size}"
            cells_ = (
                cells.cell(control.id, "" if known else "bold red"),
                cells.cell(cells.shorten(control.title, 34)),
                cells.owner(_name(program, control.owner), known=known),
                cells.cell(control.frequency.value),
                cells.cell(", ".join(control.criteria)),
                cells.cell(control.population or "—"),
                cells.conclusion(result)
                if test is None or not test.deviations
                else cells.cell(result or "", cells.CONCLUSION_STYLE["exceptions"]),
            )
            rows.append((control.id, cells_))
        self._fill("controls", rows)
        if program.controls:
            self._control_detail(program.controls[0].id)

    def _people(self, program: Program) -> None:
        rows: list[fit.Row] = []
        for person in program.people:
            owns = sum(1 for c in program.controls if c.owner == person.id)
            cells_ = (
                cells.cell(person.id),
                cells.cell(person.name),
                cells.cell(person.role or ""),
                cells.cell(person.email or ""),
                cells.cell(
                    str(person.left_on or ""), "bold red" if person.left_on and owns else ""
                ),
                cells.cell(owns),
            )
            rows.append((person.id, cells_))
        self._fill("people", rows)

    def _policies(self, program: Program) -> None:
        rows: list[fit.Row] = []
        for policy in program.policies:
            cells_ = (
                cells.cell(policy.id),
                cells.cell(cells.shorten(policy.title, 40)),
                cells.owner(_name(program, policy.owner), known=owner_known(program, policy.owner)),
                cells.cell(
                    str(policy.approved_on or "never"), "" if policy.approved_on else "bold red"
                ),
                cells.cell(f"{policy.review_interval_days} d"),
                cells.cell(len(policy.commitments)),
            )
            rows.append((policy.id, cells_))
        self._fill("policies", rows)
        if program.policies:
            self._policy_detail(program.policies[0].id)

    def _populations(self, program: Program) -> None:
        rows: list[fit.Row] = []
        for population in program.populations:
            imported = self.data.tables.get(population.id)
            cells_ = (
                cells.cell(population.id),
                cells.cell(cells.shorten(population.title, 36)),
                cells.cell(population.system),
                cells.cell(f"{imported.row_count:,}" if imported else "—"),
                population_status(self.data, population.id),
            )
            rows.append((population.id, cells_))
        self._fill("populations", rows)
        if program.populations:
            self._browse(program.populations[0].id)

    def action_walkthrough(self) -> None:
        """Rehearse the walkthrough of the highlighted control with its owner."""
        table = self.query_one("#controls", DataTable)
        if self.data.program is None or not table.row_count:
            return
        row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if row:
            self.app.push_screen(WalkthroughScreen(row))

    # ----- selections -----

    def _control_detail(self, control_id: str) -> None:
        program = self.data.program
        control = program.control(control_id) if program else None
        if program is None or control is None:
            return
        run = self.data.run
        test = next((t for t in run.tests if t.control == control_id), None) if run else None
        self.query_one("#control-detail", Static).update(control_detail(control, test, program))

    def _policy_detail(self, policy_id: str) -> None:
        policy = self.data.program.policy(policy_id) if self.data.program else None
        if policy is None:
            return
        lines = [Content.assemble((f"{policy.id} {policy.title}", "bold"))]
        if policy.file:
            lines.append(Content(f"File: {policy.file}"))
        lines.append(Content.assemble(("Commitments", "bold")))
        lines.extend(Content(f"• {c.statement}") for c in policy.commitments)
        if not policy.commitments:
            lines.append(Content("none measurable"))
        self.query_one("#policy-detail", Static).update(Content("\n").join(lines))

    def _browse(self, population_id: str) -> None:
        table = self.data.tables.get(population_id)
        view = self.query_one("#population-rows", PopulationView)
        view.border_title = f"Rows of {population_id}"
        if table is None:
            view.show(population_id, (), 0)
        elif view.population != population_id:
            view.show(population_id, table.columns, table.row_count)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value or ""
        handlers = {
            "controls": self._control_detail,
            "policies": self._policy_detail,
            "populations": self._browse,
        }
        handler = handlers.get(event.data_table.id or "")
        if handler is not None:
            handler(key)

    @on(DataTable.RowSelected, "#populations")
    def _open_rows(self) -> None:
        self.query_one("#population-rows", PopulationView).focus()

    @on(PopulationView.PageWanted)
    def _page(self, event: PopulationView.PageWanted) -> None:
        view = self.query_one("#population-rows", PopulationView)
        population, offset, limit = event.population, event.offset, event.limit
        self.fetch(
            f"page-{offset}",
            lambda s: s.population_page(population, offset, limit),
            lambda rows: view.add_page(population, offset, rows),
            exclusive=False,
        )
