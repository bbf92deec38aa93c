"""``mockaudit remediation set|status|list|export``: the register from the command line."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.tui.helpers import SCENARIO


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "vault"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
        session.run_audit(seed=7, as_of=date(2026, 7, 20))
        evidence = session.list_evidence()[0].evidence_id
    return folder, evidence


def test_set_status_list_and_export(
    vault: tuple[Path, str], passfile: Path, run_cli, tmp_path: Path
) -> None:
    folder, evidence = vault
    common = ("--vault", folder, "--passphrase-file", passfile)
    result = run_cli(
        "remediation", "set", "F-0003", *common, "--owner", "kenji", "--due", "2026-08-15",
        "--cause", "Offboarding ran on a weekly batch", "--category", "timing",
        "--response", "HR feed now triggers same-day removal.",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "F-0003  open  kenji  2026-08-15" in result.out
    run_cli("remediation", "set", "F-0014", *common, "--owner", "tomas", "--due", "2026-07-01")
    result = run_cli(
        "remediation", "status", "F-0014", "remediated", *common, "--evidence", evidence
    )
    assert result.code == 0, result.err
    assert "F-0014  remediated  tomas" in result.out

    listed = run_cli("remediation", "list", *common, "--overdue", "--as-of", "2026-08-20", "--json")
    rows = json.loads(listed.out)
    assert [r["finding"] for r in rows] == ["F-0003"]  # F-0014 is remediated, not overdue
    assert rows[0]["overdue"] is True and rows[0]["cause_category"] == "timing"
    mine = run_cli("remediation", "list", *common, "--owner", "tomas")
    assert "F-0014  remediated  tomas" in mine.out and "F-0003" not in mine.out

    for fmt in ("csv", "xlsx", "md"):
        out = tmp_path / f"register.{fmt}"
        result = run_cli("remediation", "export", *common, "--format", fmt, "--out", out)
        assert result.code == 0, result.err
        assert "wrote 2 remediation record(s)" in result.out
    with (tmp_path / "register.csv").open(newline="", encoding="utf-8") as fh:
        table = {row["finding"]: row for row in csv.DictReader(fh)}
    assert table["F-0014"]["evidence"] == evidence
    assert table["F-0003"]["response"] == "HR feed now triggers same-day removal."
    sheet = load_workbook(tmp_path / "register.xlsx").active
    assert [c.value for c in sheet[1]][:5] == ["finding", "run", "control", "title", "status"]
    assert sheet.max_row == 3
    assert "| F-0003 |" in (tmp_path / "register.md").read_text(encoding="utf-8")


BAD = [
    (("set", "F-9999", "--response", "x"), "error: no finding F-9999 in the latest run"),
    (("set", "F-0003", "--owner", "dana"), "error: unknown owner 'dana'"),
    (("status", "F-0003", "remediated", "--evidence", "EV-999999"), "no evidence with id"),
    (("set", "F-0003", "--due", "next week"), "error:"),
]


def test_bad_input_is_one_line(vault: tuple[Path, str], passfile: Path, run_cli) -> None:
    folder, _ = vault
    for args, message in BAD:
        result = run_cli("remediation", *args, "--vault", folder, "--passphrase-file", passfile)
        assert result.code == 2 and message in result.err
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
