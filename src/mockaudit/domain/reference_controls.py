"""The 90-control reference set of soc2-domain.md §5, and the populations they are tested on.

Why it is data: the generator draws a program from it, the walkthrough rehearsal
keys its questions by ``family``, and gap reports can say "the reference control
for this criterion is GOV-05" — all without anyone retyping §5. Ids follow the
document's numbering; titles and descriptions are our own words.

A control with ``population=None`` is evidenced by a document or a configuration
(control-level evidence, described by ``evidence``); every other control names the
population kind its attributes are tested on, and every attribute reads columns
of that kind (checked by tests/domain/test_reference_controls.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mockaudit.domain.controls import Attribute
from mockaudit.domain.enums import AttributeCheck, ControlKind, Frequency, Nature, RiskTier


class Family(StrEnum):
    """One §5.x subsection: the unit walkthrough questions and owner roles are keyed by."""

    GOVERNANCE = "governance"
    RISK = "risk"
    PEOPLE = "people"
    ACCESS = "access"
    INFRASTRUCTURE = "infrastructure"
    MONITORING = "monitoring"
    INCIDENT = "incident"
    CHANGE = "change"
    VENDOR = "vendor"
    AVAILABILITY = "availability"
    CONFIDENTIALITY = "confidentiality"
    PROCESSING_INTEGRITY = "processing_integrity"
    PRIVACY = "privacy"


class ColumnType(StrEnum):
    """How a population column's values are written in the CSV."""

    TEXT = "text"
    DATE = "date"  # 2026-03-01
    DATETIME = "datetime"  # 2026-03-01T14:05:00Z
    INTEGER = "integer"
    NUMBER = "number"
    FLAG = "flag"  # yes | no
    EVIDENCE = "evidence"  # ';'-separated paths relative to the scenario folder


@dataclass(frozen=True)
class Column:
    """One CSV column of a population kind."""

    name: str
    type: ColumnType = ColumnType.TEXT


@dataclass(frozen=True)
class PopulationKind:
    """What one population looks like as exported from its system of record.

    ``query`` is a template (``{start}``/``{end}`` are the period bounds) for the
    query an auditor would ask to see re-run; ``system`` is the usual source.
    """

    id: str
    title: str
    system: str
    key: str
    date: str
    columns: tuple[Column, ...]
    query: str
    evidence_column: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``; ``KeyError`` naming kind and column otherwise."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"population kind {self.id!r} has no column {name!r}")


@dataclass(frozen=True)
class ReferenceControl:
    """One control of the reference set, with the defaults a generated program uses."""

    id: str
    family: Family
    title: str
    description: str
    criteria: tuple[str, ...]
    frequency: Frequency
    kind: ControlKind
    nature: Nature
    risk: RiskTier
    owner_role: str
    population: str | None
    attributes: tuple[Attribute, ...]
    evidence: str
    """What the control-level evidence shows (a config export, an approved document…)."""


# --- population kinds --------------------------------------------------------------------

_TYPES = {t.value: t for t in ColumnType}


def _kind(
    kind_id: str,
    title: str,
    system: str,
    key: str,
    date: str,
    columns: str,
    query: str,
    evidence: str | None = None,
) -> PopulationKind:
    """Build a kind from ``"name name:date ..."``: the suffix after ':' is the column type."""
    cols = []
    for spec in columns.split():
        name, _, type_name = spec.partition(":")
        cols.append(Column(name, _TYPES[type_name] if type_name else ColumnType.TEXT))
    if evidence is not None:
        cols.append(Column(evidence, ColumnType.EVIDENCE))
    return PopulationKind(kind_id, title, system, key, date, tuple(cols), query, evidence)


