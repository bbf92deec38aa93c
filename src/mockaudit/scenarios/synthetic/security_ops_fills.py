"""Fills for security operations: asset disposals, vulnerability scans and findings, patch
rollouts, code-scan findings, security alerts and incidents.

Each finding is triaged, fixed or acknowledged inside its severity's window, so
the clean program meets every SLA an attribute checks.
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.change_fills import REPOS
from mockaudit.scenarios.synthetic.fill_timing import day_offsets, earlier, shift
from mockaudit.scenarios.synthetic.period_calendar import DAY
from mockaudit.scenarios.synthetic.synthetic_rows import Chunk, Draw, RowContext


def fill_disposals(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n = len(seconds)
    return {
        "device_type": d.weighted(("laptop", "monitor", "phone", "server disk"), (6, 2, 2, 1), n),
        "serial": d.codes("SN", 10_000_000, 99_999_999, n),
        "disposed_on": ctx.period.days_text(day_offsets(seconds)),
        "method": d.weighted(("wipe", "shred", "degauss"), (6, 3, 1), n),
        "disposal_vendor": d.pick(ctx.companies[:3], n),
        "certificate_id": d.codes("COD-", 10_000, 99_999, n),
    }


def fill_vulnerability_scans(
    ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]
) -> Chunk:
    n = len(seconds)
    return {
        "scan_date": ctx.period.days_text(day_offsets(seconds)),
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
    found = day_offsets(seconds)
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
        "due_on": p.days_text(shift(found, sla)),
        "fixed_on": p.days_text(fixed),
        "ticket_id": d.codes("SEC-", 1000, 99_999, n),
    }


def fill_patch_rollouts(ctx: RowContext, d: Draw, seconds: list[int], tags: list[str]) -> Chunk:
    n, p = len(seconds), ctx.period
    days = day_offsets(seconds)
    return {
        "month": [p.day(x)[:7] for x in days],
        "image_id": tags,
        "patch_level": [f"{p.day(x)[:7]}.{v}" for x, v in zip(days, d.ints(1, 4, n), strict=True)],
        "started_on": p.days_text(earlier(days, d.ints(0, 3, n))),
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
        "repo": d.pick(REPOS, n),
        "tool": d.pick(("dependabot", "codeql", "semgrep"), n),
        "severity": d.weighted(("critical", "high", "medium", "low"), (1, 3, 8, 8), n),
        "rule": d.pick(rules, n),
        "opened_at": p.moments_text(seconds),
        "triaged_at": p.moments_text(shift(seconds, d.ints(600, 5 * DAY, n))),
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
        "acknowledged_at": p.moments_text(shift(seconds, d.ints(60, 20 * 3600, n))),
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
    declared = shift(seconds, d.ints(60, 3600, n))
    contained = shift(declared, d.ints(600, 4 * 3600, n))
    resolved = shift(contained, d.ints(3600, 2 * DAY, n))
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
