"""The real tools a reader opens exports with, driven from tests: LibreOffice, Chromium, poppler.

Each helper runs the Debian tool as a subprocess (``.ci/run`` installs ``chromium``,
``libreoffice-calc-nogui`` and ``poppler-utils`` when apt-get is there); ``needs_tool``
skips a test with the reason when a tool is missing on a developer's machine.
Word boxes come from ``pdftotext -bbox-layout``: one box per word as drawn on the
page, in PDF points from the top-left corner.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def needs_tool(*names: str) -> pytest.MarkDecorator:
    """Skip unless one of ``names`` is on PATH (LibreOffice is ``soffice``)."""
    found = any(shutil.which(name) for name in names)
    package = {
        "soffice": "libreoffice-calc-nogui",
        "pdftotext": "poppler-utils",
        "chromium": "chromium",
    }.get(names[0], names[0])
    return pytest.mark.skipif(
        not found, reason=f"{names[0]} not installed (apt-get install {package})"
    )


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def intersects(self, other: Word, slack: float = 0.5) -> bool:
        """True when one word is drawn over the other: the boxes overlap by more than
        ``slack`` points across and by more than a third of a line down (a box spans
        ascent and descent, so the boxes of two lines of one paragraph touch)."""
        across = min(self.x1, other.x1) - max(self.x0, other.x0)
        down = min(self.y1, other.y1) - max(self.y0, other.y0)
        line = min(self.y1 - self.y0, other.y1 - other.y0)
        return across > slack and down > line / 3


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    lines: tuple[tuple[Word, ...], ...]

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def soffice_to_pdf(workbook: Path, out_dir: Path) -> Path:
    """LibreOffice Calc prints ``workbook`` to PDF (as File > Export as PDF would)."""
    _run(
        [
            "soffice",
            f"-env:UserInstallation=file://{out_dir / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(workbook),
        ]
    )
    return out_dir / (workbook.stem + ".pdf")


def soffice_to_csv(workbook: Path, out_dir: Path) -> dict[str, Path]:
    """Every sheet as the text LibreOffice shows in its cells (formulas would show results)."""
    # Filter options: comma, double quote, UTF-8, from line 1, formatted text as shown,
    # and -1: one CSV per sheet, named <stem>-<Sheet>.csv.
    options = "44,34,76,1,,0,false,true,false,false,false,-1"
    _run(
        [
            "soffice",
            f"-env:UserInstallation=file://{out_dir / 'lo-profile'}",
            "--headless",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{options}",
            "--outdir",
            str(out_dir),
            str(workbook),
        ]
    )
    return {p.stem.removeprefix(workbook.stem + "-"): p for p in out_dir.glob("*.csv")}


def pdf_pages(pdf: Path) -> list[Page]:
    """Pages with their word boxes (``pdftotext -bbox-layout``)."""
    xml = _run(["pdftotext", "-bbox-layout", str(pdf), "-"])
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    xml = re.sub(r'\sxmlns="[^"]*"', "", xml, count=1)
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own tool's output
    pages = []
    for number, page in enumerate(root.iter("page"), start=1):
        lines = []
        for line in page.iter("line"):
            words = tuple(
                Word(
                    number,
                    w.text or "",
                    float(w.attrib["xMin"]),
                    float(w.attrib["yMin"]),
                    float(w.attrib["xMax"]),
                    float(w.attrib["yMax"]),
                )
                for w in line.iter("word")
            )
            if words:
                lines.append(words)
        words = tuple(w for line in lines for w in line)
        pages.append(
            Page(
                number,
                float(page.attrib["width"]),
                float(page.attrib["height"]),
                words,
                tuple(lines),
            )
        )
    return pages


def overlapping_words(page: Page) -> list[tuple[Word, Word]]:
    """Pairs of word boxes that intersect: text printed over other text."""
    words = sorted(page.words, key=lambda w: w.y0)
    found: list[tuple[Word, Word]] = []
    active: list[Word] = []
    for word in words:
        active = [a for a in active if a.y1 > word.y0]
        found += [(a, word) for a in active if a.intersects(word)]
        active.append(word)
    return found


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    if result.returncode != 0:
        raise AssertionError(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


FOOTER_MARK = re.compile(r"page \d+ of \d+")
# What counts as an ID or a date when looking for one split across lines: CHG-01, F-0007,
# IAM-04, OKTA-20260306-2015, 2026-06-30, ledger-api#1847.
ID_OR_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d[A-Za-z0-9]*|[A-Za-z][\w.]*(?:-[\w.]+)*#\d+"
)


FOOTER_VOCABULARY = frozenset("— - mock audit not an attestation page of Rehearsal:".split())


def footer_line(page: Page, company: str = "") -> tuple[Word, ...]:
    """The printed footer: the words on the baseline of the bottom-most "page" that belong
    to a footer ("mock audit — not an attestation — page n of m", the company, numbers),
    left to right. Body words drawn on the same baseline are not footer words."""
    anchors = [w for w in page.words if w.text == "page"]
    if not anchors:
        raise AssertionError(f"page {page.number} has no 'page n of m' footer")
    anchor = max(anchors, key=lambda w: w.y0)
    vocabulary = FOOTER_VOCABULARY | set(company.split())
    words = [
        w
        for w in page.words
        if abs(w.y0 - anchor.y0) < 1.5 and (w.text in vocabulary or w.text.isdigit())
    ]
    footer = tuple(sorted(words, key=lambda w: w.x0))
    if not FOOTER_MARK.search(" ".join(w.text for w in footer)):
        raise AssertionError(f"page {page.number} has no 'page n of m' footer")
    return footer


def words_under_footer(page: Page, company: str = "", gap: float = 3.0) -> list[Word]:
    """Body words whose box reaches into the footer band: from just above the footer
    line (``gap`` points, its rule) to the bottom of the page."""
    footer = footer_line(page, company)
    top = min(w.y0 for w in footer) - gap
    return [w for w in page.words if w not in footer and w.y1 > top]


def split_identifiers(page: Page) -> list[str]:
    """Lines that end inside an ID or a date (``CHG-`` then ``01`` on the next line): the
    last word ends at a hyphen, and joined to the next line's first word it holds an ID
    across the join. The next line only continues this one when it starts further left
    and lower (a wrapped line); text order can put another column's cell next (a table's
    "Sample" value beside a wrapped file name), which splits nothing."""
    found = []
    for line, following in zip(page.lines, page.lines[1:], strict=False):
        last, first = line[-1].text, following[0].text
        if not last.endswith("-"):  # a break at a space splits nothing
            continue
        if following[0].x0 >= line[-1].x0 or following[0].y0 <= line[-1].y0:
            continue  # not the wrapped continuation: a word of another table column
        joined = last + first
        if any(m.start() < len(last) < m.end() for m in ID_OR_DATE.finditer(joined)):
            found.append(f"{last} / {first}")
    return found
