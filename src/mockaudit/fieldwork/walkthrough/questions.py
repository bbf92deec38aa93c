"""The walkthrough question bank: soc2-domain.md §7.2, general and per control family.

Why a fixed bank: a rehearsal is only worth repeating if the auditor asks the same
questions in the same order every time, so an owner can practise and compare scores.
Each question says what its answer is checked against (``Check``) and whether
an evasive answer is noted (``required``). The order is the one an auditor follows:
understand the control and its owner, how often and where it runs, the population,
the domain specifics, then evidence, exceptions, changes and the last instance, after
which the owner is asked to show that instance (§7.3, handled by the rehearsal).
"""

from __future__ import annotations

import re

from mockaudit.domain.controls import Control
from mockaudit.domain.reference_controls import REFERENCE_CONTROLS, Family, reference_control
from mockaudit.domain.walkthrough import Check, Question


def _q(qid: str, text: str, check: Check, required: bool = False) -> Question:
    return Question(qid, text, check, required)


_OPENING: tuple[Question, ...] = (
    _q("purpose", "Describe “{title}” in your own words: what risk does it address?",
       Check.PURPOSE, True),
    _q("performer", "Who performs this control day to day?", Check.OWNER, True),
    _q("backup", "Who reviews your work, and who covers when you are out?", Check.BACKUP, True),
    _q("frequency", "What triggers it — an event or a schedule — and how often did it run "
       "during the period?", Check.FREQUENCY, True),
    _q("system", "Which system does it run in, and which report or list does it rely on?",
       Check.SYSTEM_OF_RECORD, True),
)  # fmt: skip

_POPULATION: tuple[Question, ...] = tuple(
    Question(q.id, q.text, q.check, q.required, None, True)
    for q in (
        _q("population-report", "Could you run the {population} report now while I watch? "
           "Which system produces it, with which filters?", Check.SYSTEM_OF_RECORD),
        _q("population-coverage", "Does that list cover every in-scope system and the full "
           "period ({period})?", Check.COVERAGE),
        _q("population-inclusion", "Are contractors, service accounts and admins included?",
           Check.INCLUSION),
    )
)  # fmt: skip

_CLOSING: tuple[Question, ...] = (
    _q("evidence", "What evidence is created each time, and where is it kept?",
       Check.EVIDENCE_LOCATION, True),
    _q("retention", "How long is that evidence retained?", Check.RETENTION),
    _q("exceptions", "What happens when you find a problem: who is told, and is a ticket "
       "raised?", Check.EXCEPTIONS),
    _q("changes", "Did anything about this control change during the period — tool, owner, "
       "frequency or scope?", Check.CHANGES),
    _q("skipped", "Were there instances where it was skipped or done late? Why?",
       Check.SKIPPED),
    _q("automation", "Is any part automated, and how do you know the automation kept "
       "working?", Check.AUTOMATION),
    _q("policy-match", "Does the written policy or procedure match what you just described?",
       Check.POLICY_MATCH),
    _q("last-instance", "When did it last operate during the period ({period})?",
       Check.LAST_INSTANCE, True),
)  # fmt: skip

