"""The native import formats: name, what they fill, the export command, and the reader.

FORMAT names are a contract (users and scripts rely on them): github-prs,
gitlab-mrs, jira, okta-users, okta-log, google-workspace-users,
aws-iam-credential-report, aws-backup-jobs, pagerduty-incidents, hr-roster.
Each reader yields one dict per row; :class:`FormatTable` turns that stream into
the row table the population import reads, with the header fixed up front (the
population kind's columns, then the format's extras), so a starter program's
empty population files and an import agree column for column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mockaudit.domain.reference_controls import POPULATION_KINDS
from mockaudit.errors import InputError
from mockaudit.scenarios.formats import (
    aws_backup,
    aws_iam,
    github_prs,
    gitlab_mrs,
    google_workspace,
    hr_roster,
    jira,
    mapped_csv,
    okta,
    pagerduty,
)


@dataclass(frozen=True)
class Fill:
    """Fill a blank ``column`` from ``values[row[match]]`` (a join with another population)."""

    column: str
    match: str
    values: dict[str, str]


@dataclass(frozen=True)
class ImportOptions:
    """What the command line adds: the target population's kind, a date format, a column map,
    and joins with populations already in the vault."""

    target_kind: str | None = None
    date_format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    fills: tuple[Fill, ...] = ()


Reader = Callable[[Path, ImportOptions], Iterator[dict[str, str]]]


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    kind: str  # the population kind it fills ("user_accounts": a user listing)
    extra: tuple[str, ...]
    export: str
    reader: Reader

    def columns(self, target_kind: str | None = None) -> tuple[str, ...]:
        kind = target_kind if self.name == "hr-roster" and target_kind else self.kind
        if self.name == "hr-roster" and kind not in ("hires", "terminations"):
            return hr_roster.ROSTER_COLUMNS
        base = POPULATION_KINDS[kind].column_names if kind in POPULATION_KINDS else ()
        return tuple(dict.fromkeys((*base, *self.extra)))


_USERS = tuple(okta.USER_COLUMNS)
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "github-prs", "GitHub merged pull requests", "changes", github_prs.EXTRA,
            "gh pr list --repo OWNER/REPO --state merged --base main --limit 5000 --search "
            '"merged:START..END" --json number,title,author,mergedAt,mergedBy,mergeCommit,'
            "baseRefName,headRefName,labels,reviews,statusCheckRollup,url > prs.json",
            lambda p, o: github_prs.read(p),
        ),
        Format(
            "gitlab-mrs", "GitLab merged merge requests with approvals", "changes",
            gitlab_mrs.EXTRA,
            'glab api --paginate "projects/ID/merge_requests?state=merged&target_branch=main'
            '&updated_after=START" > mrs.json; then for each iid: glab api '
            '"projects/ID/merge_requests/IID/approvals" >> mrs.json',
            lambda p, o: gitlab_mrs.read(p),
        ),
        Format(
            "jira", "Jira issues (CSV export, all fields)", "vulnerabilities", jira.EXTRA,
            'Jira: Filters > search "project = VULN AND created >= START AND created <= END" '
            "> Export > Export CSV (all fields)",
            lambda p, o: jira.read(p, o.date_format),
        ),
        Format(
            "okta-users", "Okta users (Users API)", "user_accounts", _USERS,
            'curl -H "Authorization: SSWS $OKTA_TOKEN" '
            '"https://YOUR.okta.com/api/v1/users?limit=200" > okta-users.json '
            "(follow each Link: rel=next page and append)",
            lambda p, o: okta.read_users(p),
        ),
        Format(
            "okta-log", "Okta System Log user deactivations", "access_removals", ("removed_at",),
            'curl -H "Authorization: SSWS $OKTA_TOKEN" "https://YOUR.okta.com/api/v1/logs?'
            'filter=eventType+eq+%22user.lifecycle.deactivate%22&since=STARTT00:00:00Z'
            '&until=ENDT23:59:59Z&limit=1000" > okta-log.json (append each rel=next page)',
            lambda p, o: okta.read_log(p),
        ),
        Format(
            "google-workspace-users", "Google Workspace users with 2-Step Verification",
            "user_accounts", (*_USERS, "mfa_enforced", "org_unit"),
            "Admin console > Directory > Users > Download users > All user info columns > CSV",
            lambda p, o: google_workspace.read(p),
        ),
        Format(
            "aws-iam-credential-report", "AWS IAM credential report", "user_accounts",
            (*_USERS, "password_enabled", "active_access_keys"),
            "aws iam generate-credential-report && aws iam get-credential-report "
            "--query Content --output text | base64 -d > credential-report.csv",
            lambda p, o: aws_iam.read(p),
        ),
        Format(
            "aws-backup-jobs", "AWS Backup jobs", "backups", aws_backup.EXTRA,
            "aws backup list-backup-jobs --by-created-after START --by-created-before "
            "ENDT23:59:59Z --output json > backup-jobs.json (the API keeps 30 days of jobs: "
            "export every month, or use AWS Backup Audit Manager job reports for the year)",
            lambda p, o: aws_backup.read(p),
        ),
        Format(
            "pagerduty-incidents", "PagerDuty incidents (CSV)", "incidents", pagerduty.EXTRA,
            "PagerDuty: Incidents > All > date range START..END > Download CSV",
            lambda p, o: pagerduty.read(p, o.date_format),
        ),
        Format(
            "hr-roster", "HR roster (hires and terminations)", "terminations", (),
            "HRIS report with employee_id,name,email,type,title,manager,start_date,end_date,"
            "termination_reason (one row per person employed at any time in the period)",
            lambda p, o: hr_roster.read(p, o.target_kind, o.date_format),
        ),
    )
}  # fmt: skip

KIND_FORMATS: dict[str, tuple[str, ...]] = {}
for _f in FORMATS.values():
    KIND_FORMATS.setdefault(_f.kind, ())
    KIND_FORMATS[_f.kind] += (_f.name,)
KIND_FORMATS["hires"] = ("hr-roster",)


def format_named(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(
            f"unknown format {name!r}; known: {', '.join(FORMATS)} (or --map for any CSV)"
        ) from None


def columns_for_kind(kind_id: str) -> tuple[str, ...]:
    """The header an empty population of ``kind_id`` gets: what its importer will write."""
    names = KIND_FORMATS.get(kind_id)
    if names:
        return FORMATS[names[0]].columns(kind_id)
    return POPULATION_KINDS[kind_id].column_names


class FormatTable:
    """A vendor export as a population row table (header fixed, rows streamed)."""

    def __init__(self, path: Path, fmt: Format | None, options: ImportOptions) -> None:
        self.path = path
        self.label = f"{path.name} ({fmt.name if fmt else 'mapped CSV'})"
        self._fmt = fmt
        self._options = options
        if fmt is not None:
            header = list(fmt.columns(options.target_kind))
            header += [c for c in options.mapping if c not in header]
        else:
            header = _source_header(path)
            header += [c for c in options.mapping if c not in header]
        self.header = header

    def _dicts(self) -> Iterator[dict[str, str]]:
        if self._fmt is None:
            return mapped_csv.read(self.path, self._options.mapping, self._options.date_format)
        rows = self._fmt.reader(self.path, self._options)
        if not self._options.mapping:
            return rows
        return ({**r, **{c: r.get(s, "") for c, s in self._options.mapping.items()}} for r in rows)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        fills = self._options.fills
        for number, row in enumerate(self._dicts(), start=2):
            for fill in fills:
                if not row.get(fill.column):
                    row[fill.column] = fill.values.get(row.get(fill.match, "").lower(), "")
            yield number, [row.get(column, "") for column in self.header]


def _source_header(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path.name}: cannot read the header ({exc})") from None
    return list(dict.fromkeys(h.strip() for h in header if h.strip()))
