"""What ``mockaudit new --from-reference`` is asked for, and what it wrote.

The options are plain values so the CLI, the TUI and tests build them alike;
``parse_period`` turns ``2026-01-01..2026-12-31`` into dates with a one-line
error for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mockaudit.domain.enums import Category, ReportType

SYSTEM_CLASSES: dict[str, str] = {
    "github": "code",
    "gitlab": "code",
    "bitbucket": "code",
    "okta": "idp",
    "google-workspace": "idp",
    "azure-ad": "idp",
    "entra-id": "idp",
    "jumpcloud": "idp",
    "aws": "cloud",
    "gcp": "cloud",
    "azure": "cloud",
    "jira": "tickets",
    "linear": "tickets",
    "pagerduty": "paging",
    "opsgenie": "paging",
    "datadog": "monitoring",
    "bamboohr": "hr",
    "rippling": "hr",
    "gusto": "hr",
    "hr-roster": "hr",
}
"""Systems ``--systems`` knows, and the kind of export each can provide."""


def system_class(name: str) -> str:
    """What kind of system ``name`` is (``okta`` -> ``idp``); an unknown name is its own kind."""
    return SYSTEM_CLASSES.get(name.strip().lower(), name.strip().lower())


@dataclass(frozen=True)
class StarterOptions:
    """The company's scope: categories, systems, period and report type."""

    company: str
    categories: tuple[Category, ...]
    systems: tuple[str, ...]
    report_type: ReportType
    period_start: date | None
    period_end: date


@dataclass(frozen=True)
class StarterReport:
    """What was written: counts a person checks at a glance."""

    folder: str
    controls: int
    populations: int
    policies: int
    risks: int
    owner_roles: tuple[str, ...]
    criteria_covered: int
    criteria_in_scope: int
    files: list[str] = field(default_factory=list)


def parse_period(text: str) -> tuple[date, date]:
    """``START..END`` (ISO dates) -> (start, end); ValueError in plain words otherwise."""
    start_text, sep, end_text = text.partition("..")
    if not sep:
        raise ValueError(f"period {text!r} is not START..END (e.g. 2026-01-01..2026-12-31)")
    try:
        start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
    except ValueError:
        raise ValueError(f"period {text!r}: dates must be YYYY-MM-DD") from None
    if start > end:
        raise ValueError(f"period {text!r}: start is after end")
    return start, end