_C = Check
_DOMAIN: dict[Family, tuple[tuple[str, str, Check, bool], ...]] = {
    Family.GOVERNANCE: (
        ("approval", "Who approves what this control produces, and how many approvers "
         "sign off?", _C.APPROVERS, True),
        ("review-window", "How long may pass between two reviews or approvals before one is "
         "overdue?", _C.TIMELINESS, False),
        ("communication", "How are staff or customers told, and how do you know they received "
         "it?", _C.PROCESS, False),
        ("independence", "Who outside management sees the result, and where is that "
         "recorded?", _C.PROCESS, False),
    ),
    Family.RISK: (
        ("method", "How do you identify and score risks or findings — does that include fraud "
         "and significant changes?", _C.PROCESS, True),
        ("owners", "How does each risk or finding get an owner and a treatment decision?",
         _C.PROCESS, False),
        ("remediation-sla", "How fast must critical or high items be remediated or formally "
         "accepted?", _C.TIMELINESS, False),
        ("tooling", "Which tool holds the register, the reports or the results?",
         _C.SYSTEMS, False),
        ("acceptance", "How many sign-offs does a risk acceptance need, and from whom?",
         _C.APPROVERS, False),
    ),
    Family.PEOPLE: (
        ("timing", "When, relative to the start or end date, must this be completed, and how "
         "is that deadline tracked?", _C.TIMELINESS, True),
        ("late", "What happens if it is late, missing or the result is adverse?",
         _C.EXCEPTIONS, False),
        ("tracking", "Which system tracks completion, and who checks it?", _C.SYSTEMS, False),
        ("contractors", "Are contractors and international hires covered the same way?",
         _C.INCLUSION, False),
    ),
    Family.ACCESS: (
        ("request", "How is access requested and approved, and how many approvals are "
         "needed?", _C.APPROVERS, True),
        ("termination", "When HR terminates someone, what happens in IT, and how fast must "
         "access be removed?", _C.TIMELINESS, False),
        ("non-sso", "Which systems sit outside SSO, and how are they deprovisioned?",
         _C.SYSTEMS, False),
        ("review", "Who reviews access each quarter, and how are removals confirmed?",
         _C.PROCESS, False),
        ("privileged", "Are admins and service accounts covered too?", _C.INCLUSION, False),
    ),
    Family.INFRASTRUCTURE: (
        ("enforcement", "How is the setting enforced, and how would you know if it drifted?",
         _C.AUTOMATION, True),
        ("scope", "Which accounts, environments or devices does it cover?", _C.SYSTEMS, False),
        ("change-approval", "Who can change the configuration, and how many approvals does a "
         "change need?", _C.APPROVERS, False),
        ("detection", "How quickly is a non-compliant resource or device flagged and fixed?",
         _C.TIMELINESS, False),
        ("baseline-exceptions", "How are exceptions to the baseline approved and tracked?",
         _C.EXCEPTIONS, False),
    ),
    Family.MONITORING: (
        ("tool", "Which tool scans or monitors, and what does it cover?", _C.SYSTEMS, True),
        ("sla", "How fast must critical and high findings or alerts be handled?",
         _C.TIMELINESS, False),
        ("triage", "How is an alert or finding triaged, and who is on call?", _C.PROCESS,
         False),
        ("health", "How do you know the scanner or monitor ran every time it should have?",
         _C.AUTOMATION, False),
        ("log-retention", "How long are logs and scan results kept?", _C.RETENTION, False),
    ),
    Family.INCIDENT: (
        ("declaration", "How do you decide that an alert is an incident, and who declares "
         "it?", _C.PROCESS, True),
        ("walk-last", "Walk me through the last incident from detection to post-mortem.",
         _C.PROCESS, False),
        ("notification", "How, and how fast, are customers or regulators informed?",
         _C.TIMELINESS, False),
        ("tracking", "Where are incident timelines and post-mortem actions tracked?",
         _C.SYSTEMS, False),
        ("plan-test", "When was the plan last tested, and what changed as a result?",
         _C.PROCESS, False),
    ),
    Family.CHANGE: (
        ("approvals", "How many approvals does a change need before it is merged or applied, "
         "and who can give them?", _C.APPROVERS, True),
        ("bypass", "Can anyone merge without review? Who can bypass branch protection, and is "
         "that logged?", _C.PROCESS, False),
        ("emergency", "What counts as an emergency change, and how soon afterwards is it "
         "reviewed?", _C.TIMELINESS, False),
        ("infrastructure", "How do infrastructure and configuration changes get approved?",
         _C.PROCESS, False),
        ("testing", "Which checks must pass before deployment, and where is that recorded?",
         _C.SYSTEMS, False),
    ),
    Family.VENDOR: (
        ("assessment", "How are new vendors assessed, and who approves them before data is "
         "shared?", _C.PROCESS, True),
        ("soc-review", "Show me a SOC report review: what did you do with the CUECs and the "
         "exceptions?", _C.PROCESS, False),
        ("inventory", "Where is the vendor inventory kept, and how are vendors tiered?",
         _C.SYSTEMS, False),
        ("breach-terms", "How fast must a vendor tell you about a breach under its contract?",
         _C.TIMELINESS, False),
    ),
    Family.AVAILABILITY: (
        ("success", "How do you know the last run — last night's backup, the last test — "
         "succeeded?", _C.PROCESS, True),
        ("restore", "When did you last restore or fail over, and what was verified?",
         _C.LAST_INSTANCE, False),
        ("targets", "What are the recovery time and recovery point targets?",
         _C.TIMELINESS, False),
        ("location", "Where are backups or replicas stored, and in which region?",
         _C.SYSTEMS, False),
        ("paging", "Who is paged when a job or a monitor fails?", _C.PROCESS, False),
    ),
    Family.CONFIDENTIALITY: (
        ("inventory", "Where does confidential data live, and how is it classified?",
         _C.SYSTEMS, True),
        ("data-retention", "How long is confidential data kept, and what purges it?",
         _C.RETENTION, False),
        ("deletion", "How fast is customer data deleted after a contract ends, and how is the "
         "customer told?", _C.TIMELINESS, False),
        ("non-prod", "Is production data ever copied to non-production or exported, and who "
         "approves that?", _C.PROCESS, False),
    ),
    Family.PROCESSING_INTEGRITY: (
        ("safeguards", "What stops bad input or a failed job from producing wrong output?",
         _C.PROCESS, True),
        ("error-queues", "Who reviews error queues and failed jobs, and how fast are they "
         "reprocessed?", _C.TIMELINESS, False),
        ("reconciliation", "Which counts are reconciled, and what happens with a variance?",
         _C.PROCESS, False),
        ("tooling", "Which system runs the jobs and records the checks?", _C.SYSTEMS, False),
    ),
    Family.PRIVACY: (
        ("requests", "How fast must a data subject request be completed, and how is identity "
         "verified?", _C.TIMELINESS, True),
        ("consent", "Where is consent recorded, and what happens when it is withdrawn?",
         _C.SYSTEMS, False),
        ("notice", "When was the privacy notice last reviewed, and who approved it?",
         _C.PROCESS, False),
        ("breach", "How fast must a breach of personal data be notified, and to whom?",
         _C.TIMELINESS, False),
    ),
}  # fmt: skip

