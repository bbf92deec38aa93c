"""Pick vault evidence to attach to an auditor's request (enter/click ticks, ctrl+s attaches)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Static

from mockaudit.tui.widgets import cells

if TYPE_CHECKING:
    from mockaudit.domain.evidence import EvidenceInfo

MARK = "✔"


class AttachScreen(ModalScreen[list[str] | None]):
    """Returns the evidence ids ticked (suggested ones come first and start ticked)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "done", "Attach"),
    ]

    def __init__(self, code: str, items: Sequence[EvidenceInfo], suggested: Sequence[str]) -> None:
        super().__init__()
        self.code = code
        first = [i for i in items if i.evidence_id in suggested]
        self.items = first + [i for i in items if i.evidence_id not in suggested]
        self.ticked: set[str] = set(suggested)

    def compose(self) -> ComposeResult:
        table: DataTable[object] = DataTable(id="attach-table", cursor_type="row")
        with Vertical(classes="dialog", id="attach-box"):
            yield Label(f"Attach evidence to {self.code}", classes="dialog-title")
            yield Input(placeholder="search the vault", id="attach-search")
            yield table
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Attach ticked", variant="primary", id="attach-go")
                yield Button("Cancel", id="attach-cancel")

    def on_mount(self) -> None:
        table = self.query_one("#attach-table", DataTable)
        table.add_columns(" ", "id", "file", "type")
        self._fill("")
        table.focus()

    def _fill(self, search: str) -> None:
        words = search.lower().split()
        table = self.query_one("#attach-table", DataTable)
        table.clear()
        for item in self.items:
            text = f"{item.evidence_id} {item.original_name}".lower()
            if all(w in text for w in words):
                table.add_row(
                    cells.cell(MARK if item.evidence_id in self.ticked else ""),
                    cells.cell(item.evidence_id),
                    cells.cell(cells.shorten(item.original_name, 48)),
                    cells.cell(item.media_type),
                    key=item.evidence_id,
                )
                if table.row_count >= 500:
                    break
        self._count()

    def _count(self) -> None:
        self.query_one(".dialog-error", Static).update(
            Content(f"{len(self.ticked)} ticked · enter or click ticks · ctrl+s attaches")
        )

    @on(Input.Changed, "#attach-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_tick(self) -> None:
        table = self.query_one("#attach-table", DataTable)
        if not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        evidence_id = row_key.value or ""
        self.ticked.symmetric_difference_update({evidence_id})
        table.update_cell(
            row_key,
            table.ordered_columns[0].key,
            cells.cell(MARK if evidence_id in self.ticked else ""),
        )
        self._count()

    @on(DataTable.RowSelected, "#attach-table")
    def _row_selected(self) -> None:
        self.action_tick()

    @on(Button.Pressed, "#attach-go")
    def action_done(self) -> None:
        if not self.ticked:
            self.query_one(".dialog-error", Static).update(Content("tick at least one file"))
            return
        self.dismiss(sorted(self.ticked))

    @on(Button.Pressed, "#attach-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
