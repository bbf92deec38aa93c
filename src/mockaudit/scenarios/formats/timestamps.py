"""Vendor timestamps to the forms populations use: ``2026-03-01T14:05:00Z`` and ``2026-03-01``.

Vendors write time many ways (``2026-03-01T14:05:00.123Z``, ``+02:00`` offsets,
AWS's ``2026-03-01T05:00:00.123000+00:00``, epoch seconds, Jira's
``12/Mar/26 3:04 PM``); every one becomes UTC here so rows compare across systems.
A time without a zone is taken as UTC, as scenario-format.md says.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
NULLS = frozenset({"", "null", "none", "n/a", "not_supported", "no_information", "never", "-"})


def is_null(text: str) -> bool:
    return text.strip().lower() in NULLS


def parse_instant(text: str, fmt: str | None = None) -> datetime | None:
    """``text`` as an aware UTC datetime, or None when empty/null; ValueError when unreadable."""
    raw = text.strip()
    if is_null(raw):
        return None
    if fmt is not None:
        moment = datetime.strptime(raw, fmt)  # noqa: DTZ007 - made UTC below
    elif _is_number(raw):
        return datetime.fromtimestamp(float(raw), UTC)
    else:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_text(text: str, fmt: str | None = None) -> str:
    """ISO-8601 UTC with ``Z`` to the second, or "" for an empty/null value."""
    if fmt is None and _CANONICAL.fullmatch(text):
        return text  # already UTC to the second, as gh and most APIs write it
    moment = parse_instant(text, fmt)
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_day(text: str, fmt: str | None = None) -> str:
    """The UTC calendar day of ``text`` (``2026-03-01``), or ""."""
    raw = text.strip()
    if fmt is None and len(raw) == 10 and raw[4] == "-":
        return date.fromisoformat(raw).isoformat()
    moment = parse_instant(raw, fmt)
    return "" if moment is None else moment.date().isoformat()


def value_text(value: object) -> str:
    """A JSON scalar as cell text: null -> "", booleans -> yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_number(raw: str) -> bool:
    try:
        float(raw)
    except ValueError:
        return False
    return raw[0].isdigit() and "-" not in raw[1:]
