"""Findings as CSV: one row per finding, the findings JSON field names as the header.

For spreadsheets and scripts that want a flat table. RFC 4180 (every field
quoted, CRLF line ends), UTF-8, formula triggers neutralised (``cells``). Lists
are ``;``-joined, None is an empty cell, booleans are ``true``/``false`` and the
detection probability is the float as Python prints it (exact round trip).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from mockaudit.domain.findings import Finding
from mockaudit.domain.remediation import Remediation
from mockaudit.domain.run import Run
from mockaudit.export.cells import list_cell, neutralise, optional
from mockaudit.export.output import write_text

FINDING_COLUMNS: tuple[str, ...] = (
    "id",
    "code",
    "severity",
    "control",
    "population",
    "policy",
    "risk",
    "criteria",
    "items",
    "owner",
    "title",
    "detail",
    "remediation",
    "sampled",
    "detection_probability",
)
"""The findings JSON keys of findings-format.md, in its order; CSV and XLSX both use them."""

RESPONSE_COLUMNS: tuple[str, ...] = (
    "remediation_status",
    "remediation_owner",
    "remediation_due",
    "management_response",
)
"""Management's response to each finding (issue 18), after the JSON fields; empty cells
for a finding nobody has answered yet."""

CSV_COLUMNS = FINDING_COLUMNS + RESPONSE_COLUMNS

LIST_COLUMNS = frozenset({"criteria", "items"})


def response_texts(record: Remediation | None) -> list[str]:
    """The ``RESPONSE_COLUMNS`` of a finding as plain text (empty when unanswered)."""
    if record is None:
        return ["", "", "", ""]
    due = record.due.isoformat() if record.due else ""
    return [record.status_text, optional(record.owner), due, record.response]


def finding_cells(finding: Finding) -> list[str]:
    """One CSV row: every field as inert text, in ``FINDING_COLUMNS`` order."""
    return [
        neutralise(finding.id),
        finding.code.value,
        finding.severity.value,
        neutralise(optional(finding.control)),
        neutralise(optional(finding.population)),
        neutralise(optional(finding.policy)),
        neutralise(optional(finding.risk)),
        list_cell(finding.criteria),
        list_cell(finding.items),
        neutralise(optional(finding.owner)),
        neutralise(finding.title),
        neutralise(finding.detail),
        neutralise(finding.remediation),
        bool_cell(finding.sampled),
        "" if finding.detection_probability is None else repr(finding.detection_probability),
    ]


def bool_cell(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def csv_text(header: Iterable[str], rows: Iterable[list[str]]) -> str:
    """RFC 4180 text: every field quoted (so separators inside text never split a cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(list(header))
    writer.writerows(rows)
    return buffer.getvalue()


def render_csv(run: Run, responses: Mapping[str, Remediation] | None = None) -> str:
    """The findings of ``run`` as CSV text, with management's ``responses`` by finding id."""
    answered = responses or {}
    rows = (
        finding_cells(f) + [neutralise(t) for t in response_texts(answered.get(f.id))]
        for f in run.findings
    )
    return csv_text(CSV_COLUMNS, rows)


def write_csv(
    run: Run,
    out: Path,
    *,
    bom: bool = False,
    responses: Mapping[str, Remediation] | None = None,
) -> None:
    """Write the findings CSV atomically (``bom``: a UTF-8 byte-order mark for Excel)."""
    write_text(out, render_csv(run, responses), bom=bom)
