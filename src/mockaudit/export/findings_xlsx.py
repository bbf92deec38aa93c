"""The findings workbook a GRC lead hands around: Summary, Findings, Controls, Requests.

* Summary — who was audited, which run (id and seed, so anyone can redraw the
  samples), the readiness score, the likely opinion and the rule that chose it,
  the fieldwork estimate, follow-up rounds, and finding counts by severity and
  by owner (``NO OWNER`` counted like a person).
* Findings — one row per finding, the findings JSON field names as the header,
  the severity cell filled red / amber / blue, long text wrapped.
* Controls — one row per control test: sample plan, deviations, conclusion.
* Requests — the request (PBC) list (``requests_table``).

Every text cell is a string cell holding exactly the text of the findings JSON
(``cells.xlsx_text`` only replaces what XML cannot hold): nothing a scenario
file holds can become a formula, and nothing is added to it. Sampled/detection
probability stay typed (boolean, percentage), the period, start time and
timeline dates are date cells, so the sheet sorts and filters properly. Every
sheet prints landscape one page wide with its header row on each page
(``workbook.Sheet``); the Summary prints as a one-page brief.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill

from mockaudit.domain import Program
from mockaudit.domain.findings import Finding, Severity
from mockaudit.domain.run import ControlConclusion, ControlTest, Readiness, Run
from mockaudit.export.cells import joined, xlsx_text
from mockaudit.export.findings_csv import FINDING_COLUMNS
from mockaudit.export.output import write_export
from mockaudit.export.requests_table import add_requests_sheet
from mockaudit.export.tally import NO_OWNER, by_owner, by_severity
from mockaudit.export.workbook import (
    BOLD,
    FONT_NAME,
    TITLE_FONT,
    TOP,
    WRAP,
    PrintHeading,
    Sheet,
    new_workbook,
    period_label,
    row_height,
    set_up_page,
    text_cell,
    value_cell,
    workbook_bytes,
)

DISCLAIMER = (
    "Rehearsal output of mockaudit, a simulated auditor: not an attestation and not the "
    "opinion of an independent CPA firm."
)

SEVERITY_STYLE: dict[Severity, dict[str, Any]] = {
    Severity.HIGH: {
        "fill": PatternFill("solid", fgColor="FFC7CE"),
        "font": Font(name=FONT_NAME, bold=True, color="9C0006"),
    },
    Severity.MEDIUM: {
        "fill": PatternFill("solid", fgColor="FFEB9C"),
        "font": Font(name=FONT_NAME, color="9C5700"),
    },
    Severity.LOW: {
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "font": Font(name=FONT_NAME, color="1F4E78"),
    },
}
CONCLUSION_FILL: dict[ControlConclusion, PatternFill] = {
    ControlConclusion.NO_EXCEPTIONS: PatternFill("solid", fgColor="C6EFCE"),
    ControlConclusion.EXCEPTIONS: PatternFill("solid", fgColor="FFC7CE"),
    ControlConclusion.NOT_TESTABLE: PatternFill("solid", fgColor="FFEB9C"),
}
PERCENT = "0.0%"

# Widths add up to what a landscape page shows one page wide at a readable scale.
FINDING_WIDTHS = {
    "id": 9,
    "code": 24,
    "severity": 11,
    "control": 10,
    "population": 13,
    "policy": 10,
    "risk": 8,
    "criteria": 11,
    "items": 18,
    "owner": 10,
    "title": 26,
    "detail": 44,
    "remediation": 34,
    "sampled": 10,
    "detection_probability": 24,
}

CONTROL_COLUMNS: tuple[str, ...] = (
    "control",
    "title",
    "owner",
    "frequency",
    "kind",
    "risk",
    "population",
    "population_size",
    "planned_size",
    "sample_size",
    "deviations",
    "expanded",
    "conclusion",
    "reason",
)
CONTROL_WIDTHS = {
    "control": 10,
    "title": 30,
    "owner": 12,
    "frequency": 12,
    "kind": 10,
    "risk": 8,
    "population": 14,
    "conclusion": 16,
    "reason": 50,
}
SUMMARY_WIDTHS = (30, 60, 10, 10, 10, 10)
LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)


def write_xlsx(run: Run, program: Program, out: Path) -> None:
    """Write the findings workbook of ``run`` atomically."""
    write_export(out, render_xlsx(run, program))


def render_xlsx(run: Run, program: Program) -> bytes:
    """The workbook as .xlsx bytes."""
    book = new_workbook()
    book.properties.creator = "mockaudit"
    book.properties.title = f"mockaudit findings, run {run.id}"
    heading = print_heading(run, program)
    add_summary_sheet(book, run, program, heading)
    add_findings_sheet(book, run.findings, heading)
    add_controls_sheet(book, run.tests, program, heading)
    add_requests_sheet(book, run, heading)
    return workbook_bytes(book)


def print_heading(run: Run, program: Program) -> PrintHeading:
    """Company and period, printed at the top of every page."""
    return PrintHeading(program.organization.name, period_label(run.period_start, run.period_end))


# ----- Summary -----


def add_summary_sheet(book: Any, run: Run, program: Program, heading: PrintHeading) -> None:
    ws = book.create_sheet("Summary")
    for letter, width in zip("ABCDEF", SUMMARY_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    set_up_page(ws, heading, landscape=False, title_rows=None)
    rows: list[list[Any]] = [
        [text_cell(ws, "mockaudit — mock SOC 2 audit workbook", font=TITLE_FONT)],
        [text_cell(ws, DISCLAIMER)],  # one line over the empty cells beside it
        [],
    ]
    for label, value in _facts(run, program):
        attributes = {"alignment": LEFT_WRAP}  # text, dates and numbers read in one column
        label_cell = text_cell(ws, label, font=BOLD, alignment=TOP)
        rows.append([label_cell, value_cell(ws, value, **attributes)])
    rows.append([])
    rows.append(
        [text_cell(ws, "findings by severity", font=BOLD), text_cell(ws, "count", font=BOLD)]
    )
    counts = by_severity(run.findings)
    for severity, count in counts.items():
        rows.append([text_cell(ws, severity.value, **SEVERITY_STYLE[severity]), count])
    rows.append([text_cell(ws, "total", font=BOLD), sum(counts.values())])
    rows.append([])
    rows.append([text_cell(ws, text, font=BOLD) for text in _owner_header()])
    for tally in by_owner(run.findings):
        name = _person_name(program, tally.owner)
        counts_row = [tally.counts[s] for s in Severity]
        owner = text_cell(ws, xlsx_text(tally.owner), alignment=WRAP)
        rows.append(
            [owner, text_cell(ws, xlsx_text(name), alignment=WRAP), *counts_row, tally.total]
        )
    for index, row in enumerate(rows, start=1):
        _fit_summary_row(ws, index, row)
        ws.append(row)


def _fit_summary_row(ws: Any, index: int, row: list[Any]) -> None:
    """Give a Summary row the height its wrapped text needs (title and notice excepted)."""
    texts = [
        (cell.value, SUMMARY_WIDTHS[column])
        for column, cell in enumerate(row)
        if index > 2 and isinstance(getattr(cell, "value", None), str)
    ]
    height = row_height(texts)
    if height is not None:
        ws.row_dimensions[index].height = height


def _owner_header() -> list[str]:
    return ["findings by owner", "name", *(s.value for s in Severity), "total"]


def _facts(run: Run, program: Program) -> list[tuple[str, Any]]:
    """The label/value rows at the top of the Summary sheet (text neutralised)."""
    org = program.organization
    facts: list[tuple[str, Any]] = [
        ("organisation", xlsx_text(org.name)),
        ("services", xlsx_text(org.services)),
        ("report type", run.report_type.value),
        ("period start", run.period_start if run.period_start else "—"),
        ("period end", run.period_end),
        ("run id", xlsx_text(run.id)),
        ("seed", run.seed),
        ("started at (UTC)", _utc(run.started_at)),
        ("mockaudit version", xlsx_text(run.mockaudit_version)),
        ("program version", run.program_version),
    ]
    if run.readiness is not None:
        facts += _readiness_facts(run.readiness)
    return facts


def _readiness_facts(r: Readiness) -> list[tuple[str, Any]]:
    days = r.fieldwork_days
    facts: list[tuple[str, Any]] = [
        ("readiness score (0-100)", r.score),
        ("likely opinion", r.likely_opinion.value),
        ("opinion rule", xlsx_text(r.opinion_rule)),
        ("fieldwork days (low)", days.low),
        ("fieldwork days (expected)", days.expected),
        ("fieldwork days (high)", days.high),
        ("follow-up rounds", r.follow_up_rounds),
        ("controls", r.controls.total),
        ("controls without exceptions", r.controls.no_exceptions),
        ("controls with exceptions", r.controls.exceptions),
        ("controls not testable", r.controls.not_testable),
    ]
    if r.timeline is not None:
        t = r.timeline
        facts += [
            ("remediation days", t.remediation_days),
            ("earliest type 1 date", t.type1_earliest),
            ("type 2 window (months)", t.type2_window_months),
            ("type 2 period start", t.type2_period_start),
            ("type 2 period end", t.type2_period_end),
            ("type 2 report about", t.type2_report_date),
        ]
    return facts


def _utc(moment: datetime) -> datetime:
    """A naive UTC datetime (spreadsheets have no time zones)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _person_name(program: Program, owner: str) -> str:
    if owner == NO_OWNER:
        return "(nobody: assign an owner)"
    person = program.person(owner)
    return person.name if person else "(not among people)"


