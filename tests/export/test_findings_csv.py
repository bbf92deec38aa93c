"""Findings CSV: every field round-trips, and hostile text comes back as inert text."""

from __future__ import annotations

from pathlib import Path

from mockaudit.domain.run import Run
from mockaudit.export.cells import TRIGGERS
from mockaudit.export.findings_csv import FINDING_COLUMNS, write_csv
from tests.export.conftest import UNICODE
from tests.export.readback import csv_rows, fields, finding_from_csv


def test_csv_reads_back_to_the_fieldss(golden_run: Run, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    write_csv(golden_run, out)
    rows = csv_rows(out)
    assert len(rows) == len(golden_run.findings)
    for row, original in zip(rows, golden_run.findings, strict=True):
        assert fields(finding_from_csv(row)) == fields(original), original.id
    sampled = [r for r in rows if r["sampled"]]
    assert sampled and {r["sampled"] for r in sampled} <= {"true", "false"}
    assert any(";" in r["criteria"] for r in rows)  # lists are ';'-joined


def test_hostile_text_is_inert_and_restorable(hostile_run: Run, tmp_path: Path) -> None:
    out = tmp_path / "hostile.csv"
    write_csv(hostile_run, out)
    rows = csv_rows(out)
    for row, original in zip(rows, hostile_run.findings, strict=True):
        for column in FINDING_COLUMNS:
            assert row[column][:1] not in TRIGGERS, (column, row[column])
        assert row["title"].startswith("'")
        # A list is neutralised once, as a cell: the later keys stay as in the JSON.
        assert row["items"].split(";")[1:] == list(original.items[1:])
        assert fields(finding_from_csv(row)) == fields(original)
    assert UNICODE in out.read_text(encoding="utf-8")  # UTF-8 intact, not escaped


def test_every_field_is_quoted_and_lines_end_crlf(golden_run: Run, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    write_csv(golden_run, out)
    raw = out.read_bytes()
    first = raw.split(b"\r\n", 1)[0]
    assert first == b",".join(b'"' + c.encode() + b'"' for c in FINDING_COLUMNS)
    assert not raw.startswith(b"\xef\xbb\xbf")


def test_bom_option_for_excel(golden_run: Run, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    write_csv(golden_run, out, bom=True)
    assert out.read_bytes().startswith(b'\xef\xbb\xbf"id"')
    assert len(csv_rows(out)) == len(golden_run.findings)
