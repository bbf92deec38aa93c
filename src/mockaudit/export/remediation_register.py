"""The remediation register (issue 18): one row per finding's remediation record, as
CSV, XLSX or Markdown (``mockaudit remediation export``).

Text cells are neutralised like the findings exports (``cells``): nothing a user typed
can become a spreadsheet formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from mockaudit.domain.remediation import Remediation
from mockaudit.export.cells import joined, neutralise, optional, xlsx_text
from mockaudit.export.findings_csv import csv_text
from mockaudit.export.output import write_export, write_text

REGISTER_FORMATS = ("csv", "xlsx", "md")

REGISTER_COLUMNS: tuple[str, ...] = (
    "finding",
    "run",
    "control",
    "title",
    "status",
    "owner",
    "due",
    "overdue",
    "cause_category",
    "cause",
    "response",
    "evidence",
    "risk_accepted_reason",
    "approver",
    "retest_run",
    "updated_at",
)


def register_row(record: Remediation, today: date) -> list[str]:
    """One row of plain text, in ``REGISTER_COLUMNS`` order."""
    return [
        record.finding_id,
        record.run_id,
        optional(record.control),
        record.title,
        record.status.value,
        optional(record.owner),
        record.due.isoformat() if record.due else "",
        "true" if record.overdue(today) else "false",
        record.category.value if record.category else "",
        record.cause,
        record.response,
        joined(record.evidence_ids),
        record.reason,
        optional(record.approver),
        optional(record.retest_run),
        record.updated_at,
    ]


def write_register(records: Sequence[Remediation], out: Path, format_: str, *, today: date) -> None:
    """Write the register in ``format_`` (csv, xlsx or md) to ``out`` atomically."""
    rows = [register_row(r, today) for r in records]
    if format_ == "csv":
        write_text(out, csv_text(REGISTER_COLUMNS, ([neutralise(c) for c in r] for r in rows)))
    elif format_ == "md":
        write_text(out, _markdown(rows))
    else:
        write_export(out, _workbook(rows))


def _markdown(rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["# Remediation register", ""]
    lines.append("| " + " | ".join(REGISTER_COLUMNS) + " |")
    lines.append("|" + "---|" * len(REGISTER_COLUMNS))
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _workbook(rows: list[list[str]]) -> bytes:
    from mockaudit.export.workbook import new_workbook, text_cell, workbook_bytes

    book = new_workbook()
    sheet = book.create_sheet("Remediation")
    sheet.freeze_panes = "A2"
    sheet.append([text_cell(sheet, name) for name in REGISTER_COLUMNS])
    for row in rows:
        sheet.append([text_cell(sheet, xlsx_text(c)) for c in row])
    return workbook_bytes(book)
