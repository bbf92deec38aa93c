"""Vault: the evidence browser (search; filter by control, population or type), each
item's custody history, adding files (path completion) and verifying with progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select, Static

from mockaudit.tui.screens.base import MainScreen
from mockaudit.tui.widgets import cells, fit
from mockaudit.tui.widgets.tables import current_key, move_to_key

if TYPE_CHECKING:
    from mockaudit.domain.evidence import EvidenceInfo
    from mockaudit.session import EvidenceDetail

EVIDENCE_COLUMNS = (
    fit.Column("id"),
    fit.Column("file", 0, 16),
    fit.Column("size", 2),
    fit.Column("type", 4, 10),
    fit.Column("added", 3),
    fit.Column("linked to", 1, 10),
)
SHOWN_MAX = 2000  # a DataTable slows down past a few thousand rows; search narrows it


def filters(items: list[EvidenceInfo]) -> list[tuple[str, str]]:
    """The filter choices the evidence offers: every linked control, population and type."""
    controls = sorted({link.control_id for i in items for link in i.links if link.control_id})
    populations = sorted(
        {link.population_id for i in items for link in i.links if link.population_id}
    )
    types = sorted({i.media_type for i in items})
    return [
        ("all evidence", "all"),
        *((f"control {c}", f"control:{c}") for c in controls),
        *((f"population {p}", f"population:{p}") for p in populations),
        *((f"type {t}", f"type:{t}") for t in types),
    ]


def matches(item: EvidenceInfo, words: list[str], choice: str) -> bool:
    kind, _, value = choice.partition(":")
    if kind == "control" and all(link.control_id != value for link in item.links):
        return False
    if kind == "population" and all(link.population_id != value for link in item.links):
        return False
    if kind == "type" and item.media_type != value:
        return False
    haystack = f"{item.evidence_id} {item.original_name} {item.sha256} {item.source}".lower()
    return all(word in haystack for word in words)


def describe(detail: EvidenceDetail) -> Content:
    info = detail.info
    links = [
        " ".join(x for x in (link.control_id, link.population_id, link.item_key) if x)
        for link in info.links
    ]
    lines = [
        Content.assemble((f"{info.evidence_id}  {info.original_name}", "bold")),
        Content(f"{info.size:,} bytes · {info.media_type} · added {info.added_at}"),
        Content(f"SHA-256 {info.sha256}"),
        Content(f"Source: {info.source}"),
        Content(f"Linked to: {'; '.join(links) or 'nothing'}"),
        Content(""),
        Content.assemble(("Custody history", "bold")),
    ]
    lines.extend(Content(event.summary) for event in detail.history)
    return Content("\n").join(lines)


class VaultScreen(MainScreen):
    SECTION = "vault"
    AUTO_FOCUS = "#evidence"
    BINDINGS = [
        Binding("a", "app.add_files", "Add files"),
        Binding("v", "app.verify", "Verify"),
        Binding("slash", "search", "Search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[EvidenceInfo] = []

    def compose_body(self) -> Iterable[Widget]:
        table = fit.FitTable(EVIDENCE_COLUMNS, id="evidence")
        detail = VerticalScroll(Static("", id="evidence-detail"), id="evidence-detail-box")
        detail.border_title = "Evidence"
        yield Horizontal(
            Input(
                placeholder="/ search: id, file name, SHA-256, source",
                id="vault-search",
                compact=True,
            ),
            Select(
                [("all evidence", "all")],
                value="all",
                allow_blank=False,
                id="vault-filter",
                compact=True,
            ),
            Label("", id="vault-count"),
            id="vault-bar",
        )
        yield Horizontal(table, detail, classes="master-detail stacked")

    def on_mount(self) -> None:
        self.query_one("#vault-search", Input).cursor_blink = self.mock.settings.cursor_blink
        super().on_mount()

    def reload(self) -> None:
        self.fetch("evidence", lambda s: s.list_evidence(), self.show)

    def show(self, items: list[EvidenceInfo]) -> None:
        self.items = items
        chooser = self.query_one("#vault-filter", Select)
        current = chooser.value
        options = filters(items)
        chooser.set_options(options)
        chooser.value = current if any(v == current for _, v in options) else "all"
        self.refill()

    def refill(self) -> None:
        words = self.query_one("#vault-search", Input).value.lower().split()
        choice = str(self.query_one("#vault-filter", Select).value)
        shown = [i for i in self.items if matches(i, words, choice)]
        table = self.query_one("#evidence", fit.FitTable)
        keep = current_key(table)
        rows: list[fit.Row] = []
        for item in shown[:SHOWN_MAX]:
            links = ", ".join(link.control_id or link.population_id for link in item.links[:2])
            row = (
                cells.cell(item.evidence_id),
                cells.cell(cells.shorten(item.original_name, 44)),
                cells.cell(f"{item.size:,}"),
                cells.cell(item.media_type),
                cells.cell(item.added_at[:10]),
                cells.cell(links),
            )
            rows.append((item.evidence_id, row))
        table.show_rows(rows)
        more = f" (first {SHOWN_MAX:,}: search to narrow)" if len(shown) > SHOWN_MAX else ""
        self.query_one("#vault-count", Label).update(f"{len(shown):,} of {len(self.items):,}{more}")
        if shown:
            move_to_key(table, keep)
            self._detail(current_key(table) or shown[0].evidence_id)
        else:
            self.query_one("#evidence-detail", Static).update(
                "The vault holds no evidence yet: press a to add files or i to import."
                if not self.items
                else "Nothing matches."
            )

    def _detail(self, evidence_id: str) -> None:
        box = self.query_one("#evidence-detail", Static)
        self.fetch(
            "detail",
            lambda s: s.evidence_detail(evidence_id),
            lambda detail: box.update(describe(detail)),
        )

    @on(DataTable.RowHighlighted, "#evidence")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self._detail(event.row_key.value)

    @on(Input.Changed, "#vault-search")
    @on(Select.Changed, "#vault-filter")
    def _filter_changed(self) -> None:
        self.refill()

    def action_search(self) -> None:
        self.query_one("#vault-search", Input).focus()
