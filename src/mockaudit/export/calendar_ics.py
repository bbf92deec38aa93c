"""Reminders without a server (issue 18): an iCalendar file (RFC 5545) of what is due.

One all-day VEVENT per upcoming control instance (from each control's frequency, for the
rest of the period), per remediation due date and per open request's due date, each with
its owner as ATTENDEE and the control's procedure in DESCRIPTION. UIDs are stable, so a
re-exported file updates the events a calendar already has instead of duplicating them.
Written with the ``icalendar`` library, not by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from mockaudit.domain import Program
from mockaudit.domain.dates import add_business_days
from mockaudit.domain.remediation import ACTIVE, Remediation
from mockaudit.domain.run import RequestStatus, Run
from mockaudit.domain.schedule import instance_dates
from mockaudit.export.output import write_export
from mockaudit.safenames import safe_component

UNASSIGNED = "unassigned"
_OPEN_REQUESTS = frozenset({RequestStatus.OPEN, RequestStatus.PARTIAL})


@dataclass(frozen=True)
class DueItem:
    """One thing due on one day, for one owner (None: nobody is named)."""

    uid: str
    day: date
    summary: str
    description: str
    owner: str | None
    kind: str  # control, remediation or request


def remaining_period(run: Run, today: date) -> tuple[date, date]:
    """The period still to be operated: the run's, or the next one once it is over."""
    start = run.period_start or run.period_end
    timeline = run.readiness.timeline if run.readiness else None
    if today > run.period_end and timeline and timeline.next_period_start:
        return timeline.next_period_start, timeline.next_period_end or run.period_end
    return start, run.period_end


def due_items(
    program: Program, run: Run, remediations: Sequence[Remediation], today: date
) -> list[DueItem]:
    """Everything due from ``today`` on: control instances, remediations, open requests."""
    start, end = remaining_period(run, today)
    items = [
        DueItem(
            uid=f"control-{control.id}-{due.isoformat()}",
            day=due,
            summary=f"{control.id} due: {control.title}",
            description=control.description or control.title,
            owner=control.owner or None,
            kind="control",
        )
        for control in program.controls
        for due in instance_dates(control.frequency, start, end, today)
    ]
    items += _remediation_items(remediations, today)
    items += _request_items(run, today)
    return sorted(items, key=lambda i: (i.day, i.uid))


def _remediation_items(records: Iterable[Remediation], today: date) -> list[DueItem]:
    return [
        DueItem(
            uid=f"remediation-{r.key_digest}",
            day=r.due,
            summary=f"Remediation due: {r.finding_id} {r.title}",
            description=r.response or r.cause or r.title,
            owner=r.owner,
            kind="remediation",
        )
        for r in records
        if r.due is not None and r.due >= today and r.status in ACTIVE
    ]


def _request_items(run: Run, today: date) -> list[DueItem]:
    issued = run.started_at.date()
    items = []
    for request in run.requests:
        due = add_business_days(issued, request.due_day)
        if request.status in _OPEN_REQUESTS and due >= today:
            items.append(
                DueItem(
                    uid=f"request-{run.id}-{request.code}",
                    day=due,
                    summary=f"Request {request.code} due",
                    description=request.description,
                    owner=request.owner,
                    kind="request",
                )
            )
    return items


def render_ics(items: Sequence[DueItem], program: Program, name: str) -> bytes:
    """The calendar as RFC 5545 bytes (CRLF lines, folded by the library)."""
    from icalendar import Calendar, Event, vCalAddress

    cal = Calendar()
    cal.add("prodid", "-//mockaudit//remediation and control reminders//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid}@mockaudit")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")
        person = program.person(item.owner) if item.owner else None
        if person is not None:
            address = vCalAddress(f"mailto:{person.email or person.id + '@invalid'}")
            address.params["cn"] = person.name
            address.params["role"] = "REQ-PARTICIPANT"
            event.add("attendee", address, encode=False)
        cal.add_component(event)
    return bytes(cal.to_ical())


def write_calendars(
    items: Sequence[DueItem],
    program: Program,
    out: Path | None,
    *,
    per_owner: Path | None = None,
) -> dict[str, int]:
    """Write ``out`` (every item) and, with ``per_owner``, one ``OWNER.ics`` per person;
    returns the events written per file name."""
    written: dict[str, int] = {}
    if out is not None:
        write_export(out, render_ics(items, program, program.organization.name))
        written[str(out)] = len(items)
    if per_owner is not None:
        per_owner.mkdir(parents=True, exist_ok=True)
        owners = sorted({i.owner or UNASSIGNED for i in items})
        for owner in owners:
            mine = [i for i in items if (i.owner or UNASSIGNED) == owner]
            path = per_owner / f"{safe_component(owner)}.ics"
            write_export(path, render_ics(mine, program, f"{program.organization.name}: {owner}"))
            written[str(path)] = len(mine)
    return written
