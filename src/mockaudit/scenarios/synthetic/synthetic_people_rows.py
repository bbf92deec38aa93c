"""Populations that come from the HR system and what derives from it.

Hires, terminations, role changes, performance reviews, training completions
and access removals all describe the same people, so they are built together
from the :class:`Workforce` rather than drawn independently: a terminated
employee has exactly one access removal, every hire has an onboarding training
within thirty days, and roster people appear under their own e-mail addresses.
These lists are small (thousands of rows at most) and are built in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from mockaudit.domain.reference_controls import population_kind
from mockaudit.scenarios.synthetic.period_calendar import DAY, spread_seconds
from mockaudit.scenarios.synthetic.synthetic_row_evidence import ROW_EVIDENCE
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, MaterializedSource, RowContext
from mockaudit.scenarios.synthetic.synthetic_workforce import Employee

ONBOARDING_COURSE = "Security Awareness Onboarding"
ANNUAL_COURSE = "Security Awareness Annual Refresher"


def _employee_key(ctx: RowContext) -> Callable[[int], str]:
    base = ctx.workforce.next_number + 100
    return lambda j: f"E{base + j}"


def _indexed_key(prefix: str, count: int) -> Callable[[int], str]:
    return lambda j: f"{prefix}{1001 + count + 100 + j}"


def _columns(kind_id: str, rows: list[dict[str, str]]) -> Chunk:
    names = population_kind(kind_id).column_names
    return {name: [row[name] for row in rows] for name in names}


def _manager(ctx: RowContext, person: Employee) -> str:
    return person.manager or ctx.owner("CEO")


def _iso(day: date) -> str:
    return day.isoformat()


def hires_source(ctx: RowContext) -> MaterializedSource:
    """New hires with background check, NDA and policy acknowledgement, all in good order."""
    rng = ctx.rng("hires")
    paths, files = ROW_EVIDENCE["hires"]
    end = ctx.period.end
    rows = []
    for person in ctx.workforce.hires(ctx.period):
        start = person.start
        offer = start - timedelta(days=rng.randint(14, 45))
        check = offer + timedelta(days=rng.randint(1, (start - offer).days - 1))
        nda = offer + timedelta(days=rng.randint(0, (start - offer).days))
        ack = start + timedelta(days=rng.randint(0, min(14, (end - start).days)))
        rows.append(
            {
                "employee_id": person.id,
                "name": person.name,
                "email": person.email,
                "type": person.type,
                "role": person.role,
                "manager": _manager(ctx, person),
                "offer_date": _iso(offer),
                "offer_approved_by": _manager(ctx, person),
                "interview_feedback": f"https://ats.{ctx.workforce.domain}/scorecards/{person.id}",
                "start_date": _iso(start),
                "check_vendor": rng.choice(("Checkr", "Sterling", "HireRight")),
                "check_completed_on": _iso(check),
                "check_result": "clear",
                "nda_signed_on": _iso(nda),
                "policy_ack_on": _iso(ack),
                "evidence": ";".join(paths(person.id)),
            }
        )
    source_key = _employee_key(ctx)
    return MaterializedSource(population_kind("hires"), _columns("hires", rows), source_key, files)


def terminations_source(ctx: RowContext) -> MaterializedSource:
    """Leavers with an offboarding ticket and devices back within two weeks."""
    rng = ctx.rng("terminations")
    paths, files = ROW_EVIDENCE["terminations"]
    rows = []
    for person in ctx.workforce.leavers():
        assert person.end is not None
        reason = (
            "end of contract"
            if person.type == "contractor"
            else rng.choice(("resignation", "resignation", "resignation", "involuntary"))
        )
        rows.append(
            {
                "employee_id": person.id,
                "name": person.name,
                "email": person.email,
                "type": person.type,
                "terminated_on": _iso(person.end),
                "reason": reason,
                "offboarding_ticket": _ticket(person),
                "checklist_completed_on": _iso(person.end + timedelta(days=rng.randint(0, 2))),
                "devices_returned_on": _iso(person.end + timedelta(days=rng.randint(0, 10))),
                "evidence": ";".join(paths(person.id)),
            }
        )
    source_key = _employee_key(ctx)
    return MaterializedSource(
        population_kind("terminations"), _columns("terminations", rows), source_key, files
    )


def _ticket(person: Employee) -> str:
    return f"IT-{person.number * 7 % 9000 + 1000}"


def access_removals_source(ctx: RowContext) -> MaterializedSource:
    """One identity-provider deactivation per leaver, the same or the next day."""
    rng = ctx.rng("access_removals")
    end = ctx.period.end
    rows = []
    for index, person in enumerate(ctx.workforce.leavers()):
        assert person.end is not None
        lag = rng.choice((0, 0, 0, 1)) if person.end < end else 0
        rows.append(
            {
                "removal_id": f"RM-{1001 + index}",
                "email": person.email,
                "system": "okta",
                "terminated_on": _iso(person.end),
                "removed_on": _iso(person.end + timedelta(days=lag)),
                "removed_by": ctx.owner("IT Lead"),
                "ticket_id": _ticket(person),
            }
        )
    extra = _indexed_key("RM-", len(rows))
    return MaterializedSource(
        population_kind("access_removals"), _columns("access_removals", rows), extra
    )


def trainings_source(ctx: RowContext) -> MaterializedSource:
    """Onboarding training for every hire, and each existing employee's yearly refresher.

    Refreshers run on a rolling cycle: the LMS spreads due dates evenly over the
    year (as tools with per-person anniversaries do), so the list has no lull a
    completeness check could mistake for a gap.
    """
    rng = ctx.rng("trainings")
    period = ctx.period
    version = f"{period.start.year}.1"
    entries: list[tuple[date, Employee, str, date]] = []
    for person in ctx.workforce.hires(period):
        room = (period.end - person.start).days
        done = person.start + timedelta(days=rng.randint(0, min(5, room)))
        entries.append((done, person, ONBOARDING_COURSE, person.start))
    existing = [p for p in ctx.workforce.employees if p.start < period.start]
    rng.shuffle(existing)
    for index, person in enumerate(existing):
        offset = int((index + rng.random()) * 365 / len(existing))
        if offset >= period.days:
            continue
        assigned = period.date_of(offset)
        done = assigned + timedelta(days=rng.randint(0, min(5, (period.end - assigned).days)))
        if person.end is None or done < person.end:
            entries.append((done, person, ANNUAL_COURSE, assigned))
    entries.sort(key=lambda e: (e[0], e[1].number, e[2]))
    rows = [
        {
            "completion_id": f"TRN-{1001 + index}",
            "person_id": person.id,
            "email": person.email,
            "course": course,
            "course_version": version,
            "assigned_on": _iso(assigned),
            "due_on": _iso(assigned + timedelta(days=30)),
            "completed_on": _iso(done),
        }
        for index, (done, person, course, assigned) in enumerate(entries)
    ]
    extra = _indexed_key("TRN-", len(rows))
    return MaterializedSource(population_kind("trainings"), _columns("trainings", rows), extra)


def performance_reviews_source(ctx: RowContext) -> MaterializedSource:
    """One review cycle inside the period for everyone employed at least 90 days."""
    rng = ctx.rng("performance_reviews")
    period = ctx.period
    cycle_day = rng.randint(20, period.days - 30)
    cycle = period.date_of(cycle_day)
    eligible = [p for p in ctx.workforce.active_on(cycle) if p.start <= cycle - timedelta(days=90)]
    rows = []
    for index, person in enumerate(eligible):
        done = period.date_of(min(cycle_day + rng.randint(0, 20), period.days - 1))
        rows.append(
            {
                "review_id": f"PERF-{1001 + index}",
                "employee_id": person.id,
                "cycle": f"{cycle.year}-annual",
                "reviewer": person.manager or "board-chair",
                "completed_on": _iso(done),
            }
        )
    rows.sort(key=lambda r: (r["completed_on"], r["review_id"]))
    extra = _indexed_key("PERF-", len(rows))
    return MaterializedSource(
        population_kind("performance_reviews"), _columns("performance_reviews", rows), extra
    )


def role_changes_source(ctx: RowContext) -> MaterializedSource:
    """Transfers of current staff, each with an access review ticket within five days."""
    rng = ctx.rng("role_changes")
    period = ctx.period
    staff = [
        p
        for p in ctx.workforce.employees
        if p.person_id is None and p.end is None and p.start < period.start
    ]
    count = min(len(staff), max(3, round(len(ctx.workforce.employees) * 0.08 * period.days / 365)))
    people = rng.sample(staff, count)
    seconds = spread_seconds(rng, 0, count, count, period.seconds)
    roles = sorted({p.role for p in ctx.workforce.employees if p.person_id is None})
    rows = []
    for index, (person, second) in enumerate(zip(people, seconds, strict=True)):
        changed = period.date_of(second // DAY)
        new_role = rng.choice([r for r in roles if r != person.role] or ["Team Lead"])
        updated = min(changed + timedelta(days=rng.randint(0, 4)), period.end)
        rows.append(
            {
                "change_id": f"RC-{1001 + index}",
                "employee_id": person.id,
                "email": person.email,
                "old_role": person.role,
                "new_role": new_role,
                "changed_on": _iso(changed),
                "reviewed_by": _manager(ctx, person),
                "review_ticket": f"IT-{rng.randint(1000, 9999)}",
                "access_updated_on": _iso(updated),
            }
        )
    extra = _indexed_key("RC-", len(rows))
    return MaterializedSource(
        population_kind("role_changes"), _columns("role_changes", rows), extra
    )


PEOPLE_SOURCES = {
    "hires": hires_source,
    "terminations": terminations_source,
    "access_removals": access_removals_source,
    "trainings": trainings_source,
    "performance_reviews": performance_reviews_source,
    "role_changes": role_changes_source,
}
"""Kinds built from the workforce, by kind id."""