DOMAIN_QUESTIONS: dict[Family, tuple[Question, ...]] = {
    family: tuple(
        Question(f"{family.value}.{suffix}", text, check, required, family)
        for suffix, text, check, required in rows
    )
    for family, rows in _DOMAIN.items()
}
"""The family-specific questions (§7.2 "domain-specific examples"), by family."""

GENERAL_QUESTIONS: tuple[Question, ...] = (*_OPENING, *_POPULATION, *_CLOSING)
"""The §7.2 general and population questions, asked for every family."""


def questions_for_family(family: Family, *, with_population: bool = True) -> tuple[Question, ...]:
    """Every question of one family, in the order an auditor asks them."""
    population = _POPULATION if with_population else ()
    return (*_OPENING, *population, *DOMAIN_QUESTIONS[family], *_CLOSING)


def question_bank() -> dict[Family, tuple[Question, ...]]:
    """The whole bank: every family with its full question list (population ones included)."""
    return {family: questions_for_family(family) for family in Family}


def questions_for(control: Control) -> tuple[Question, ...]:
    """The questions for one control: population questions only if it has a population."""
    return questions_for_family(family_of(control), with_population=control.population is not None)


def question(question_id: str) -> Question | None:
    """Any question of the bank by id, or None."""
    for questions in question_bank().values():
        for q in questions:
            if q.id == question_id:
                return q
    return None


_PREFIXES: dict[str, Family] = {ref.id.rsplit("-", 1)[0]: ref.family for ref in REFERENCE_CONTROLS}
_KEYWORDS: tuple[tuple[str, Family], ...] = (
    (
        r"backup|restore|continuity|disaster|recovery|availability|uptime|capacity",
        Family.AVAILABILITY,
    ),
    (r"incident|tabletop", Family.INCIDENT),
    (r"vendor|supplier|third[- ]part", Family.VENDOR),
    (r"change|pull request|merge|deploy|release|sdlc", Family.CHANGE),
    (r"vulnerab|patch|scan|logging|monitor|alert", Family.MONITORING),
    (r"access|mfa|password|sso|sign-on|privileged|account", Family.ACCESS),
    (r"training|background|onboarding|offboarding|hire|nda|performance", Family.PEOPLE),
    (r"encrypt|firewall|endpoint|network|hardening|device|laptop", Family.INFRASTRUCTURE),
    (r"privacy|consent|data subject|personal data", Family.PRIVACY),
    (r"confidential|retention|classification|masking|deletion", Family.CONFIDENTIALITY),
    (r"processing|reconcil|input validation", Family.PROCESSING_INTEGRITY),
    (r"risk|penetration|insurance", Family.RISK),
)
_BY_CRITERION: tuple[tuple[str, Family], ...] = (
    ("CC8", Family.CHANGE),
    ("CC6", Family.ACCESS),
    ("CC7.1", Family.MONITORING),
    ("CC7.2", Family.MONITORING),
    ("CC7", Family.INCIDENT),
    ("CC9.2", Family.VENDOR),
    ("CC3", Family.RISK),
    ("CC9", Family.RISK),
    ("CC4", Family.RISK),
    ("A1", Family.AVAILABILITY),
    ("C1", Family.CONFIDENTIALITY),
    ("PI1", Family.PROCESSING_INTEGRITY),
    ("P", Family.PRIVACY),
)


def family_of(control: Control) -> Family:
    """The family whose questions fit a control: by reference id, id prefix, title, criteria.

    A program may use its own ids (``BCP-01``): the title's words decide ("Business
    continuity plan tested yearly" is availability), then the first criterion, and
    governance questions are the fallback.
    """
    try:
        return reference_control(control.id).family
    except KeyError:
        pass
    prefix = control.id.rsplit("-", 1)[0].upper()
    if prefix in _PREFIXES:
        return _PREFIXES[prefix]
    title = control.title.lower()
    for pattern, family in _KEYWORDS:
        if re.search(r"\b(?:" + pattern + ")", title):
            return family
    for criterion in control.criteria:
        for start, family in _BY_CRITERION:
            if criterion.startswith(start):
                return family
    return Family.GOVERNANCE
