"""``mockaudit calendar``: the .ics reminders parse with an independent parser (``ical``,
not the ``icalendar`` library that writes them) and hold one event per control instance
still due this period, per remediation due date and per open request."""

from __future__ import annotations

import calendar as months
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from ical.calendar_stream import IcsCalendarStream

from mockaudit.domain import Frequency, Program
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.tui.helpers import SCENARIO

AUDITED = date(2026, 7, 20)
TODAY = date(2026, 5, 13)  # a Wednesday, mid-quarter: the period 2026-01-01..06-30 runs on


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def expected_instances(frequency: Frequency, start: date, end: date) -> int:
    """The frequency table, counted independently of the schedule module."""
    days = _days(start, end)
    labels = {
        Frequency.DAILY: {d for d in days if d.weekday() < 5},
        Frequency.MULTIPLE_DAILY: {d for d in days if d.weekday() < 5},
        Frequency.MONTHLY: {(d.year, d.month) for d in days},
        Frequency.QUARTERLY: {(d.year, (d.month - 1) // 3) for d in days},
        Frequency.SEMIANNUAL: {(d.year, d.month > 6) for d in days},
        Frequency.ANNUAL: {"period end"},
        Frequency.PER_EVENT: set(),
        Frequency.CONTINUOUS: set(),
    }
    if frequency is Frequency.WEEKLY:  # one per Friday, and a last partial week at the end
        return sum(d.weekday() == 4 for d in days) + (end.weekday() != 4)
    return len(labels[frequency])


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, Program]:
    folder = tmp_path / "vault"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
        run = session.run_audit(seed=7, as_of=AUDITED)
        ownerless = next(f for f in run.findings if f.title == "Control AV-02 has no owner")
        session.set_remediation(ownerless.id, owner="tomas", due=date(2026, 6, 15), response="x")
        session.set_remediation(run.findings[0].id, owner="kenji", due=date(2026, 5, 1))  # past
        return folder, session.program()


def _parse(path: Path):  # type: ignore[no-untyped-def]
    return IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))


def test_one_event_per_control_instance_remediation_and_request(
    vault: tuple[Path, Program], passfile: Path, run_cli, tmp_path: Path
) -> None:
    folder, program = vault
    out = tmp_path / "team.ics"
    result = run_cli(
        "calendar", "--vault", folder, "--passphrase-file", passfile, "--out", out,
        "--as-of", TODAY.isoformat(),
    )  # fmt: skip
    assert result.code == 0, result.err
    raw = out.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and b"VERSION:2.0\r\n" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 §3.1 folding
    events = _parse(out).events
    kinds = Counter(e.categories[0] for e in events)

    end = date(2026, 6, 30)
    per_control = Counter(
        e.uid.split("-2026-")[0].removeprefix("control-")
        for e in events
        if e.categories[0] == "control"
    )
    for control in program.controls:
        expected = expected_instances(control.frequency, TODAY, end)
        assert per_control.get(control.id, 0) == expected, (control.id, control.frequency)
    assert kinds["control"] == sum(per_control.values()) > 0
    assert kinds["remediation"] == 1  # the one due 2026-05-01 is already past
    scheduled = [e for e in events if e.categories[0] != "request"]
    assert all(TODAY <= e.dtstart <= end for e in scheduled)
    # Requests are due business days after the run was made (the wall clock here).
    with Session.open(folder, PASSPHRASE, write=False) as session:
        run = session.run()
    waiting = [r for r in run.requests if r.status in ("open", "partial")]
    assert waiting and kinds["request"] == len(waiting)

    monthly = next(c for c in program.controls if c.frequency is Frequency.MONTHLY and c.owner)
    event = next(e for e in events if e.uid.startswith(f"control-{monthly.id}-"))
    owner = program.person(monthly.owner or "")
    assert owner is not None and [a.uri for a in event.attendees] == [f"mailto:{owner.email}"]
    assert event.attendees[0].common_name == owner.name
    assert event.description == monthly.description
    assert event.dtstart == date(2026, 5, months.monthrange(2026, 5)[1])
    assert len({e.uid for e in events}) == len(events)  # stable, unique UIDs


def test_per_owner_files_and_owner_filter(
    vault: tuple[Path, Program], passfile: Path, run_cli, tmp_path: Path
) -> None:
    folder, program = vault
    common = ("--vault", folder, "--passphrase-file", passfile, "--as-of", TODAY.isoformat())
    everyone = tmp_path / "team.ics"
    split = tmp_path / "people"
    result = run_cli("calendar", *common, "--out", everyone, "--per-owner", split)
    assert result.code == 0, result.err
    total = len(_parse(everyone).events)
    files = sorted(split.glob("*.ics"))
    assert sum(len(_parse(f).events) for f in files) == total
    tomas = _parse(split / "tomas.ics").events
    assert any(e.categories[0] == "remediation" for e in tomas)
    assert all(a.common_name == program.person("tomas").name for e in tomas for a in e.attendees)  # type: ignore[union-attr]

    mine = tmp_path / "tomas.ics"
    assert run_cli("calendar", *common, "--out", mine, "--owner", "tomas").code == 0
    assert mine.read_bytes().count(b"BEGIN:VEVENT") == len(tomas)
    bad = run_cli("calendar", *common, "--out", mine, "--owner", "dana")
    assert bad.code == 2 and "unknown owner 'dana'" in bad.err
