"""Progress on stderr for long CLI commands (import, audit, package): counts, percentage,
rate and elapsed time, drawn by ``rich.progress`` and erased when the command ends.

Only when stderr is a terminal: scripts and pipes get nothing, and the command's own output
(stdout) is never mixed with it. The core reports ``(stage, done, total)`` through the
session's ``progress`` parameter (``mockaudit.domain.progress.StageProgress``); each stage
becomes one line of the display, the previous one hidden when the next starts.

Why rich, and why only here: it is a maintained progress library already installed (Textual
depends on it), so the rate, the pulsing bar of an unknown total and the erasing are not ours
to get right. The import-linter contract that keeps rich out of the CLI names this module as
its one exception (pyproject.toml), and rich is imported only when a display is made, so a
command run from a script, or ``--help``, never loads it (tests/test_import_hygiene.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn, TaskID


class StageProgress:
    """Called as ``(stage, done, total)``; total 0 means not known (a count, a pulsing bar)."""

    def __init__(
        self,
        console: Console,
        *,
        clock: Callable[[], float] | None = None,
        auto_refresh: bool = True,
    ) -> None:
        from rich.progress import Progress

        self.progress: Progress = Progress(
            *_columns(),
            console=console,
            transient=True,  # erased on close: nothing stays in front of the report
            get_time=clock,
            auto_refresh=auto_refresh,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._live = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self._live:
            self.progress.start()
            self._live = True
        task = self._tasks.get(stage)
        if task is None:
            for earlier in self._tasks.values():
                self.progress.update(earlier, visible=False)
            task = self._tasks[stage] = self.progress.add_task(stage, total=total or None)
        self.progress.update(task, completed=done, total=total or None)

    def close(self) -> None:
        """Stop drawing and erase the display (safe to call twice)."""
        if self._live:
            self.progress.stop()
            self._live = False


def stage_progress() -> StageProgress | None:
    """A progress display on stderr when it is a terminal, else None (silent)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console

    return StageProgress(Console(stderr=True))


@contextmanager
def progress_on_stderr() -> Iterator[StageProgress | None]:
    """``stage_progress()`` for the length of a ``with`` block, erased however it ends."""
    progress = stage_progress()
    try:
        yield progress
    finally:
        if progress is not None:
            progress.close()


def counting(progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    """For the session methods that report (done, total) of one thing (verify, evidence add):
    the same display under ``stage``."""
    if progress is None:
        return None
    display = progress

    def report(done: int, total: int) -> None:
        display(stage, done, total)

    return report


def _columns() -> tuple[ProgressColumn, ...]:
    from rich.progress import (
        BarColumn,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class Counts(ProgressColumn):
        """``12,345 / 50,000`` (``12,345`` while the total is unknown)."""

        def render(self, task: Task) -> Text:
            done = int(task.completed)
            total = f" / {int(task.total):,}" if task.total is not None else ""
            return Text(f"{done:,}{total}")

    class Rate(ProgressColumn):
        """``8,100/s`` once there is a speed to show."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f}/s" if speed else "")

    return (
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        Counts(),
        TaskProgressColumn(),
        Rate(),
        TimeElapsedColumn(),
    )
