"""PagerDuty incidents: the incidents CSV (web "Download CSV" or the REST fields flattened).

PagerDuty's REST incident has ``id``, ``incident_number``, ``title``,
``urgency``, ``priority``, ``status``, ``created_at``, ``resolved_at`` and the
acknowledgement and assignment times; the web download names some of these
``created_on``/``resolved_on``/``description``. Both spellings are read. Times
carry offsets (the account's time zone) and become UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mockaudit.errors import InputError
from mockaudit.scenarios.formats.timestamps import utc_text
from mockaudit.scenarios.formats.vendor_csv import csv_dicts, pick

EXTRA = ("incident_number", "status", "urgency", "service")


def read(path: Path, date_format: str | None) -> Iterator[dict[str, str]]:
    for line, row in enumerate(csv_dicts(path), start=2):
        ident = pick(row, "id", "Incident ID", "incident_id")
        if not ident:
            raise InputError(f"{path.name} line {line}: no incident id column value")

        def when(*names: str, row: dict[str, str] = row, line: int = line) -> str:
            text = pick(row, *names)
            try:
                return utc_text(text, date_format)
            except ValueError:
                raise InputError(
                    f"{path.name} line {line}: time {text[:40]!r} is not ISO-8601 "
                    "(give --date-format)"
                ) from None

        created = when("created_at", "created_on", "Created At", "Created On")
        yield {
            "incident_id": ident,
            "title": pick(row, "title", "description", "Title", "Description", "summary"),
            "severity": pick(row, "priority", "Priority", "urgency", "Urgency"),
            "detected_at": created,
            "declared_at": created,
            "contained_at": when("acknowledged_at", "first_acknowledged_on", "Acknowledged At"),
            "resolved_at": when("resolved_at", "resolved_on", "Resolved At", "Resolved On"),
            "customer_impact": "",
            "commander": pick(row, "assigned_to_user", "assigned_to", "Assigned To"),
            "rca_link": "",
            "incident_number": pick(row, "incident_number", "Incident Number", "#"),
            "status": pick(row, "status", "Status"),
            "urgency": pick(row, "urgency", "Urgency"),
            "service": pick(row, "service_name", "service", "Service Name", "Service"),
        }