_KINDS: tuple[PopulationKind, ...] = (
    _kind("hires", "New hires (employees and contractors) who started in the period",
          "bamboohr", "employee_id", "start_date",
          "employee_id name email type role manager offer_date:date offer_approved_by "
          "interview_feedback start_date:date check_vendor check_completed_on:date check_result "
          "nda_signed_on:date policy_ack_on:date",
          "report:new-hires start_date:{start}..{end}", evidence="evidence"),
    _kind("terminations", "Employees and contractors whose employment ended in the period",
          "bamboohr", "employee_id", "terminated_on",
          "employee_id name email type terminated_on:date reason offboarding_ticket "
          "checklist_completed_on:date devices_returned_on:date",
          "report:terminations termination_date:{start}..{end}", evidence="evidence"),
    _kind("access_removals", "Identity-provider deactivations of departing users",
          "okta", "removal_id", "removed_on",
          "removal_id email system terminated_on:date removed_on:date removed_by ticket_id",
          'eventType eq "user.lifecycle.deactivate" and published {start}..{end}'),
    _kind("access_grants", "Access provisioning requests fulfilled in the period",
          "jira", "request_id", "provisioned_at",
          "request_id user_email system role_requested requested_by approver "
          "approved_at:datetime provisioned_at:datetime provisioned_by",
          'project = ACCESS AND status = Done AND resolved >= "{start}" AND resolved <= "{end}"'),
    _kind("role_changes", "Role changes and transfers in the period",
          "bamboohr", "change_id", "changed_on",
          "change_id employee_id email old_role new_role changed_on:date reviewed_by "
          "review_ticket access_updated_on:date",
          "report:job-changes effective_date:{start}..{end}"),
    _kind("access_reviews", "User access reviews completed per system and quarter",
          "okta", "review_id", "completed_on",
          "review_id system quarter list_extracted_on:date list_source includes_admins:flag "
          "reviewer completed_on:date users_reviewed:integer changes_requested:integer "
          "changes_completed_on:date",
          "access-certification campaigns completed:{start}..{end}", evidence="evidence"),
    _kind("secret_rotations", "Rotations of service credentials, API keys and secrets",
          "aws-prod", "rotation_id", "rotated_on",
          "rotation_id secret_name system owner stored_in rotated_on:date next_due_on:date",
          "cloudtrail eventName=RotateSecret eventTime:{start}..{end}"),
    _kind("contractor_access", "Access granted to third-party and contractor users",
          "okta", "grant_id", "granted_on",
          "grant_id vendor user_email system approved_by granted_on:date expires_on:date",
          'group = "contractors" and eventType eq "group.user_membership.add" '
          "published {start}..{end}"),
    _kind("support_sessions", "Support and engineer sessions that accessed customer data",
          "admin-console", "session_id", "started_at",
          "session_id employee customer_id reason approved_by started_at:datetime "
          "ended_at:datetime",
          "SELECT * FROM impersonation_sessions WHERE started_at BETWEEN '{start}' AND '{end}'"),
    _kind("disposals", "Devices and media disposed of in the period",
          "asset-tracker", "asset_tag", "disposed_on",
          "asset_tag device_type serial disposed_on:date method disposal_vendor certificate_id",
          "assets status:disposed disposed_on:{start}..{end}", evidence="evidence"),
    _kind("vulnerability_scans", "Scheduled vulnerability scans run in the period",
          "aws-inspector", "scan_id", "scan_date",
          "scan_id scan_date:date target_group assets_scanned:integer critical:integer "
          "high:integer medium:integer status",
          "inspector2 list-coverage-statistics --filter scanDate={start}..{end}"),
    _kind("vulnerabilities", "Vulnerability tickets opened in the period",
          "jira", "vuln_id", "found_on",
          "vuln_id title severity asset found_on:date due_on:date fixed_on:date ticket_id",
          'project = VULN AND created >= "{start}" AND created <= "{end}"'),
    _kind("patch_rollouts", "Monthly OS and base-image patch rollouts",
          "aws-prod", "rollout_id", "completed_on",
          "rollout_id month image_id patch_level started_on:date completed_on:date "
          "hosts_patched:integer",
          "ssm list-commands --filter PatchBaseline completed:{start}..{end}"),
    _kind("code_scan_findings", "Dependency and static-analysis findings raised in CI",
          "github", "finding_id", "opened_at",
          "finding_id repo tool severity rule opened_at:datetime triaged_at:datetime resolution",
          "code-scanning alerts created:{start}..{end}"),
    _kind("security_alerts", "Security alerts raised by monitoring in the period",
          "datadog", "alert_id", "created_at",
          "alert_id rule severity created_at:datetime acknowledged_at:datetime "
          "acknowledged_by disposition",
          "security_signals from:{start} to:{end}"),
    _kind("incidents", "Security and availability incidents declared in the period",
          "pagerduty", "incident_id", "detected_at",
          "incident_id title severity detected_at:datetime declared_at:datetime "
          "contained_at:datetime resolved_at:datetime customer_impact commander rca_link",
          "incidents since={start} until={end}", evidence="evidence"),
    _kind("customer_notifications", "Customer and regulator notifications of incidents",
          "zendesk", "notification_id", "notified_on",
          "notification_id incident_id customers_affected:integer deadline_on:date "
          "notified_on:date channel",
          "tickets tag:incident-notice created>={start} created<={end}"),
    _kind("changes", "Merged pull requests to production repositories",
          "github", "pr_id", "merged_at",
          "pr_id repo title ticket_id author approver approved_at:datetime merged_at:datetime "
          "merged_by ci_status deploy_id deployed_at:datetime",
          "is:pr is:merged base:main merged:{start}..{end}"),
    _kind("infra_changes", "Infrastructure-as-code and console changes applied",
          "terraform-cloud", "change_id", "applied_at",
          "change_id workspace type author approver approved_at:datetime applied_at:datetime "
          "ticket_id",
          "runs status:applied created:{start}..{end}"),
    _kind("emergency_changes", "Emergency changes deployed outside the normal flow",
          "jira", "change_id", "deployed_on",
          "change_id reason author deployed_on:date reviewer retro_reviewed_on:date ticket_id",
          'project = CHG AND type = Emergency AND created >= "{start}" AND created <= "{end}"'),
    _kind("data_fixes", "Direct production data fixes and manual migrations",
          "jira", "request_id", "executed_at",
          "request_id description requested_by approved_by approved_at:datetime executed_by "
          "executed_at:datetime",
          'project = DATAFIX AND resolved >= "{start}" AND resolved <= "{end}"'),
    _kind("releases", "Significant releases announced to customers and staff",
          "jira", "release_id", "released_on",
          "release_id version released_on:date significance notes_link audience",
          'project = REL AND fixVersion released >= "{start}" AND released <= "{end}"'),
    _kind("customer_contracts", "Customer contracts signed in the period",
          "docusign", "contract_id", "signed_on",
          "contract_id customer template_version security_terms:flag signed_on:date",
          "envelopes status:completed completed:{start}..{end}"),
    _kind("vendor_onboardings", "Vendors onboarded in the period",
          "vanta", "vendor_id", "onboarded_on",
          "vendor_id vendor service tier assessed_on:date assessment_type approved_by "
          "onboarded_on:date",
          "vendors onboarded:{start}..{end}"),
    _kind("vendor_reviews", "Annual reviews of critical vendors and their SOC reports",
          "vanta", "review_id", "reviewed_on",
          "review_id vendor tier report_type report_period_end:date opinion "
          "exceptions_noted:integer cuecs_mapped:flag reviewed_by reviewed_on:date",
          "vendor-reviews completed:{start}..{end}", evidence="evidence"),
    _kind("vendor_contracts", "Vendor contracts and DPAs signed in the period",
          "docusign", "contract_id", "signed_on",
          "contract_id vendor security_clause:flag breach_notice_clause:flag "
          "dpa_signed_on:date signed_on:date",
          "envelopes folder:vendors status:completed completed:{start}..{end}"),
    _kind("backups", "Backup jobs of production datastores",
          "aws-prod", "job_id", "run_date",
          "job_id datastore run_date:date started_at:datetime status size_mb:integer "
          "destination_region encrypted:flag",
          "backup list-backup-jobs --by-created-after {start} --by-created-before {end}"),
    _kind("restore_tests", "Backup restore tests performed in the period",
          "jira", "test_id", "test_date",
          "test_id test_date:date dataset restore_minutes:integer integrity_check performed_by",
          'project = OPS AND labels = restore-test AND resolved >= "{start}"'
          ' AND resolved <= "{end}"', evidence="evidence"),
    _kind("capacity_reviews", "Capacity and performance review meetings",
          "confluence", "review_id", "review_date",
          "review_id review_date:date services peak_utilisation_pct:integer reviewer actions",
          'space = SRE AND label = capacity-review AND created >= "{start}"'
          ' AND created <= "{end}"'),
    _kind("uptime_reports", "Monthly availability reports against the SLA",
          "statuspage", "report_id", "reported_on",
          "report_id month availability_pct:number sla_target_pct:number reported_on:date "
          "reviewed_by",
          "uptime reports month:{start}..{end}"),
    _kind("purge_runs", "Retention purge job runs",
          "aws-prod", "run_id", "run_date",
          "run_id dataset retention_days:integer run_date:date records_purged:integer status",
          "stepfunctions list-executions retention-purge started:{start}..{end}"),
    _kind("customer_offboardings", "Customers offboarded and their data deleted",
          "salesforce", "customer_id", "contract_end",
          "customer_id customer contract_end:date deletion_requested_on:date deleted_on:date "
          "confirmation_sent_on:date",
          "SELECT Id FROM Account WHERE Contract_End__c >= {start} AND Contract_End__c <= {end}"),
    _kind("job_reviews", "Daily reviews of processing jobs and error queues",
          "datadog", "review_id", "review_date",
          "review_id review_date:date job status errors:integer reviewed_by resolved_on:date",
          "notebook:job-review from:{start} to:{end}"),
    _kind("flow_reconciliations", "Input/output reconciliations of key data flows",
          "airflow", "recon_id", "run_date",
          "recon_id run_date:date flow input_count:integer output_count:integer "
          "variance:integer status investigated_by",
          "dag_runs dag_id=reconcile_* execution_date:{start}..{end}"),
    _kind("consents", "Consent records captured before processing personal data",
          "app-db", "consent_id", "consent_at",
          "consent_id subject_id purpose consent_version consent_at:datetime "
          "processing_started_at:datetime",
          "SELECT * FROM consents WHERE consent_at BETWEEN '{start}' AND '{end}'"),
    _kind("privacy_requests", "Data subject requests received in the period",
          "zendesk", "request_id", "received_on",
          "request_id type received_on:date identity_verified_on:date completed_on:date outcome",
          "tickets form:dsr created>={start} created<={end}"),
    _kind("disclosure_log", "Authorised and unauthorised disclosures of personal data",
          "vanta", "event_id", "event_date",
          "event_id type recipient data_subjects:integer event_date:date notified_on:date",
          "disclosure-register date:{start}..{end}"),
    _kind("board_meetings", "Board meetings with a security and risk briefing",
          "confluence", "meeting_id", "meeting_date",
          "meeting_id meeting_date:date attendees independent_director_present:flag "
          "security_on_agenda:flag minutes_link",
          'space = BOARD AND label = minutes AND created >= "{start}" AND created <= "{end}"',
          evidence="evidence"),
    _kind("committee_meetings", "Security and compliance committee meetings",
          "confluence", "meeting_id", "meeting_date",
          "meeting_id meeting_date:date chair attendees risks_reviewed:flag "
          "deficiencies_reviewed:flag action_items:integer",
          'space = SEC AND label = committee AND created >= "{start}" AND created <= "{end}"',
          evidence="evidence"),
    _kind("risk_reviews", "Risk register reviews",
          "vanta", "review_id", "review_date",
          "review_id review_date:date reviewer risks_reviewed:integer risks_changed:integer "
          "overdue_escalated:flag",
          "risk-register reviews date:{start}..{end}"),
    _kind("control_tests", "Internal control self-assessment results",
          "vanta", "test_id", "test_date",
          "test_id control_ref test_date:date result owner tracked_as",
          "control-tests run:{start}..{end}"),
    _kind("trainings", "Security training completions",
          "knowbe4", "completion_id", "completed_on",
          "completion_id person_id email course course_version assigned_on:date due_on:date "
          "completed_on:date",
          "training-report enrollments completed:{start}..{end}"),
    _kind("performance_reviews", "Performance evaluations completed",
          "bamboohr", "review_id", "completed_on",
          "review_id employee_id cycle reviewer completed_on:date",
          "report:performance-reviews completed:{start}..{end}"),
    _kind("disciplinary_cases", "Disciplinary cases for policy violations",
          "bamboohr", "case_id", "opened_on",
          "case_id violation_type opened_on:date action_taken decided_by closed_on:date",
          "report:cases opened:{start}..{end}"),
)  # fmt: skip

