"""Progress on stderr for long CLI commands: counts, percentage, rate; the line is cleared.

Only when stderr is a terminal (scripts and pipes get nothing). One line, rewritten with a
carriage return at most every ``every`` seconds; ``close`` erases it, so the command's own
output starts on a clean line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

CLEAR = "\r\x1b[K"


class StageProgress:
    """``stage: 12,345 / 50,000 (24%) · 8,100/s``, one stage after another."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        every: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.clock = clock
        self._stage = ""
        self._started = 0.0
        self._shown = -1.0
        self._dirty = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self._stage:
            self._stage, self._started, self._shown = stage, now, -1.0
        if now - self._shown < self.every and done != total:
            return
        self._shown = now
        self.stream.write(CLEAR + self.line(stage, done, total, now - self._started))
        self.stream.flush()
        self._dirty = True

    @staticmethod
    def line(stage: str, done: int, total: int, elapsed: float) -> str:
        counts = f"{done:,} / {total:,} ({done * 100 // total}%)" if total > 0 else f"{done:,}"
        rate = f" · {done / elapsed:,.0f}/s" if elapsed > 0.5 and done else ""
        return f"{stage}: {counts}{rate}"

    def close(self) -> None:
        """Erase the progress line (nothing printed stays behind)."""
        if self._dirty:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._dirty = False


def stage_progress() -> StageProgress | None:
    """A progress line on stderr when it is a terminal, else None (silent)."""
    return StageProgress() if sys.stderr.isatty() else None
