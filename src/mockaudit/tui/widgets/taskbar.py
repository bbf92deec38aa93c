"""The line above the footer: the running job with its progress bar, or the last result.

It watches the app's ``job`` and ``status`` reactives (attributes down), so every
screen shows the same job no matter which one started it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar


@dataclass(frozen=True)
class JobState:
    """What is running now: the job name, a label and how far it got."""

    job: str
    label: str
    done: int = 0
    total: int | None = None


class TaskBar(Horizontal):
    """A label plus a progress bar that only shows while a job runs."""

    def compose(self) -> ComposeResult:
        yield Label("", id="task-label")
        yield ProgressBar(total=1, show_eta=False, id="task-progress")

    def on_mount(self) -> None:
        self.watch(self.app, "job", self._show_job)
        self.watch(self.app, "status", self._show_status)

    def _show_job(self, job: JobState | None) -> None:
        self.set_class(job is not None, "-running")
        bar = self.query_one("#task-progress", ProgressBar)
        if job is None:
            bar.update(total=1, progress=0)  # determinate when idle: no animation timer
            self._show_status(str(getattr(self.app, "status", "")))
            return
        self.query_one("#task-label", Label).update(Content(f"{job.label}…"))
        bar.update(total=job.total, progress=job.done)

    def _show_status(self, status: str) -> None:
        if getattr(self.app, "job", None) is None:
            self.query_one("#task-label", Label).update(Content(status))
