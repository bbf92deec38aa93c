"""What every main screen shares: header, section bar, task bar, footer, loading and errors.

A screen loads what it shows in a thread worker (``fetch``): the worker calls the
session through the app's gate and hands the result back on the event loop. The
screen reloads whenever the app says the vault's content changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from mockaudit.session import Session
from mockaudit.tui.redact import one_line
from mockaudit.tui.widgets.navbar import NavBar
from mockaudit.tui.widgets.taskbar import TaskBar

if TYPE_CHECKING:
    from mockaudit.tui.app import MockAuditApp

T = TypeVar("T")
COMPACT_BELOW = 110  # columns; the app's "-narrow" breakpoint
PALETTE_HINT_FROM = 100  # columns: the footer's "^p palette" hint needs the room
TAB_BINDINGS: list[BindingType] = [
    Binding("right_square_bracket", "switch_tab(1)", "Next tab"),
    Binding("left_square_bracket", "switch_tab(-1)", "Prev tab", show=False),
]


class MainScreen(Screen[None]):
    """A section of the app (one mode): subclasses fill ``compose_body`` and ``reload``."""

    SECTION = ""

    @property
    def mock(self) -> MockAuditApp:
        return cast("MockAuditApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar(self.SECTION)
        yield from self.compose_body()
        yield TaskBar(id="taskbar")
        yield Footer()

    @on(events.Resize)
    def _compact_footer(self, event: events.Resize) -> None:
        # Below 110 columns the footer drops its spacing so "q Quit" still fits; below 100
        # the "^p palette" hint goes (? Help names the palette), so no key is cut.
        footer = self.query_one(Footer)
        footer.compact = event.size.width < COMPACT_BELOW
        footer.show_command_palette = event.size.width >= PALETTE_HINT_FROM

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.reload()

    def _data_changed(self, _version: int) -> None:
        self.reload()

    def reload(self) -> None:
        """Start loading what the screen shows (override)."""

    def fetch(
        self,
        name: str,
        call: Callable[[Session], T],
        done: Callable[[T], None],
        *,
        exclusive: bool = True,
    ) -> None:
        """Run ``call(session)`` in a thread worker, then ``done(result)`` on the event loop.

        ``exclusive``: a newer load of the same name supersedes an older one (the default);
        page reads of a population pass False, since every page asked for is needed."""
        gate = self.mock.gate

        def deliver(value: T) -> None:
            if self.is_attached:
                done(value)

        def work() -> None:
            value = gate.call(call)
            self.app.call_from_thread(deliver, value)

        self.run_worker(
            work,
            name=name,
            group=f"{self.SECTION}-{name}",
            description=f"loading the {self.SECTION} {name}",
            thread=True,
            exclusive=exclusive,
            exit_on_error=False,
        )

    def action_switch_tab(self, step: int) -> None:
        """Move to the next (1) or previous (-1) tab of the screen's TabbedContent."""
        for tabbed in self.query(TabbedContent):
            panes = [pane.id for pane in tabbed.query(TabPane) if pane.id]
            if panes:
                index = panes.index(tabbed.active) if tabbed.active in panes else 0
                target = panes[(index + step) % len(panes)]
                # let go of the focus first: a focused widget left in the old pane would
                # pull the TabbedContent straight back to it
                self.set_focus(None)
                tabbed.active = target
                self.call_after_refresh(self._focus_pane, tabbed.get_pane(target))
            return

    def _focus_pane(self, pane: Widget) -> None:
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.mock.show_error(one_line(worker.error, worker.description or worker.name))
