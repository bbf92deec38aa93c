"""Per-row evidence files: what an auditor opens for a sampled item.

Each evidenced population kind names its files from the row key (so the CSV's
evidence column can be written before the file) and builds their content from
the row's own values, after any planted defect has changed them — a deviating
row carries evidence that shows the deviation, as it would in real life.
"""

from __future__ import annotations

from collections.abc import Callable

from mockaudit.scenarios.synthetic.evidence_files import pdf_text, png_text
from mockaudit.scenarios.synthetic.synthetic_rows import RowContext

PathsFn = Callable[[str], list[str]]
Row = dict[str, str]


def _hire_paths(key: str) -> list[str]:
    return [f"evidence/hires/{key}-onboarding.pdf"]


def _hire_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    lines = [
        f"Company: {ctx.workforce.company}",
        f"Employee: {row['name']} ({row['employee_id']}), {row['type']}",
        f"Role: {row['role']}, manager {row['manager']}",
        f"Offer dated {row['offer_date']}, approved by {row['offer_approved_by']}",
        f"Start date: {row['start_date']}",
        "",
        f"Background check: {row['check_vendor']}, completed {row['check_completed_on']},"
        f" result: {row['check_result']}",
        f"Confidentiality agreement signed: {row['nda_signed_on']}",
        f"Policy and code of conduct acknowledged: {row['policy_ack_on']}",
        f"Interview scorecards: {row['interview_feedback']}",
    ]
    return [(_hire_paths(row["employee_id"])[0], pdf_text("Onboarding record", lines))]


def _termination_paths(key: str) -> list[str]:
    return [f"evidence/terminations/{key}-offboarding.txt"]


def _termination_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    text = "\n".join(
        [
            f"Offboarding checklist - ticket {row['offboarding_ticket']}",
            f"Employee: {row['name']} ({row['employee_id']}) <{row['email']}>",
            f"Last day: {row['terminated_on']} ({row['reason']})",
            "[x] Identity provider account deactivated",
            "[x] Removed from source control organisation and cloud console",
            f"[x] Devices returned or wiped: {row['devices_returned_on']}",
            f"[x] Checklist completed: {row['checklist_completed_on']}",
            "",
        ]
    )
    return [(_termination_paths(row["employee_id"])[0], text.encode())]


def _review_paths(key: str) -> list[str]:
    return [f"evidence/access_reviews/{key}.csv"]


def _review_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    """The reviewed user list: one decision per user, removals for the changes requested."""
    users = [e.email for e in ctx.workforce.employees][: int(row["users_reviewed"] or 0)]
    removals = min(int(row["changes_requested"] or 0), len(users))
    lines = ["user,decision,reviewer,decided_on"]
    for index, user in enumerate(users):
        decision = "remove" if index < removals else "keep"
        lines.append(f"{user},{decision},{row['reviewer']},{row['completed_on']}")
    return [(_review_paths(row["review_id"])[0], ("\n".join(lines) + "\n").encode())]


def _disposal_paths(key: str) -> list[str]:
    return [f"evidence/disposals/{key}-certificate.pdf"]


def _disposal_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    lines = [
        f"Certificate {row['certificate_id']} issued by {row['disposal_vendor']}",
        f"Customer: {ctx.workforce.company}",
        f"Asset {row['asset_tag']} ({row['device_type']}, serial {row['serial']})",
        f"Method: {row['method']} on {row['disposed_on']}",
        "Data on the asset is no longer recoverable.",
    ]
    return [(_disposal_paths(row["asset_tag"])[0], pdf_text("Certificate of destruction", lines))]


def _incident_paths(key: str) -> list[str]:
    return [f"evidence/incidents/{key}-postmortem.md"]


