"""Fills for governance, risk and people populations: releases and customer contracts,
board and committee meetings, risk reviews, control tests, disciplinary cases.
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.fill_timing import day_offsets, shift
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, Draw, RowContext


def fill_releases(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    major = d.ints(2, 4, 1)[0]
    versions = [f"v{major}.{i + 1}.0" for i in range(n)]
    domain = ctx.workforce.domain
    return {
        "version": versions,
        "released_on": ctx.period.days_text(day_offsets(seconds)),
        "significance": d.weighted(("minor", "major"), (4, 1), n),
        "notes_link": [f"https://{domain}/changelog/{v}" for v in versions],
        "audience": d.pick(("customers", "customers-and-staff"), n),
    }


def fill_customer_contracts(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    return {
        "customer": d.pick(ctx.companies, n),
        "template_version": d.pick(("MSA-2024.2", "MSA-2025.1"), n),
        "security_terms": ["yes"] * n,
        "signed_on": ctx.period.days_text(day_offsets(seconds)),
    }


def fill_board_meetings(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    texts = p.days_text(days)
    ceo, cto = ctx.owner("CEO"), ctx.owner("CTO")
    return {
        "meeting_date": texts,
        "attendees": [f"{ceo}; {cto}; two investor directors; independent director"] * n,
        "independent_director_present": ["yes"] * n,
        "security_on_agenda": ["yes"] * n,
        "minutes_link": [f"https://wiki.{ctx.workforce.domain}/board/{t}" for t in texts],
    }


def fill_committee_meetings(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    members = "; ".join(ctx.owner(r) for r in ("CTO", "Security Lead", "GRC Lead", "IT Lead"))
    return {
        "meeting_date": ctx.period.days_text(day_offsets(seconds)),
        "chair": [ctx.owner("CTO")] * n,
        "attendees": [members] * n,
        "risks_reviewed": ["yes"] * n,
        "deficiencies_reviewed": ["yes"] * n,
        "action_items": [str(x) for x in d.ints(1, 9, n)],
    }


def fill_risk_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    return {
        "review_date": ctx.period.days_text(day_offsets(seconds)),
        "reviewer": [ctx.owner("GRC Lead")] * n,
        "risks_reviewed": [str(x) for x in d.ints(12, 40, n)],
        "risks_changed": [str(x) for x in d.ints(0, 6, n)],
        "overdue_escalated": ["yes"] * n,
    }


def fill_control_tests(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    results = d.weighted(("pass", "deficiency_tracked"), (9, 1), n)
    numbers = d.ints(100, 999, n)
    return {
        "control_ref": tags,
        "test_date": ctx.period.days_text(day_offsets(seconds)),
        "result": results,
        "owner": [ctx.control_owners.get(t, ctx.owner("GRC Lead")) for t in tags],
        "tracked_as": [
            f"DEF-{x}" if r != "pass" else "not needed"
            for r, x in zip(results, numbers, strict=True)
        ],
    }


def fill_disciplinary_cases(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    kinds = (
        "acceptable use breach",
        "confidentiality breach",
        "repeated training non-completion",
        "harassment complaint",
        "expense policy breach",
    )
    actions = ("written warning", "final warning", "coaching plan", "termination")
    return {
        "violation_type": d.pick(kinds, n),
        "opened_on": p.days_text(days),
        "action_taken": d.weighted(actions, (5, 2, 3, 1), n),
        "decided_by": [ctx.owner("Head of People")] * n,
        "closed_on": p.days_text(shift(days, d.ints(3, 30, n))),
    }
