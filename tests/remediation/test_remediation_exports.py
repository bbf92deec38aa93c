"""Management's responses reach the mock report's Section V (under the exception they
answer) and the findings CSV/XLSX (status, owner, due and response columns)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import openpyxl

from mockaudit.session import Session
from tests.tui.helpers import SCENARIO

RESPONSE = "Terminations now trigger same-day removal from the HR feed."


def test_section_v_and_findings_exports_carry_the_response(
    session: Session, tmp_path: Path
) -> None:
    session.import_scenario(SCENARIO)
    run = session.run_audit(seed=7, as_of=date(2026, 7, 20))
    deviation = next(
        f for f in run.findings if f.control == "IAM-02" and f.code == "sample.deviation"
    )
    session.set_remediation(
        deviation.id, owner="kenji", due=date(2026, 8, 15), cause="Weekly batch", response=RESPONSE
    )
    report = tmp_path / "report.html"
    session.export_report(report)
    html = report.read_text(encoding="utf-8")
    section_v = html[html.index('id="section-5"') :]
    section_v = section_v[: section_v.index("</section>")]
    blocks = [re.sub(r"<[^>]+>", "", b) for b in section_v.split('<div class="response">')[1:]]
    iam02 = next(b for b in blocks if b.startswith("IAM-02"))
    assert RESPONSE in iam02 and "Cause: Weekly batch" in iam02 and "due 2026-08-15" in iam02
    assert all(RESPONSE not in b for b in blocks if not b.startswith("IAM-02"))
    assert "[To be completed by management" in section_v  # the unanswered ones stay blank

    session.export_findings("csv", tmp_path / "f.csv")
    with (tmp_path / "f.csv").open(newline="", encoding="utf-8-sig") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    answered = rows[deviation.id]
    assert (answered["remediation_status"], answered["remediation_owner"]) == ("open", "kenji")
    assert (answered["remediation_due"], answered["management_response"]) == (
        "2026-08-15",
        RESPONSE,
    )
    assert sum(1 for r in rows.values() if r["management_response"]) == 1

    session.export_findings("xlsx", tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx")["Findings"]
    header = [c.value for c in sheet[1]]
    by_id = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert by_id[deviation.id]["management_response"] == RESPONSE
    assert by_id[deviation.id]["remediation_due"] == "2026-08-15"


def test_findings_json_carries_the_responses_and_stays_schema_valid(
    session: Session, tmp_path: Path
) -> None:
    import json

    import jsonschema

    from mockaudit.export.findings_json import schema

    session.import_scenario(SCENARIO)
    run = session.run_audit(seed=7, as_of=date(2026, 7, 20))
    answered = run.findings[2]
    session.set_remediation(answered.id, owner="kenji", due=date(2026, 8, 15), response=RESPONSE)
    session.export_findings("json", tmp_path / "f.json")
    document = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema())
    assert document["remediation"] == [
        {
            "finding": answered.id,
            "status": "open",
            "owner": "kenji",
            "due": "2026-08-15",
            "cause_category": None,
            "cause": "",
            "response": RESPONSE,
            "evidence": [],
        }
    ]