def _incident_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    text = "\n".join(
        [
            f"# Post-incident review: {row['incident_id']} - {row['title']}",
            "",
            f"- Severity: {row['severity']}; incident commander: {row['commander']}",
            f"- Detected {row['detected_at']}, declared {row['declared_at']}",
            f"- Contained {row['contained_at']}, resolved {row['resolved_at']}",
            f"- Customer impact: {row['customer_impact']}",
            "",
            "## Root cause",
            "A configuration change interacted with an unexpected traffic pattern.",
            "",
            "## Corrective actions",
            "- Add an alert on the failing signal (owner: SRE, tracked in the backlog)",
            "- Extend the runbook with the containment steps used",
            "",
        ]
    )
    return [(_incident_paths(row["incident_id"])[0], text.encode())]


def _vendor_review_paths(key: str) -> list[str]:
    return [f"evidence/vendor_reviews/{key}.txt"]


def _vendor_review_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    text = "\n".join(
        [
            f"Vendor review {row['review_id']}: {row['vendor']} ({row['tier']})",
            f"Report: {row['report_type']} for the period ending {row['report_period_end']}",
            f"Opinion: {row['opinion']}; exceptions noted: {row['exceptions_noted']}",
            f"Complementary user entity controls mapped: {row['cuecs_mapped']}",
            f"Reviewed by {row['reviewed_by']} on {row['reviewed_on']}",
            "",
        ]
    )
    return [(_vendor_review_paths(row["review_id"])[0], text.encode())]


def _restore_paths(key: str) -> list[str]:
    return [f"evidence/restore_tests/{key}-screenshot.png", f"evidence/restore_tests/{key}.log"]


def _restore_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    png, log = _restore_paths(row["test_id"])
    shot = png_text(
        [
            f"RESTORE {row['test_id']} - {row['dataset']}",
            f"Date: {row['test_date']}   Duration: {row['restore_minutes']} min",
            f"Integrity check: {row['integrity_check']}",
            f"Operator: {row['performed_by']}",
        ]
    )
    text = (
        f"{row['test_date']} restore of {row['dataset']} started by {row['performed_by']}\n"
        f"{row['test_date']} restored snapshot to isolated instance\n"
        f"{row['test_date']} row counts compared with source: {row['integrity_check']}\n"
        f"{row['test_date']} finished in {row['restore_minutes']} minutes\n"
    )
    return [(png, shot), (log, text.encode())]


def _board_paths(key: str) -> list[str]:
    return [f"evidence/board/{key}-minutes.pdf"]


def _board_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    lines = [
        f"{ctx.workforce.company} - board meeting of {row['meeting_date']}",
        f"Present: {row['attendees']}",
        f"Independent director present: {row['independent_director_present']}",
        "",
        "1. Business update",
        f"2. Security, risk and compliance briefing (on agenda: {row['security_on_agenda']})",
        "3. Any other business",
    ]
    return [(_board_paths(row["meeting_id"])[0], pdf_text("Board minutes", lines))]


def _committee_paths(key: str) -> list[str]:
    return [f"evidence/committee/{key}-minutes.md"]


def _committee_files(ctx: RowContext, row: Row) -> list[tuple[str, bytes]]:
    text = "\n".join(
        [
            f"# Security committee - {row['meeting_date']}",
            f"Chair: {row['chair']}. Attendees: {row['attendees']}",
            f"- Open risks reviewed: {row['risks_reviewed']}",
            f"- Control deficiencies reviewed: {row['deficiencies_reviewed']}",
            f"- Action items recorded: {row['action_items']}",
            "",
        ]
    )
    return [(_committee_paths(row["meeting_id"])[0], text.encode())]


RowFiles = Callable[[RowContext, Row], list[tuple[str, bytes]]]

ROW_EVIDENCE: dict[str, tuple[PathsFn, RowFiles]] = {
    "hires": (_hire_paths, _hire_files),
    "terminations": (_termination_paths, _termination_files),
    "access_reviews": (_review_paths, _review_files),
    "disposals": (_disposal_paths, _disposal_files),
    "incidents": (_incident_paths, _incident_files),
    "vendor_reviews": (_vendor_review_paths, _vendor_review_files),
    "restore_tests": (_restore_paths, _restore_files),
    "board_meetings": (_board_paths, _board_files),
    "committee_meetings": (_committee_paths, _committee_files),
}
"""Kinds with an evidence column → (paths for a key, files for a row)."""
