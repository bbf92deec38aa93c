"""Google Workspace users: the Admin console's "Download users" CSV.

Column names as the console writes them: ``First Name [Required]``, ``Last Name
[Required]``, ``Email Address [Required]``, ``Status [READ ONLY]``, ``Last Sign
In [READ ONLY]`` (``Never logged in`` until the first sign-in), ``2sv Enrolled
[READ ONLY]`` and ``2sv Enforced [READ ONLY]`` (True/False), ``Org Unit Path
[Required]``. The console writes times as ``2026/03/01 14:05:00`` in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mockaudit.scenarios.formats.okta import USER_COLUMNS
from mockaudit.scenarios.formats.timestamps import utc_text
from mockaudit.scenarios.formats.vendor_csv import csv_dicts, pick

assert "mfa_enabled" in USER_COLUMNS
_CONSOLE_TIME = "%Y/%m/%d %H:%M:%S"


def _yes(text: str) -> str:
    low = text.strip().lower()
    if low in {"true", "yes", "enrolled", "on"}:
        return "yes"
    return "no" if low in {"false", "no", "not enrolled", "off"} else ""


def _time(text: str) -> str:
    if text.strip().lower().startswith("never"):
        return ""
    try:
        return utc_text(text, _CONSOLE_TIME)
    except ValueError:
        return utc_text(text)


def read(path: Path) -> Iterator[dict[str, str]]:
    for row in csv_dicts(path):
        email = pick(row, "Email Address [Required]", "Email Address").lower()
        first = pick(row, "First Name [Required]", "First Name")
        last = pick(row, "Last Name [Required]", "Last Name")
        yield {
            "account_id": email,
            "email": email,
            "login": email,
            "name": f"{first} {last}".strip(),
            "status": pick(row, "Status [READ ONLY]", "Status"),
            "admin": "",
            "mfa_enabled": _yes(pick(row, "2sv Enrolled [READ ONLY]", "2sv Enrolled")),
            "created_at": "",
            "last_login_at": _time(pick(row, "Last Sign In [READ ONLY]", "Last Sign In")),
            "deactivated_at": "",
            "system": "google-workspace",
            "mfa_enforced": _yes(pick(row, "2sv Enforced [READ ONLY]", "2sv Enforced")),
            "org_unit": pick(row, "Org Unit Path [Required]", "Org Unit Path"),
        }
