"""Fieldwork: start a run (the seed is shown and editable), answer the auditor's requests
round by round on the simulated clock, and see each control's sample item by item.

``a`` attaches vault evidence to the highlighted request, ``n`` marks it not
available (session.respond_to_request); the answers show next to the engine's status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TabbedContent, TabPane

from mockaudit.domain.responses import RequestResponse
from mockaudit.domain.run import ControlTest, Request, RequestKind, Run
from mockaudit.session import Session
from mockaudit.tui.screens.base import COMPACT_BELOW, TAB_BINDINGS, MainScreen
from mockaudit.tui.widgets import cells, fit
from mockaudit.tui.widgets.attach import AttachScreen
from mockaudit.tui.widgets.tables import current_key, move_to_key

if TYPE_CHECKING:
    from mockaudit.domain.evidence import EvidenceInfo

STATUS_STYLE = {
    "provided": "green",
    "closed": "green",
    "partial": "yellow",
    "open": "yellow",
    "not_available": "bold red",
}


@dataclass(frozen=True)
class FieldworkData:
    run: Run | None
    answers: dict[str, RequestResponse]
    evidence: dict[str, EvidenceInfo]


def load_fieldwork(session: Session) -> FieldworkData:
    evidence = {e.evidence_id: e for e in session.list_evidence()}
    if not session.runs():
        return FieldworkData(None, {}, evidence)
    run = session.run()
    return FieldworkData(run, session.responses(run.id), evidence)


def request_detail(request: Request, data: FieldworkData) -> Content:
    def name(evidence_id: str) -> str:
        info = data.evidence.get(evidence_id)
        return f"{evidence_id} {info.original_name}" if info else evidence_id

    lines = [
        Content.assemble(
            (f"{request.code}", "bold"),
            f" · {request.kind.value} · round "
            f"{request.round} · issued day {request.issued_day}, due day "
            f"{request.due_day}",
        ),
        Content(request.description),
        Content(""),
        Content.assemble(
            ("The vault found: ", "bold"),
            "nothing" if not request.found else f"{len(request.found)} file(s)",
        ),
    ]
    lines.extend(Content(f"  • {name(e)}") for e in request.found[:10])
    if request.missing:
        lines.append(Content.assemble(("Missing: ", "bold red"), ", ".join(request.missing[:10])))
    answer = data.answers.get(request.code)
    if answer is not None:
        lines.extend(
            [
                Content(""),
                Content.assemble(("Your answer: ", "bold"), answer.status.replace("_", " ")),
            ]
        )
        lines.extend(Content(f"  • {name(e)}") for e in answer.evidence_ids)
    lines.extend([Content(""), Content("a: attach evidence from the vault · n: not available")])
    return Content("\n").join(lines)


REQUEST_COLUMNS = tuple(
    fit.Column(label, priority)
    for label, priority in (
        ("round", 3),
        ("day", 2),
        ("code", 0),
        ("status", 0),
        ("answer", 1),
        ("found", 2),
        ("control", 1),
        ("kind", 4),
    )
)


class FieldworkScreen(MainScreen):
    SECTION = "fieldwork"
    AUTO_FOCUS = "#requests"
    BINDINGS = [
        Binding("a", "attach", "Attach"),
        Binding("n", "not_available", "N/A"),
        *TAB_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = FieldworkData(None, {}, {})
        self._shown_run = ""

    def compose_body(self) -> Iterable[Widget]:
        def table(table_id: str) -> DataTable[object]:
            return DataTable(id=table_id, cursor_type="row", zebra_stripes=True)

        requests = fit.FitTable(REQUEST_COLUMNS, id="requests")

        yield Horizontal(
            Label("Seed", id="seed-label"),
            Input(str(self.mock.seed), type="integer", id="seed", compact=True),
            Button("Start run", variant="primary", id="start-run", compact=True),
            Select(
                [("all rounds", 0)], value=0, allow_blank=False, id="round-filter", compact=True
            ),
            Label("", id="run-info"),
            id="fieldwork-bar",
        )
        with TabbedContent(id="fieldwork-tabs"):
            with TabPane("Requests", id="tab-requests"):
                yield Horizontal(
                    requests,
                    VerticalScroll(Static("", id="request-detail"), id="request-detail-box"),
                    classes="master-detail",
                )
            with TabPane("Samples", id="tab-samples"):
                yield Horizontal(
                    table("tests"),
                    fit.FitTable((fit.Column("item"),), id="items"),
                    classes="master-detail",
                )
            with TabPane("Correspondence", id="tab-messages"):
                yield VerticalScroll(Static("", id="messages"))

    def on_mount(self) -> None:
        self.query_one("#tests", DataTable).add_columns(
            "control", "population", "sample", "dev", "conclusion"
        )
        self.query_one("#seed", Input).cursor_blink = self.mock.settings.cursor_blink
        super().on_mount()

    def reload(self) -> None:
        self.fetch("run", load_fieldwork, self.show)

    def show(self, data: FieldworkData) -> None:
        self.data = data
        run = data.run
        info = self.query_one("#run-info", Label)
        if run is None:
            info.update("No run yet: check the seed and start one.")
            return
        if run.id != self._shown_run:
            # the seed box and the palette offer the shown run's seed: a re-run compares alike
            self._shown_run = run.id
            self.mock.seed = run.seed
            self.query_one("#seed", Input).value = str(run.seed)
        last_day = max((m.day for m in run.messages), default=0)
        text = f"day {last_day} · {len(run.requests)} requests"
        wide = self.size.width >= COMPACT_BELOW  # narrow: the seed box says the seed
        info.update(Content(f"{run.id} · seed {run.seed} · simulated {text}" if wide else text))
        info.tooltip = f"{run.id} · seed {run.seed} · simulated day {last_day}"
        rounds = sorted({r.round for r in run.requests})
        chooser = self.query_one("#round-filter", Select)
        current = chooser.value
        chooser.set_options([("all rounds", 0), *((self._round_label(run, n), n) for n in rounds)])
        chooser.value = current if current in rounds else 0
        self._requests()
        self._tests(run)
        self._messages(run)

    @staticmethod
    def _round_label(run: Run, number: int) -> str:
        day = min((r.issued_day for r in run.requests if r.round == number), default=0)
        return f"round {number} (day {day})"

    def _requests(self) -> None:
        run = self.data.run
        if run is None:
            return
        wanted = self.query_one("#round-filter", Select).value
        table = self.query_one("#requests", fit.FitTable)
        keep = current_key(table)
        rows: list[fit.Row] = []
        for request in sorted(run.requests, key=lambda r: (r.round, r.issued_day, r.code)):
            if wanted and request.round != wanted:
                continue
            answer = self.data.answers.get(request.code)
            answered = answer.status if answer else ""
            row = (
                cells.cell(request.round),
                cells.cell(f"{request.issued_day}→{request.due_day}"),
                cells.cell(request.code),
                cells.cell(
                    request.status.value.replace("_", " "),
                    STATUS_STYLE.get(request.status.value, ""),
                ),
                cells.cell(answered.replace("_", " "), STATUS_STYLE.get(answered, "")),
                cells.cell(len(request.found)),
                cells.cell(request.control or ""),
                cells.cell(request.kind.value),
            )
            rows.append((request.code, row))
        table.show_rows(rows)
        move_to_key(table, keep)
        self._request_detail(current_key(table) or "")

    def _request(self, code: str) -> Request | None:
        run = self.data.run
        return next((r for r in run.requests if r.code == code), None) if run else None

    def _request_detail(self, code: str) -> None:
        request = self._request(code)
        if request is not None:
            self.query_one("#request-detail", Static).update(request_detail(request, self.data))

    def _tests(self, run: Run) -> None:
        table = self.query_one("#tests", DataTable)
        table.clear()
        for test in run.tests:
            table.add_row(
                cells.cell(test.control),
                cells.cell(test.population or "—"),
                cells.cell(
                    f"{test.sample_size} of {test.population_size:,}"
                    if test.population
                    else f"{test.sample_size} file(s)"
                ),
                cells.cell(test.deviations, "bold red" if test.deviations else ""),
                cells.conclusion(test.conclusion.value),
                key=test.control,
            )
        if run.tests:
            self._items(run.tests[0])

    def _items(self, test: ControlTest) -> None:
        attributes = list(dict.fromkeys(r.attribute for i in test.items for r in i.results))
        table = self.query_one("#items", fit.FitTable)
        table.border_title = f"{test.control}: {test.reason}"
        # at 80 columns the first attributes stay, later ones and day/stratum go first
        table.fit_columns = (
            fit.Column("item"),
            fit.Column("day", 90),
            fit.Column("stratum", 91, 8),
            *(fit.Column(a, 1 + i, len(a)) for i, a in enumerate(attributes)),
        )
        rows: list[fit.Row] = []
        for item in test.items:
            results = {r.attribute: r for r in item.results}
            marks = []
            for attribute in attributes:
                result = results.get(attribute)
                if result is None:
                    marks.append(cells.cell("—", "dim"))
                elif result.passed:
                    marks.append(cells.cell("✓", "green"))
                else:
                    marks.append(cells.cell(f"✗ {result.detail}".strip(), "bold red"))
            key = item.key + (" +" if item.expansion else "")
            rows.append(
                (
                    f"{item.key}#{len(rows)}",
                    (
                        cells.cell(key),
                        cells.cell(str(item.day or "")),
                        cells.cell(item.stratum),
                        *marks,
                    ),
                )
            )
        table.show_rows(rows)

    def _messages(self, run: Run) -> None:
        lines = []
        for message in run.messages:
            who = "Auditor" if message.sender == "auditor" else "You"
            style = "bold cyan" if message.sender == "auditor" else "bold green"
            lines.append(
                Content.assemble(
                    (f"day {message.day:>3} · round {message.round} · {who}: ", style), message.text
                )
            )
        self.query_one("#messages", Static).update(Content("\n").join(lines))

    # ----- events and actions -----

    @on(DataTable.RowHighlighted, "#requests")
    def _request_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._request_detail(event.row_key.value or "")

    @on(DataTable.RowHighlighted, "#tests")
    def _test_highlighted(self, event: DataTable.RowHighlighted) -> None:
        run = self.data.run
        test = (
            next((t for t in run.tests if t.control == event.row_key.value), None) if run else None
        )
        if test is not None:
            self._items(test)

    @on(Select.Changed, "#round-filter")
    def _round_changed(self) -> None:
        self._requests()

    @on(Input.Submitted, "#seed")
    @on(Button.Pressed, "#start-run")
    def _start(self) -> None:
        raw = self.query_one("#seed", Input).value.strip()
        if not raw.lstrip("-").isdigit():
            self.mock.show_error("the seed must be a whole number")
            return
        self.mock.run_audit(int(raw))

    def _current(self) -> Request | None:
        """The request the visible tab points at: the highlighted one on Requests, the
        highlighted control's sample request on Samples, none on Correspondence."""
        tab = self.query_one("#fieldwork-tabs", TabbedContent).active
        if tab == "tab-samples":
            control = current_key(self.query_one("#tests", DataTable))
            run = self.data.run
            wanted = [r for r in (run.requests if run else ()) if r.control == control]
            samples = [r for r in wanted if r.kind is RequestKind.SAMPLE]
            chosen = (samples or wanted)[-1:]
            if not chosen:
                self.mock.show_error(f"no request asks about {control or 'this control'} yet")
            return chosen[0] if chosen else None
        if tab != "tab-requests":
            return None
        return self._request(current_key(self.query_one("#requests", DataTable)) or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Attach and "not available" act on a request: not from the Correspondence tab."""
        if action in ("attach", "not_available"):
            tabs = self.query("#fieldwork-tabs").results(TabbedContent)
            return any(t.active in ("tab-requests", "tab-samples") for t in tabs)
        return True

    @on(TabbedContent.TabActivated, "#fieldwork-tabs")
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def action_attach(self) -> None:
        request, run = self._current(), self.data.run
        if request is None or run is None:
            return
        answer = self.data.answers.get(request.code)
        suggested = answer.evidence_ids if answer else request.found
        items = list(self.data.evidence.values())

        def chosen(ids: list[str] | None) -> None:
            if ids:
                self.mock.respond(run.id, request.code, "provided", ids, "")

        self.app.push_screen(AttachScreen(request.code, items, suggested), chosen)

    def action_not_available(self) -> None:
        request, run = self._current(), self.data.run
        if request is not None and run is not None:
            self.mock.respond(run.id, request.code, "not_available", [], "")
