"""The spreadsheet conventions every mockaudit workbook follows (openpyxl, write-only mode).

A GRC lead forwards these files, sorts and filters them, and prints them: each
table sheet has a bold header row that stays frozen and is repeated on every
printed page, an auto-filter over the whole table, column widths that fit the
content, wrapped text in the long columns with a row height fitted to it
(openpyxl does not measure text: ``row_height`` estimates it from the column
width), landscape pages scaled to one page wide, and a printed header and
footer naming the company, the period and what the document is not.

Text is always written as a string cell (``text_cell``): openpyxl would turn a
value starting with ``=`` into a formula, and a string cell is inert in every
spreadsheet, so the text needs no added quote. Write-only mode streams rows, so
a workbook of a ``large`` run is written in a fraction of a second; its one
constraint is that widths, row heights and page setup are set before the rows
they apply to are written, which ``Sheet`` does.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

FONT_NAME = "Calibri"  # the workbook default; a font without a name prints as a serif
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
BOLD = Font(name=FONT_NAME, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DEFAULT_WIDTH = 14
MAX_WIDTH = 80
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
BOOLEAN_FORMAT = '"TRUE";"TRUE";"FALSE"'  # LibreOffice shows a bare boolean as 1/0
NOTICE = "mock audit — not an attestation"

# Row height estimate. A column of width w holds about w digits of the default font
# (Calibri 11); LibreOffice without Calibri substitutes a wider face, and measured
# there a line holds about 1.1 w characters of prose: count 1.0, so rows err tall.
CHARS_PER_WIDTH = 1.0
LINE_POINTS = 15.0
ROW_PADDING = 3.0
MAX_ROW_POINTS = 409.0  # the largest row height Excel accepts


@dataclass(frozen=True)
class PrintHeading:
    """What every printed page of a workbook says: who, which period."""

    company: str
    period: str


def period_label(start: date | None, end: date) -> str:
    """The audit period as printed in a page header."""
    return f"period {start.isoformat()} to {end.isoformat()}" if start else f"as of {end}"


def new_workbook() -> Any:
    """An empty write-only workbook (sheets are added in the order they should appear)."""
    return Workbook(write_only=True)


def workbook_bytes(book: Any) -> bytes:
    """The finished .xlsx file, rendered in memory so a failure leaves no partial file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_cell(ws: Any, value: str, **attributes: Any) -> Any:
    """A string cell, never a formula whatever the text starts with."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    for name, setting in attributes.items():
        setattr(cell, name, setting)
    return cell


def value_cell(ws: Any, value: Any, **attributes: Any) -> Any:
    """A typed cell: text as a string cell, dates with a date format, numbers as numbers."""
    if isinstance(value, str):
        return text_cell(ws, value, **attributes)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, bool):
        cell.number_format = BOOLEAN_FORMAT
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    for name, setting in attributes.items():
        setattr(cell, name, setting)
    return cell


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (greedy
    word wrap; East Asian wide characters count twice)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    lines = 0
    for paragraph in text.split("\n"):
        lines += _paragraph_lines(paragraph, per_line)
    return max(1, lines)


def _paragraph_lines(paragraph: str, per_line: int) -> int:
    lines, used = 1, 0
    for word in paragraph.split(" "):
        size = _text_width(word)
        if used and used + 1 + size > per_line:
            lines, used = lines + 1, 0
        if size > per_line:  # a word longer than the line breaks anywhere
            lines += math.ceil(size / per_line) - 1
            size %= per_line
        used += size + (1 if used else 0)
    return lines


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row_height(texts: Iterable[tuple[str, float]]) -> float | None:
    """The height (points) a row needs for its wrapped ``(text, column width)`` cells, or
    None when one line is enough (the sheet default)."""
    lines = max((wrapped_lines(text, width) for text, width in texts), default=1)
    if lines <= 1:
        return None
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + ROW_PADDING)


def set_up_page(
    ws: Any,
    heading: PrintHeading | None,
    *,
    landscape: bool = True,
    title_rows: str | None = "1:1",
    pages_tall: int = 0,
) -> None:
    """Printing: orientation, one page wide (``pages_tall`` 0 = as many as needed), the
    header row on every page, and the printed header and footer."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    header_footer = ws.HeaderFooter
    if heading is not None:
        header_footer.oddHeader.left.text = "&B" + _hf(heading.company, 120)
        header_footer.oddHeader.center.text = "&A"
        header_footer.oddHeader.right.text = _hf(heading.period, 60)
    header_footer.oddFooter.left.text = _hf(NOTICE, 60)
    header_footer.oddFooter.right.text = "page &P of &N"


def _hf(text: str, limit: int) -> str:
    """Text for a header/footer section: one line, ``&`` escaped, at most ``limit`` chars."""
    line = " ".join(text.split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return line.replace("&", "&&")


class Sheet:
    """One table sheet: styled frozen header, filter, widths, wrapped text in rows as tall
    as their text, printed landscape one page wide.

    ``widths`` maps a column name to its width in characters (others get
    ``DEFAULT_WIDTH``; never narrower than the header and its filter button). Every text
    cell wraps (a cell that spilled over or was cut off would print over its neighbour
    or lose words). Call ``row`` per record and ``finish`` at the end.
    """

    def __init__(
        self,
        book: Any,
        title: str,
        columns: Iterable[str],
        *,
        widths: Mapping[str, int] | None = None,
        heading: PrintHeading | None = None,
    ) -> None:
        self.ws = book.create_sheet(title)
        self.columns = tuple(columns)
        self._rows = 0
        widths = widths or {}
        self._widths: list[float] = []
        for index, name in enumerate(self.columns, start=1):
            width = min(max(widths.get(name, DEFAULT_WIDTH), len(name) + 3), MAX_WIDTH)
            self.ws.column_dimensions[get_column_letter(index)].width = width
            self._widths.append(width)
        self.ws.freeze_panes = "A2"
        set_up_page(self.ws, heading)
        self.ws.append([self.header_cell(name) for name in self.columns])

    def header_cell(self, name: str) -> Any:
        return text_cell(self.ws, name, font=HEADER_FONT, fill=HEADER_FILL)

    def row(
        self, values: Iterable[Any], *, styles: Mapping[int, Mapping[str, Any]] | None = None
    ) -> None:
        """Append one record; ``styles`` maps a column index to cell attributes (fill, font,
        number_format) for that cell only."""
        cells: list[Any] = []
        texts: list[tuple[str, float]] = []
        for index, value in enumerate(values):
            attributes = dict(styles.get(index, {})) if styles else {}
            attributes.setdefault("alignment", WRAP)
            if isinstance(value, str):
                texts.append((value, self._widths[index]))
            cells.append(value_cell(self.ws, value, **attributes))
        height = row_height(texts)
        if height is not None:
            self.ws.row_dimensions[self._rows + 2].height = height
        self.ws.append(cells)
        self._rows += 1

    def finish(self) -> None:
        """Put the auto-filter over the header and every row written."""
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self._rows + 1}"
