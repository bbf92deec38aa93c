"""Pick vault evidence to attach to an auditor's request (enter/click ticks, ctrl+s attaches)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Static

from mockaudit.tui.widgets import cells
from mockaudit.tui.widgets.fit import Column, FitTable, Row

if TYPE_CHECKING:
    from mockaudit.domain.evidence import EvidenceInfo

MARK = "✔"
# at 80×24 the file name shortens first, then the media type goes (issue 23)
COLUMNS = (
    Column(" "),
    Column("id"),
    Column("file", shrink_to=16),
    Column("type", priority=1, shrink_to=10),
)


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
        table = FitTable(COLUMNS, id="attach-table")
        with Vertical(classes="dialog", id="attach-box"):
            yield Label(f"Attach evidence to {self.code}", classes="dialog-title")
            yield Input(placeholder="search the vault", id="attach-search", compact=True)
            yield table
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Attach ticked", variant="primary", id="attach-go", compact=True)
                yield Button("Cancel", id="attach-cancel", compact=True)

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#attach-table", FitTable).focus()

    def _fill(self) -> None:
        words = self.query_one("#attach-search", Input).value.lower().split()
        rows: list[Row] = []
        for item in self.items:
            text = f"{item.evidence_id} {item.original_name}".lower()
            if all(w in text for w in words):
                rows.append((item.evidence_id, self._cells(item)))
                if len(rows) >= 500:
                    break
        self.query_one("#attach-table", FitTable).show_rows(rows)
        self._count()

    def _count(self) -> None:
        self.query_one(".dialog-error", Static).update(
            Content(f"{len(self.ticked)} ticked · enter or click ticks · ctrl+s attaches")
        )

    def _cells(self, item: EvidenceInfo) -> list[Text]:
        mark = MARK if item.evidence_id in self.ticked else ""
        name = cells.shorten(item.original_name, 48)
        return [cells.cell(v) for v in (mark, item.evidence_id, name, item.media_type)]

    @on(Input.Changed, "#attach-search")
    def _search(self) -> None:
        self._fill()

    def action_tick(self) -> None:
        table = self.query_one("#attach-table", DataTable)
        if not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        self.ticked.symmetric_difference_update({row_key.value or ""})
        self._fill()  # the cursor stays on its row

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
