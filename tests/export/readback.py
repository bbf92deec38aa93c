"""Read exported CSV and XLSX files back into findings and requests, as a user's script would."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl

from mockaudit.domain import Finding
from mockaudit.domain.run import Request
from mockaudit.export.cells import list_values, restore
from mockaudit.export.findings_csv import FINDING_COLUMNS
from mockaudit.export.requests_table import LIST_COLUMNS as REQUEST_LISTS
from mockaudit.export.requests_table import NUMBER_COLUMNS, REQUEST_COLUMNS

FINDING_LISTS = ("criteria", "items")
FINDING_OPTIONAL = ("control", "population", "policy", "risk", "owner")


def csv_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")  # not read_text: it would turn CR into LF
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xlsx_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def finding_from_csv(row: dict[str, str]) -> Finding:
    data: dict[str, Any] = {k: restore(v) for k, v in row.items()}
    for key in FINDING_LISTS:
        data[key] = list_values(row[key])
    for key in FINDING_OPTIONAL:
        data[key] = data[key] or None
    data["sampled"] = {"": None, "true": True, "false": False}[row["sampled"]]
    prob = row["detection_probability"]
    data["detection_probability"] = float(prob) if prob else None
    assert tuple(row) == FINDING_COLUMNS
    return Finding.model_validate(data)


def finding_from_xlsx(row: dict[str, Any]) -> Finding:
    """XLSX cells hold the text itself (string cells, no quote to undo)."""
    data: dict[str, Any] = {}
    for key, value in row.items():
        if key in FINDING_LISTS:
            data[key] = tuple(value.split(";")) if value else ()
        elif key in ("sampled", "detection_probability") or key in FINDING_OPTIONAL:
            data[key] = value
        else:
            data[key] = value or ""
    return Finding.model_validate(data)


def fields(finding: Finding) -> dict[str, Any]:
    """Every field of a finding, JSON-typed, for a field-by-field comparison."""
    return finding.model_dump(mode="json")


def request_from_cells(row: dict[str, Any], *, xlsx: bool = False) -> dict[str, Any]:
    """A request row (CSV strings, or XLSX values with ``xlsx``: the text itself, nothing
    to undo) as the Request fields it came from."""
    out: dict[str, Any] = {}
    for column in REQUEST_COLUMNS:
        value = row[column]
        if column in REQUEST_LISTS:
            text = value if xlsx else restore(value or "")
            out[column] = text.split(";") if text else []
        elif column in NUMBER_COLUMNS:
            out[column] = int(value)
        elif xlsx:
            out[column] = value
        else:
            out[column] = restore(value) if value not in (None, "") else None
    return out


def request_fields(request: Request) -> dict[str, Any]:
    return {
        "request_code": request.code,
        "control": request.control,
        "criteria": list(request.criteria),
        "kind": request.kind.value,
        "description": request.description,
        "owner": request.owner,
        "due_day": request.due_day,
        "status": request.status.value,
        "round": request.round,
        "issued_day": request.issued_day,
        "follows": request.follows,
        "found_evidence": list(request.found),
        "missing": list(request.missing),
        "population": request.population,
        "findings": list(request.findings),
    }
