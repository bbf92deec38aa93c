"""A generic HR roster CSV: one row per person who worked at the company.

Columns (any HRIS report can be shaped to them; ``--map`` renames others):
``employee_id``, ``name``, ``email``, ``type`` (employee/contractor), ``title``,
``manager``, ``start_date``, ``end_date`` (empty while employed),
``termination_reason``. Imported into a ``terminations`` population it yields the
leavers; into ``hires``, the joiners; into anything else, everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mockaudit.errors import InputError
from mockaudit.scenarios.formats.timestamps import utc_day
from mockaudit.scenarios.formats.vendor_csv import csv_dicts

ROSTER_COLUMNS = (
    "employee_id", "name", "email", "type", "title", "manager", "start_date", "end_date",
    "termination_reason",
)  # fmt: skip


def read(path: Path, target_kind: str | None, date_format: str | None) -> Iterator[dict[str, str]]:
    for line, row in enumerate(csv_dicts(path), start=2):
        try:
            start = utc_day(row.get("start_date", ""), date_format)
            end = utc_day(row.get("end_date", ""), date_format)
        except ValueError:
            raise InputError(
                f"{path.name} line {line}: start_date/end_date not a date (give --date-format)"
            ) from None
        email = row.get("email", "").strip().lower()
        base = {
            "employee_id": row.get("employee_id", ""),
            "name": row.get("name", ""),
            "email": email,
            "type": row.get("type", ""),
        }
        if target_kind == "terminations":
            if end:
                yield base | {"terminated_on": end, "reason": row.get("termination_reason", "")}
        elif target_kind == "hires":
            if start:
                yield base | {
                    "role": row.get("title", ""),
                    "manager": row.get("manager", ""),
                    "start_date": start,
                }
        else:
            yield base | {
                "title": row.get("title", ""),
                "manager": row.get("manager", ""),
                "start_date": start,
                "end_date": end,
                "termination_reason": row.get("termination_reason", ""),
            }