POPULATION_KINDS: dict[str, PopulationKind] = {k.id: k for k in _KINDS}
"""Every population kind the reference set is tested on, by id."""


# --- attribute helpers -------------------------------------------------------------------


def _present(aid: str, field: str) -> Attribute:
    return Attribute(id=aid, check=AttributeCheck.PRESENT, field=field)


def _equals(aid: str, field: str, value: str) -> Attribute:
    return Attribute(id=aid, check=AttributeCheck.EQUALS, field=field, value=value)


def _one_of(aid: str, field: str, *values: str) -> Attribute:
    return Attribute(id=aid, check=AttributeCheck.IN, field=field, values=values)


def _different(aid: str, a: str, b: str) -> Attribute:
    return Attribute(id=aid, check=AttributeCheck.DIFFERENT, fields=(a, b))


def _before(aid: str, a: str, b: str) -> Attribute:
    return Attribute(id=aid, check=AttributeCheck.BEFORE, fields=(a, b))


def _within(aid: str, a: str, b: str, days: int) -> Attribute:
    return Attribute(id=aid, check=AttributeCheck.WITHIN_DAYS, fields=(a, b), days=days)


_EVIDENCED = Attribute(id="evidenced", check=AttributeCheck.EVIDENCE)

_F = Frequency
_K = ControlKind
_N = Nature
_R = RiskTier


def _ctl(
    cid: str,
    family: Family,
    title: str,
    description: str,
    criteria: str,
    plan: tuple[Frequency, ControlKind, Nature, RiskTier, str],
    population: str | None = None,
    attributes: tuple[Attribute, ...] = (),
    evidence: str = "",
) -> ReferenceControl:
    """One control; ``plan`` is (frequency, kind, nature, risk tier, owner role)."""
    frequency, kind, nature, risk, owner_role = plan
    return ReferenceControl(
        id=cid,
        family=family,
        title=title,
        description=description,
        criteria=tuple(criteria.split()),
        frequency=frequency,
        kind=kind,
        nature=nature,
        risk=risk,
        owner_role=owner_role,
        population=population,
        attributes=attributes,
        evidence=evidence,
    )


# fmt: off
_GOV = Family.GOVERNANCE
_GOVERNANCE = (
    _ctl("GOV-01", _GOV, "Information security policies approved and reviewed at least annually",
         "The security policy set has named owners, is approved by an executive inside the "
         "period and is re-reviewed no more than twelve months apart.",
         "CC5.3 CC2.2 CC1.3", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "Security Lead"),
         evidence="Policy register with version, owner, approver and approval date"),
    _ctl("GOV-02", _GOV, "Personnel acknowledge policies and the code of conduct at hire",
         "Each new employee or contractor acknowledges the policy set and code of conduct "
         "within thirty days of starting; acknowledgements are tracked in the HR system.",
         "CC1.1 CC2.2 CC1.5", (_F.PER_EVENT, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE,
                               "Head of People"),
         "hires", (_within("ack-within-30-days", "start_date", "policy_ack_on", 30),)),
    _ctl("GOV-03", _GOV, "Organizational chart maintained and reviewed",
         "A dated organisation chart shows reporting lines, including the security function, "
         "and is reviewed at least yearly against the HR roster.",
         "CC1.3", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Head of People"),
         evidence="Organisation chart dated inside the period"),
    _ctl("GOV-04", _GOV, "Security roles and responsibilities defined",
         "Security, incident-response and compliance roles are written down and assigned to "
         "named people, and the documents are kept current.",
         "CC1.3 CC1.4 CC7.4", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Security Lead"),
         evidence="Security RACI and job descriptions with last-updated dates"),
    _ctl("GOV-05", _GOV, "Board oversight of security with an independent member",
         "The board meets at the cadence in its charter, with at least one member independent "
         "of management, and receives a security and risk briefing recorded in minutes.",
         "CC1.2 CC2.2 CC4.2", (_F.QUARTERLY, _K.MANUAL, _N.DETECTIVE, _R.MODERATE, "CEO"),
         "board_meetings",
         (_equals("independent-member", "independent_director_present", "yes"),
          _equals("security-briefing", "security_on_agenda", "yes"), _EVIDENCED)),
    _ctl("GOV-06", _GOV, "Management security committee reviews program status",
         "A management committee meets each quarter to review open risks, control "
         "deficiencies and the follow-up of earlier action items.",
         "CC1.2 CC4.2 CC5.1", (_F.QUARTERLY, _K.MANUAL, _N.DETECTIVE, _R.MODERATE, "CTO"),
         "committee_meetings",
         (_equals("risks-reviewed", "risks_reviewed", "yes"),
          _equals("deficiencies-reviewed", "deficiencies_reviewed", "yes"), _EVIDENCED)),
    _ctl("GOV-07", _GOV, "Anonymous ethics reporting channel",
         "Staff can report ethics or security concerns anonymously through a hotline tool "
         "that is announced to everyone; reports are triaged by Legal.",
         "CC2.2 CC1.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.DETECTIVE, _R.LOW, "Legal"),
         evidence="Hotline configuration and the staff announcement"),
    _ctl("GOV-08", _GOV, "Security commitments communicated to customers",
         "Customer contracts use the current template with security and confidentiality "
         "terms that match the system description.",
         "CC2.3 CC2.2", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Legal"),
         "customer_contracts",
         (_equals("security-terms", "security_terms", "yes"),
          _present("template-recorded", "template_version"))),
    _ctl("GOV-09", _GOV, "Customer support and incident-reporting channel available",
         "Customers can reach support through a published channel, and tickets tagged as "
         "security are routed to the security team automatically.",
         "CC2.3 CC7.3", (_F.CONTINUOUS, _K.AUTOMATED, _N.DETECTIVE, _R.LOW, "Support Lead"),
         evidence="Support portal page and the routing rule for security tickets"),
    _ctl("GOV-10", _GOV, "Significant system changes communicated to customers and staff",
         "Releases that change how customers use or secure the service are announced through "
         "release notes or the status page.",
         "CC2.2 CC2.3", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Product Lead"),
         "releases",
         (_present("notes-published", "notes_link"),
          _one_of("audience-informed", "audience", "customers", "customers-and-staff"))),
)

