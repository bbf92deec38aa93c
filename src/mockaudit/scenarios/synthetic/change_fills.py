"""Fills for the change-management populations: pull requests, infrastructure and emergency
changes, data fixes.

Every change has an author and a different approver who approved before it was
merged or applied (CC8.1); emergency changes are reviewed after the fact.
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.fill_timing import day_offsets, earlier, shift
from mockaudit.scenarios.synthetic.period_calendar import DAY
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, Draw, RowContext

_VERBS = ("Fix", "Add", "Update", "Refactor", "Remove", "Improve", "Harden", "Bump", "Migrate")
_OBJECTS = (
    "invoice export",
    "login rate limit",
    "webhook retries",
    "audit log fields",
    "PDF rendering",
    "tax calculation",
    "search index",
    "session timeout",
    "billing cron",
    "email templates",
    "API pagination",
    "dependency versions",
    "feature flag cleanup",
    "error handling",
    "database indexes",
    "SSO callback",
    "CSV import",
    "metrics labels",
    "cache eviction",
    "permission checks",
    "report filters",
    "onboarding flow",
    "retry backoff",
    "timezone bug",
)
REPOS = ("api", "web-app", "billing-service", "worker", "infra-modules", "mobile-app")


def fill_changes(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    engineers = ctx.workforce.engineers
    authors = d.pick(engineers, n)
    approvers = d.other_than(engineers, authors)
    approved = earlier(seconds, d.ints(300, 2 * DAY, n))
    deployed = shift(seconds, d.ints(120, 3600, n))
    titles = [f"{v} {o}" for v, o in zip(d.pick(_VERBS, n), d.pick(_OBJECTS, n), strict=True)]
    return {
        "repo": d.pick(REPOS, n),
        "title": titles,
        "ticket_id": d.codes("ENG-", 1000, 99999, n),
        "author": authors,
        "approver": approvers,
        "approved_at": p.moments_text(approved),
        "merged_at": p.moments_text(seconds),
        "merged_by": authors,
        "ci_status": ["success"] * n,
        "deploy_id": d.codes("deploy-", 100000, 999999, n),
        "deployed_at": p.moments_text(deployed),
    }


def fill_infra_changes(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    engineers = ctx.workforce.engineers
    authors = d.pick(engineers, n)
    return {
        "workspace": d.pick(("prod-network", "prod-data", "prod-compute", "iam", "dns"), n),
        "type": d.weighted(("iac", "console"), (9, 1), n),
        "author": authors,
        "approver": d.other_than(engineers, authors),
        "approved_at": p.moments_text(earlier(seconds, d.ints(600, DAY, n))),
        "applied_at": p.moments_text(seconds),
        "ticket_id": d.codes("OPS-", 100, 9999, n),
    }


def fill_emergency_changes(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    engineers = ctx.workforce.engineers
    authors = d.pick(engineers, n)
    days = day_offsets(seconds)
    reasons = (
        "production outage hotfix",
        "security patch",
        "payment failure fix",
        "data corruption fix",
        "certificate renewal",
    )
    return {
        "reason": d.pick(reasons, n),
        "author": authors,
        "deployed_on": p.days_text(days),
        "reviewer": d.other_than(engineers, authors),
        "retro_reviewed_on": p.days_text(shift(days, d.ints(0, 2, n))),
        "ticket_id": d.codes("CHG-", 100, 9999, n),
    }


def fill_data_fixes(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    engineers = ctx.workforce.engineers
    approvers = d.pick(engineers, n)
    fixes = (
        "correct invoice totals",
        "backfill missing tax ids",
        "merge duplicate accounts",
        "reset stuck exports",
        "add index on events",
        "purge orphaned sessions",
    )
    return {
        "description": d.pick(fixes, n),
        "requested_by": d.pick(engineers, n),
        "approved_by": approvers,
        "approved_at": p.moments_text(earlier(seconds, d.ints(600, 2 * DAY, n))),
        "executed_by": d.other_than(engineers, approvers),
        "executed_at": p.moments_text(seconds),
    }
