"""Fills for the access populations: secret rotations, access grants, contractor access,
support sessions into customer data, and quarterly access reviews.
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.fill_timing import capped, day_offsets, earlier, shift
from mockaudit.scenarios.synthetic.period_calendar import DAY
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, Draw, RowContext


def fill_secret_rotations(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    owners = (ctx.owner("SRE Lead"), ctx.owner("VP Eng"), ctx.owner("Security Lead"))
    return {
        "secret_name": tags,
        "system": d.pick(("aws-prod", "github", "okta", "stripe", "sendgrid"), n),
        "owner": d.pick(owners, n),
        "stored_in": ["secrets-manager"] * n,
        "rotated_on": p.days_text(days),
        "next_due_on": p.days_text(shift(days, [90] * n)),
    }


def fill_access_grants(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    staff = [e.email for e in ctx.workforce.employees]
    users = d.pick(staff, n)
    owner_emails = [ctx.email_of(pid) for pid in ctx.workforce.owners.values()]
    approvers = d.other_than(owner_emails, users)
    roles = ("read-only", "developer", "support-agent", "billing-admin", "analyst")
    return {
        "user_email": users,
        "system": d.pick(ctx.reviewed_systems, n),
        "role_requested": d.pick(roles, n),
        "requested_by": users,
        "approver": approvers,
        "approved_at": p.moments_text(earlier(seconds, d.ints(600, 2 * DAY, n))),
        "provisioned_at": p.moments_text(seconds),
        "provisioned_by": [ctx.owner("IT Lead")] * n,
    }


def fill_contractor_access(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    vendors = d.pick(ctx.companies, n)
    people = d.codes("contractor", 1, 400, n)
    users = [f"{who}@{_domain_of(v)}" for who, v in zip(people, vendors, strict=True)]
    return {
        "vendor": vendors,
        "user_email": users,
        "system": d.pick(ctx.reviewed_systems, n),
        "approved_by": [ctx.owner("IT Lead")] * n,
        "granted_on": p.days_text(days),
        "expires_on": p.days_text(shift(days, d.ints(30, 180, n))),
    }


def _domain_of(company: str) -> str:
    letters = "".join(ch for ch in company.lower() if ch.isascii() and ch.isalpha())
    return f"{letters[:16] or 'vendor'}.example"


def fill_support_sessions(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    support = [
        e.email
        for e in ctx.workforce.employees
        if e.role in ("Support Specialist", "Customer Success Manager", "Support Lead")
    ]
    support = support or [ctx.email_of(ctx.owner("Support Lead"))]
    reasons = ("customer ticket", "bug reproduction", "data export request", "billing question")
    tickets = d.ints(10_000, 99_999, n)
    return {
        "employee": d.pick(support, n),
        "customer_id": d.codes("C", 1000, 99_999, n),
        "reason": [f"{r} (ZD-{t})" for r, t in zip(d.pick(reasons, n), tickets, strict=True)],
        "approved_by": [ctx.owner("Support Lead")] * n,
        "started_at": p.moments_text(seconds),
        "ended_at": p.moments_text(shift(seconds, d.ints(60, 3600, n))),
    }


def fill_access_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    reviewers = _system_reviewers(ctx)
    headcount = len(ctx.workforce.employees)
    return {
        "system": tags,
        "quarter": [f"{p.day(x)[:4]}-Q{(int(p.day(x)[5:7]) - 1) // 3 + 1}" for x in days],
        "list_extracted_on": p.days_text(earlier(days, d.ints(1, 3, n))),
        "list_source": ["system_export"] * n,
        "includes_admins": ["yes"] * n,
        "reviewer": [reviewers.get(t, ctx.owner("Security Lead")) for t in tags],
        "completed_on": p.days_text(days),
        "users_reviewed": [str(max(5, headcount - x)) for x in d.ints(0, 9, n)],
        "changes_requested": [str(x) for x in d.ints(0, 4, n)],
        "changes_completed_on": p.days_text(capped(ctx, shift(days, d.ints(0, 3, n)))),
    }


def _system_reviewers(ctx: RowContext) -> dict[str, str]:
    """Who reviews access to each system: its natural owner among the roster."""
    by_system = {
        "okta": "IT Lead",
        "github": "VP Eng",
        "aws-prod": "SRE Lead",
        "admin-console": "Support Lead",
        "bamboohr": "Head of People",
        "jira": "IT Lead",
        "datadog": "SRE Lead",
    }
    return {system: ctx.owner(role) for system, role in by_system.items()}
