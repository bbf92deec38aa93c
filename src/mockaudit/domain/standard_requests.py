"""The standard request (PBC) list of soc2-domain.md §4, as data.

Every auditor asks for these items whatever the program models. Each item says
which categories bring it into scope (security items always), and what in a
program already answers it: population kinds, control ids, or one of the
program's own sections (``policies``, ``description``, ``systems``, ``risks``,
``walkthroughs``). An item nothing answers is still requested, marked "not
modelled — collect and add to the vault"; a file added for it lands at
``pbc/<id>`` in the vault's program files, which answers it from then on.
Wording is ours; ids follow §4.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockaudit.domain.enums import Category
from mockaudit.domain.program import Program
from mockaudit.domain.reference_controls import REFERENCE_CONTROLS

PBC_PREFIX = "pbc/"
NOT_MODELLED = "not modelled — collect and add to the vault"


@dataclass(frozen=True)
class StandardItem:
    id: str
    item: str
    kind: str  # DOC | POP | SMP | CFG | INQ, as §4 marks it
    criteria: tuple[str, ...]
    category: Category = Category.SECURITY
    answered_by: tuple[str, ...] = ()

    @property
    def vault_path(self) -> str:
        """Where evidence added for this item is filed (``pbc/R03``)."""
        return f"{PBC_PREFIX}{self.id}"


def _i(rid: str, item: str, kind: str, criteria: str, by: str = "", cat: str = "") -> StandardItem:
    return StandardItem(
        rid, item, kind, tuple(criteria.split()), Category(cat or "security"), tuple(by.split())
    )


STANDARD_ITEMS: tuple[StandardItem, ...] = (
    _i("R01", "System description draft: services, boundaries, components, commitments, "
       "CUECs and subservice organizations", "DOC", "", "description"),
    _i("R02", "List of in-scope systems, applications, databases and cloud accounts with "
       "owners", "DOC", "CC6.1", "systems"),
    _i("R03", "Current network, architecture and data-flow diagrams", "DOC", "CC2.1", "INF-08"),
    _i("R04", "Vendor and subservice organization list with services and carve-out method",
       "DOC", "CC9.2", "VEN-01"),
    _i("R05", "Full policy set with version, owner, approval date and approver", "DOC",
       "CC5.3 CC2.2", "policies"),
    _i("R06", "Organizational chart dated in the period", "DOC", "CC1.3", "GOV-03"),
    _i("R07", "Board and security-committee meeting list and minutes", "POP", "CC1.2 CC2.2",
       "board_meetings committee_meetings"),
    _i("R08", "Code of conduct and disciplinary policy", "DOC", "CC1.1 CC1.5",
       "disciplinary_cases POL-CONDUCT"),
    _i("R09", "Job descriptions and security roles (RACI)", "DOC", "CC1.3 CC1.4", "GOV-04"),
    _i("R10", "Whistleblower or anonymous reporting channel", "CFG", "CC2.2", "GOV-07"),
    _i("R11", "Customer commitments: MSA/ToS template, SLA, trust page, status page", "DOC",
       "CC2.3", "customer_contracts"),
    _i("R12", "Risk assessment and risk register with owners, treatments and approval", "DOC",
       "CC3.1 CC3.2 CC3.3 CC3.4", "risks"),
    _i("R13", "Internal control self-assessment results and deficiency tracker", "DOC",
       "CC4.1 CC4.2", "control_tests"),
    _i("R14", "Cyber-insurance declaration page", "DOC", "CC9.1", "RSK-05"),
    _i("R15", "Personnel roster: everyone active at any time in the period (ID, type, title, "
       "manager, start, end)", "POP", "CC1.4"),
    _i("R16", "New hires in the period with start dates", "POP", "CC1.1 CC1.4", "hires"),
    _i("R17", "Background-check completion for sampled hires", "SMP", "CC1.1", "HR-01"),
    _i("R18", "Signed NDA and policy acknowledgements for sampled hires", "SMP", "CC1.1 CC2.2",
       "GOV-02 HR-02"),
    _i("R19", "Security-awareness training completion: new hires and annual", "POP",
       "CC1.4 CC2.2", "trainings"),
    _i("R20", "Performance-review completion for sampled staff", "SMP", "CC1.4 CC1.5",
       "performance_reviews"),
    _i("R21", "Developer secure-coding training records", "POP", "CC1.4 CC8.1", "HR-07"),
    _i("R22", "Terminated employees and contractors with termination dates", "POP", "CC6.2",
       "terminations"),
    _i("R23", "Deactivation timestamps, offboarding checklist and asset return for sampled "
       "terminations", "SMP", "CC6.2 CC6.5", "access_removals"),
    _i("R24", "Access grants and provisioning requests in the period", "POP", "CC6.2 CC6.3",
       "access_grants"),
    _i("R25", "Request and approval before provisioning for sampled grants", "SMP", "CC6.2",
       "access_grants"),
    _i("R26", "Role changes and transfers", "POP", "CC6.2 CC6.3", "role_changes"),
    _i("R27", "Quarterly user access reviews per in-scope system with system-generated lists, "
       "decisions, sign-off and removals", "SMP", "CC6.1 CC6.2 CC6.3", "access_reviews"),
    _i("R28", "Current user and admin listings for the IdP, cloud console, production "
       "database and code repository", "POP", "CC6.1 CC6.3"),
    _i("R29", "MFA enforcement configuration and enrollment report", "CFG", "CC6.1", "IAM-06"),
    _i("R30", "Password and authentication policy configuration", "CFG", "CC6.1", "IAM-08"),
    _i("R31", "Service accounts and API keys with owners and rotation evidence", "DOC", "CC6.1",
       "secret_rotations"),
    _i("R32", "Physical access: carve-out of cloud data centres; office badge review", "DOC",
       "CC6.4", "PHY-01"),
    _i("R33", "Encryption at rest for datastores and backups; key-management access list",
       "CFG", "CC6.1 C1.1", "INF-01"),
    _i("R34", "TLS configuration or scan of public endpoints", "CFG", "CC6.7", "INF-02"),
    _i("R35", "Firewall and security-group rules and their annual review", "CFG", "CC6.6",
       "INF-04"),
    _i("R36", "Network segmentation: separate production and non-production", "CFG",
       "CC6.1 CC6.6", "INF-05"),
    _i("R37", "Endpoint inventory with MDM status", "POP", "CC6.7 CC6.8", "END-01"),
    _i("R38", "Anti-malware / EDR deployment and update configuration", "CFG", "CC6.8",
       "END-02"),
    _i("R39", "Production asset inventory", "DOC", "CC6.1", "INF-03"),
    _i("R40", "Media and device disposal log with destruction certificates", "POP",
       "CC6.5 C1.2", "disposals"),
    _i("R41", "Vulnerability scan reports and vulnerability tickets with severity and close "
       "dates, open ones included", "POP", "CC7.1", "vulnerabilities"),
    _i("R42", "Penetration test report, remediation tracking and retest letter", "DOC",
       "CC4.1 CC7.1", "RSK-04"),
    _i("R43", "Patch-management evidence", "POP", "CC7.1", "patch_rollouts"),
    _i("R44", "Logging configuration: central platform, sources, retention", "CFG", "CC7.2",
       "MON-01"),
    _i("R45", "Security alerts in the period with triage disposition", "POP", "CC7.2 CC7.3",
       "security_alerts"),
    _i("R46", "Availability monitoring and alerting configuration and on-call schedule", "CFG",
       "A1.1 CC7.2", "MON-03"),
    _i("R47", "Incident response plan and the incidents of the period", "POP",
       "CC7.3 CC7.4 CC7.5", "incidents"),
    _i("R48", "Ticket, timeline, root cause and post-mortem for sampled incidents", "SMP",
       "CC7.3 CC7.4 CC7.5", "incidents"),
    _i("R49", "Annual incident-response tabletop or test report", "DOC", "CC7.4 CC7.5",
       "IR-04"),
    _i("R50", "Change / SDLC policy with the emergency-change procedure", "DOC", "CC8.1",
       "POL-CHANGE CHG-08"),
    _i("R51", "All production changes and deployments in the period from the system of "
       "record", "POP", "CC8.1", "changes"),
    _i("R52", "Ticket, reviewer, approval, CI result and deployment for sampled changes", "SMP",
       "CC8.1", "changes"),
    _i("R53", "Branch-protection settings, admins who can bypass, and the bypass log", "CFG",
       "CC8.1 CC6.1"),
    _i("R54", "Emergency changes with retroactive approvals", "POP", "CC8.1",
       "emergency_changes"),
    _i("R55", "Users with production deploy rights", "POP", "CC8.1 CC6.1"),
    _i("R56", "Vendor inventory with risk tier and data access", "DOC", "CC9.2", "VEN-01"),
    _i("R57", "Due diligence, SOC report review and contracts for critical vendors", "SMP",
       "CC9.2 C1.1", "vendor_reviews"),
    _i("R58", "Backup configuration: frequency, retention, region, encryption", "CFG", "A1.2",
       "AV-04", "availability"),
    _i("R59", "Backup job logs for sampled days, failure alerts and their resolution", "SMP",
       "A1.2", "backups", "availability"),
    _i("R60", "Backup restore test evidence", "DOC", "A1.3", "restore_tests", "availability"),
    _i("R61", "BC/DR plan and annual DR test results (RTO/RPO achieved)", "DOC", "A1.3 CC9.1",
       "AV-03", "availability"),
    _i("R62", "Capacity and performance reviews or autoscaling configuration", "CFG", "A1.1",
       "capacity_reviews", "availability"),
    _i("R63", "Data classification policy and data inventory", "DOC", "C1.1", "CONF-01",
       "confidentiality"),
    _i("R64", "Customer offboardings with data-deletion evidence", "POP", "C1.2 CC6.5",
       "customer_offboardings", "confidentiality"),
    _i("R65", "Data retention schedule and purge-job evidence", "DOC", "C1.2", "purge_runs",
       "confidentiality"),
    _i("R66", "Management assertion, representation letter and subsequent-events "
       "questionnaire", "DOC", ""),
    _i("R67", "Walkthrough with each control owner", "INQ", "", "walkthroughs"),
)  # fmt: skip


def standard_items(categories: tuple[Category, ...]) -> tuple[StandardItem, ...]:
    """The §4 items for the categories in scope (security's always)."""
    wanted = {Category.SECURITY, *categories}
    return tuple(i for i in STANDARD_ITEMS if i.category in wanted)


def unmodelled_items(program: Program) -> tuple[StandardItem, ...]:
    """The §4 items of the program's categories that nothing in the program answers."""
    return tuple(
        item
        for item in standard_items(program.engagement.categories)
        if not any(_answers(program, token) for token in item.answered_by)
    )


def _answers(program: Program, token: str) -> bool:
    sections = {
        "description": True,
        "systems": True,  # asked by the opening requests with or without names (R02 once)
        "policies": bool(program.policies),
        "risks": bool(program.risks),
        "walkthroughs": bool(program.controls),
    }
    if token in sections:
        return sections[token]
    found = (program.population(token), program.control(token), program.policy(token))
    if any(x is not None for x in found):
        return True
    # a population kind is also answered by the reference controls tested on it, whatever
    # the program calls the population (hand-written programs name their own lists)
    return any(program.control(c) is not None for c in _KIND_CONTROLS.get(token, ()))


def section_item(section: str) -> StandardItem:
    """The §4 item a program section answers (``description`` → R01): where a document
    added for it is filed, beside what the program models."""
    return next(i for i in STANDARD_ITEMS if section in i.answered_by)


SECTION_ITEMS = ("description", "systems", "risks")
"""Sections whose request also looks for a document in the vault (R01, R02, R12)."""


def standard_paths(program: Program) -> list[str]:
    """Vault paths the unmodelled items, and the documents of the sections the program
    models, are answered at (looked up with the other evidence)."""
    sections = [section_item(s).vault_path for s in SECTION_ITEMS]
    return [*sections, *(item.vault_path for item in unmodelled_items(program))]


_KIND_CONTROLS: dict[str, tuple[str, ...]] = {}
for _ref in REFERENCE_CONTROLS:
    if _ref.population is not None:
        _KIND_CONTROLS[_ref.population] = (*_KIND_CONTROLS.get(_ref.population, ()), _ref.id)
