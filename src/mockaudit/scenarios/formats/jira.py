"""Jira issues: the CSV export ("Export > CSV (all fields)") of a JQL search.

Columns as Jira writes them: ``Issue key``, ``Summary``, ``Issue Type``,
``Status``, ``Priority``, ``Assignee``, ``Reporter``, ``Created``, ``Resolved``,
``Due date``, ``Component/s``, and one ``Labels`` column per label. Dates follow
the site's format, by default ``12/Mar/26 3:04 PM`` in the exporting user's time
zone; ``--date-format`` names another. Every issue is a row, open ones too: an
auditor samples all identified vulnerabilities, not only the resolved ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from mockaudit.errors import InputError
from mockaudit.scenarios.formats.timestamps import utc_day, utc_text
from mockaudit.scenarios.formats.vendor_csv import csv_dicts, pick

DEFAULT_DATE = "%d/%b/%y %I:%M %p"
EXTRA = ("status", "issue_type", "assignee", "reporter", "labels", "created_at", "resolved_at")


def read(path: Path, date_format: str | None) -> Iterator[dict[str, str]]:
    fmt = date_format or DEFAULT_DATE
    for line, row in enumerate(csv_dicts(path), start=2):
        key = pick(row, "Issue key", "Key")
        if not key:
            raise InputError(f"{path.name} line {line}: no 'Issue key'")
        created = _when(path, line, pick(row, "Created"), fmt)
        resolved = _when(path, line, pick(row, "Resolved"), fmt)
        due = _when(path, line, pick(row, "Due date", "Due Date"), fmt)
        yield {
            "vuln_id": key,
            "title": pick(row, "Summary"),
            "severity": pick(row, "Priority"),
            "asset": pick(row, "Component/s", "Components"),
            "found_on": created[:10],
            "due_on": due[:10],
            "fixed_on": resolved[:10],
            "ticket_id": key,
            "status": pick(row, "Status"),
            "issue_type": pick(row, "Issue Type"),
            "assignee": pick(row, "Assignee"),
            "reporter": pick(row, "Reporter"),
            "labels": pick(row, "Labels"),
            "created_at": created,
            "resolved_at": resolved,
        }


def _when(path: Path, line: int, text: str, fmt: str) -> str:
    if not text.strip():
        return ""
    try:
        return utc_text(text, fmt)
    except ValueError:
        pass
    try:  # a date-only column (Due date is often 2026-03-12 or 12/Mar/26)
        return utc_day(text) + "T00:00:00Z"
    except ValueError:
        try:
            day = datetime.strptime(text.strip(), fmt.split(" ")[0]).date()  # noqa: DTZ007 - a day
            return day.isoformat() + "T00:00:00Z"
        except ValueError:
            raise InputError(
                f"{path.name} line {line}: date {text[:40]!r} does not match {fmt!r} "
                "(give --date-format)"
            ) from None
