"""AWS IAM credential report (``aws iam generate-credential-report``, ``get-credential-report``).

Columns as AWS documents them: ``user``, ``arn``, ``user_creation_time``,
``password_enabled``, ``password_last_used``, ``mfa_active``,
``access_key_1_active``, ``access_key_1_last_rotated``, ``access_key_2_…``…
Values ``N/A``, ``not_supported`` and ``no_information`` mean "none"; the root
account is ``<root_account>``. Times are ISO-8601 with an offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mockaudit.scenarios.formats.timestamps import is_null, utc_text
from mockaudit.scenarios.formats.vendor_csv import csv_dicts


def _flag(text: str) -> str:
    low = text.strip().lower()
    return "yes" if low == "true" else "no" if low == "false" else ""


def _last_used(row: dict[str, str]) -> str:
    times = [
        utc_text(row.get(c, ""))
        for c in (
            "password_last_used",
            "access_key_1_last_used_date",
            "access_key_2_last_used_date",
        )
        if not is_null(row.get(c, ""))
    ]
    return max(times) if times else ""


def read(path: Path) -> Iterator[dict[str, str]]:
    for row in csv_dicts(path):
        user = row.get("user", "")
        keys = [
            k
            for k in ("access_key_1_active", "access_key_2_active")
            if _flag(row.get(k, "")) == "yes"
        ]
        yield {
            "account_id": row.get("arn", ""),
            "email": "",
            "login": user,
            "name": user,
            "status": "ACTIVE",
            "admin": "yes" if user == "<root_account>" else "",
            "mfa_enabled": _flag(row.get("mfa_active", "")),
            "created_at": utc_text(row.get("user_creation_time", "")),
            "last_login_at": _last_used(row),
            "deactivated_at": "",
            "system": "aws",
            "password_enabled": _flag(row.get("password_enabled", "")) or "no",
            "active_access_keys": str(len(keys)),
        }