_RSK = Family.RISK
_RISK = (
    _ctl("RSK-01", _RSK, "Annual risk assessment including fraud and change considerations",
         "A yearly risk assessment considers fraud and significant internal and external "
         "changes; each risk gets an owner and a treatment, and the CEO approves the result.",
         "CC3.1 CC3.2 CC3.3 CC3.4 CC9.1",
         (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.HIGH, "Security Lead"),
         evidence="Approved risk assessment and risk register"),
    _ctl("RSK-02", _RSK, "Risk register reviewed and treatment tracked",
         "The risk register is reviewed every quarter; overdue treatments are escalated to "
         "management.",
         "CC3.2 CC4.2 CC9.1", (_F.QUARTERLY, _K.MANUAL, _N.DETECTIVE, _R.MODERATE, "GRC Lead"),
         "risk_reviews",
         (_present("reviewer-recorded", "reviewer"),
          _equals("overdue-escalated", "overdue_escalated", "yes"))),
    _ctl("RSK-03", _RSK, "Internal control self-assessment with deficiency tracking",
         "Controls are self-assessed each quarter in the GRC tool; failed checks become "
         "owned, tracked deficiencies.",
         "CC4.1 CC4.2 CC2.1",
         (_F.QUARTERLY, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.MODERATE, "GRC Lead"),
         "control_tests",
         (_present("owner-assigned", "owner"),
          _one_of("result-handled", "result", "pass", "deficiency_tracked"))),
    _ctl("RSK-04", _RSK, "Independent penetration test at least annually with remediation",
         "An independent firm tests the production application and infrastructure every year; "
         "critical and high findings are fixed or formally accepted and then retested.",
         "CC4.1 CC7.1", (_F.ANNUAL, _K.MANUAL, _N.DETECTIVE, _R.HIGH, "Security Lead"),
         evidence="Penetration test report and retest letter"),
    _ctl("RSK-05", _RSK, "Cybersecurity insurance maintained",
         "Cyber insurance coverage is kept in force for the whole period.",
         "CC9.1", (_F.ANNUAL, _K.MANUAL, _N.CORRECTIVE, _R.LOW, "CFO"),
         evidence="Insurance declaration page with coverage dates"),
    _ctl("RSK-06", _RSK, "Legal, regulatory and contractual requirements tracked",
         "A register of legal, regulatory and contractual obligations is kept with owners and "
         "reviewed every year.",
         "CC3.1 CC2.3 CC5.3", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Legal"),
         evidence="Requirements register with last review date"),
)

_PPL = Family.PEOPLE
_PEOPLE = (
    _ctl("HR-01", _PPL, "Background checks completed for new hires before start",
         "Every new hire has a background check completed and cleared before the first day, "
         "unless a documented legal exemption applies.",
         "CC1.1 CC1.4", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "Head of People"),
         "hires",
         (_before("check-before-start", "check_completed_on", "start_date"),
          _equals("check-cleared", "check_result", "clear"))),
    _ctl("HR-02", _PPL, "Confidentiality agreement signed at onboarding",
         "Employees and contractors sign a confidentiality agreement on or before their "
         "start date.",
         "CC1.1 C1.1", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "Head of People"),
         "hires", (_before("nda-before-start", "nda_signed_on", "start_date"),)),
    _ctl("HR-03", _PPL, "Security awareness training within 30 days of hire and annually",
         "Staff complete security awareness training by the due date the LMS assigns: thirty "
         "days after hire, then yearly.",
         "CC1.4 CC2.2", (_F.PER_EVENT, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE,
                         "Security Lead"),
         "trainings",
         (_before("completed-by-due-date", "completed_on", "due_on"),
          _present("course-version-recorded", "course_version"))),
    _ctl("HR-04", _PPL, "Performance evaluations completed at least annually",
         "Eligible staff receive a documented performance evaluation each review cycle from "
         "someone other than themselves.",
         "CC1.4 CC1.5", (_F.ANNUAL, _K.MANUAL, _N.DETECTIVE, _R.LOW, "Head of People"),
         "performance_reviews",
         (_different("not-self-reviewed", "employee_id", "reviewer"),),
         evidence="Review-cycle calendar and completion summary"),
    _ctl("HR-05", _PPL, "Candidates evaluated against role requirements before hire",
         "Each hire has recorded interview feedback against the job description and an offer "
         "approved by an authorised manager.",
         "CC1.4", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Head of People"),
         "hires",
         (_present("interview-feedback", "interview_feedback"),
          _present("offer-approved", "offer_approved_by"))),
    _ctl("HR-06", _PPL, "Disciplinary process for policy violations",
         "Policy violations open a case that ends in a documented decision by an authorised "
         "person.",
         "CC1.5 CC1.1", (_F.PER_EVENT, _K.MANUAL, _N.CORRECTIVE, _R.LOW, "Head of People"),
         "disciplinary_cases",
         (_present("action-documented", "action_taken"),
          _present("decided-by-recorded", "decided_by"))),
    _ctl("HR-07", _PPL, "Secure development training for engineers annually",
         "Every engineer completes the secure development course once a year; new engineers "
         "are enrolled automatically.",
         "CC1.4 CC8.1", (_F.ANNUAL, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "VP Eng"),
         evidence="LMS completion report for the secure development course"),
    _ctl("HR-08", _PPL, "Offboarding checklist completed and company assets returned",
         "Each departure has an offboarding ticket, and devices are returned or remotely "
         "wiped within two weeks of the last day.",
         "CC6.2 CC6.5", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "IT Lead"),
         "terminations",
         (_present("offboarding-ticket", "offboarding_ticket"),
          _within("devices-returned", "terminated_on", "devices_returned_on", 14), _EVIDENCED)),
)

