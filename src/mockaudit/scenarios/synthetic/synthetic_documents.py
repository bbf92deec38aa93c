"""Program-level evidence: policy documents, control evidence and IPE count screenshots.

Written from the final (possibly defective) program, so a stale policy's PDF
shows its stale approval date and a misdeclared population's screenshot shows
the count the source system "displayed".
"""

from __future__ import annotations

from datetime import date

from mockaudit.domain import Control, Policy, Population
from mockaudit.domain.enums import ControlKind
from mockaudit.domain.reference_controls import ReferenceControl
from mockaudit.scenarios.synthetic.evidence_files import pdf_text, png_text


def policy_pdf(policy: Policy, company: str, owner_name: str) -> bytes:
    """The policy as a short PDF: header facts, its measurable commitments, boilerplate."""
    lines = [
        f"{company}",
        f"Policy id: {policy.id}",
        f"Owner: {owner_name} ({policy.owner})",
        f"Approved on: {policy.approved_on}",
        f"Review interval: {policy.review_interval_days} days",
        "",
        "1. Purpose",
        "This policy sets out what the company expects so that customer data and the",
        "service stay secure and available. It applies to all employees and contractors.",
        "",
        "2. Commitments",
    ]
    lines += [f"- {c.statement}" for c in policy.commitments] or ["- (no measurable commitments)"]
    lines += [
        "",
        "3. Exceptions",
        "Exceptions are requested in writing, approved by the policy owner and reviewed",
        "at least annually.",
        "",
        "4. Enforcement",
        "Violations are handled through the disciplinary process.",
    ]
    return pdf_text(policy.title, lines)


def control_evidence(
    ref: ReferenceControl, control: Control, company: str, captured: date, systems: list[str]
) -> bytes:
    """Control-level evidence in the format the control's kind suggests.

    Automated controls get a configuration "screenshot" (PNG), IT-dependent manual
    controls a system report (CSV), manual ones a signed-off document (PDF).
    """
    if ref.kind is ControlKind.AUTOMATED:
        return png_text(
            [
                f"{ref.evidence.upper()}",
                f"{company} - control {control.id}",
                f"Setting: {control.title}",
                "Status: ENFORCED for all in-scope systems",
                f"Systems: {', '.join(systems[:6])}",
                f"Captured {captured.isoformat()} by {control.owner or 'unknown'}",
            ]
        )
    if ref.kind is ControlKind.IT_DEPENDENT_MANUAL:
        rows = ["item,status,reviewed_by,reviewed_on"]
        rows += [
            f"{system},compliant,{control.owner or ''},{captured.isoformat()}"
            for system in systems[:8]
        ]
        return ("\n".join(rows) + "\n").encode()
    lines = [
        f"{company}",
        f"Control {control.id}: {control.title}",
        "",
        control.description,
        "",
        f"Prepared by {control.owner or 'unknown'}; approved on {captured.isoformat()}.",
    ]
    return pdf_text(ref.evidence, lines)


def count_screenshot(population: Population, declared: int, operator: str) -> bytes:
    """The source system's own count for the query, as an auditor asks to see it."""
    return png_text(
        [
            f"{population.system.upper()} - SAVED SEARCH",
            f"Query: {population.query or '(none)'}",
            f"Result: {declared} records",
            f"Exported {population.extracted_on} by {operator}",
        ]
    )
