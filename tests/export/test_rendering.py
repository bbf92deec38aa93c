"""The exports as a GRC lead sees them, checked in the real tools (issue 16).

* The Northwind findings workbook printed by LibreOffice Calc: Summary one portrait
  page, every other page landscape, Findings on at most 8 pages, no word printed
  over another; dates are date cells.
* A workbook whose user data holds ``=1+2``, ``@SUM(1)`` and ``+3``: LibreOffice shows
  that text and evaluates nothing, and each cell equals the findings JSON's text.
* The mock report of Northwind and of a generated ``large`` scenario printed by headless
  Chromium on A4 and Letter: no body word under the footer band, no ID or date split
  across lines.
* OSCAL of both: valid against NIST's schema and trestle, no unreferenced resource.

Each document is converted once per module (LibreOffice and Chromium take seconds
each); the tests skip with the package to install when a tool is missing (.ci/run
installs them). The checks are shown to fail on the faults they guard against:
a workbook without row heights overprints, a fixed footer hides body text.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mockaudit.domain.run import Run
from mockaudit.export import findings_xlsx, workbook
from mockaudit.export.findings_json import dumps
from mockaudit.export.findings_xlsx import write_xlsx
from mockaudit.export.oscal import OSCAL_VERSION, oscal_document
from mockaudit.export.report_html import render_html
from mockaudit.export.report_pdf import html_to_pdf
from mockaudit.session import Session, generate_scenario
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.export.oscal_schema import nist_errors
from tests.export.rendering import (
    CHROMIUM_NAMES,
    Page,
    footer_line,
    needs_tool,
    overlapping_words,
    pdf_pages,
    soffice_to_csv,
    soffice_to_pdf,
    split_identifiers,
    words_under_footer,
)
from tests.export.test_oscal import unreferenced, validate

NORTHWIND = Path(__file__).parents[2] / "scenarios" / "northwind-first-type2"
AS_OF = date(2026, 7, 15)
LIBREOFFICE = needs_tool("soffice")
POPPLER = needs_tool("pdftotext")
CHROMIUM = needs_tool(*CHROMIUM_NAMES)
PAPERS = {"a4": (595.0, 842.0), "letter": (612.0, 792.0)}
INJECTIONS = ("=1+2", "@SUM(1)", "+3")


class Audited:
    """A vault with a scenario imported and audited, and what the exports need of it."""

    def __init__(self, folder: Path, scenario: Path) -> None:
        self.session = Session.create(folder, PASSPHRASE, kdf=FAST_KDF)
        self.session.import_scenario(scenario)
        self.run = self.session.run_audit(seed=7, as_of=AS_OF)
        self.program = self.session.program()
        self.evidence = {e.evidence_id: e for e in self.session.list_evidence()}


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    audited = Audited(tmp_path_factory.mktemp("northwind") / "vault", NORTHWIND)
    yield audited
    audited.session.close()


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    root = tmp_path_factory.mktemp("large")
    generate_scenario(root / "scenario", seed=11, size="large", defects=0.05)
    audited = Audited(root / "vault", root / "scenario")
    yield audited
    audited.session.close()


def _scenario(name: str, request: pytest.FixtureRequest) -> Audited:
    audited: Audited = request.getfixturevalue(name)
    return audited


# ----- the workbook in LibreOffice -----------------------------------------------------------


@pytest.fixture(scope="module")
def workbook_pages(northwind: Audited, tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    folder = tmp_path_factory.mktemp("xlsx-pdf")
    write_xlsx(northwind.run, northwind.program, folder / "findings.xlsx")
    return pdf_pages(soffice_to_pdf(folder / "findings.xlsx", folder))


def _sheet_of(page: Page) -> str:
    """The sheet a printed page belongs to: the page header's centre (``&A``)."""
    names = {"Summary", "Findings", "Controls", "Requests"}
    top = min(w.y0 for w in page.words if w.text == "period")  # the header's right part
    heading = [w.text for w in page.words if abs(w.y0 - top) < 3 and w.text in names]
    assert len(heading) == 1, (page.number, heading)
    return heading[0]


