"""Keeping a DataTable's cursor on the same row across a reload (answers, new runs)."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


def current_key(table: DataTable[object]) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def move_to_key(table: DataTable[object], key: str | None) -> None:
    """Put the cursor back on ``key`` if that row still exists."""
    if key is None:
        return
    try:
        row = table.get_row_index(key)
    except RowDoesNotExist:
        return
    table.move_cursor(row=row, animate=False)
