"""The mock report as PDF: the same HTML, printed by headless Chromium.

Chromium is what a reader would print the HTML with, so the PDF is exactly the
printed report (A4 or Letter, footer in the page margin, see report_print). It is
an optional tool, not a Python dependency: when no Chromium is on PATH the export
fails with one line naming the package to install. The HTML is written to a
private temporary folder with a throw-away browser profile; the PDF replaces
``out`` atomically, so a failed print leaves the previous file in place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from mockaudit import fsio
from mockaudit.errors import InputError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_SECONDS = 180
MISSING = (
    "report --format pdf needs headless Chromium: install the 'chromium' package "
    "(Debian/Ubuntu: apt-get install chromium), or export --format html and print it"
)


def find_chromium() -> str | None:
    """The first Chromium-family browser on PATH."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html: str, out: Path) -> None:
    """Print ``html`` (a whole self-contained document) to the PDF ``out``."""
    browser = find_chromium()
    if browser is None:
        raise InputError(MISSING)
    with tempfile.TemporaryDirectory(prefix="mockaudit-pdf-") as work:
        folder = Path(work)
        page = folder / "report.html"
        page.write_text(html, encoding="utf-8")
        printed = folder / "report.pdf"
        _print(browser, page, printed, folder / "profile")
        data = printed.read_bytes() if printed.exists() else b""
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{Path(browser).name} did not print the report to PDF")
    out = Path(out)
    fsio.sweep_temps(out.parent, {out.name})
    fsio.atomic_write_bytes(out, data)


def _print(browser: str, page: Path, printed: Path, profile: Path) -> None:
    command = [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={printed}",
        page.as_uri(),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to start sandboxed as root
    try:
        result = subprocess.run(
            command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            f"{Path(browser).name} did not print the report within {PRINT_TIMEOUT_SECONDS} s"
        ) from None
    except OSError as exc:
        raise InputError(f"could not start {Path(browser).name}: {exc.strerror}") from None
    if result.returncode != 0:
        raise InputError(
            f"{Path(browser).name} failed to print the report (exit {result.returncode})"
        )