_ACC = Family.ACCESS
_ACCESS = (
    _ctl("IAM-01", _ACC, "Access provisioning requires a documented, approved request",
         "Access is granted only from a ticket approved by the manager or system owner, "
         "before provisioning, and never by the person receiving the access.",
         "CC6.2 CC6.3 CC6.1",
         (_F.PER_EVENT, _K.IT_DEPENDENT_MANUAL, _N.PREVENTIVE, _R.HIGH, "IT Lead"),
         "access_grants",
         (_different("approver-not-grantee", "user_email", "approver"),
          _before("approved-before-provisioning", "approved_at", "provisioned_at"))),
    _ctl("IAM-02", _ACC, "Access revoked for terminated users within SLA",
         "The identity-provider account of a departing user is disabled within three days of "
         "the termination date recorded by HR, under a ticket.",
         "CC6.2 CC6.3", (_F.PER_EVENT, _K.IT_DEPENDENT_MANUAL, _N.PREVENTIVE, _R.HIGH,
                         "IT Lead"),
         "access_removals",
         (_within("removed-within-sla", "terminated_on", "removed_on", 3),
          _present("ticketed", "ticket_id"))),
    _ctl("IAM-03", _ACC, "Access modified on role change or transfer",
         "When someone changes role, their new manager reviews access under a ticket and "
         "entitlements no longer needed are removed within five days.",
         "CC6.2 CC6.3", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "IT Lead"),
         "role_changes",
         (_present("review-ticket", "review_ticket"),
          _within("access-updated", "changed_on", "access_updated_on", 5))),
    _ctl("IAM-04", _ACC, "User access reviews for in-scope systems at least quarterly",
         "Each quarter, system owners review a system-generated user list for every in-scope "
         "system, record decisions and have inappropriate access removed.",
         "CC6.1 CC6.2 CC6.3 CC4.1",
         (_F.QUARTERLY, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.HIGH, "Security Lead"),
         "access_reviews",
         (_equals("system-generated-list", "list_source", "system_export"),
          _before("list-before-review", "list_extracted_on", "completed_on"), _EVIDENCED)),
    _ctl("IAM-05", _ACC, "Privileged access restricted and reviewed",
         "Administrator accounts are limited to an approved list with a business reason and "
         "are covered by the quarterly access review.",
         "CC6.1 CC6.3",
         (_F.QUARTERLY, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.HIGH, "Security Lead"),
         "access_reviews",
         (_equals("admins-included", "includes_admins", "yes"),
          _present("reviewer-recorded", "reviewer"))),
    _ctl("IAM-06", _ACC, "MFA enforced for the identity provider, production and remote access",
         "A sign-on policy requires a second factor for every user; exemptions are approved "
         "and enrollment is complete.",
         "CC6.1 CC6.6", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.HIGH, "IT Lead"),
         evidence="MFA enforcement policy export and enrollment report"),
    _ctl("IAM-07", _ACC, "Unique user IDs; shared accounts prohibited or controlled",
         "Every account maps to one person or to a service with a named owner; shared logins "
         "are not used.",
         "CC6.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "Security Lead"),
         evidence="Account inventory mapping accounts to owners"),
    _ctl("IAM-08", _ACC, "Password and authentication standards configured",
         "Identity-provider password length, lockout and session settings match the "
         "authentication policy.",
         "CC6.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "IT Lead"),
         evidence="Password and session policy configuration"),
    _ctl("IAM-09", _ACC, "Production infrastructure and database access restricted",
         "Production access goes through SSO role assumption for an approved group of "
         "engineers; no long-lived personal keys exist.",
         "CC6.1 CC6.3", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.HIGH, "SRE Lead"),
         evidence="Production role membership export"),
    _ctl("IAM-10", _ACC, "Secrets and service credentials owned and rotated",
         "Service credentials and API keys live in the secrets manager, have an owner and are "
         "rotated before their due date.",
         "CC6.1", (_F.QUARTERLY, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.MODERATE,
                   "SRE Lead"),
         "secret_rotations",
         (_present("owner-assigned", "owner"),
          _equals("in-secrets-manager", "stored_in", "secrets-manager"),
          _before("rotated-on-time", "rotated_on", "next_due_on"))),
    _ctl("IAM-11", _ACC, "Contractor and third-party access approved and time-bound",
         "Contractor access is approved and carries an expiry date after which it lapses.",
         "CC6.2 CC9.2", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "IT Lead"),
         "contractor_access",
         (_present("approved", "approved_by"),
          _before("expiry-set", "granted_on", "expires_on"))),
    _ctl("IAM-12", _ACC, "Single sign-on enforced for in-scope SaaS applications",
         "In-scope applications accept logins only through the identity provider; local "
         "logins are disabled or documented as exceptions.",
         "CC6.1 CC6.2", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "IT Lead"),
         evidence="SSO enforcement settings per application"),
    _ctl("IAM-13", _ACC, "Access to customer data is logged and approved",
         "Support or engineering sessions into customer data record a reason and an approver "
         "and are logged from start to end.",
         "CC6.1 C1.1 CC7.2", (_F.PER_EVENT, _K.AUTOMATED, _N.DETECTIVE, _R.MODERATE,
                              "Support Lead"),
         "support_sessions",
         (_present("reason-recorded", "reason"), _present("approved", "approved_by"),
          _before("session-logged", "started_at", "ended_at"))),
    _ctl("PHY-01", _ACC, "Physical access restricted; data-centre security carved out",
         "Office badges match active staff and are reviewed yearly; data-centre physical "
         "security is relied on through the cloud provider's SOC 2 report.",
         "CC6.4", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "IT Lead"),
         evidence="Badge access review and the cloud provider's SOC 2 report"),
)