@LIBREOFFICE
@POPPLER
def test_workbook_prints_landscape_with_findings_on_at_most_8_pages(
    workbook_pages: list[Page],
) -> None:
    sheets = [_sheet_of(p) for p in workbook_pages]
    assert sheets[0] == "Summary" and sheets.count("Summary") == 1  # a one-page brief
    assert not workbook_pages[0].landscape
    assert all(p.landscape for p in workbook_pages[1:])
    assert 1 <= sheets.count("Findings") <= 8, sheets
    total = len(workbook_pages)
    for page in workbook_pages:
        footer = " ".join(w.text for w in footer_line(page))
        assert f"page {page.number} of {total}" in footer and "not an attestation" in footer
        text = " ".join(w.text for w in page.words)
        assert "not an attestation" in text and "Northwind Cloud Inc." in text
        assert "period 2026-01-01 to 2026-06-30" in text
    findings = [p for p in workbook_pages if _sheet_of(p) == "Findings"]
    for page in findings:  # the header row is repeated on every printed page
        assert {"id", "code", "severity", "detail", "remediation"} <= {w.text for w in page.words}


@LIBREOFFICE
@POPPLER
def test_no_printed_word_overlaps_another(workbook_pages: list[Page]) -> None:
    overlaps = [(p.number, a.text, b.text) for p in workbook_pages for a, b in overlapping_words(p)]
    assert overlaps == []


@LIBREOFFICE
@POPPLER
def test_overlap_check_catches_rows_without_fitted_heights(
    northwind: Audited, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "row_height", lambda texts: None)
    monkeypatch.setattr(findings_xlsx, "row_height", lambda texts: None)
    write_xlsx(northwind.run, northwind.program, tmp_path / "flat.xlsx")
    pages = pdf_pages(soffice_to_pdf(tmp_path / "flat.xlsx", tmp_path))
    assert sum(len(overlapping_words(p)) for p in pages) > 100  # the old overprinting


