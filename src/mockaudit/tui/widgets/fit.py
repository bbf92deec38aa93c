"""Tables that fit their width: columns chosen by priority, text columns shortened.

At 80×24 a table with every column shows them all clipped (an e-mail of two characters,
a header cut in half). ``fill`` keeps the most important columns whole instead: it first
shortens the columns that may shrink (titles, with "…"), then drops the least important
columns until the rest fit, and never clips a header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from mockaudit.tui.widgets.tables import current_key, move_to_key

PADDING = 2  # DataTable's cell padding: one column each side


@dataclass(frozen=True)
class Column:
    """``priority``: 0 is always shown, higher numbers go first when room is short;
    ``shrink_to``: a text column that may be shortened to this width (None: never)."""

    label: str
    priority: int = 0
    shrink_to: int | None = None


Row = tuple[str, Sequence[Text]]  # key, cells


def room(table: DataTable[object]) -> int:
    """Columns of text the table can show without a horizontal scrollbar (0: not laid out)."""
    width = table.content_region.width
    return max(0, width - table.styles.scrollbar_size_vertical) if width else 0


def choose(columns: Sequence[Column], natural: Sequence[int], width: int) -> dict[int, int]:
    """Column index → width to show, most important columns kept whole; all when ``width``
    is 0 (unknown)."""
    kept = list(range(len(columns)))
    if width <= 0:
        return {i: natural[i] for i in kept}
    while True:
        widths = {i: natural[i] for i in kept}
        excess = sum(widths.values()) + PADDING * len(kept) - width
        for i in sorted(kept, key=lambda i: (-columns[i].priority, -i)):  # least important first
            floor = columns[i].shrink_to
            if floor is not None:
                floor = max(floor, len(columns[i].label))  # a header is never cut
            if excess > 0 and floor is not None and widths[i] > floor:
                cut = min(excess, widths[i] - floor)
                widths[i] -= cut
                excess -= cut
        if excess <= 0 or len(kept) == 1:
            return widths
        kept.remove(max(kept, key=lambda i: (columns[i].priority, i)))


def fill(
    table: DataTable[object], columns: Sequence[Column], rows: Sequence[Row], width: int
) -> None:
    """Replace the table's columns and rows with those that fit ``width``; the cursor stays
    on its row."""
    natural = [
        max([len(c.label), *(row[1][i].cell_len for row in rows)]) for i, c in enumerate(columns)
    ]
    shown = choose(columns, natural, width)
    keep = current_key(table)
    table.clear(columns=True)
    for i, w in shown.items():
        table.add_column(columns[i].label, width=w, key=columns[i].label)
    for key, cells in rows:
        table.add_row(*(_fit(cells[i], w) for i, w in shown.items()), key=key)
    move_to_key(table, keep)


def _fit(cell: Text, width: int) -> Text:
    if cell.cell_len <= width:
        return cell
    short = cell.copy()
    short.truncate(width, overflow="ellipsis")
    return short


class FitTable(DataTable[object]):
    """A DataTable that shows the columns fitting its width, refitted on every resize
    (a hidden tab's table fits once it is shown)."""

    def __init__(self, columns: Sequence[Column], *, id: str) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.fit_columns = tuple(columns)
        self._rows: list[Row] = []
        self._fitted_to = -1

    def show_rows(self, rows: Sequence[Row]) -> None:
        self._rows = list(rows)
        self._fitted_to = room(self)
        fill(self, self.fit_columns, self._rows, self._fitted_to)

    def on_resize(self) -> None:
        width = room(self)
        if width and width != self._fitted_to:
            self._fitted_to = width
            fill(self, self.fit_columns, self._rows, width)