_INF = Family.INFRASTRUCTURE
_INFRASTRUCTURE = (
    _ctl("INF-01", _INF, "Customer data encrypted at rest",
         "Datastores, volumes and backups holding customer data are encrypted with managed "
         "keys, enforced by a configuration rule.",
         "CC6.1 C1.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.HIGH, "SRE Lead"),
         evidence="Encryption-at-rest configuration rule results"),
    _ctl("INF-02", _INF, "Data encrypted in transit over public networks",
         "Public endpoints accept TLS 1.2 or newer only and refuse plaintext.",
         "CC6.7 CC6.6", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "SRE Lead"),
         evidence="TLS scan of public endpoints"),
    _ctl("INF-03", _INF, "Encryption key access restricted and rotated",
         "Key administrators are limited to an approved list and automatic key rotation is on.",
         "CC6.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "SRE Lead"),
         evidence="Key policy and rotation settings"),
    _ctl("INF-04", _INF, "Firewall rules deny by default and are reviewed annually",
         "Security groups deny by default, admin ports are never open to the internet, and "
         "the ruleset is reviewed every year.",
         "CC6.6 CC6.1", (_F.ANNUAL, _K.IT_DEPENDENT_MANUAL, _N.PREVENTIVE, _R.MODERATE,
                         "SRE Lead"),
         evidence="Annual security-group ruleset review"),
    _ctl("INF-05", _INF, "Production network segregated from development and test",
         "Production runs in its own accounts and networks with no uncontrolled peering to "
         "non-production.",
         "CC6.1 CC6.6 CC8.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE,
                               "SRE Lead"),
         evidence="Account and VPC layout"),
    _ctl("INF-06", _INF, "Web application firewall and DDoS protection on public endpoints",
         "Every public endpoint sits behind the WAF with the managed ruleset enabled.",
         "CC6.6 A1.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.LOW, "SRE Lead"),
         evidence="WAF association and ruleset configuration"),
    _ctl("INF-07", _INF, "Hardening baselines maintained as code",
         "Hosts and images are built from a reviewed hardening baseline kept as code.",
         "CC7.1 CC6.6 CC5.2", (_F.ANNUAL, _K.AUTOMATED, _N.PREVENTIVE, _R.LOW, "SRE Lead"),
         evidence="Hardening baseline with review date"),
    _ctl("INF-08", _INF, "Production asset inventory maintained",
         "Automated discovery keeps an inventory of production assets, each with an owner.",
         "CC6.1 CC2.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.DETECTIVE, _R.LOW, "SRE Lead"),
         evidence="Asset inventory export"),
    _ctl("END-01", _INF, "Endpoints managed with encryption, screen lock and updates",
         "Laptops are enrolled in MDM, which enforces disk encryption, screen lock and OS "
         "updates and flags non-compliant devices.",
         "CC6.7 CC6.8 CC6.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE,
                               "IT Lead"),
         evidence="MDM compliance report"),
    _ctl("END-02", _INF, "Anti-malware or EDR deployed and updating",
         "An EDR agent runs and updates automatically on every endpoint and server, with "
         "alerts routed to security.",
         "CC6.8 CC7.2", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE,
                         "Security Lead"),
         evidence="EDR deployment and version report"),
    _ctl("END-03", _INF, "Removable media restricted or encrypted",
         "An MDM profile blocks or encrypts removable media on company devices.",
         "CC6.7", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.LOW, "IT Lead"),
         evidence="Removable-media MDM profile"),
    _ctl("END-04", _INF, "Media and devices sanitised before disposal",
         "Disposed devices are wiped or destroyed by a vendor who issues a certificate.",
         "CC6.5 C1.2", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "IT Lead"),
         "disposals",
         (_present("certificate", "certificate_id"),
          _one_of("approved-method", "method", "wipe", "shred", "degauss"), _EVIDENCED)),
)

_MON = Family.MONITORING
_MONITORING = (
    _ctl("VUL-01", _MON, "Vulnerability scans run on schedule",
         "Infrastructure and container images are scanned every week and each scan completes "
         "over all in-scope assets.",
         "CC7.1 CC4.1", (_F.WEEKLY, _K.AUTOMATED, _N.DETECTIVE, _R.MODERATE, "Security Lead"),
         "vulnerability_scans", (_equals("scan-completed", "status", "completed"),)),
    _ctl("VUL-02", _MON, "Vulnerabilities remediated within severity SLAs",
         "Each vulnerability gets a ticket and a due date by severity and is fixed by then or "
         "risk-accepted.",
         "CC7.1 CC4.2", (_F.PER_EVENT, _K.IT_DEPENDENT_MANUAL, _N.CORRECTIVE, _R.HIGH,
                         "SRE Lead"),
         "vulnerabilities",
         (_before("fixed-by-due-date", "fixed_on", "due_on"), _present("ticketed", "ticket_id"))),
    _ctl("VUL-03", _MON, "Patch management for OS and runtime images",
         "Base images are rebuilt with current patches every month and rolled out to hosts.",
         "CC7.1 CC6.6", (_F.MONTHLY, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "SRE Lead"),
         "patch_rollouts",
         (_present("patch-level-recorded", "patch_level"),
          _before("rollout-completed", "started_on", "completed_on"))),
    _ctl("VUL-04", _MON, "Dependency and code scanning in CI with triage",
         "Dependency and static-analysis scanners run on every pull request; findings are "
         "triaged within a week.",
         "CC7.1 CC8.1", (_F.PER_EVENT, _K.AUTOMATED, _N.DETECTIVE, _R.MODERATE, "VP Eng"),
         "code_scan_findings",
         (_within("triaged-within-7-days", "opened_at", "triaged_at", 7),
          _present("resolution-recorded", "resolution"))),
    _ctl("MON-01", _MON, "Centralised security logging with defined retention",
         "Cloud, identity-provider and application audit logs flow to a central platform that "
         "keeps them for the policy retention and protects them from deletion.",
         "CC7.2 CC4.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.DETECTIVE, _R.MODERATE,
                         "Security Lead"),
         evidence="Log sources, destinations and retention settings"),
    _ctl("MON-02", _MON, "Security alerts triaged per runbook",
         "Security alerts are acknowledged within a day and closed with a documented "
         "disposition, escalating to an incident when the runbook says so.",
         "CC7.2 CC7.3", (_F.PER_EVENT, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.HIGH,
                         "Security Lead"),
         "security_alerts",
         (_within("acknowledged-within-1-day", "created_at", "acknowledged_at", 1),
          _present("disposition-documented", "disposition"))),
    _ctl("MON-03", _MON, "Availability monitoring with paging to on-call",
         "Key services have monitors with thresholds that page a 24x7 on-call rotation.",
         "A1.1 CC7.2", (_F.CONTINUOUS, _K.AUTOMATED, _N.DETECTIVE, _R.MODERATE, "SRE Lead"),
         evidence="Monitor configuration and on-call schedule export"),
)

_INC = Family.INCIDENT
_INCIDENT = (
    _ctl("IR-01", _INC, "Incident response plan documented, approved and communicated",
         "The incident response plan defines severities, roles, communication and evidence "
         "handling, and is approved every year.",
         "CC7.3 CC7.4 CC2.2", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE,
                               "Security Lead"),
         evidence="Approved incident response plan"),
    _ctl("IR-02", _INC, "Incidents logged, classified, contained, resolved and reviewed",
         "Every incident has a ticket with a severity and timeline, is handled per the plan, "
         "and ends with a root-cause review whose actions are tracked.",
         "CC7.3 CC7.4 CC7.5 CC4.2", (_F.PER_EVENT, _K.MANUAL, _N.CORRECTIVE, _R.HIGH,
                                     "Security Lead"),
         "incidents",
         (_one_of("severity-classified", "severity", "sev1", "sev2", "sev3", "sev4"),
          _before("resolved-after-detection", "detected_at", "resolved_at"),
          _present("root-cause-documented", "rca_link"), _EVIDENCED)),
    _ctl("IR-03", _INC, "Customers and regulators notified of incidents per commitments",
         "When an incident requires notice, affected customers or regulators are told before "
         "the contractual or legal deadline.",
         "CC7.4 CC2.3 P6.6", (_F.PER_EVENT, _K.MANUAL, _N.CORRECTIVE, _R.MODERATE, "Legal"),
         "customer_notifications",
         (_before("notified-by-deadline", "notified_on", "deadline_on"),)),
    _ctl("IR-04", _INC, "Incident response plan tested at least annually",
         "A yearly tabletop exercise tests the plan and records lessons learned and actions.",
         "CC7.4 CC7.5", (_F.ANNUAL, _K.MANUAL, _N.DETECTIVE, _R.MODERATE, "Security Lead"),
         evidence="Tabletop exercise report with lessons learned"),
)

