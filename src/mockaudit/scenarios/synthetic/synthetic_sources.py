"""Which schedule and fill make each population kind, and how many rows each gets.

Volumes follow the size profile: HR lists follow the workforce, periodic lists
follow the calendar (one review per system per quarter, one backup per
datastore per run per day…), a few event lists grow gently with company size,
and the rest of the row budget is shared among the high-volume event lists
(pull requests, alerts, support sessions…) by weight.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from mockaudit.domain.reference_controls import POPULATION_KINDS, population_kind
from mockaudit.scenarios.synthetic import synthetic_fills as fills
from mockaudit.scenarios.synthetic.period_calendar import Slot
from mockaudit.scenarios.synthetic.synthetic_people_rows import PEOPLE_SOURCES
from mockaudit.scenarios.synthetic.synthetic_row_evidence import ROW_EVIDENCE
from mockaudit.scenarios.synthetic.synthetic_rows import (
    Chunk,
    DailySchedule,
    EventSchedule,
    FillFn,
    MaterializedSource,
    RowContext,
    RowSource,
    Schedule,
    SlotSchedule,
    TimedSource,
    cross,
    materialize,
    split,
)

SCALABLE_WEIGHTS: dict[str, int] = {
    "changes": 30,
    "security_alerts": 20,
    "consents": 20,
    "support_sessions": 14,
    "code_scan_findings": 10,
    "access_grants": 8,
    "vulnerabilities": 6,
    "infra_changes": 6,
}
"""High-volume event kinds and their share of the row budget left after the others."""

MIN_SCALABLE_ROWS = 25

_SCALABLE_FILLS: dict[str, tuple[str, FillFn]] = {
    "changes": ("PR-", fills.fill_changes),
    "security_alerts": ("ALR-", fills.fill_security_alerts),
    "consents": ("CNS-", fills.fill_consents),
    "support_sessions": ("SES-", fills.fill_support_sessions),
    "code_scan_findings": ("CS-", fills.fill_code_scan_findings),
    "access_grants": ("ACC-", fills.fill_access_grants),
    "vulnerabilities": ("VULN-", fills.fill_vulnerabilities),
    "infra_changes": ("TF-", fills.fill_infra_changes),
}

# kind -> (key prefix, fill, (low, high) yearly count before scaling)
_FIXED_EVENTS: dict[str, tuple[str, FillFn, tuple[int, int]]] = {
    "emergency_changes": ("ECHG-", fills.fill_emergency_changes, (4, 10)),
    "data_fixes": ("DATAFIX-", fills.fill_data_fixes, (6, 16)),
    "releases": ("REL-", fills.fill_releases, (8, 20)),
    "customer_contracts": ("CTR-", fills.fill_customer_contracts, (10, 40)),
    "vendor_onboardings": ("V-", fills.fill_vendor_onboardings, (4, 10)),
    "vendor_contracts": ("VC-", fills.fill_vendor_contracts, (4, 10)),
    "customer_offboardings": ("CUST-", fills.fill_customer_offboardings, (4, 12)),
    "privacy_requests": ("DSR-", fills.fill_privacy_requests, (6, 20)),
    "disclosure_log": ("DISC-", fills.fill_disclosure_log, (4, 12)),
    "contractor_access": ("CA-", fills.fill_contractor_access, (4, 12)),
    "disposals": ("AST-", fills.fill_disposals, (4, 10)),
    "incidents": ("INC-", fills.fill_incidents, (5, 10)),
    "disciplinary_cases": ("CASE-", fills.fill_disciplinary_cases, (4, 6)),
}

Tags = Callable[[RowContext], Sequence[str]]


def _reviewed_systems(ctx: RowContext) -> Sequence[str]:
    return ctx.reviewed_systems


def _controls(ctx: RowContext) -> Sequence[str]:
    return tuple(ctx.control_owners)


def _secrets(ctx: RowContext) -> Sequence[str]:
    names = (
        "stripe-api-key",
        "sendgrid-api-key",
        "db-master-password",
        "github-deploy-key",
        "okta-scim-token",
        "datadog-api-key",
        "slack-webhook",
        "jwt-signing-key",
        "s3-export-credentials",
        "pagerduty-token",
        "twilio-auth-token",
        "sentry-dsn",
    )
    count = min(len(names), max(4, round(4 * ctx.scale)))
    return names[:count]


def _datasets(ctx: RowContext) -> Sequence[str]:
    return ("primary-db", "document-store")[: 1 if ctx.scale < 3 else 2]


def _images(ctx: RowContext) -> Sequence[str]:
    images = ("ami-base-linux", "img-api", "img-worker", "img-batch")
    return images[: min(len(images), max(1, round(ctx.scale)))]


def _purge_sets(ctx: RowContext) -> Sequence[str]:
    sets = ("application-logs", "deleted-accounts", "support-attachments", "audit-exports")
    return sets[: min(len(sets), 1 + round(ctx.scale / 3))]


def _scan_groups(ctx: RowContext) -> Sequence[str]:
    groups = ("external-perimeter", "production-hosts", "container-images", "internal-network")
    return groups[: min(len(groups), 2 + round(ctx.scale / 5))]


def _datastores(ctx: RowContext) -> Sequence[str]:
    names = (
        "primary-db",
        "document-store",
        "analytics-db",
        "queue-store",
        "search-index",
        "object-store",
        "cache-snapshots",
        "ledger-db",
        "audit-db",
        "events-db",
        "reports-db",
        "files-db",
        "billing-db",
        "users-db",
        "metrics-db",
        "backup-vault",
    )
    return names[: ctx.backup_datastores]


def _jobs(ctx: RowContext) -> Sequence[str]:
    return ("invoice-run", "webhook-delivery", "export-queue")[: 1 + round(ctx.scale / 10)]


def _flows(ctx: RowContext) -> Sequence[str]:
    return ("orders-to-ledger", "usage-to-invoices", "payments-to-bank")[
        : 1 + round(ctx.scale / 10)
    ]


def _critical_vendors(ctx: RowContext) -> Sequence[str]:
    return ctx.companies[: min(len(ctx.companies), max(3, round(3 * ctx.scale**0.5)))]


def _one(tag: str) -> Tags:
    return lambda ctx: (tag,)


# kind -> (key prefix, fill, slots of the period, tags per slot)
_QUARTERLY: dict[str, tuple[str, FillFn, Tags]] = {
    "access_reviews": ("UAR-", fills.fill_access_reviews, _reviewed_systems),
    "secret_rotations": ("ROT-", fills.fill_secret_rotations, _secrets),
    "restore_tests": ("RT-", fills.fill_restore_tests, _datasets),
    "capacity_reviews": ("CAP-", fills.fill_capacity_reviews, _one("all-services")),
    "board_meetings": ("BRD-", fills.fill_board_meetings, _one("board")),
    "committee_meetings": ("SEC-", fills.fill_committee_meetings, _one("committee")),
    "risk_reviews": ("RR-", fills.fill_risk_reviews, _one("register")),
    "control_tests": ("CT-", fills.fill_control_tests, _controls),
}
_MONTHLY: dict[str, tuple[str, FillFn, Tags]] = {
    "patch_rollouts": ("PATCH-", fills.fill_patch_rollouts, _images),
    "uptime_reports": ("UP-", fills.fill_uptime_reports, _one("service")),
    "purge_runs": ("PURGE-", fills.fill_purge_runs, _purge_sets),
}


def build_sources(
    ctx: RowContext, kind_ids: Sequence[str], target_rows: int
) -> dict[str, RowSource]:
    """A source per kind (in ``POPULATION_KINDS`` order) sized to about ``target_rows`` in all."""
    wanted = [k for k in POPULATION_KINDS if k in kind_ids]
    sources: dict[str, RowSource] = {}
    for kind_id in wanted:
        if kind_id not in SCALABLE_WEIGHTS and kind_id != "customer_notifications":
            sources[kind_id] = _fixed_source(ctx, kind_id)
    if "customer_notifications" in wanted:
        incidents = sources.get("incidents") or _fixed_source(ctx, "incidents")
        assert isinstance(incidents, MaterializedSource)
        sources["customer_notifications"] = _notifications(ctx, incidents)
    scalable = [k for k in wanted if k in SCALABLE_WEIGHTS]
    left = max(target_rows - sum(s.count for s in sources.values()), 0)
    total_weight = sum(SCALABLE_WEIGHTS[k] for k in scalable) or 1
    for kind_id in scalable:
        share = round(left * SCALABLE_WEIGHTS[kind_id] / total_weight)
        ctx.volumes[kind_id] = max(MIN_SCALABLE_ROWS, share)
        prefix, fill = _SCALABLE_FILLS[kind_id]
        schedule = EventSchedule(ctx.volumes[kind_id], ctx.period)
        sources[kind_id] = _timed(ctx, kind_id, prefix, schedule, fill, ctx.rng(kind_id))
    return {k: sources[k] for k in wanted}


def _timed(
    ctx: RowContext,
    kind_id: str,
    prefix: str,
    schedule: Schedule,
    fill: FillFn,
    rng: random.Random,
) -> TimedSource:
    evidence = ROW_EVIDENCE.get(kind_id)
    return TimedSource(
        ctx,
        population_kind(kind_id),
        prefix,
        schedule,
        fill,
        rng,
        evidence=evidence[1] if evidence else None,
        evidence_paths=evidence[0] if evidence else None,
    )


def _fixed_source(ctx: RowContext, kind_id: str) -> RowSource:
    if kind_id in PEOPLE_SOURCES:
        return PEOPLE_SOURCES[kind_id](ctx)
    rng = ctx.rng(kind_id)
    if kind_id in _FIXED_EVENTS:
        prefix, fill, (low, high) = _FIXED_EVENTS[kind_id]
        source = _timed(
            ctx, kind_id, prefix, EventSchedule(ctx.fixed(low, high, rng), ctx.period), fill, rng
        )
        return materialize(source) if kind_id == "incidents" else source
    prefix, fill, schedule = _periodic(ctx, kind_id, rng)
    return _timed(ctx, kind_id, prefix, schedule, fill, rng)


def _periodic(ctx: RowContext, kind_id: str, rng: random.Random) -> tuple[str, FillFn, Schedule]:
    p = ctx.period
    if kind_id in _QUARTERLY or kind_id in _MONTHLY:
        slots: list[Slot] = p.quarters() if kind_id in _QUARTERLY else p.months()
        prefix, fill, tags = _QUARTERLY.get(kind_id) or _MONTHLY[kind_id]
        return prefix, fill, SlotSchedule(p, cross(slots, tags(ctx)), rng)
    if kind_id == "vulnerability_scans":
        pairs = cross(p.iso_weeks(), _scan_groups(ctx))
        scans = SlotSchedule(p, pairs, rng, business=False, hours=(1, 5))
        return "SCAN-", fills.fill_vulnerability_scans, scans
    if kind_id == "vendor_reviews":
        reviews = SlotSchedule(p, split(p, _critical_vendors(ctx)), rng)
        return "VR-", fills.fill_vendor_reviews, reviews
    if kind_id == "backups":
        daily = DailySchedule(range(p.days), _datastores(ctx), ctx.backup_runs_per_day)
        return "bkp-", fills.fill_backups, daily
    if kind_id == "job_reviews":
        return "JR-", fills.fill_job_reviews, DailySchedule(p.business_days(), _jobs(ctx))
    if kind_id == "flow_reconciliations":
        flows = DailySchedule(p.business_days(), _flows(ctx))
        return "REC-", fills.fill_flow_reconciliations, flows
    raise KeyError(f"no generator for population kind {kind_id!r}")


def _notifications(ctx: RowContext, incidents: MaterializedSource) -> MaterializedSource:
    """One customer notice per incident with customer impact, before a 3-day deadline."""
    rng = ctx.rng("customer_notifications")
    p = ctx.period
    cols = incidents.columns
    rows: list[tuple[str, ...]] = []
    for incident, detected, impact in zip(
        cols["incident_id"], cols["detected_at"], cols["customer_impact"], strict=True
    ):
        if impact != "yes":
            continue
        day = p.offset(p.start.fromisoformat(detected[:10]))
        notified = min(day + rng.randint(0, 2), p.days - 1)
        channel = rng.choice(("email", "status page", "email and status page"))
        rows.append((incident, str(rng.randint(1, 400)), p.day(day + 3), p.day(notified), channel))
    names = ("incident_id", "customers_affected", "deadline_on", "notified_on", "channel")
    chunk: Chunk = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    chunk["notification_id"] = [f"NTF-{1001 + i}" for i in range(len(rows))]
    count = len(rows)
    return MaterializedSource(
        population_kind("customer_notifications"), chunk, lambda j: f"NTF-{1101 + count + j}"
    )
