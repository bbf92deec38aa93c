"""Column fills for the event-driven and periodic population kinds.

Each fill returns every column of its kind except the key, for rows timed at
``seconds`` (offsets from the period start). Values are built so that every
attribute of the reference controls passes and no cell is blank: the clean
program a competent auditor passes. Defects are applied afterwards, by the
generator, to rows it picked in advance.

The fills live by population family — ``change_fills``,
``access_fills``, ``vendor_fills``,
``governance_fills``, ``security_ops_fills``
and ``category_fills``, timed with
``fill_timing``; this module is their index, by name.
"""

from __future__ import annotations

from mockaudit.scenarios.synthetic.access_fills import (
    fill_access_grants,
    fill_access_reviews,
    fill_contractor_access,
    fill_secret_rotations,
    fill_support_sessions,
)
from mockaudit.scenarios.synthetic.category_fills import (
    fill_backups,
    fill_capacity_reviews,
    fill_consents,
    fill_customer_offboardings,
    fill_disclosure_log,
    fill_flow_reconciliations,
    fill_job_reviews,
    fill_privacy_requests,
    fill_purge_runs,
    fill_restore_tests,
    fill_uptime_reports,
)
from mockaudit.scenarios.synthetic.change_fills import (
    fill_changes,
    fill_data_fixes,
    fill_emergency_changes,
    fill_infra_changes,
)
from mockaudit.scenarios.synthetic.governance_fills import (
    fill_board_meetings,
    fill_committee_meetings,
    fill_control_tests,
    fill_customer_contracts,
    fill_disciplinary_cases,
    fill_releases,
    fill_risk_reviews,
)
from mockaudit.scenarios.synthetic.security_ops_fills import (
    fill_code_scan_findings,
    fill_disposals,
    fill_incidents,
    fill_patch_rollouts,
    fill_security_alerts,
    fill_vulnerabilities,
    fill_vulnerability_scans,
)
from mockaudit.scenarios.synthetic.vendor_fills import (
    fill_vendor_contracts,
    fill_vendor_onboardings,
    fill_vendor_reviews,
)

__all__ = [
    "fill_access_grants",
    "fill_access_reviews",
    "fill_backups",
    "fill_board_meetings",
    "fill_capacity_reviews",
    "fill_changes",
    "fill_code_scan_findings",
    "fill_committee_meetings",
    "fill_consents",
    "fill_contractor_access",
    "fill_control_tests",
    "fill_customer_contracts",
    "fill_customer_offboardings",
    "fill_data_fixes",
    "fill_disciplinary_cases",
    "fill_disclosure_log",
    "fill_disposals",
    "fill_emergency_changes",
    "fill_flow_reconciliations",
    "fill_incidents",
    "fill_infra_changes",
    "fill_job_reviews",
    "fill_patch_rollouts",
    "fill_privacy_requests",
    "fill_purge_runs",
    "fill_releases",
    "fill_restore_tests",
    "fill_risk_reviews",
    "fill_secret_rotations",
    "fill_security_alerts",
    "fill_support_sessions",
    "fill_uptime_reports",
    "fill_vendor_contracts",
    "fill_vendor_onboardings",
    "fill_vendor_reviews",
    "fill_vulnerabilities",
    "fill_vulnerability_scans",
]
