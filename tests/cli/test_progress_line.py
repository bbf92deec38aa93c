"""Issue 23: CLI progress shows counts, percentage and rate, and clears its line."""

from __future__ import annotations

import io

from mockaudit.cli.progress import CLEAR, StageProgress


def test_the_progress_line_counts_rates_and_is_cleared() -> None:
    ticks = iter([0.0, 1.0, 2.0, 2.05, 3.0])
    out = io.StringIO()
    progress = StageProgress(out, every=0.1, clock=lambda: next(ticks))
    progress("rows", 0, 40_000)  # stage starts at t=0
    progress("rows", 10_000, 40_000)  # t=1
    progress("rows", 20_000, 40_000)  # t=2
    progress("rows", 21_000, 40_000)  # t=2.05: too soon, not drawn
    progress("rows", 40_000, 40_000)  # t=3: the end is always drawn
    text = out.getvalue()
    assert "rows: 10,000 / 40,000 (25%) · 10,000/s" in text
    assert "rows: 40,000 / 40,000 (100%) · 13,333/s" in text
    assert "21,000" not in text
    progress.close()
    assert out.getvalue().endswith(CLEAR)  # nothing left on the line
    assert StageProgress.line("files", 7, 0, 0.0) == "files: 7"  # unknown total: a count
