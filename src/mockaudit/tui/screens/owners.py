"""Walkthrough readiness per control owner: who rehearsed, how it went, what to rehearse next.

The owners' roll-up (``Session.owner_readiness``) and the stored rehearsals are loaded
through the gate in a worker; ``w`` or enter on an owner starts a rehearsal of that
owner's next control on the walkthrough screen, and the view reloads when it comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Static

from mockaudit.domain import Program
from mockaudit.domain.walkthrough_readiness import (
    OwnerReadiness,
    WalkthroughRecord,
    latest_by_control,
    next_step,
    open_issues,
)
from mockaudit.session import Session
from mockaudit.tui.screens.base import MainScreen
from mockaudit.tui.screens.walkthrough import WalkthroughScreen
from mockaudit.tui.widgets import cells, fit

COLUMNS = ("owner", "controls", "rehearsals", "avg", "last", "diverg.", "evasive", "next")
FIT_COLUMNS = tuple(
    fit.Column(label, priority, shrink)
    for label, priority, shrink in (
        ("owner", 0, 12),
        ("controls", 1, None),
        ("rehearsals", 4, None),
        ("avg", 1, None),
        ("last", 3, None),
        ("diverg.", 2, None),
        ("evasive", 2, None),
        ("next", 0, None),
    )
)
NO_PROGRAM = (
    "No program yet: press i to import a scenario folder (or ctrl+p → Import built-in "
    "scenario); its control owners then show here, ready to rehearse their walkthroughs."
)
NO_OWNERS = (
    "No control has an owner: name an owner for each control in the program (an auditor "
    "interviews the owner), import it again, then rehearse here."
)
NO_REHEARSAL = (
    "No rehearsal yet: pick an owner and press enter (or w) to rehearse their first control."
)
SOME_REHEARSALS = "Enter (or w) rehearses the highlighted owner's next control · escape goes back."


@dataclass(frozen=True)
class OwnerRow:
    """One owner as the view shows it: the roll-up plus what to rehearse next and why."""

    readiness: OwnerReadiness
    rehearsals: int
    last: WalkthroughRecord | None
    next_control: str | None
    why: str


@dataclass(frozen=True)
class OwnersData:
    program: Program | None
    rows: tuple[OwnerRow, ...] = ()
    latest: dict[str, WalkthroughRecord] = field(default_factory=dict)


def owner_rows(
    readiness: Sequence[OwnerReadiness], records: Sequence[WalkthroughRecord]
) -> tuple[OwnerRow, ...]:
    """Every owner in the roll-up's order (not rehearsed first, then the weakest)."""
    latest = latest_by_control(records)
    rows = []
    for owner in readiness:
        theirs = [r for r in records if r.owner == owner.owner]
        last = max(theirs, key=lambda r: (r.started_at, r.walkthrough_id)) if theirs else None
        control, why = next_step(owner, latest)
        rows.append(OwnerRow(owner, len(theirs), last, control, why))
    return tuple(rows)


def load_owners(session: Session) -> OwnersData:
    if not session.program_history():
        return OwnersData(None)
    records = session.walkthroughs()
    rows = owner_rows(session.owner_readiness(), records)
    return OwnersData(session.program(), rows, latest_by_control(records))


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table_cells(row: OwnerRow) -> tuple[Text, ...]:
    owner = row.readiness
    return (
        cells.cell(owner.name, "green" if owner.ready else ""),
        cells.cell(f"{len(owner.rehearsed)}/{len(owner.controls)}"),
        cells.cell(row.rehearsals),
        cells.cell(_score(owner.score)),
        cells.cell(_score(row.last.score if row.last else None)),
        cells.cell(owner.divergences, "bold red" if owner.divergences else ""),
        cells.cell(owner.evasions, "yellow" if owner.evasions else ""),
        cells.cell(row.next_control or "—", "green" if owner.ready else "bold"),
    )


def owner_detail(row: OwnerRow, data: OwnersData) -> Content:
    """The owner's controls with their latest rehearsal, and what to rehearse next."""
    owner, program = row.readiness, data.program
    person = program.person(owner.owner) if program else None
    state = ("ready", "green") if owner.ready else ("not ready", "yellow")
    lines = [
        Content.assemble((f"{owner.name} ({owner.owner})  ", "bold"), state),
        Content(
            f"owns {len(owner.controls)} control(s), {len(owner.rehearsed)} rehearsed · "
            f"{row.rehearsals} rehearsal(s) · average {_score(owner.score)}, "
            f"last {_score(row.last.score if row.last else None)}"
        ),
    ]
    if person is not None and person.left_on is not None:
        lines.append(
            Content.styled(f"Left on {person.left_on}: the auditor will ask who took over.", "red")
        )
    for control_id in owner.controls:
        lines += [Content(""), *_control_lines(control_id, data)]
    lines.append(Content(""))
    if row.next_control is not None:
        lines.append(
            Content.assemble(
                ("Next: ", "bold"), (row.next_control, "bold"), f" ({row.why}). Enter rehearses it."
            )
        )
    else:
        lines.append(Content(f"Nothing to rehearse: {row.why}."))
    return Content("\n").join(lines)


