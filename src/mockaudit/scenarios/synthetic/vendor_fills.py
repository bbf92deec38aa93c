"""Fills for the vendor populations: onboardings, critical vendors' report reviews, contracts."""

from __future__ import annotations

from mockaudit.scenarios.synthetic.fill_timing import day_offsets, earlier
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, Draw, RowContext

_SERVICES = (
    "cloud hosting",
    "email delivery",
    "payment processing",
    "error tracking",
    "customer support desk",
    "HR information system",
    "log management",
    "background checks",
    "e-signature",
    "data warehouse",
)


def fill_vendor_onboardings(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    return {
        "vendor": d.pick(ctx.companies, n),
        "service": d.pick(_SERVICES, n),
        "tier": d.weighted(("critical", "high", "moderate", "low"), (1, 2, 4, 3), n),
        "assessed_on": p.days_text(earlier(days, d.ints(3, 30, n))),
        "assessment_type": d.pick(("SOC 2 report review", "security questionnaire"), n),
        "approved_by": [ctx.owner("Security Lead")] * n,
        "onboarded_on": p.days_text(days),
    }


def fill_vendor_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    reviewers = (ctx.owner("Security Lead"), ctx.owner("GRC Lead"))
    return {
        "vendor": tags,
        "tier": ["critical"] * n,
        "report_type": d.weighted(("SOC 2 Type 2", "ISO 27001 certificate"), (5, 1), n),
        "report_period_end": p.days_text(earlier(days, d.ints(30, 120, n))),
        "opinion": d.weighted(("unqualified", "qualified"), (9, 1), n),
        "exceptions_noted": [str(x) for x in d.ints(0, 3, n)],
        "cuecs_mapped": ["yes"] * n,
        "reviewed_by": d.pick(reviewers, n),
        "reviewed_on": p.days_text(days),
    }


def fill_vendor_contracts(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    return {
        "vendor": d.pick(ctx.companies, n),
        "security_clause": ["yes"] * n,
        "breach_notice_clause": ["yes"] * n,
        "dpa_signed_on": p.days_text(earlier(days, d.ints(0, 5, n))),
        "signed_on": p.days_text(days),
    }