# ----- Findings -----


def add_findings_sheet(
    book: Any, findings: Iterable[Finding], heading: PrintHeading | None = None
) -> None:
    sheet = Sheet(book, "Findings", FINDING_COLUMNS, widths=FINDING_WIDTHS, heading=heading)
    severity_at = FINDING_COLUMNS.index("severity")
    probability_at = FINDING_COLUMNS.index("detection_probability")
    for finding in findings:
        styles = {
            severity_at: SEVERITY_STYLE[finding.severity],
            probability_at: {"number_format": PERCENT},
        }
        sheet.row(finding_values(finding), styles=styles)
    sheet.finish()


def finding_values(finding: Finding) -> list[Any]:
    """One Findings row: text as in the JSON (XML-safe), sampled a boolean, probability a
    number."""
    return [
        xlsx_text(finding.id),
        finding.code.value,
        finding.severity.value,
        _optional(finding.control),
        _optional(finding.population),
        _optional(finding.policy),
        _optional(finding.risk),
        _list(finding.criteria),
        _list(finding.items),
        _optional(finding.owner),
        xlsx_text(finding.title),
        xlsx_text(finding.detail),
        xlsx_text(finding.remediation),
        finding.sampled,
        finding.detection_probability,
    ]


def _optional(value: str | None) -> str | None:
    return None if value is None else xlsx_text(value)


def _list(values: tuple[str, ...]) -> str | None:
    return xlsx_text(joined(values)) if values else None


# ----- Controls -----


def add_controls_sheet(
    book: Any,
    tests: Iterable[ControlTest],
    program: Program,
    heading: PrintHeading | None = None,
) -> None:
    sheet = Sheet(book, "Controls", CONTROL_COLUMNS, widths=CONTROL_WIDTHS, heading=heading)
    conclusion_at = CONTROL_COLUMNS.index("conclusion")
    for test in tests:
        fill = {"fill": CONCLUSION_FILL[test.conclusion]}
        sheet.row(_control_values(test, program), styles={conclusion_at: fill})
    sheet.finish()


def _control_values(test: ControlTest, program: Program) -> list[Any]:
    control = program.control(test.control)
    return [
        xlsx_text(test.control),
        xlsx_text(control.title) if control else None,
        _optional(test.owner),
        test.frequency.value,
        test.kind.value,
        test.risk.value,
        _optional(test.population),
        test.population_size,
        test.planned_size,
        test.sample_size,
        test.deviations,
        test.expanded,
        test.conclusion.value,
        xlsx_text(test.reason),
    ]
