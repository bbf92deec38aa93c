"""The mock report renders in headless Chromium without a console error.

Needs Debian's ``chromium`` package (``.ci/run`` installs it); marked ``chromium``
(``pytest -m 'not chromium'`` leaves it out) and skipped when absent.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from mockaudit.domain import Program
from mockaudit.domain.run import Run
from mockaudit.export.report_html import write_html

CHROMIUM = shutil.which("chromium")
WIDTH, HEIGHT = 1280, 2400
NOTE = "mockaudit.local/0000\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 k sig\n"


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium_without_console_errors(
    tmp_path: Path, golden_run: Run, golden_program: Program
) -> None:
    assert CHROMIUM is not None
    report = tmp_path / "report.html"
    write_html(golden_run, golden_program, report, checkpoint=NOTE)
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={WIDTH},{HEIGHT}",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Uncaught" not in proc.stderr
    assert "ERROR:CONSOLE" not in proc.stderr
    assert ":CONSOLE" not in proc.stderr  # the page has no script: no console message at all
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (WIDTH, HEIGHT)
    assert len(data) > 50_000  # a page full of text and tables, not a blank screen
