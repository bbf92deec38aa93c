"""Findings as CSV: one row per finding, the findings JSON field names as the header.

For spreadsheets and scripts that want a flat table. RFC 4180 (every field
quoted, CRLF line ends), UTF-8, formula triggers neutralised (``cells``). Lists
are ``;``-joined, None is an empty cell, booleans are ``true``/``false`` and the
detection probability is the float as Python prints it (exact round trip).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from mockaudit.domain.findings import Finding
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

LIST_COLUMNS = frozenset({"criteria", "items"})


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


def render_csv(run: Run) -> str:
    """The findings of ``run`` as CSV text."""
    return csv_text(FINDING_COLUMNS, (finding_cells(f) for f in run.findings))


def write_csv(run: Run, out: Path, *, bom: bool = False) -> None:
    """Write the findings CSV atomically (``bom``: a UTF-8 byte-order mark for Excel)."""
    write_text(out, render_csv(run), bom=bom)