_CHG = Family.CHANGE
_CHANGE = (
    _ctl("CHG-01", _CHG, "Code changes peer-reviewed and approved before merge",
         "Every pull request to a production branch links a ticket, is approved by someone "
         "other than its author before merge, passes CI and is deployed through the pipeline.",
         "CC8.1 CC5.3", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.HIGH, "VP Eng"),
         "changes",
         (_present("ticket-linked", "ticket_id"),
          _different("independent-approval", "author", "approver"),
          _before("approved-before-merge", "approved_at", "merged_at"),
          _equals("ci-green", "ci_status", "success"),
          _present("deploy-traceable", "deploy_id"))),
    _ctl("CHG-02", _CHG, "Branch protection enforced on production repositories",
         "Production repositories require reviews and passing checks before merge; the few "
         "admins who can bypass are listed and bypasses are reviewed.",
         "CC8.1 CC6.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.HIGH, "VP Eng"),
         evidence="Branch protection settings for production repositories"),
    _ctl("CHG-03", _CHG, "Infrastructure changes reviewed and approved",
         "Infrastructure-as-code and console changes are approved by a second engineer before "
         "they are applied, under a ticket.",
         "CC8.1", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.HIGH, "SRE Lead"),
         "infra_changes",
         (_different("independent-approval", "author", "approver"),
          _before("approved-before-apply", "approved_at", "applied_at"),
          _present("ticketed", "ticket_id"))),
    _ctl("CHG-04", _CHG, "Emergency changes retroactively approved within two days",
         "Emergency changes are documented and reviewed by someone other than the author "
         "within two days of deployment.",
         "CC8.1", (_F.PER_EVENT, _K.MANUAL, _N.CORRECTIVE, _R.MODERATE, "VP Eng"),
         "emergency_changes",
         (_within("reviewed-within-2-days", "deployed_on", "retro_reviewed_on", 2),
          _different("independent-review", "author", "reviewer"))),
    _ctl("CHG-05", _CHG, "Separate environments; no production data outside production",
         "Development, staging and production are separate, and non-production uses "
         "synthetic or masked data.",
         "CC8.1 C1.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "SRE Lead"),
         evidence="Environment layout and data-source configuration"),
    _ctl("CHG-06", _CHG, "Production deployment limited to the pipeline",
         "Only the deployment pipeline role and a small approved group can deploy to "
         "production.",
         "CC8.1 CC6.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.HIGH, "SRE Lead"),
         evidence="Deploy permission list"),
    _ctl("CHG-07", _CHG, "Direct production data fixes approved and logged",
         "Manual data fixes and migrations are approved before execution, executed by "
         "someone other than the approver, and logged.",
         "CC8.1 PI1.3", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "VP Eng"),
         "data_fixes",
         (_before("approved-before-execution", "approved_at", "executed_at"),
          _different("executor-not-approver", "approved_by", "executed_by"))),
    _ctl("CHG-08", _CHG, "SDLC policy defines change types, testing and rollback",
         "The change management policy describes standard and emergency changes, testing, "
         "rollback and segregation of duties, and is approved every year.",
         "CC8.1 CC5.3 CC5.2", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "CTO"),
         evidence="Approved SDLC and change management policy"),
)

_VEN = Family.VENDOR
_VENDOR = (
    _ctl("VEN-01", _VEN, "Vendor inventory with risk tiering",
         "All vendors are listed with the service, data access and risk tier, subservice "
         "organisations are flagged, and the list is reviewed yearly.",
         "CC9.2", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "GRC Lead"),
         evidence="Vendor inventory with tiers and review date"),
    _ctl("VEN-02", _VEN, "Security due diligence before onboarding critical vendors",
         "New vendors are assessed for security before onboarding and the assessment is "
         "approved.",
         "CC9.2", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "GRC Lead"),
         "vendor_onboardings",
         (_before("assessed-before-onboarding", "assessed_on", "onboarded_on"),
          _present("assessment-approved", "approved_by"))),
    _ctl("VEN-03", _VEN, "Annual review of critical vendors and their SOC reports",
         "Critical vendors' SOC reports are read each year: opinion and exceptions considered "
         "and complementary user-entity controls mapped to our own.",
         "CC9.2 CC4.1", (_F.ANNUAL, _K.MANUAL, _N.DETECTIVE, _R.MODERATE, "Security Lead"),
         "vendor_reviews",
         (_present("reviewer-recorded", "reviewed_by"),
          _equals("cuecs-mapped", "cuecs_mapped", "yes"),
          _one_of("opinion-considered", "opinion", "unqualified", "qualified"), _EVIDENCED),
         evidence="Vendor review procedure and the list of critical vendors"),
    _ctl("VEN-04", _VEN, "Vendor contracts carry security and breach-notification terms",
         "Contracts and DPAs with vendors include security, confidentiality and "
         "breach-notification clauses.",
         "CC9.2 C1.1 P6.4 P6.5", (_F.PER_EVENT, _K.MANUAL, _N.PREVENTIVE, _R.LOW, "Legal"),
         "vendor_contracts",
         (_equals("security-clause", "security_clause", "yes"),
          _equals("breach-notice-clause", "breach_notice_clause", "yes"))),
)

_AV = Family.AVAILABILITY
_AVAILABILITY = (
    _ctl("AV-01", _AV, "Automated backups of production data with failure alerting",
         "Production datastores are backed up daily to another region, encrypted, and a "
         "failed job raises an alert.",
         "A1.2", (_F.DAILY, _K.AUTOMATED, _N.PREVENTIVE, _R.HIGH, "SRE Lead"),
         "backups",
         (_equals("backup-succeeded", "status", "success"),
          _equals("backup-encrypted", "encrypted", "yes"))),
    _ctl("AV-02", _AV, "Backup restoration tested periodically",
         "Each quarter a backup is restored and its integrity verified, with screenshots or "
         "logs kept as evidence.",
         "A1.3 A1.2", (_F.QUARTERLY, _K.MANUAL, _N.DETECTIVE, _R.HIGH, "SRE Lead"),
         "restore_tests",
         (_equals("integrity-verified", "integrity_check", "passed"), _EVIDENCED)),
    _ctl("AV-03", _AV, "Business continuity and disaster recovery plan tested annually",
         "The BC/DR plan is approved and exercised every year; achieved recovery times are "
         "compared with targets and gaps are tracked.",
         "A1.3 CC9.1 CC7.5", (_F.ANNUAL, _K.MANUAL, _N.CORRECTIVE, _R.MODERATE, "CTO"),
         evidence="BC/DR plan and the annual DR test results"),
    _ctl("AV-04", _AV, "Replicated architecture for production datastores",
         "Production datastores run across availability zones with replication alerts.",
         "A1.2", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "SRE Lead"),
         evidence="Multi-AZ and replication configuration"),
    _ctl("AV-05", _AV, "Capacity and performance reviewed; scaling configured",
         "Capacity and utilisation are reviewed each quarter and actions are recorded.",
         "A1.1", (_F.QUARTERLY, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.LOW, "SRE Lead"),
         "capacity_reviews",
         (_present("reviewer-recorded", "reviewer"), _present("actions-recorded", "actions"))),
    _ctl("AV-06", _AV, "Uptime and SLA performance tracked and reported",
         "Availability against the SLA is reported every month and reviewed.",
         "A1.1 CC2.3", (_F.MONTHLY, _K.AUTOMATED, _N.DETECTIVE, _R.LOW, "SRE Lead"),
         "uptime_reports", (_present("reviewed", "reviewed_by"),)),
)

