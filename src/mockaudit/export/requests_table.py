"""The auditor's request (PBC) list as CSV or XLSX, in the columns request lists travel in.

Auditors and GRC tools exchange request lists as a flat table keyed by a
request code (OpenGRC's IRL import: request code, control code, details,
assignee). The first nine columns are that exchange set; the rest say how the
simulated fieldwork went: when it was asked, which request it chases, what
the vault answered with and what was missing, and the findings behind a
follow-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mockaudit.domain.run import Request, Run
from mockaudit.export.cells import joined, list_cell, neutralise, optional, xml_safe
from mockaudit.export.findings_csv import csv_text
from mockaudit.export.output import write_export, write_text
from mockaudit.export.workbook import (
    PrintHeading,
    Sheet,
    new_workbook,
    period_label,
    workbook_bytes,
)

REQUEST_COLUMNS: tuple[str, ...] = (
    "request_code",
    "control",
    "criteria",
    "kind",
    "description",
    "owner",
    "due_day",
    "status",
    "round",
    "issued_day",
    "follows",
    "found_evidence",
    "missing",
    "population",
    "findings",
)
LIST_COLUMNS = frozenset({"criteria", "found_evidence", "missing", "findings"})
NUMBER_COLUMNS = frozenset({"due_day", "round", "issued_day"})
_WIDTHS = {
    "request_code": 15,
    "control": 10,
    "criteria": 12,
    "kind": 12,
    "description": 50,
    "owner": 12,
    "status": 12,
    "follows": 12,
    "found_evidence": 24,
    "missing": 30,
    "population": 14,
    "findings": 14,
}


def request_values(request: Request) -> list[Any]:
    """One request in ``REQUEST_COLUMNS`` order, typed (ints stay ints, lists stay tuples)."""
    return [
        request.code,
        request.control,
        request.criteria,
        request.kind.value,
        request.description,
        request.owner,
        request.due_day,
        request.status.value,
        request.round,
        request.issued_day,
        request.follows,
        request.found,
        request.missing,
        request.population,
        request.findings,
    ]


def request_cells(request: Request) -> list[str]:
    """One CSV row of inert text."""
    return [_text(value) for value in request_values(request)]


def render_requests_csv(run: Run) -> str:
    return csv_text(REQUEST_COLUMNS, (request_cells(r) for r in run.requests))


def write_requests_csv(run: Run, out: Path, *, bom: bool = False) -> None:
    """Write the request list of ``run`` as CSV, atomically."""
    write_text(out, render_requests_csv(run), bom=bom)


def add_requests_sheet(book: Any, run: Run, heading: PrintHeading | None = None) -> None:
    """Append a "Requests" sheet (header frozen, filtered) to a write-only workbook."""
    heading = heading or PrintHeading("", period_label(run.period_start, run.period_end))
    sheet = Sheet(book, "Requests", REQUEST_COLUMNS, widths=_WIDTHS, heading=heading)
    for request in run.requests:
        sheet.row([_xlsx(value) for value in request_values(request)])
    sheet.finish()


def write_requests_xlsx(run: Run, out: Path) -> None:
    """Write the request list of ``run`` as a one-sheet workbook, atomically."""
    book = new_workbook()
    add_requests_sheet(book, run)
    write_export(out, workbook_bytes(book))


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return list_cell(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(optional(value))


def _xlsx(value: Any) -> Any:
    if isinstance(value, tuple):
        return xml_safe(joined(value)) if value else None
    if isinstance(value, int) or value is None:
        return value
    return xml_safe(value)
