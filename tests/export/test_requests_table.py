"""The request (PBC) list: exchange columns first, CSV and XLSX round trip, nothing live."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from mockaudit.domain.run import Run
from mockaudit.export.cells import TRIGGERS
from mockaudit.export.requests_table import (
    REQUEST_COLUMNS,
    write_requests_csv,
    write_requests_xlsx,
)
from tests.export.readback import csv_rows, request_fields, request_from_cells, xlsx_rows

EXCHANGE = (
    "request_code",
    "control",
    "criteria",
    "kind",
    "description",
    "owner",
    "due_day",
    "status",
    "round",
)


def test_columns_start_with_the_exchange_set() -> None:
    assert REQUEST_COLUMNS[: len(EXCHANGE)] == EXCHANGE
    assert {"issued_day", "follows", "found_evidence", "missing"} <= set(REQUEST_COLUMNS)


def test_csv_round_trip(golden_run: Run, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    write_requests_csv(golden_run, out)
    rows = csv_rows(out)
    assert tuple(rows[0]) == REQUEST_COLUMNS
    assert [request_from_cells(r) for r in rows] == [request_fields(r) for r in golden_run.requests]
    assert any(r["follows"] for r in rows) and any(r["found_evidence"] for r in rows)


def test_xlsx_round_trip(golden_run: Run, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    write_requests_xlsx(golden_run, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Requests"]
    ws = wb["Requests"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{len(golden_run.requests) + 1}"
    rows = xlsx_rows(out, "Requests")
    assert tuple(rows[0]) == REQUEST_COLUMNS
    assert [request_from_cells(r, xlsx=True) for r in rows] == [
        request_fields(r) for r in golden_run.requests
    ]
    assert all(isinstance(r["due_day"], int) for r in rows)  # numbers stay numbers


def test_hostile_requests_are_inert(hostile_run: Run, tmp_path: Path) -> None:
    write_requests_csv(hostile_run, tmp_path / "r.csv")
    for row in csv_rows(tmp_path / "r.csv"):
        for column, cell in row.items():
            assert cell[:1] not in TRIGGERS, (column, cell)
    assert [request_from_cells(r) for r in csv_rows(tmp_path / "r.csv")] == [
        request_fields(r) for r in hostile_run.requests
    ]
    write_requests_xlsx(hostile_run, tmp_path / "r.xlsx")
    for row in openpyxl.load_workbook(tmp_path / "r.xlsx")["Requests"].iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (cell.coordinate, cell.value)  # inert as stored
    # ... and holding the request's own text, not a quoted copy (CR is LF in XML, by design).
    back = [request_from_cells(r, xlsx=True) for r in xlsx_rows(tmp_path / "r.xlsx", "Requests")]
    assert back == [_lf(request_fields(r)) for r in hostile_run.requests]


def _lf(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\r", "\n")
    if isinstance(value, list):
        return [_lf(v) for v in value]
    if isinstance(value, dict):
        return {k: _lf(v) for k, v in value.items()}
    return value