def _control_lines(control_id: str, data: OwnersData) -> list[Content]:
    """One owned control: its title, then its latest rehearsal and what is still open."""
    control = data.program.control(control_id) if data.program else None
    title = Content.assemble((control_id, "bold"), "  ", (control.title if control else "", "dim"))
    record = data.latest.get(control_id)
    if record is None:
        return [title, Content.styled("  not rehearsed", "yellow")]
    issues = open_issues(record)
    scored = f"  {record.walkthrough_id} scored {record.score:.1f}" + ("" if issues else ", clean")
    return [
        title,
        Content.styled(scored, "" if issues else "green"),
        *(Content.styled(f"  • {issue}", "yellow") for issue in issues),
    ]


class OwnersScreen(MainScreen):
    """Per-owner walkthrough readiness over the Program section; enter rehearses the next."""

    SECTION = "program"
    CSS_PATH = "owners.tcss"
    AUTO_FOCUS = "#owners"
    BINDINGS = [
        Binding("escape", "leave", "Back"),
        Binding("w", "rehearse", "Rehearse next"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: OwnersData | None = None

    def compose_body(self) -> Iterable[Widget]:
        table = fit.FitTable(FIT_COLUMNS, id="owners")
        table.border_title = "Control owners: walkthrough readiness"
        yield Static("Loading…", id="owners-hint")
        yield Horizontal(
            table,
            VerticalScroll(Static("", id="owner-detail"), id="owner-detail-box"),
            classes="master-detail",
            id="owners-body",
        )

    def on_mount(self) -> None:
        super().on_mount()

    def on_screen_resume(self) -> None:
        if self.data is not None:  # back from a rehearsal: show its result
            self.reload()

    def reload(self) -> None:
        self.fetch("owners", load_owners, self.show)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No "Rehearse next" in the footer while there is no owner to pick."""
        if action == "rehearse":
            return self.data is not None and bool(self.data.rows)
        return True

    def show(self, data: OwnersData) -> None:
        self.data = data
        self.refresh_bindings()
        hint = self.query_one("#owners-hint", Static)
        empty = data.program is None or not data.rows
        self.set_class(empty, "-empty")
        if data.program is None:
            hint.update(NO_PROGRAM)
            return
        if not data.rows:
            hint.update(NO_OWNERS)
            return
        rehearsed = any(row.rehearsals for row in data.rows)
        hint.update(SOME_REHEARSALS if rehearsed else NO_REHEARSAL)
        table = self.query_one("#owners", DataTable)
        keep = self._highlighted_owner()
        self._fill()
        index = table.get_row_index(keep) if keep is not None and keep in table.rows else 0
        table.move_cursor(row=index)
        self._detail(data.rows[index].readiness.owner)

    def _fill(self) -> None:
        """The owners with the columns that fit (at 80×24 "next" stays whole)."""
        rows = self.data.rows if self.data else []
        fitted = [(row.readiness.owner, table_cells(row)) for row in rows]
        self.query_one("#owners", fit.FitTable).show_rows(fitted)

    def _highlighted_owner(self) -> str | None:
        table = self.query_one("#owners", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _row(self, owner: str | None) -> OwnerRow | None:
        rows = self.data.rows if self.data else ()
        return next((r for r in rows if r.readiness.owner == owner), None)

    def _detail(self, owner: str | None) -> None:
        row = self._row(owner)
        if row is not None and self.data is not None:
            self.query_one("#owner-detail", Static).update(owner_detail(row, self.data))

    @on(DataTable.RowHighlighted, "#owners")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.row_key.value)

    @on(DataTable.RowSelected, "#owners")
    def _selected(self) -> None:
        self.action_rehearse()

    def action_rehearse(self) -> None:
        """Start a rehearsal of the highlighted owner's next control."""
        row = self._row(self._highlighted_owner())
        if row is None:
            return
        if row.next_control is None:
            self.notify(f"{row.readiness.name} {row.why}.", title="Nothing to rehearse")
            return
        self.app.push_screen(WalkthroughScreen(row.next_control))

    def action_leave(self) -> None:
        self.dismiss(None)
