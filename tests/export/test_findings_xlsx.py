"""The findings workbook: four sheets a GRC lead can use, every finding intact, nothing live."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mockaudit.domain import Program, Severity
from mockaudit.domain.run import Run
from mockaudit.export.findings_csv import FINDING_COLUMNS
from mockaudit.export.findings_xlsx import CONTROL_COLUMNS, write_xlsx
from mockaudit.export.requests_table import REQUEST_COLUMNS
from mockaudit.export.tally import NO_OWNER
from tests.export.readback import fields, finding_from_xlsx, xlsx_rows


@pytest.fixture(scope="module")
def golden_xlsx(golden_run: Run, golden_program: Program, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "findings.xlsx"
    write_xlsx(golden_run, golden_program, out)
    return out


def test_workbook_has_the_four_sheets_with_frozen_filtered_headers(golden_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(golden_xlsx)
    assert wb.sheetnames == ["Summary", "Findings", "Controls", "Requests"]
    for name, columns in (
        ("Findings", FINDING_COLUMNS),
        ("Controls", CONTROL_COLUMNS),
        ("Requests", REQUEST_COLUMNS),
    ):
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert tuple(c.value for c in ws[1]) == columns, name
        assert ws[1][0].font.bold, name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(columns)).column_letter}{ws.max_row}"
    findings = wb["Findings"]
    assert findings.column_dimensions["L"].width >= 40  # detail is readable
    assert findings["L2"].alignment.wrap_text


def test_findings_sheet_reads_back_every_field(golden_xlsx: Path, golden_run: Run) -> None:
    rows = xlsx_rows(golden_xlsx, "Findings")
    assert len(rows) == len(golden_run.findings)
    for row, original in zip(rows, golden_run.findings, strict=True):
        assert fields(finding_from_xlsx(row)) == fields(original), original.id
    probabilities = [r["detection_probability"] for r in rows if r["detection_probability"]]
    assert probabilities and all(isinstance(p, float) for p in probabilities)
    assert {r["sampled"] for r in rows} >= {True, None}


def test_severity_cells_are_coloured_per_severity(golden_xlsx: Path, golden_run: Run) -> None:
    ws = openpyxl.load_workbook(golden_xlsx)["Findings"]
    column = FINDING_COLUMNS.index("severity") + 1
    fills: dict[str, set[str]] = {}
    for row in ws.iter_rows(min_row=2):
        cell = row[column - 1]
        fills.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb)
    assert set(fills) == {f.severity.value for f in golden_run.findings}
    assert all(len(colours) == 1 for colours in fills.values())  # one colour per severity
    assert len({next(iter(c)) for c in fills.values()}) == len(fills)  # and distinct


def test_summary_sheet_says_what_a_reader_needs(golden_xlsx: Path, golden_run: Run) -> None:
    ws = openpyxl.load_workbook(golden_xlsx)["Summary"]
    facts = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0]}
    r = golden_run.readiness
    assert r is not None
    assert facts["organisation"] == "Globex Freight Systems, Inc."
    assert facts["run id"] == golden_run.id and facts["seed"] == 7
    assert facts["readiness score (0-100)"] == r.score
    assert facts["likely opinion"] == r.likely_opinion.value
    assert facts["opinion rule"] == r.opinion_rule
    assert (
        facts["fieldwork days (low)"],
        facts["fieldwork days (expected)"],
        facts["fieldwork days (high)"],
    ) == (r.fieldwork_days.low, r.fieldwork_days.expected, r.fieldwork_days.high)
    assert facts["follow-up rounds"] == r.follow_up_rounds
    for severity in Severity:
        expected = sum(1 for f in golden_run.findings if f.severity is severity)
        assert facts[severity.value] == expected
    assert "not an attestation" in str(ws["A2"].value)


def test_summary_counts_ownerless_findings(
    golden_run: Run, golden_program: Program, tmp_path: Path
) -> None:
    orphaned = tuple(f.model_copy(update={"owner": None}) for f in golden_run.findings[:3])
    run = golden_run.model_copy(update={"findings": orphaned + golden_run.findings[3:]})
    write_xlsx(run, golden_program, tmp_path / "o.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "o.xlsx")["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "findings by owner")
    owners = {row[0]: row for row in rows[start + 1 :] if row[0]}
    assert owners[NO_OWNER][5] == 3  # total column
    assert sum(row[5] for row in owners.values()) == len(run.findings)


def test_controls_sheet_has_one_row_per_control_test(golden_xlsx: Path, golden_run: Run) -> None:
    rows = xlsx_rows(golden_xlsx, "Controls")
    assert [r["control"] for r in rows] == [t.control for t in golden_run.tests]
    for row, test in zip(rows, golden_run.tests, strict=True):
        assert row["sample_size"] == test.sample_size
        assert row["deviations"] == test.deviations
        assert row["planned_size"] == test.planned_size
        assert row["conclusion"] == test.conclusion.value
        assert row["owner"] == test.owner
        assert row["expanded"] is test.expanded
    assert any(r["conclusion"] == "exceptions" and r["deviations"] for r in rows)


def test_hostile_text_comes_back_inert(
    hostile_run: Run, golden_program: Program, tmp_path: Path
) -> None:
    out = tmp_path / "hostile.xlsx"
    write_xlsx(hostile_run, golden_program, out)
    wb = openpyxl.load_workbook(out)
    for name in ("Findings", "Requests", "Summary", "Controls"):
        for row in wb[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"  # a string cell: shown as text, never run
    rows = xlsx_rows(out, "Findings")
    for row, original in zip(rows, hostile_run.findings, strict=True):
        # CR cannot survive XML: the workbook holds line breaks as LF, by design.
        texts = ("title", "detail", "remediation", "owner", "control", "population", "policy")
        update: dict[str, object] = {k: getattr(original, k).replace("\r", "\n") for k in texts}
        update["risk"] = original.risk.replace("\r", "\n") if original.risk else None
        update["items"] = tuple(i.replace("\r", "\n") for i in original.items)
        expected = original.model_copy(update=update)
        assert fields(finding_from_xlsx(row)) == fields(expected), original.id
        assert not row["title"].startswith("'") or original.title.startswith("'")  # no quote added


def test_control_characters_do_not_break_the_workbook(
    golden_run: Run, golden_program: Program, tmp_path: Path
) -> None:
    bad = golden_run.findings[0].model_copy(update={"title": "bell\x07 nul\x00 esc\x1b"})
    run = golden_run.model_copy(update={"findings": (bad,)})
    write_xlsx(run, golden_program, tmp_path / "c.xlsx")
    row = xlsx_rows(tmp_path / "c.xlsx", "Findings")[0]
    assert row["title"] == "bell\ufffd nul\ufffd esc\ufffd"
