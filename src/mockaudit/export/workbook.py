"""The spreadsheet conventions every mockaudit workbook follows (openpyxl, write-only mode).

A GRC lead forwards these files, sorts and filters them: each table sheet has a
bold header row that stays frozen, an auto-filter over the whole table, column
widths that fit the content, and wrapped text in the long columns. Write-only
mode streams rows, so a workbook of a ``large`` run is written in a fraction of
a second; its one constraint is that widths and frozen panes are set before
the first row, which ``Sheet`` does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DEFAULT_WIDTH = 14
MAX_WIDTH = 80


def new_workbook() -> Any:
    """An empty write-only workbook (sheets are added in the order they should appear)."""
    return Workbook(write_only=True)


def workbook_bytes(book: Any) -> bytes:
    """The finished .xlsx file, rendered in memory so a failure leaves no partial file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Sheet:
    """One table sheet: styled frozen header, filter, widths, wrapped long columns.

    ``widths`` maps a column name to its width in characters (others get
    ``DEFAULT_WIDTH``; never narrower than the header and its filter button); ``wrap`` names the
    columns whose text wraps. Call ``row`` per record and ``finish`` at the end.
    """

    def __init__(
        self,
        book: Any,
        title: str,
        columns: Iterable[str],
        *,
        widths: Mapping[str, int] | None = None,
        wrap: Iterable[str] = (),
    ) -> None:
        self.ws = book.create_sheet(title)
        self.columns = tuple(columns)
        wrapped = set(wrap)
        self._wrap = {i for i, name in enumerate(self.columns) if name in wrapped}
        self._rows = 0
        widths = widths or {}
        for index, name in enumerate(self.columns, start=1):
            width = max(widths.get(name, DEFAULT_WIDTH), len(name) + 3)  # room for the filter
            self.ws.column_dimensions[get_column_letter(index)].width = min(width, MAX_WIDTH)
        self.ws.freeze_panes = "A2"
        self.ws.append([self.header_cell(name) for name in self.columns])

    def header_cell(self, name: str) -> Any:
        cell = WriteOnlyCell(self.ws, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        return cell

    def row(
        self, values: Iterable[Any], *, styles: Mapping[int, Mapping[str, Any]] | None = None
    ) -> None:
        """Append one record; ``styles`` maps a column index to cell attributes (fill, font,
        number_format) for that cell only."""
        cells: list[Any] = []
        for index, value in enumerate(values):
            extra = styles.get(index) if styles else None
            if index not in self._wrap and not extra:
                cells.append(value)
                continue
            cell = WriteOnlyCell(self.ws, value=value)
            cell.alignment = WRAP if index in self._wrap else TOP
            for attribute, setting in (extra or {}).items():
                setattr(cell, attribute, setting)
            cells.append(cell)
        self.ws.append(cells)
        self._rows += 1

    def finish(self) -> None:
        """Put the auto-filter over the header and every row written."""
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self._rows + 1}"