_CONF = Family.CONFIDENTIALITY
_CONFIDENTIALITY = (
    _ctl("CONF-01", _CONF, "Data classification policy and data inventory",
         "Data is classified by a policy and an inventory lists where confidential data "
         "lives; both are reviewed yearly.",
         "C1.1 CC6.1", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "Security Lead"),
         evidence="Data classification policy and data inventory"),
    _ctl("CONF-02", _CONF, "Retention schedule enforced by purge jobs",
         "Monthly jobs purge confidential data once its retention period has passed.",
         "C1.2 P4.2", (_F.MONTHLY, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "SRE Lead"),
         "purge_runs", (_equals("purge-succeeded", "status", "success"),)),
    _ctl("CONF-03", _CONF, "Customer data deleted at contract termination",
         "Departing customers' data is deleted within thirty days of contract end and a "
         "confirmation is sent.",
         "C1.2 CC6.5", (_F.PER_EVENT, _K.IT_DEPENDENT_MANUAL, _N.PREVENTIVE, _R.MODERATE,
                        "Support Lead"),
         "customer_offboardings",
         (_within("deleted-within-30-days", "contract_end", "deleted_on", 30),
          _present("confirmation-sent", "confirmation_sent_on"))),
    _ctl("CONF-04", _CONF, "Confidential data masked in non-production and exports",
         "Masking rules apply to confidential fields in non-production copies and exports.",
         "C1.1 CC6.7", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "VP Eng"),
         evidence="Masking rule configuration"),
)

_PI = Family.PROCESSING_INTEGRITY
_PROCESSING_INTEGRITY = (
    _ctl("PI-01", _PI, "Input validation on customer-submitted data",
         "Server-side validation rejects malformed customer input; a test per rule family "
         "shows the rejection.",
         "PI1.2 CC2.1", (_F.CONTINUOUS, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE, "VP Eng"),
         evidence="Validation rules and a rejected-input test run"),
    _ctl("PI-02", _PI, "Processing jobs monitored and error queues reviewed",
         "Processing jobs and error queues are reviewed every business day and failed items "
         "reprocessed.",
         "PI1.3 PI1.4 A1.1", (_F.DAILY, _K.IT_DEPENDENT_MANUAL, _N.DETECTIVE, _R.MODERATE,
                              "SRE Lead"),
         "job_reviews",
         (_present("reviewer-recorded", "reviewed_by"),
          _one_of("errors-handled", "status", "ok", "errors_resolved"))),
    _ctl("PI-03", _PI, "Output reconciliations on key data flows",
         "Input and output counts of key flows are reconciled daily and variances "
         "investigated.",
         "PI1.4 PI1.5 PI1.1", (_F.DAILY, _K.AUTOMATED, _N.DETECTIVE, _R.MODERATE, "VP Eng"),
         "flow_reconciliations",
         (_one_of("reconciled", "status", "reconciled", "variance_explained"),
          _present("investigated", "investigated_by"))),
)

_PRV = Family.PRIVACY
_PRIVACY = (
    _ctl("PRIV-01", _PRV, "Privacy notice published, reviewed and updated",
         "The privacy notice is reviewed yearly and on practice changes; the personal-data "
         "inventory shows collection and use limited to its purposes.",
         "P1.1 P2.1 P3.1 P4.1", (_F.ANNUAL, _K.MANUAL, _N.PREVENTIVE, _R.MODERATE, "Legal"),
         evidence="Privacy notice versions and review record"),
    _ctl("PRIV-02", _PRV, "Consent captured and recorded where required",
         "Consent is recorded with its version before personal data is processed for a "
         "purpose that needs it.",
         "P2.1 P3.2 P6.1", (_F.PER_EVENT, _K.AUTOMATED, _N.PREVENTIVE, _R.MODERATE,
                            "Product Lead"),
         "consents",
         (_before("consent-before-processing", "consent_at", "processing_started_at"),
          _present("consent-version", "consent_version"))),
    _ctl("PRIV-03", _PRV, "Data subject requests fulfilled within SLA",
         "Access, correction and deletion requests are verified and completed within thirty "
         "days.",
         "P5.1 P5.2 P4.3 P7.1 P8.1", (_F.PER_EVENT, _K.MANUAL, _N.CORRECTIVE, _R.MODERATE,
                                      "Legal"),
         "privacy_requests",
         (_within("completed-within-30-days", "received_on", "completed_on", 30),
          _present("identity-verified", "identity_verified_on"))),
    _ctl("PRIV-04", _PRV, "Disclosure and breach registers maintained",
         "Authorised and unauthorised disclosures of personal data are logged with the "
         "recipient, and breaches are notified.",
         "P6.2 P6.3 P6.6 P6.7", (_F.PER_EVENT, _K.MANUAL, _N.DETECTIVE, _R.MODERATE, "Legal"),
         "disclosure_log",
         (_present("recipient-recorded", "recipient"),
          _one_of("type-classified", "type", "authorised", "unauthorised"))),
)
# fmt: on

REFERENCE_CONTROLS: tuple[ReferenceControl, ...] = (
    *_GOVERNANCE,
    *_RISK,
    *_PEOPLE,
    *_ACCESS,
    *_INFRASTRUCTURE,
    *_MONITORING,
    *_INCIDENT,
    *_CHANGE,
    *_VENDOR,
    *_AVAILABILITY,
    *_CONFIDENTIALITY,
    *_PROCESSING_INTEGRITY,
    *_PRIVACY,
)
"""The 90 controls in document order (§5.1 … §5.13)."""

OWNER_ROLES: tuple[str, ...] = tuple(dict.fromkeys(c.owner_role for c in REFERENCE_CONTROLS))
"""The owner roles the reference set uses, in first-use order."""

_BY_ID: dict[str, ReferenceControl] = {c.id: c for c in REFERENCE_CONTROLS}


def reference_control(control_id: str) -> ReferenceControl:
    """The reference control with this id; ``KeyError`` naming the id otherwise."""
    try:
        return _BY_ID[control_id]
    except KeyError:
        raise KeyError(f"unknown reference control {control_id!r}") from None


def population_kind(kind_id: str) -> PopulationKind:
    """The population kind with this id; ``KeyError`` naming the id otherwise."""
    try:
        return POPULATION_KINDS[kind_id]
    except KeyError:
        raise KeyError(f"unknown population kind {kind_id!r}") from None


def controls_of(family: Family | str) -> tuple[ReferenceControl, ...]:
    """The reference controls of one family, in document order."""
    wanted = Family(family)
    return tuple(c for c in REFERENCE_CONTROLS if c.family is wanted)
