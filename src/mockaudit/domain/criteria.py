"""The Trust Services Criteria catalogue (2017 TSC): 61 criteria, in our own words.

Ids are the official ones; themes and summaries are short paraphrases written
for this tool, not AICPA text. The catalogue is data, so the scoping and
coverage logic can ask "which criteria does this engagement need?" without
anyone typing the list again.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from mockaudit.domain.enums import Category


class Criterion(BaseModel):
    """One criterion: its id, the category it belongs to, a theme and a one-line summary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: Category
    theme: str
    summary: str


_S = Category.SECURITY
_A = Category.AVAILABILITY
_C = Category.CONFIDENTIALITY
_PI = Category.PROCESSING_INTEGRITY
_P = Category.PRIVACY

_TABLE: tuple[tuple[str, Category, str, str], ...] = (
    ("CC1.1", _S, "Integrity and ethics",
     "Leaders set and enforce standards of integrity and ethical conduct."),
    ("CC1.2", _S, "Board oversight",
     "A body independent of management oversees internal control."),
    ("CC1.3", _S, "Structure and authority",
     "Reporting lines, authority and responsibilities are defined."),
    ("CC1.4", _S, "Competence",
     "The organisation hires, trains and retains capable people."),
    ("CC1.5", _S, "Accountability",
     "People answer for the control duties assigned to them."),
    ("CC2.1", _S, "Quality information",
     "Reliable, relevant information is produced to run internal control."),
    ("CC2.2", _S, "Internal communication",
     "Control objectives and duties are communicated inside the organisation."),
    ("CC2.3", _S, "External communication",
     "Matters affecting control are communicated to customers, vendors and others."),
    ("CC3.1", _S, "Objectives",
     "Objectives are clear enough that risks to them can be found."),
    ("CC3.2", _S, "Risk identification",
     "Risks to objectives are identified and analysed across the organisation."),
    ("CC3.3", _S, "Fraud risk",
     "Risk assessment takes the possibility of fraud into account."),
    ("CC3.4", _S, "Change risk",
     "Significant business, technology or staff changes are assessed for control impact."),
    ("CC4.1", _S, "Monitoring",
     "Ongoing or periodic evaluations confirm controls exist and work."),
    ("CC4.2", _S, "Deficiency communication",
     "Control weaknesses are reported promptly to those who must fix them."),
    ("CC5.1", _S, "Control selection",
     "Control activities are chosen to bring risks down to acceptable levels."),
    ("CC5.2", _S, "Technology general controls",
     "General controls over technology are chosen and built."),
    ("CC5.3", _S, "Policies and procedures",
     "Controls are put in place through written expectations and procedures."),
    ("CC6.1", _S, "Logical access architecture",
     "Access software, infrastructure and design protect information assets."),
    ("CC6.2", _S, "User registration and removal",
     "Users are authorised before getting credentials and removed when no longer entitled."),
    ("CC6.3", _S, "Role-based access",
     "Access is granted, changed and revoked by role, with least privilege."),
    ("CC6.4", _S, "Physical access",
     "Only authorised people can physically reach facilities and sensitive assets."),
    ("CC6.5", _S, "Asset disposal",
     "Physical assets are released only once their data cannot be recovered."),
    ("CC6.6", _S, "Boundary protection",
     "Logical measures defend the system against threats from outside its boundary."),
    ("CC6.7", _S, "Data in transit",
     "Moving or transmitting information is limited to authorised parties and protected."),
    ("CC6.8", _S, "Malicious software",
     "Unauthorised or malicious software is prevented or detected and handled."),
    ("CC7.1", _S, "Vulnerability detection",
     "Risky configuration changes and new vulnerabilities are detected."),
    ("CC7.2", _S, "Anomaly monitoring",
     "Components are watched for anomalies that may signal attacks or failures."),
    ("CC7.3", _S, "Event evaluation",
     "Security events are assessed to decide whether they are incidents."),
    ("CC7.4", _S, "Incident response",
     "Incidents are contained, fixed and communicated through a defined programme."),
    ("CC7.5", _S, "Incident recovery",
     "Recovery from incidents is planned and carried out, with lessons learned."),
    ("CC8.1", _S, "Change management",
     "Changes are authorised, tested, approved and deployed in a controlled way."),
    ("CC9.1", _S, "Disruption risk",
     "Risks of business disruption are mitigated, e.g. by continuity planning."),
    ("CC9.2", _S, "Vendor risk",
     "Risks from vendors and business partners are assessed and managed."),
    ("A1.1", _A, "Capacity",
     "Capacity and usage are monitored so that demand can be met."),
    ("A1.2", _A, "Recovery infrastructure",
     "Backups, environmental protections and recovery infrastructure are run and watched."),
    ("A1.3", _A, "Recovery testing",
     "Recovery procedures are tested."),
    ("C1.1", _C, "Confidential information retained",
     "Confidential information is identified and protected while it is kept."),
    ("C1.2", _C, "Confidential information disposed",
     "Confidential information is disposed of as the commitments require."),
    ("PI1.1", _PI, "Processing specifications",
     "Processing objectives and data definitions are known and communicated."),
    ("PI1.2", _PI, "Inputs",
     "Inputs are checked for completeness and accuracy."),
    ("PI1.3", _PI, "Processing",
     "Processing is controlled so results meet objectives."),
    ("PI1.4", _PI, "Outputs",
     "Outputs are delivered complete, accurate and on time."),
    ("PI1.5", _PI, "Storage",
     "Inputs, work in progress and outputs are stored completely and accurately."),
    ("P1.1", _P, "Notice",
     "Data subjects are told, and kept informed, about privacy practices."),
    ("P2.1", _P, "Choice and consent",
     "Choices are explained and consent is obtained or its basis recorded."),
    ("P3.1", _P, "Collection",
     "Personal data is collected only as the privacy objectives allow."),
    ("P3.2", _P, "Explicit consent at collection",
     "Where explicit consent is needed it is explained and obtained before collecting."),
    ("P4.1", _P, "Use limitation",
     "Personal data is used only for the stated purposes."),
    ("P4.2", _P, "Retention",
     "Personal data is kept no longer than the objectives allow."),
    ("P4.3", _P, "Disposal",
     "Personal data is securely disposed of."),
    ("P5.1", _P, "Subject access",
     "Data subjects can see and obtain their data; refusals are explained."),
    ("P5.2", _P, "Correction",
     "Data is corrected on request and corrections are passed on; refusals are explained."),
    ("P6.1", _P, "Disclosure with consent",
     "Personal data goes to third parties only with consent where required."),
    ("P6.2", _P, "Authorised disclosure record",
     "Authorised disclosures are recorded completely and on time."),
    ("P6.3", _P, "Unauthorised disclosure record",
     "Unauthorised disclosures, including breaches, are recorded completely and on time."),
    ("P6.4", _P, "Third-party commitments",
     "Vendors handling personal data commit to privacy duties and are reviewed."),
    ("P6.5", _P, "Third-party breach notice",
     "Vendors must report suspected disclosures, and their reports are acted on."),
    ("P6.6", _P, "Breach notification",
     "Affected people, regulators and others are told about breaches."),
    ("P6.7", _P, "Accounting of disclosures",
     "Data subjects can learn what data is held and to whom it was disclosed."),
    ("P7.1", _P, "Data quality",
     "Personal data is kept accurate, complete, current and relevant."),
    ("P8.1", _P, "Inquiries and disputes",
     "Privacy questions, complaints and disputes are handled and monitored."),
)  # fmt: skip

CRITERIA: tuple[Criterion, ...] = tuple(
    Criterion(id=cid, category=category, theme=theme, summary=summary)
    for cid, category, theme, summary in _TABLE
)
"""All 61 criteria in catalogue order (CC1.1 … P8.1)."""

_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}


def criterion(criterion_id: str) -> Criterion:
    """The criterion with this id; ``KeyError`` naming the id when there is none."""
    try:
        return _BY_ID[criterion_id]
    except KeyError:
        raise KeyError(f"unknown criterion {criterion_id!r}") from None


def is_criterion(criterion_id: str) -> bool:
    """True when ``criterion_id`` is one of the 61 ids (exact spelling, e.g. ``CC8.1``)."""
    return criterion_id in _BY_ID


def criteria_for(categories: Iterable[Category | str]) -> list[Criterion]:
    """Every criterion of the given categories, in catalogue order.

    Security is always in scope, so its 33 common criteria are always included.
    """
    wanted = {Category(c) for c in categories} | {Category.SECURITY}
    return [c for c in CRITERIA if c.category in wanted]
