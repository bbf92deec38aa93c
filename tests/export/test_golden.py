"""Golden files: a fixed run (seed 7, fixed clock) exports to exactly the stored bytes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from mockaudit.domain import Program
from mockaudit.domain.run import Run
from mockaudit.export import formats
from mockaudit.export.findings_csv import CSV_COLUMNS
from mockaudit.export.findings_json import findings_document
from mockaudit.export.requests_table import REQUEST_COLUMNS
from tests.export.golden import assert_golden


def _export(run: Run, program: Program, fmt: str, tmp_path: Path) -> bytes:
    out = tmp_path / f"findings.{fmt}"
    formats.write_findings(run, program, fmt, out)
    return out.read_bytes()


def test_findings_csv_matches_golden(golden_run: Run, golden_program: Program, tmp_path) -> None:
    data = _export(golden_run, golden_program, "csv", tmp_path)
    assert_golden("findings.csv", data)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS  # the JSON fields, then the response columns
    assert [r[0] for r in rows[1:]] == [f.id for f in golden_run.findings]


def test_findings_json_matches_golden(golden_run: Run, golden_program: Program, tmp_path) -> None:
    data = _export(golden_run, golden_program, "json", tmp_path)
    assert_golden("findings.json", data)
    assert json.loads(data) == findings_document(golden_run)


def test_findings_markdown_matches_golden(
    golden_run: Run, golden_program: Program, tmp_path
) -> None:
    data = _export(golden_run, golden_program, "md", tmp_path)
    assert_golden("findings.md", data)
    text = data.decode("utf-8")
    assert text.startswith("# Mock SOC 2 audit — Globex Freight Systems, Inc.\n")
    assert "run-20260715T093000Z-golden" in text and "seed 7" in text


def test_requests_csv_matches_golden(golden_run: Run, tmp_path) -> None:
    out = tmp_path / "requests.csv"
    formats.write_requests(golden_run, "csv", out)
    assert_golden("requests.csv", out.read_bytes())
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(header) == REQUEST_COLUMNS


def test_golden_run_is_reproducible(golden_run: Run, golden_program: Program, tmp_path) -> None:
    """The goldens only mean something if the same seed and clock give the same run."""
    from datetime import date

    from mockaudit.session import audit_folder
    from tests.export.conftest import PACK, PINNED

    again = audit_folder(PACK, seed=7, as_of=date(2026, 7, 15)).model_copy(update=PINNED)
    assert again == golden_run
