"""Column fills for the event-driven and periodic population kinds.

Each fill returns every column of its kind except the key, for rows timed at
``seconds`` (offsets from the period start). Values are built so that every
attribute of the reference controls passes and no cell is blank: the clean
program a competent auditor passes. Defects are applied afterwards, by the
generator, to rows it picked in advance.
"""

from __future__ import annotations

from mockaudit.scenarios.period_calendar import DAY
from mockaudit.scenarios.synthetic_rows import Chunk, Draw, RowContext

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
_REPOS = ("api", "web-app", "billing-service", "worker", "infra-modules", "mobile-app")


def _days(seconds: list[int]) -> list[int]:
    return [s // DAY for s in seconds]


def _shift(values: list[int], deltas: list[int]) -> list[int]:
    return [v + d for v, d in zip(values, deltas, strict=True)]


def _capped(ctx: RowContext, days: list[int], latest: int | None = None) -> list[int]:
    """Day offsets clipped to the last day of the period (or ``latest``)."""
    top = ctx.period.days - 1 if latest is None else latest
    return [min(d, top) for d in days]


def fill_changes(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    engineers = ctx.workforce.engineers
    authors = d.pick(engineers, n)
    approvers = d.other_than(engineers, authors)
    approved = _shift(seconds, [-x for x in d.ints(300, 2 * DAY, n)])
    deployed = _shift(seconds, d.ints(120, 3600, n))
    titles = [f"{v} {o}" for v, o in zip(d.pick(_VERBS, n), d.pick(_OBJECTS, n), strict=True)]
    return {
        "repo": d.pick(_REPOS, n),
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
        "approved_at": p.moments_text(_shift(seconds, [-x for x in d.ints(600, DAY, n)])),
        "applied_at": p.moments_text(seconds),
        "ticket_id": d.codes("OPS-", 100, 9999, n),
    }


def fill_emergency_changes(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    engineers = ctx.workforce.engineers
    authors = d.pick(engineers, n)
    days = _days(seconds)
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
        "retro_reviewed_on": p.days_text(_shift(days, d.ints(0, 2, n))),
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
        "approved_at": p.moments_text(_shift(seconds, [-x for x in d.ints(600, 2 * DAY, n)])),
        "executed_by": d.other_than(engineers, approvers),
        "executed_at": p.moments_text(seconds),
    }


def fill_releases(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    major = d.ints(2, 4, 1)[0]
    versions = [f"v{major}.{i + 1}.0" for i in range(n)]
    domain = ctx.workforce.domain
    return {
        "version": versions,
        "released_on": ctx.period.days_text(_days(seconds)),
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
        "signed_on": ctx.period.days_text(_days(seconds)),
    }


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
    days = _days(seconds)
    return {
        "vendor": d.pick(ctx.companies, n),
        "service": d.pick(_SERVICES, n),
        "tier": d.weighted(("critical", "high", "moderate", "low"), (1, 2, 4, 3), n),
        "assessed_on": p.days_text(_shift(days, [-x for x in d.ints(3, 30, n)])),
        "assessment_type": d.pick(("SOC 2 report review", "security questionnaire"), n),
        "approved_by": [ctx.owner("Security Lead")] * n,
        "onboarded_on": p.days_text(days),
    }


def fill_vendor_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    reviewers = (ctx.owner("Security Lead"), ctx.owner("GRC Lead"))
    return {
        "vendor": tags,
        "tier": ["critical"] * n,
        "report_type": d.weighted(("SOC 2 Type 2", "ISO 27001 certificate"), (5, 1), n),
        "report_period_end": p.days_text(_shift(days, [-x for x in d.ints(30, 120, n)])),
        "opinion": d.weighted(("unqualified", "qualified"), (9, 1), n),
        "exceptions_noted": [str(x) for x in d.ints(0, 3, n)],
        "cuecs_mapped": ["yes"] * n,
        "reviewed_by": d.pick(reviewers, n),
        "reviewed_on": p.days_text(days),
    }


def fill_vendor_contracts(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    return {
        "vendor": d.pick(ctx.companies, n),
        "security_clause": ["yes"] * n,
        "breach_notice_clause": ["yes"] * n,
        "dpa_signed_on": p.days_text(_shift(days, [-x for x in d.ints(0, 5, n)])),
        "signed_on": p.days_text(days),
    }


_REGIONS = ("us-west-2", "eu-central-1", "us-east-2")


def fill_backups(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    region = {tag: _REGIONS[i % len(_REGIONS)] for i, tag in enumerate(sorted(set(tags)))}
    return {
        "datastore": tags,
        "run_date": p.days_text(_days(seconds)),
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
        "test_date": ctx.period.days_text(_days(seconds)),
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
        "review_date": ctx.period.days_text(_days(seconds)),
        "services": ["api; web-app; worker; database"] * n,
        "peak_utilisation_pct": [str(x) for x in d.ints(38, 86, n)],
        "reviewer": [ctx.owner("SRE Lead")] * n,
        "actions": d.pick(actions, n),
    }


def fill_uptime_reports(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    return {
        "month": [p.day(x)[:7] for x in _days(seconds)],
        "availability_pct": [f"{99.9 + x / 1000:.3f}" for x in d.ints(1, 99, n)],
        "sla_target_pct": ["99.900"] * n,
        "reported_on": ctx.period.days_text(_days(seconds)),
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
        "run_date": ctx.period.days_text(_days(seconds)),
        "records_purged": [str(x) for x in d.ints(100, 500_000, n)],
        "status": ["success"] * n,
    }


def fill_customer_offboardings(
    ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]
) -> Chunk:
    n, p = len(seconds), ctx.period
    ends = _days(seconds)
    deleted = _shift(ends, d.ints(5, 25, n))
    return {
        "customer": d.pick(ctx.companies, n),
        "contract_end": p.days_text(ends),
        "deletion_requested_on": p.days_text(_shift(ends, d.ints(0, 3, n))),
        "deleted_on": p.days_text(deleted),
        "confirmation_sent_on": p.days_text(_shift(deleted, d.ints(0, 2, n))),
    }


def fill_job_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    status = d.weighted(("ok", "errors_resolved"), (8, 2), n)
    errors = [str(x) if s != "ok" else "0" for s, x in zip(status, d.ints(1, 40, n), strict=True)]
    days = _days(seconds)
    sre = ctx.workforce.roster_ids("SRE Lead", "Site Reliability Engineer")
    return {
        "review_date": ctx.period.days_text(days),
        "job": tags,
        "status": status,
        "errors": errors,
        "reviewed_by": d.pick(sre, n),
        "resolved_on": ctx.period.days_text(_capped(ctx, _shift(days, d.ints(0, 1, n)))),
    }


def fill_flow_reconciliations(
    ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]
) -> Chunk:
    n = len(seconds)
    inputs = d.ints(1_000, 90_000, n)
    variance = [0 if x < 0.9 else 1 + int(x * 10) for x in (d.random() for _ in range(n))]
    return {
        "run_date": ctx.period.days_text(_days(seconds)),
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
        "processing_started_at": p.moments_text(_shift(seconds, d.ints(1, 3600, n))),
    }


def fill_privacy_requests(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    return {
        "type": d.weighted(("access", "deletion", "correction"), (4, 4, 2), n),
        "received_on": p.days_text(days),
        "identity_verified_on": p.days_text(_shift(days, d.ints(0, 2, n))),
        "completed_on": p.days_text(_shift(days, d.ints(3, 25, n))),
        "outcome": d.weighted(("fulfilled", "denied with explanation"), (9, 1), n),
    }


def fill_disclosure_log(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    return {
        "type": d.weighted(("authorised", "unauthorised"), (9, 1), n),
        "recipient": d.pick(ctx.companies, n),
        "data_subjects": [str(x) for x in d.ints(1, 5_000, n)],
        "event_date": p.days_text(days),
        "notified_on": p.days_text(_capped(ctx, _shift(days, d.ints(0, 3, n)))),
    }


def fill_board_meetings(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
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
        "meeting_date": ctx.period.days_text(_days(seconds)),
        "chair": [ctx.owner("CTO")] * n,
        "attendees": [members] * n,
        "risks_reviewed": ["yes"] * n,
        "deficiencies_reviewed": ["yes"] * n,
        "action_items": [str(x) for x in d.ints(1, 9, n)],
    }


def fill_risk_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    return {
        "review_date": ctx.period.days_text(_days(seconds)),
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
        "test_date": ctx.period.days_text(_days(seconds)),
        "result": results,
        "owner": [ctx.control_owners.get(t, ctx.owner("GRC Lead")) for t in tags],
        "tracked_as": [
            f"DEF-{x}" if r != "pass" else "not needed"
            for r, x in zip(results, numbers, strict=True)
        ],
    }


def fill_secret_rotations(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    owners = (ctx.owner("SRE Lead"), ctx.owner("VP Eng"), ctx.owner("Security Lead"))
    return {
        "secret_name": tags,
        "system": d.pick(("aws-prod", "github", "okta", "stripe", "sendgrid"), n),
        "owner": d.pick(owners, n),
        "stored_in": ["secrets-manager"] * n,
        "rotated_on": p.days_text(days),
        "next_due_on": p.days_text(_shift(days, [90] * n)),
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
        "approved_at": p.moments_text(_shift(seconds, [-x for x in d.ints(600, 2 * DAY, n)])),
        "provisioned_at": p.moments_text(seconds),
        "provisioned_by": [ctx.owner("IT Lead")] * n,
    }


def fill_contractor_access(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    vendors = d.pick(ctx.companies, n)
    people = d.codes("contractor", 1, 400, n)
    users = [f"{who}@{_domain_of(v)}" for who, v in zip(people, vendors, strict=True)]
    return {
        "vendor": vendors,
        "user_email": users,
        "system": d.pick(ctx.reviewed_systems, n),
        "approved_by": [ctx.owner("IT Lead")] * n,
        "granted_on": p.days_text(days),
        "expires_on": p.days_text(_shift(days, d.ints(30, 180, n))),
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
        "ended_at": p.moments_text(_shift(seconds, d.ints(60, 3600, n))),
    }


def fill_disposals(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    return {
        "device_type": d.weighted(("laptop", "monitor", "phone", "server disk"), (6, 2, 2, 1), n),
        "serial": d.codes("SN", 10_000_000, 99_999_999, n),
        "disposed_on": ctx.period.days_text(_days(seconds)),
        "method": d.weighted(("wipe", "shred", "degauss"), (6, 3, 1), n),
        "disposal_vendor": d.pick(ctx.companies[:3], n),
        "certificate_id": d.codes("COD-", 10_000, 99_999, n),
    }


def fill_vulnerability_scans(
    ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]
) -> Chunk:
    n = len(seconds)
    return {
        "scan_date": ctx.period.days_text(_days(seconds)),
        "target_group": tags,
        "assets_scanned": [str(x) for x in d.ints(20, 400, n)],
        "critical": [str(x) for x in d.ints(0, 2, n)],
        "high": [str(x) for x in d.ints(0, 9, n)],
        "medium": [str(x) for x in d.ints(3, 60, n)],
        "status": ["completed"] * n,
    }


_SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180}
_PACKAGES = (
    "openssl",
    "libxml2",
    "lodash",
    "jackson-databind",
    "nginx",
    "glibc",
    "curl",
    "urllib3",
    "express",
    "log4j-core",
    "pillow",
    "protobuf",
)


def fill_vulnerabilities(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    severity = d.weighted(("critical", "high", "medium", "low"), (1, 4, 9, 6), n)
    found = _days(seconds)
    sla = [_SLA_DAYS[s] for s in severity]
    r = d.random
    fixed = [f + int(r() * s) for f, s in zip(found, sla, strict=True)]
    cves = d.ints(10_000, 59_999, n)
    year = ctx.period.start.year
    return {
        "title": [
            f"CVE-{year}-{c} in {pkg}" for c, pkg in zip(cves, d.pick(_PACKAGES, n), strict=True)
        ],
        "severity": severity,
        "asset": d.pick(("api-prod", "web-prod", "worker-prod", "bastion", "base-image"), n),
        "found_on": p.days_text(found),
        "due_on": p.days_text(_shift(found, sla)),
        "fixed_on": p.days_text(fixed),
        "ticket_id": d.codes("SEC-", 1000, 99_999, n),
    }


def fill_patch_rollouts(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    return {
        "month": [p.day(x)[:7] for x in days],
        "image_id": tags,
        "patch_level": [f"{p.day(x)[:7]}.{v}" for x, v in zip(days, d.ints(1, 4, n), strict=True)],
        "started_on": p.days_text(_shift(days, [-x for x in d.ints(0, 3, n)])),
        "completed_on": p.days_text(days),
        "hosts_patched": [str(x) for x in d.ints(4, 240, n)],
    }


def fill_code_scan_findings(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    rules = (
        "sql-injection",
        "prototype-pollution",
        "outdated-dependency",
        "hardcoded-secret",
        "path-traversal",
        "xss",
        "insecure-randomness",
        "ssrf",
    )
    return {
        "repo": d.pick(_REPOS, n),
        "tool": d.pick(("dependabot", "codeql", "semgrep"), n),
        "severity": d.weighted(("critical", "high", "medium", "low"), (1, 3, 8, 8), n),
        "rule": d.pick(rules, n),
        "opened_at": p.moments_text(seconds),
        "triaged_at": p.moments_text(_shift(seconds, d.ints(600, 5 * DAY, n))),
        "resolution": d.weighted(
            ("fixed", "dismissed: false positive", "risk accepted"), (7, 2, 1), n
        ),
    }


def fill_security_alerts(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    rules = (
        "impossible travel",
        "root login",
        "new admin role",
        "brute force",
        "public bucket",
        "malware detected",
        "unusual API volume",
        "disabled MFA",
    )
    responders = ctx.workforce.roster_ids("Security Lead", "Security Engineer", "SRE Lead")
    return {
        "rule": d.pick(rules, n),
        "severity": d.weighted(("low", "medium", "high", "critical"), (8, 5, 2, 1), n),
        "created_at": p.moments_text(seconds),
        "acknowledged_at": p.moments_text(_shift(seconds, d.ints(60, 20 * 3600, n))),
        "acknowledged_by": d.pick(responders, n),
        "disposition": d.weighted(
            ("false positive", "benign", "resolved", "escalated"), (5, 4, 3, 1), n
        ),
    }


def fill_incidents(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    titles = (
        "API latency degradation",
        "Failed deployment rollback",
        "Phishing email clicked",
        "Database failover",
        "Exposed API key revoked",
        "Payment webhook outage",
        "Suspicious login investigated",
        "Queue backlog delayed invoices",
    )
    declared = _shift(seconds, d.ints(60, 3600, n))
    contained = _shift(declared, d.ints(600, 4 * 3600, n))
    resolved = _shift(contained, d.ints(3600, 2 * DAY, n))
    impact = d.weighted(("yes", "no"), (1, 2), n)
    if n:  # the first and last incidents touch customers, so notices span the period too
        impact[0] = impact[-1] = "yes"
    commanders = ctx.workforce.roster_ids("Security Lead", "SRE Lead", "CTO", "VP Eng")
    return {
        "title": d.pick(titles, n),
        "severity": d.weighted(("sev1", "sev2", "sev3", "sev4"), (1, 3, 6, 4), n),
        "detected_at": p.moments_text(seconds),
        "declared_at": p.moments_text(declared),
        "contained_at": p.moments_text(contained),
        "resolved_at": p.moments_text(resolved),
        "customer_impact": impact,
        "commander": d.pick(commanders, n),
        "rca_link": [
            f"https://wiki.{ctx.workforce.domain}/postmortems/{code}"
            for code in d.codes("PM-", 100, 999, n)
        ],
    }


def fill_disciplinary_cases(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
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
        "closed_on": p.days_text(_shift(days, d.ints(3, 30, n))),
    }


def fill_access_reviews(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = _days(seconds)
    reviewers = _system_reviewers(ctx)
    headcount = len(ctx.workforce.employees)
    return {
        "system": tags,
        "quarter": [f"{p.day(x)[:4]}-Q{(int(p.day(x)[5:7]) - 1) // 3 + 1}" for x in days],
        "list_extracted_on": p.days_text(_shift(days, [-x for x in d.ints(1, 3, n)])),
        "list_source": ["system_export"] * n,
        "includes_admins": ["yes"] * n,
        "reviewer": [reviewers.get(t, ctx.owner("Security Lead")) for t in tags],
        "completed_on": p.days_text(days),
        "users_reviewed": [str(max(5, headcount - x)) for x in d.ints(0, 9, n)],
        "changes_requested": [str(x) for x in d.ints(0, 4, n)],
        "changes_completed_on": p.days_text(_capped(ctx, _shift(days, d.ints(0, 3, n)))),
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
