"""Dashboard: how ready the company is, according to the latest mock audit.

Loads the program and the two latest runs in a worker, then fills seven panels:
readiness, likely opinion (with its rule and the fieldwork estimate), criteria heat
map, top gaps with owners, the Type 1 / Type 2 timeline and the change since the
previous run (session.compare_runs, the same matching the CLI uses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Static

from mockaudit.domain import Program
from mockaudit.domain.comparison import run_to_compare
from mockaudit.domain.remediation import Remediation
from mockaudit.domain.run import Run
from mockaudit.session import Session, compare_runs
from mockaudit.tui.screens.base import MainScreen
from mockaudit.tui.widgets import cells, panels

TOP_GAPS = 8


@dataclass(frozen=True)
class DashboardData:
    program: Program | None
    run: Run | None
    previous: Run | None
    remediations: tuple[Remediation, ...] = ()


def load_dashboard(session: Session) -> DashboardData:
    program = session.program() if session.program_history() else None
    runs = session.runs()
    run = session.run(runs[-1][0]) if runs else None
    previous_id = run_to_compare([(run_id, seed) for run_id, seed, _, _ in runs])
    previous = session.run(previous_id) if previous_id else None
    return DashboardData(program, run, previous, tuple(session.remediations()))


def remediation_line(records: Iterable[Remediation], today: date) -> str:
    """Counts by status and the overdue findings; empty when nobody has answered yet."""
    records = list(records)
    if not records:
        return ""
    counts = Counter(r.status.value.replace("_", " ") for r in records)
    late = [r.finding_id for r in records if r.overdue(today)]
    text = "Remediation: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    if late:
        text += f"  ·  overdue: {', '.join(late[:8])}" + (" …" if len(late) > 8 else "")
    return text


def _period(run: Run) -> str:
    if run.period_start is None:  # Type 1: design at one date
        return f"as of {run.period_end}"
    return f"period {run.period_start} → {run.period_end}"


def _panel(panel_id: str, title: str) -> Static:
    panel = Static("", id=panel_id, classes="panel")
    panel.border_title = title
    return panel


GAP_COLUMNS = ("sev", "finding", "owner", "what")


class DashboardScreen(MainScreen):
    SECTION = "dashboard"

    def __init__(self) -> None:
        super().__init__()
        self._shown: DashboardData | None = None

    def compose_body(self) -> Iterable[Widget]:
        gaps: DataTable[object] = DataTable(id="gaps", cursor_type="row", zebra_stripes=True)
        gaps.border_title = "Top gaps"
        yield VerticalScroll(
            Static("Loading…", id="dash-empty"),
            Static("", id="dash-run"),
            Horizontal(
                _panel("score", "Readiness"),
                _panel("opinion", "Likely opinion"),
                classes="dash-row",
            ),
            _panel("heatmap", "Criteria heat map"),
            Horizontal(
                gaps,
                Vertical(
                    _panel("timeline", "Type 1 / Type 2 timeline"),
                    _panel("change", "Since the previous run"),
                    id="dash-side",
                ),
                classes="dash-row",
            ),
            id="dash",
        )

    def on_mount(self) -> None:
        table = self.query_one("#gaps", DataTable)
        table.add_columns(*GAP_COLUMNS)
        super().on_mount()

    def on_resize(self) -> None:
        self._heatmap()  # the heat map wraps its cells to the width it has
        data = self._shown
        if data is not None and data.program is not None and data.run is not None:
            self._gaps(data.program, data.run)  # so does the gaps' "what" column

    def _heatmap(self) -> None:
        data = self._shown
        if data is None or data.program is None or data.run is None or not data.run.readiness:
            return
        self.query_one("#heatmap", Static).update(
            panels.heatmap_panel(
                data.run.readiness,
                data.program.engagement.categories,
                max(30, self.size.width - 6),
            )
        )

    def reload(self) -> None:
        self.fetch("data", load_dashboard, self.show)

    def show(self, data: DashboardData) -> None:
        self._shown = data
        empty = self.query_one("#dash-empty", Static)
        ready = data.run is not None and data.run.readiness is not None
        self.set_class(not ready, "-empty")
        if data.program is None:
            empty.update(
                "[b]The vault holds no program yet.[/b]\n\nPress [b]i[/b] to import a scenario "
                "folder, or [b]ctrl+p[/b] → Import built-in scenario."
            )
            return
        if data.run is None or data.run.readiness is None:
            empty.update(
                Content.assemble(
                    ("No audit run yet for ", "bold"),
                    (data.program.organization.name, "bold"),
                    "\n\nPress ",
                    ("r", "bold"),
                    f" to run a mock audit (seed {self.mock.seed}), or open Fieldwork (4).",
                )
            )
            return
        self.mock.seed = data.run.seed  # r re-runs what is shown: like compares with like
        self._fill(data.program, data.run, data.previous)
        line = remediation_line(data.remediations, self.mock.settings.as_of())
        if line:
            self.query_one("#dash-run", Static).update(
                Content.assemble(*self._run_line(data.program, data.run), "\n", (line, "bold"))
            )

    def _fill(self, program: Program, run: Run, previous: Run | None) -> None:
        readiness = run.readiness
        assert readiness is not None
        self.query_one("#dash-run", Static).update(Content.assemble(*self._run_line(program, run)))
        self.query_one("#score", Static).update(panels.score_panel(readiness))
        self.query_one("#opinion", Static).update(panels.opinion_panel(readiness))
        self._heatmap()
        self.query_one("#timeline", Static).update(panels.timeline_panel(run, readiness.timeline))
        if previous is not None:
            diff = compare_runs(previous.findings, run.findings)
            change = panels.change_panel(
                run, previous, len(diff.fixed), len(diff.new), len(diff.still_open)
            )
        else:
            change = panels.change_panel(run, None, 0, 0, 0)
        self.query_one("#change", Static).update(change)
        self._gaps(program, run)

    @staticmethod
    def _run_line(program: Program, run: Run) -> tuple[tuple[str, str], str]:
        return (
            (program.organization.name, "bold"),
            f"  ·  {run.report_type.value.replace('type', 'Type ')}"
            f"  ·  {_period(run)}"
            f"  ·  run {run.id}  ·  seed {run.seed}",
        )

    def _gaps(self, program: Program, run: Run) -> None:
        table = self.query_one("#gaps", DataTable)
        width = self.size.width
        # room left for "what": beside the timeline when wide, the whole width when narrow
        what = max(20, width - 87 if width >= 110 else width - 38)
        rows = {
            finding.id: (
                cells.severity(finding.severity.value),
                cells.cell(finding.id),
                cells.owner(panels.person_name(program, finding.owner)),
                cells.cell(cells.shorten(finding.title, what)),
            )
            for finding in panels.worst_first(run.findings, run.readiness)[:TOP_GAPS]
        }
        # Columns sized here rather than on the table's next idle: a frame painted in
        # between showed the header at its label widths over the full-width rows.
        table.clear(columns=True)
        for index, label in enumerate(GAP_COLUMNS):
            widths = [row[index].cell_len for row in rows.values()]
            table.add_column(label, width=max([len(label), *widths]))
        for key, row in rows.items():
            table.add_row(*row, key=key)