def test_dates_are_date_cells_and_numbers_numbers(northwind: Audited, tmp_path: Path) -> None:
    write_xlsx(northwind.run, northwind.program, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Summary"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(max_col=2) if row[0].value}
    dated = [
        "period start",
        "period end",
        "started at (UTC)",
        "earliest type 1 date",
        "type 2 period start",
        "type 2 period end",
        "type 2 report about",
    ]
    for label in dated:
        assert cells[label].is_date, label
    assert cells["period end"].value.date() == northwind.run.period_end
    for label in ("seed", "readiness score (0-100)", "fieldwork days (expected)", "controls"):
        assert isinstance(cells[label].value, int | float), label


# ----- formula-looking user data -------------------------------------------------------------


def _injected(run: Run) -> Run:
    findings = tuple(
        f.model_copy(
            update={
                "title": INJECTIONS[i % 3],
                "owner": INJECTIONS[(i + 1) % 3],
                "items": (INJECTIONS[(i + 2) % 3], "plain", INJECTIONS[i % 3]),
                "remediation": f"{INJECTIONS[(i + 1) % 3]} then fix it",
            }
        )
        for i, f in enumerate(run.findings)
    )
    return run.model_copy(update={"findings": findings})


@LIBREOFFICE
def test_libreoffice_evaluates_nothing_and_shows_the_json_text(
    northwind: Audited, tmp_path: Path
) -> None:
    run = _injected(northwind.run)
    write_xlsx(run, northwind.program, tmp_path / "injected.xlsx")
    sheets = soffice_to_csv(tmp_path / "injected.xlsx", tmp_path)
    with sheets["Findings"].open(encoding="utf-8", newline="") as fh:
        shown = list(csv.DictReader(fh))
    findings = json.loads(dumps(run))["findings"]
    assert len(shown) == len(findings) > 3
    for cells, finding in zip(shown, findings, strict=True):
        assert cells["title"] == finding["title"]  # "=1+2", not 3
        assert cells["owner"] == finding["owner"]
        assert cells["remediation"] == finding["remediation"]
        assert cells["items"] == ";".join(finding["items"])  # one cell, no quote per key
        assert cells["id"] == finding["id"]
    assert {c["title"] for c in shown} == set(INJECTIONS)
    for path in sheets.values():  # no error value, no computed 3 anywhere LibreOffice shows
        text = path.read_text(encoding="utf-8")
        assert "Err:" not in text and "#NAME?" not in text


# ----- the report in Chromium ----------------------------------------------------------------


@pytest.fixture(scope="module")
def report_pages(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Printed pages per (scenario, paper), each printed once for the module."""
    cache: dict[tuple[str, str], list[Page]] = {}
    folder = tmp_path_factory.mktemp("report-pdf")

    def pages(name: str, paper: str) -> list[Page]:
        if (name, paper) not in cache:
            audited = _scenario(name, request)
            html = render_html(audited.run, audited.program, checkpoint="note\n", paper=paper)
            out = folder / f"{name}-{paper}.pdf"
            html_to_pdf(html, out)
            cache[name, paper] = pdf_pages(out)
        return cache[name, paper]

    return pages


@CHROMIUM
@POPPLER
@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("name", ["northwind", "large"])
def test_printed_report_keeps_text_clear_of_the_footer(
    name: str, paper: str, report_pages: Any, request: pytest.FixtureRequest
) -> None:
    pages: list[Page] = report_pages(name, paper)
    company = _scenario(name, request).program.organization.name
    width, height = PAPERS[paper]
    assert len(pages) > 10
    for page in pages:
        assert abs(page.width - width) < 2 and abs(page.height - height) < 2, paper
        footer = " ".join(w.text for w in footer_line(page, company))
        assert f"page {page.number} of {len(pages)}" in footer and "not an attestation" in footer
        assert company.split()[0] in footer
    under = [(p.number, w.text) for p in pages for w in words_under_footer(p, company)]
    assert under == []


@CHROMIUM
@POPPLER
@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("name", ["northwind", "large"])
def test_printed_report_splits_no_id_or_date(name: str, paper: str, report_pages: Any) -> None:
    pages: list[Page] = report_pages(name, paper)
    assert [s for p in pages for s in split_identifiers(p)] == []
    lines = [" ".join(w.text for w in line) for p in pages for line in p.lines]
    assert any(re.search(r"\bF-\d{4}\b", line) for line in lines)  # finding ids were printed


@CHROMIUM
@POPPLER
def test_footer_and_split_checks_catch_a_fixed_footer_and_breakable_ids(
    northwind: Audited, tmp_path: Path
) -> None:
    html = render_html(northwind.run, northwind.program, checkpoint="note\n", paper="a4")
    html = re.sub(r'<span class="nw">([^<]*)</span>', r"\1", html)  # IDs breakable again
    html = re.sub(r"@page \{.*?\} \}", "@page { size: A4; margin: 14mm 12mm 18mm; }", html)
    fixed = (  # the footer of the first version: fixed to the page bottom, over the body
        ".old-footer { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; "
        "font: bold 8pt sans-serif; border-top: 1px solid red; }"
    )
    html = html.replace("</style>", fixed + "</style>").replace(
        "<main>", '<div class="old-footer">Rehearsal: page 1 of 1</div><main>'
    )
    html = html.replace(".grid { width: 100%;", ".grid { width: 60%;")  # narrow columns
    html_to_pdf(html, tmp_path / "old.pdf")
    pages = pdf_pages(tmp_path / "old.pdf")
    assert sum(len(words_under_footer(p)) for p in pages) > 0
    assert [s for p in pages for s in split_identifiers(p)] != []


# ----- OSCAL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["northwind", "large"])
def test_oscal_is_valid_and_every_resource_is_referenced(
    name: str, request: pytest.FixtureRequest
) -> None:
    audited = _scenario(name, request)
    doc = oscal_document(audited.run, audited.program, audited.evidence)
    assert doc["assessment-results"]["metadata"]["oscal-version"] == OSCAL_VERSION
    assert nist_errors(doc) == []
    validate(doc)  # trestle's AssessmentResults model
    resources, orphans = unreferenced(doc)
    assert len(resources) > 50 and orphans == set()
