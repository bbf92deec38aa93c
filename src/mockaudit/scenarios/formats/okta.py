"""Okta: the Users API (``GET /api/v1/users``) and the System Log (``GET /api/v1/logs``).

Users carry ``id``, ``status`` (ACTIVE, DEPROVISIONED, SUSPENDED…), ``created``,
``activated``, ``statusChanged``, ``lastLogin`` (null until the first sign-in)
and ``profile {login, email, firstName, lastName}``. A System Log event carries
``uuid``, ``published``, ``eventType``, ``actor {alternateId}``, ``target
[{type, alternateId}]`` and ``outcome {result}``; a deactivation is
``user.lifecycle.deactivate`` with outcome SUCCESS. Pages of either API may be
concatenated (one JSON array per page).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockaudit.scenarios.formats.json_stream import json_objects
from mockaudit.scenarios.formats.timestamps import utc_day, utc_text

USER_COLUMNS = (
    "account_id", "email", "login", "name", "status", "admin", "mfa_enabled",
    "created_at", "last_login_at", "deactivated_at", "system",
)  # fmt: skip
DEACTIVATION = "user.lifecycle.deactivate"


def read_users(path: Path) -> Iterator[dict[str, str]]:
    for obj in json_objects(path):
        profile = obj.get("profile") if isinstance(obj.get("profile"), dict) else {}
        assert isinstance(profile, dict)
        status = str(obj.get("status") or "")
        changed = utc_text(str(obj.get("statusChanged") or ""))
        name = " ".join(str(profile.get(k) or "") for k in ("firstName", "lastName")).strip()
        yield {
            "account_id": str(obj.get("id") or ""),
            "email": str(profile.get("email") or "").lower(),
            "login": str(profile.get("login") or ""),
            "name": name,
            "status": status,
            "admin": "",
            "mfa_enabled": "",
            "created_at": utc_text(str(obj.get("created") or "")),
            "last_login_at": utc_text(str(obj.get("lastLogin") or "")),
            "deactivated_at": changed if status == "DEPROVISIONED" else "",
            "system": "okta",
        }


def read_log(path: Path) -> Iterator[dict[str, str]]:
    """``access_removals`` rows: one per successful user deactivation."""
    for obj in json_objects(path):
        if obj.get("eventType") != DEACTIVATION or _result(obj) != "SUCCESS":
            continue
        target = _user_target(obj.get("target"))
        actor = obj.get("actor") if isinstance(obj.get("actor"), dict) else {}
        assert isinstance(actor, dict)
        published = str(obj.get("published") or "")
        yield {
            "removal_id": str(obj.get("uuid") or ""),
            "email": str(target.get("alternateId") or "").lower(),
            "system": "okta",
            "terminated_on": "",
            "removed_on": utc_day(published),
            "removed_by": str(actor.get("alternateId") or ""),
            "ticket_id": "",
            "removed_at": utc_text(published),
        }


def _result(obj: dict[str, Any]) -> str:
    outcome = obj.get("outcome")
    return str(outcome.get("result") or "") if isinstance(outcome, dict) else ""


def _user_target(targets: Any) -> dict[str, Any]:
    for target in targets if isinstance(targets, list) else []:
        if isinstance(target, dict) and target.get("type") == "User":
            return target
    return {}
