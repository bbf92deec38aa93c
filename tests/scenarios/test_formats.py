"""Native importers against fixtures written from the vendors' documented fields.

Each test parses the fixture independently (json/csv from the standard library,
dates with datetime) and compares row counts, keys, UTC dates and approver lists
with what the importer yields. The fixtures carry the messy parts real exports
have: pages concatenated, nulls, offsets other than UTC, bots as authors,
unmerged pull requests, failed deactivations, repeated CSV columns.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mockaudit.errors import InputError
from mockaudit.scenarios.formats.json_stream import json_objects
from mockaudit.scenarios.formats.registry import FORMATS, FormatTable, ImportOptions

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def pages(name: str) -> list[Any]:
    """Independent parse: every top-level JSON value of a concatenated export."""
    text = (FIXTURES / name).read_text()
    decoder, pos, out = json.JSONDecoder(), 0, []
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        value, pos = decoder.raw_decode(text, pos)
        out.append(value)
    return out


def flat(name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in pages(name):
        items += page if isinstance(page, list) else [page]
    return items


def utc(text: str) -> str:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows(fmt: str, name: str, **options: Any) -> list[dict[str, str]]:
    table = FormatTable(FIXTURES / name, FORMATS[fmt], ImportOptions(**options))
    return [dict(zip(table.header, cells, strict=True)) for _, cells in table.rows()]


def test_github_prs_from_gh_json_pages() -> None:
    source = [p for p in flat("gh-prs.json") if p["mergedAt"]]
    got = rows("github-prs", "gh-prs.json")
    assert len(got) == len(source) == 4  # the unmerged #103 is not a change
    assert [r["pr_id"] for r in got] == [f"acme/app#{p['number']}" for p in source]
    assert [r["merged_at"] for r in got] == [utc(p["mergedAt"]) for p in source]
    expected = [
        ";".join(
            dict.fromkeys(
                r["author"]["login"]
                for r in sorted(p["reviews"], key=lambda r: r["submittedAt"])
                if r["state"] == "APPROVED"
            )
        )
        for p in source
    ]
    assert [r["approvers"] for r in got] == expected
    by_id = {r["pr_id"]: r for r in got}
    assert by_id["acme/app#101"]["approver"] == "bob"
    assert by_id["acme/app#101"]["ticket_id"] == "ACME-12"
    assert by_id["acme/app#101"]["ci_status"] == "success"
    assert by_id["acme/app#102"]["approver"] == "carol" == by_id["acme/app#102"]["author"]
    assert by_id["acme/app#102"]["ci_status"] == "failure"
    assert by_id["acme/app#104"]["author"] == "dependabot[bot]"
    assert by_id["acme/app#104"]["author_is_bot"] == "yes"
    assert by_id["acme/app#104"]["approver"] == "erin"  # the last approval before merge
    assert by_id["acme/app#104"]["ci_status"] == ""  # not exported: unknown, not "success"
    assert by_id["acme/app#105"]["approved_at"] > by_id["acme/app#105"]["merged_at"]
    assert by_id["acme/app#105"]["ci_status"] == "pending"


def test_github_rest_pulls_joined_with_review_pages() -> None:
    got = rows("github-prs", "github-rest.json")
    pulls = [p for p in flat("github-rest.json") if "number" in p]
    assert [r["pr_id"] for r in got] == [f"acme/api#{p['number']}" for p in pulls]
    assert got[0]["approvers"] == "bob"  # CHANGES_REQUESTED by carol does not approve
    assert got[0]["merge_commit"] == pulls[0]["merge_commit_sha"]
    assert got[1]["author"] == "github-actions[bot]"
    assert got[1]["author_is_bot"] == "yes"
    assert got[1]["approver"] == "alice"


def test_gitlab_mrs_with_concatenated_approvals() -> None:
    mrs = [m for m in flat("gitlab-mrs.json") if "merged_at" in m]
    got = rows("gitlab-mrs", "gitlab-mrs.json")
    assert [r["pr_id"] for r in got] == [m["references"]["full"] for m in mrs]
    assert [r["merged_at"] for r in got] == [utc(m["merged_at"]) for m in mrs]
    assert got[0]["merged_at"] == "2026-01-12T16:20:11Z"  # +01:00 converted
    assert got[0]["approver"] == "bob"
    assert got[0]["approved_at"] == "2026-01-12T16:00:00Z"
    assert got[0]["ticket_id"] == "OPS-3"
    assert got[1]["approvers"] == ""
    assert got[1]["merge_commit"] == "2222222222222222222222222222222222222222"  # squash
    assert got[1]["author_is_bot"] == "yes"


def test_jira_csv_keeps_open_issues_and_converts_dates() -> None:
    with open(FIXTURES / "jira.csv", encoding="utf-8-sig", newline="") as fh:
        source = list(csv.reader(fh))[1:]
    got = rows("jira", "jira.csv")
    assert [r["vuln_id"] for r in got] == [s[0] for s in source]
    fmt = "%d/%b/%y %I:%M %p"
    assert [r["created_at"] for r in got] == [
        datetime.strptime(s[9], fmt).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for s in source
    ]
    assert got[0]["labels"] == "security;cve"  # one Labels column per label
    assert got[0]["fixed_on"] == "2026-03-05"
    assert got[0]["due_on"] == "2026-03-09"
    assert got[1]["fixed_on"] == "" and got[1]["status"] == "In Progress"  # open: still a row
    assert got[1]["title"] == 'XSS in "search" page'


def test_jira_bad_date_names_line_and_format(tmp_path: Path) -> None:
    bad = tmp_path / "jira.csv"
    bad.write_text("Issue key,Summary,Created\nV-1,x,2026-13-45 99:00\n")
    with pytest.raises(InputError, match=r"line 2: date .* --date-format"):
        rows_of(bad, "jira")


def rows_of(path: Path, fmt: str) -> list[list[str]]:
    return [c for _, c in FormatTable(path, FORMATS[fmt], ImportOptions()).rows()]


def test_okta_users_pages_and_nulls() -> None:
    source = flat("okta-users.json")
    got = rows("okta-users", "okta-users.json")
    assert [r["account_id"] for r in got] == [u["id"] for u in source]
    assert [r["last_login_at"] for r in got] == [
        utc(u["lastLogin"].replace("Z", "+00:00")) if u["lastLogin"] else "" for u in source
    ]
    assert got[0]["email"] == "alice@acme.example"  # emails compare case-insensitively
    assert got[2]["deactivated_at"] == "2026-03-15T18:30:00Z"


def test_okta_log_keeps_successful_user_deactivations_only() -> None:
    source = [
        e
        for e in flat("okta-log.json")
        if e["eventType"] == "user.lifecycle.deactivate" and e["outcome"]["result"] == "SUCCESS"
    ]
    got = rows("okta-log", "okta-log.json")
    assert [r["removal_id"] for r in got] == [e["uuid"] for e in source] == ["ev-1", "ev-4"]
    assert got[0]["email"] == "gone@acme.example"
    assert got[1]["email"] == "leaver@acme.example"  # the User target, not the app
    assert got[1]["removed_on"] == "2026-04-02"  # 23:59:59 at -07:00 is the next UTC day
    assert got[1]["removed_at"] == utc("2026-04-01T23:59:59.999-07:00")


def test_google_workspace_users_with_2sv() -> None:
    got = rows("google-workspace-users", "gws-users.csv")
    assert [r["email"] for r in got] == [
        "alice@acme.example",
        "bob@acme.example",
        "old@acme.example",
    ]
    assert [r["mfa_enabled"] for r in got] == ["yes", "no", "yes"]
    assert [r["mfa_enforced"] for r in got] == ["yes", "yes", "no"]
    assert got[0]["last_login_at"] == "2026-03-01T14:05:00Z"
    assert got[1]["last_login_at"] == ""  # "Never logged in"


def test_aws_iam_credential_report() -> None:
    with open(FIXTURES / "iam-credential-report.csv", newline="") as fh:
        source = list(csv.DictReader(fh))
    got = rows("aws-iam-credential-report", "iam-credential-report.csv")
    assert [r["login"] for r in got] == [s["user"] for s in source]
    assert [r["mfa_enabled"] for r in got] == ["yes", "no", "yes"]
    assert got[2]["created_at"] == utc(source[2]["user_creation_time"]) == "2025-02-01T07:30:00Z"
    assert got[1]["active_access_keys"] == "1"
    assert got[2]["last_login_at"] == ""  # no_information
    assert got[0]["admin"] == "yes"


def test_aws_backup_jobs_wrapped_pages_epoch_and_offsets() -> None:
    jobs = [j for page in pages("backup-jobs.json") for j in page["BackupJobs"]]
    got = rows("aws-backup-jobs", "backup-jobs.json")
    assert [r["job_id"] for r in got] == [j["BackupJobId"] for j in jobs]
    expected_start = [
        datetime.fromtimestamp(j["CreationDate"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(j["CreationDate"], float)
        else utc(j["CreationDate"])
        for j in jobs
    ]
    assert [r["started_at"] for r in got] == expected_start
    assert [r["run_date"] for r in got] == [s[:10] for s in expected_start]
    assert got[1]["run_date"] == "2026-03-02"  # 01:30 at -05:00 is 06:30 UTC
    assert [r["status"] for r in got] == ["completed", "failed", "completed"]
    assert got[0]["size_mb"] == "50" and got[1]["size_mb"] == ""
    assert got[2]["destination_region"] == "us-east-2"
    assert [r["encrypted"] for r in got] == ["", "", "yes"]


def test_pagerduty_incidents_csv_times_to_utc() -> None:
    got = rows("pagerduty-incidents", "pagerduty-incidents.csv")
    assert [r["incident_id"] for r in got] == ["PT4KHLK", "PT4KHLM"]
    assert got[0]["detected_at"] == utc("2026-03-06T21:30:42-08:00") == "2026-03-07T05:30:42Z"
    assert got[0]["resolved_at"] == "2026-03-07T09:40:23Z"
    assert got[1]["resolved_at"] == ""
    assert "evidence" in got[0]  # the incidents population's evidence column exists, empty


@pytest.mark.parametrize(
    ("kind", "expected"), [("terminations", ["E3", "E4"]), ("hires", ["E1", "E2", "E3", "E4"])]
)
def test_hr_roster_by_target_population(kind: str, expected: list[str]) -> None:
    got = rows("hr-roster", "hr-roster.csv", target_kind=kind)
    assert [r["employee_id"] for r in got] == expected
    if kind == "terminations":
        assert [r["terminated_on"] for r in got] == ["2026-03-14", "2026-03-31"]
        assert got[0]["email"] == "gone@acme.example"


def test_mapped_csv_with_date_format(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Ticket,Who,When\nT-1,ann,03/02/2026\nT-2,bo,31/12/2026\n")
    table = FormatTable(
        path, None, ImportOptions(date_format="%d/%m/%Y", mapping={"id": "Ticket", "day": "When"})
    )
    got = [dict(zip(table.header, c, strict=True)) for _, c in table.rows()]
    assert [(r["id"], r["day"]) for r in got] == [("T-1", "2026-02-03"), ("T-2", "2026-12-31")]


def test_json_stream_is_element_by_element(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "w") as fh:
        fh.write("[")
        fh.write(",".join(json.dumps({"n": i, "pad": "x" * 100}) for i in range(20_000)))
        fh.write("]\n[")
        fh.write(json.dumps({"n": 20_000}))
        fh.write("]")
    count = 0
    for obj in json_objects(path):
        assert obj["n"] == count
        count += 1
    assert count == 20_001


def test_truncated_json_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('[{"number": 1, "mergedAt": "2026-01-01T00:00:00Z"}, {"numb')
    with pytest.raises(InputError, match="cut.json"):
        list(json_objects(path))
