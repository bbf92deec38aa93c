"""Fills for the populations of the categories beyond security.

Availability (backups, restore tests, capacity reviews, uptime reports),
confidentiality (purge runs, customer offboardings), processing integrity (job
reviews, flow reconciliations) and privacy (consents, privacy requests, the
disclosure log).
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.fill_timing import capped, day_offsets, shift
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, Draw, RowContext

_REGIONS = ("us-west-2", "eu-central-1", "us-east-2")


def fill_backups(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    region = {tag: _REGIONS[i % len(_REGIONS)] for i, tag in enumerate(sorted(set(tags)))}
    return {
        "datastore": tags,
        "run_date": p.days_text(day_offsets(seconds)),
        "started_at": p.moments_text(seconds),
        "status": ["success"] * n,
        "size_mb": [str(x) for x in d.ints(800, 250_000, n)],
        "destination_region": [region[t] for t in tags],
        "encrypted": ["yes"] * n,
    }


def fill_restore_tests(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    sre = ctx.workforce.roster_ids("SRE Lead", "Site Reliability Engineer")
    return {
        "test_date": ctx.period.days_text(day_offsets(seconds)),
        "dataset": tags,
        "restore_minutes": [str(x) for x in d.ints(8, 95, n)],
        "integrity_check": ["passed"] * n,
        "performed_by": d.pick(sre, n),
    }


def fill_capacity_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    actions = (
        "scale worker pool",
        "raise database instance class",
        "no action needed",
        "add read replica",
        "tune autoscaling thresholds",
    )
    return {
        "review_date": ctx.period.days_text(day_offsets(seconds)),
        "services": ["api; web-app; worker; database"] * n,
        "peak_utilisation_pct": [str(x) for x in d.ints(38, 86, n)],
        "reviewer": [ctx.owner("SRE Lead")] * n,
        "actions": d.pick(actions, n),
    }


def fill_uptime_reports(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    return {
        "month": [p.day(x)[:7] for x in day_offsets(seconds)],
        "availability_pct": [f"{99.9 + x / 1000:.3f}" for x in d.ints(1, 99, n)],
        "sla_target_pct": ["99.900"] * n,
        "reported_on": ctx.period.days_text(day_offsets(seconds)),
        "reviewed_by": [ctx.owner("SRE Lead")] * n,
    }


_RETENTION = {
    "application-logs": 90,
    "audit-exports": 365,
    "deleted-accounts": 30,
    "support-attachments": 180,
}


def fill_purge_runs(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    return {
        "dataset": tags,
        "retention_days": [str(_RETENTION.get(t, 90)) for t in tags],
        "run_date": ctx.period.days_text(day_offsets(seconds)),
        "records_purged": [str(x) for x in d.ints(100, 500_000, n)],
        "status": ["success"] * n,
    }


def fill_customer_offboardings(
    ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]
) -> Chunk:
    n, p = len(seconds), ctx.period
    ends = day_offsets(seconds)
    deleted = shift(ends, d.ints(5, 25, n))
    return {
        "customer": d.pick(ctx.companies, n),
        "contract_end": p.days_text(ends),
        "deletion_requested_on": p.days_text(shift(ends, d.ints(0, 3, n))),
        "deleted_on": p.days_text(deleted),
        "confirmation_sent_on": p.days_text(shift(deleted, d.ints(0, 2, n))),
    }


def fill_job_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    status = d.weighted(("ok", "errors_resolved"), (8, 2), n)
    errors = [str(x) if s != "ok" else "0" for s, x in zip(status, d.ints(1, 40, n), strict=True)]
    days = day_offsets(seconds)
    sre = ctx.workforce.roster_ids("SRE Lead", "Site Reliability Engineer")
    return {
        "review_date": ctx.period.days_text(days),
        "job": tags,
        "status": status,
        "errors": errors,
        "reviewed_by": d.pick(sre, n),
        "resolved_on": ctx.period.days_text(capped(ctx, shift(days, d.ints(0, 1, n)))),
    }


def fill_flow_reconciliations(
    ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]
) -> Chunk:
    n = len(seconds)
    inputs = d.ints(1_000, 90_000, n)
    variance = [0 if x < 0.9 else 1 + int(x * 10) for x in (d.random() for _ in range(n))]
    return {
        "run_date": ctx.period.days_text(day_offsets(seconds)),
        "flow": tags,
        "input_count": [str(x) for x in inputs],
        "output_count": [str(i - v) for i, v in zip(inputs, variance, strict=True)],
        "variance": [str(v) for v in variance],
        "status": ["reconciled" if v == 0 else "variance_explained" for v in variance],
        "investigated_by": [ctx.owner("VP Eng")] * n,
    }


def fill_consents(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    return {
        "subject_id": d.codes("U", 100_000, 9_999_999, n),
        "purpose": d.weighted(
            ("product analytics", "marketing email", "research interviews"), (6, 3, 1), n
        ),
        "consent_version": d.pick(("v3", "v4"), n),
        "consent_at": p.moments_text(seconds),
        "processing_started_at": p.moments_text(shift(seconds, d.ints(1, 3600, n))),
    }


def fill_privacy_requests(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    return {
        "type": d.weighted(("access", "deletion", "correction"), (4, 4, 2), n),
        "received_on": p.days_text(days),
        "identity_verified_on": p.days_text(shift(days, d.ints(0, 2, n))),
        "completed_on": p.days_text(shift(days, d.ints(3, 25, n))),
        "outcome": d.weighted(("fulfilled", "denied with explanation"), (9, 1), n),
    }


def fill_disclosure_log(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    return {
        "type": d.weighted(("authorised", "unauthorised"), (9, 1), n),
        "recipient": d.pick(ctx.companies, n),
        "data_subjects": [str(x) for x in d.ints(1, 5_000, n)],
        "event_date": p.days_text(days),
        "notified_on": p.days_text(capped(ctx, shift(days, d.ints(0, 3, n)))),
    }
