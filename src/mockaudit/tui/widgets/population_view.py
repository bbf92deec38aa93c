"""A virtual view over a population of any size (1M rows): only visible pages are fetched.

Toolong's Line API pattern: the view knows the row count, renders each visible
line from a small page cache, and asks its screen for a missing page with a
``PageWanted`` message (the screen fetches it in a thread worker and hands it
back with ``add_page``). Jumping to the last row fetches one page, not a million.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mockaudit.domain.observations import PopulationRow

PAGE_ROWS = 200
CACHED_PAGES = 32
COLUMN_WIDTH = 18
LINE_WIDTH = 9  # the first column: the row's line in the source file
HEADER_STYLE = Style(bold=True, underline=True)
CURSOR_STYLE = Style(reverse=True)
LOADING_STYLE = Style(dim=True)


class PopulationView(ScrollView, can_focus=True):
    """Line 0 is the sticky header; line y > 0 shows row ``scroll_y + y - 1``."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump_first", "First row"),
        Binding("end", "jump_last", "Last row"),
    ]

    cursor: reactive[int] = reactive(0)

    class PageWanted(Message):
        """Rows ``offset`` .. ``offset + limit`` of ``population`` are needed on screen."""

        def __init__(self, population: str, offset: int, limit: int) -> None:
            super().__init__()
            self.population = population
            self.offset = offset
            self.limit = limit

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.population = ""
        self.columns: tuple[str, ...] = ()
        self.row_count = 0
        self._pages: OrderedDict[int, list[PopulationRow]] = OrderedDict()
        self._wanted: set[int] = set()
        self.fetched_rows = 0  # how many rows were ever asked for (tests check it stays small)

    # ----- what the screen calls -----

    def show(self, population: str, columns: Sequence[str], row_count: int) -> None:
        """Point the view at a population; nothing is fetched until lines are drawn."""
        self.population = population
        self.columns = ("line", *columns)
        self.row_count = row_count
        self._pages.clear()
        self._wanted.clear()
        self.virtual_size = Size(self._width(), row_count + 1)
        self.cursor = 0
        self.scroll_to(0, 0, animate=False)
        self._update_subtitle()
        self.refresh()

    def add_page(self, population: str, offset: int, rows: list[PopulationRow]) -> None:
        if population != self.population:
            return  # an answer for a population no longer shown
        page = offset // PAGE_ROWS
        self._wanted.discard(page)
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        self.refresh()

    # ----- rendering -----

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            text, style = self._format(self.columns), HEADER_STYLE
        else:
            index = scroll_y + y - 1
            if index >= self.row_count:
                return Strip.blank(width)
            row = self._row(index)
            if row is None:
                text, style = f"{'…':<{LINE_WIDTH}}loading row {index + 1:,}", LOADING_STYLE
            else:
                values = (str(row.line), *(row.values.get(c, "") for c in self.columns[1:]))
                text = self._format(values)
                style = CURSOR_STYLE if index == self.cursor else Style()
        strip = Strip([Segment(text.ljust(max(self._width(), width)), style)])
        return strip.crop(scroll_x, scroll_x + width)

    def _width(self) -> int:
        return LINE_WIDTH + COLUMN_WIDTH * max(0, len(self.columns) - 1)

    @staticmethod
    def _format(values: Sequence[str]) -> str:
        cells = []
        for index, value in enumerate(values):
            width = LINE_WIDTH if index == 0 else COLUMN_WIDTH
            flat = " ".join(value.split())
            if len(flat) > width - 2:
                flat = flat[: width - 3] + "…"
            cells.append(flat.ljust(width))
        return "".join(cells)

    def _row(self, index: int) -> PopulationRow | None:
        page, within = divmod(index, PAGE_ROWS)
        rows = self._pages.get(page)
        if rows is None:
            self._want(page)
            return None
        self._pages.move_to_end(page)
        return rows[within] if within < len(rows) else None

    def _want(self, page: int) -> None:
        if page in self._wanted or not self.population:
            return
        self._wanted.add(page)
        self.fetched_rows += PAGE_ROWS
        self.post_message(self.PageWanted(self.population, page * PAGE_ROWS, PAGE_ROWS))

    # ----- cursor -----

    def watch_cursor(self, old: int, new: int) -> None:
        self._update_subtitle()
        self.refresh()

    def _update_subtitle(self) -> None:
        if self.row_count:
            self.border_subtitle = f"row {self.cursor + 1:,} of {self.row_count:,}"
        else:
            self.border_subtitle = "no rows"

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _go(self, index: int) -> None:
        if not self.row_count:
            return
        self.cursor = max(0, min(self.row_count - 1, index))
        top = int(self.scroll_offset.y)
        visible = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_move(self, delta: int) -> None:
        self._go(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._go(self.cursor + direction * self._visible_rows())

    def action_jump_first(self) -> None:
        self._go(0)

    def action_jump_last(self) -> None:
        self._go(self.row_count - 1)
