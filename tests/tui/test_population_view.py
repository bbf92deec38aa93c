"""A million-row population is browsed page by page: the last row is one page away."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen

from mockaudit.domain.observations import PopulationRow
from mockaudit.tui.widgets.population_view import PAGE_ROWS, PopulationView
from tests.tui.helpers import screen_text

ROWS = 1_000_000


class Browse(Screen[None]):
    """Serves pages the way the Program screen does, from a computed population."""

    def __init__(self, *, answer: bool = True) -> None:
        super().__init__()
        self.answer = answer
        self.asked: list[int] = []

    def compose(self) -> ComposeResult:
        yield PopulationView(id="rows")

    def on_mount(self) -> None:
        self.query_one(PopulationView).show("big", ("ticket", "status"), ROWS)
        self.query_one(PopulationView).focus()

    def on_population_view_page_wanted(self, event: PopulationView.PageWanted) -> None:
        self.asked.append(event.offset)
        if not self.answer:
            return
        stop = min(event.offset + event.limit, ROWS)
        rows = [
            PopulationRow(f"T-{i}", i + 2, None, {"ticket": f"T-{i}", "status": "done"})
            for i in range(event.offset, stop)
        ]
        self.query_one(PopulationView).add_page(event.population, event.offset, rows)


class Host(App[None]):
    def __init__(self, screen: Browse) -> None:
        super().__init__()
        self.browse = screen

    def on_mount(self) -> None:
        self.push_screen(self.browse)


async def drawn(pilot: Pilot[None]) -> None:
    """Paint, let the view ask for its pages, answer, paint again."""
    for _ in range(3):
        await pilot.pause()


async def test_end_jumps_to_the_millionth_row_fetching_one_page() -> None:
    screen = Browse()
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await drawn(pilot)
        view = screen.query_one(PopulationView)
        assert "T-0 " in screen_text(app)  # type: ignore[arg-type]
        await pilot.press("end")
        await drawn(pilot)
        shown = screen_text(app)  # type: ignore[arg-type]
        assert "T-999999" in shown
        assert "1000001  T-999999" in shown  # its line in the file, then its key
        assert view.border_subtitle == "row 1,000,000 of 1,000,000"
        assert len(screen.asked) <= 3  # the first page, and the last one or two
        assert view.fetched_rows <= 3 * PAGE_ROWS  # never the whole population
        await pilot.press("home")
        await drawn(pilot)
        assert view.border_subtitle == "row 1 of 1,000,000"
        assert "T-0 " in screen_text(app)  # type: ignore[arg-type]


async def test_an_unloaded_page_shows_loading_and_is_asked_for_once() -> None:
    screen = Browse(answer=False)
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await drawn(pilot)
        assert "loading row 1" in screen_text(app)  # type: ignore[arg-type]
        assert screen.asked == [0]  # asked once, not on every repaint
