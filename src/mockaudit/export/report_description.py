"""Section III of the mock report: the description of the system under the DC 200 headings.

A scenario that models its description (``Program.describes_system``: service commitments,
vendors, CUECs, incidents, changes) gets Section III generated from the model — the
commitments and their sources (DC2), the components and boundaries (DC3), the incidents
(DC4), the CUEC table (DC6), each subservice organisation with the carve-out or inclusive
language and its CSOC table (DC7), the criteria not relevant (DC8) and the significant
changes (DC9) — and a prompt, in brackets, wherever the rehearsal found something the
description must still disclose (an SLA missed, an incident or change not disclosed, a
vendor nobody classified). A scenario without them keeps the skeleton: the program's facts
under each heading and bracketed text for management to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from mockaudit.domain import Finding, FindingCode, Program
from mockaudit.domain.criteria import criterion, is_criterion
from mockaudit.domain.description import DC_TITLES
from mockaudit.domain.run import Readiness, Run
from mockaudit.domain.subservice import Vendor
from mockaudit.errors import InputError
from mockaudit.export import report_charts as charts
from mockaudit.export import report_complementary as complementary
from mockaudit.export import report_text as words


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _p(text: str) -> str:
    return f"<p>{_e(text)}</p>"


def _h(dc: str) -> str:
    return f"<h3>{_e(dc)}. {_e(DC_TITLES[dc])}</h3>"


def _placeholder(text: str) -> str:
    return f'<p class="placeholder">[{_e(text)}]</p>'


def _list(items: Sequence[str], empty: str) -> str:
    if not items:
        return _placeholder(empty)
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _readiness(run: Run) -> Readiness:
    if run.readiness is None:
        raise InputError(f"run {run.id} has no readiness conclusion; re-run the audit")
    return run.readiness


def description_content(run: Run, program: Program) -> list[str]:
    """The HTML blocks of Section III (see the module docstring)."""
    if not program.describes_system:
        return _skeleton(run, program)
    prompts = _Prompts(run.findings)
    return [
        _p(
            "Generated from the system description in the program, one heading per DC 200 "
            "description criterion. Bracketed text is what the rehearsal found the "
            "description must still disclose or management must still write."
        ),
        _h("DC1"),
        _p(program.organization.services)
        if program.organization.services.strip()
        else _placeholder("Describe the services"),
        _h("DC2"),
        _service_commitments(program),
        *prompts.of(FindingCode.DESCRIPTION_SLA_BREACH_UNDISCLOSED),
        _h("DC3"),
        *_components(program),
        *prompts.missing("DC3"),
        _h("DC4"),
        _incidents_table(program),
        *prompts.of(FindingCode.DESCRIPTION_INCIDENT_UNDISCLOSED),
        _h("DC5"),
        _criteria_map(run, program),
        _h("DC6"),
        _cuec_table(program),
        _h("DC7"),
        *_subservice(program),
        *prompts.of(FindingCode.VENDOR_SYSTEM_UNADDRESSED),
        _h("DC8"),
        _not_relevant_table(program),
        _not_relevant(run),
        _h("DC9"),
        _changes_table(program),
        *prompts.of(FindingCode.DESCRIPTION_CHANGE_UNDISCLOSED),
        _p(f"Program version {run.program_version} was audited."),
    ]


class _Prompts:
    """Bracketed prompts from the run's findings: what the description must still say."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self._findings = findings

    def of(self, code: FindingCode) -> list[str]:
        return [
            _placeholder(f"To disclose ({f.id}): {f.title}. {f.remediation}")
            for f in self._findings
            if f.code is code
        ]

    def missing(self, dc: str) -> list[str]:
        return [
            _placeholder(f"{f.id}: {f.title}")
            for f in self._findings
            if f.code is FindingCode.DESCRIPTION_ELEMENT_MISSING and dc in f.items
        ]


def _service_commitments(program: Program) -> str:
    rows = [(c.id, c.statement, c.source.upper()) for c in program.service_commitments]
    rows += [(c.id, c.statement, f"policy {p.id}") for p in program.policies for c in p.commitments]
    if not rows:
        return _placeholder("List the service commitments and system requirements")
    return _table(("Id", "Commitment or requirement", "Source"), rows)


def _components(program: Program) -> list[str]:
    description = program.description
    parts = [
        "<h4>Infrastructure and software</h4>",
        _systems(program),
        "<h4>People</h4>",
        _people(program),
        "<h4>Procedures (policies)</h4>",
        _policies(program),
        "<h4>Data</h4>",
        _data(program),
    ]
    if description is not None and description.boundaries.strip():
        parts += ["<h4>System boundaries</h4>", _p(description.boundaries)]
    return parts


def _incidents_table(program: Program) -> str:
    disclosed = [i for i in program.incidents if i.disclosed and i.significant]
    if not disclosed:
        said = program.description is not None and program.description.no_significant_incidents
        return _p("No significant system incidents occurred during the period.") if said else ""
    rows = [
        (i.id, i.title, i.occurred_on, i.resolved_on or "open", i.resolution or "—")
        for i in disclosed
    ]
    return _table(("Incident", "Nature", "Occurred", "Resolved", "Resolution"), rows)


def _cuec_table(program: Program) -> str:
    cuecs = complementary.necessary_cuecs(program)
    if not cuecs:
        said = program.description is not None and program.description.no_cuecs
        if said:
            return _p("The system is designed with no complementary user entity controls.")
        return _placeholder("List the controls customers must operate, or state there are none")
    org = program.organization.name
    rows = [(c.id, c.statement, ", ".join(c.criteria) or "—") for c in cuecs]
    return _p(
        f"{org}'s controls were designed with the assumption that user entities operate the "
        "following complementary user entity controls (CUECs):"
    ) + _table(("CUEC", "Control expected of user entities", "Criteria"), rows)


def _subservice(program: Program) -> list[str]:
    parts: list[str] = []
    for vendor in complementary.carved_out(program):
        parts += _carve_out(program, vendor)
    for vendor in complementary.included(program):
        parts.append(
            _p(
                f"{vendor.name} provides {vendor.services or 'services'}. Its relevant controls "
                "are included in this description and were tested (inclusive method)."
            )
        )
    others = [v for v in program.vendors if v.subservice is False]
    if others:
        parts.append(
            _p(
                "Other vendors, not subservice organizations (their controls are not needed "
                "to meet the service commitments): "
                + ", ".join(f"{v.name} ({v.services})" if v.services else v.name for v in others)
                + "."
            )
        )
    if not parts:
        return [_placeholder("Name each subservice organization and the method used")]
    return parts


def _carve_out(program: Program, vendor: Vendor) -> list[str]:
    org = program.organization.name
    systems = f" ({', '.join(vendor.systems)})" if vendor.systems else ""
    parts = [
        f"<h4>{_e(vendor.name)} (carve-out)</h4>",
        _p(
            f"{org} uses {vendor.name} for {vendor.services or 'services'}{systems}. The "
            f"description includes only the controls of {org} and excludes the controls of "
            f"{vendor.name}. {org}'s controls were designed with the assumption that "
            f"{vendor.name} operates the complementary subservice organization controls "
            "(CSOCs) below."
        ),
    ]
    if vendor.csocs:
        rows = [
            (c.id, c.statement, ", ".join(c.criteria) or "—", ", ".join(c.monitored_by) or "none")
            for c in vendor.csocs
        ]
        parts.append(
            _table(("CSOC", "Control expected of the vendor", "Criteria", "Monitored by"), rows)
        )
    else:
        parts.append(_placeholder(f"List the CSOCs assumed of {vendor.name}"))
    parts.append(_p(_monitoring(vendor)))
    return parts


def _monitoring(vendor: Vendor) -> str:
    report = vendor.report
    controls = ", ".join(vendor.monitoring_controls) or "no control"
    if report is None:
        return f"Monitoring: {controls}; no SOC report of {vendor.name} is on record."
    covered = (
        f", with a bridge letter through {report.bridge_letter_through}"
        if report.bridge_letter_through
        else ""
    )
    kind = report.type.replace("type", "Type ")
    return (
        f"Monitoring: {controls} reviews {complementary.possessive(vendor.name)} SOC 2 {kind} "
        f"report for the period ending {report.period_end} ({report.opinion} opinion){covered}."
    )


def _not_relevant_table(program: Program) -> str:
    items = program.description.not_relevant if program.description else ()
    if not items:
        return ""
    return _table(("Criterion", "Why it is not relevant"), [(i.criterion, i.reason) for i in items])


def _changes_table(program: Program) -> str:
    disclosed = [c for c in program.significant_changes if c.disclosed and c.significant]
    if not disclosed:
        said = program.description is not None and program.description.no_significant_changes
        return (
            _p("There were no significant changes to the system during the period.") if said else ""
        )
    rows = [(c.id, c.title, c.changed_on, c.area) for c in disclosed]
    return _table(("Change", "What changed", "When", "Area"), rows)


# -- the skeleton (a program without a modelled description) ------------------------------


def _skeleton(run: Run, program: Program) -> list[str]:
    org = program.organization
    engagement = program.engagement
    return [
        _p(
            "A skeleton built from the program in the vault, one heading per DC 200 "
            "description criterion. Bracketed text is for management to write."
        ),
        _h("DC1"),
        _p(org.services) if org.services.strip() else _placeholder("Describe the services"),
        _h("DC2"),
        _commitments(program),
        _placeholder(
            "Add the security and availability commitments in customer agreements (MSA, SLA, "
            "terms of service) and the legal and regulatory requirements that apply"
        ),
        _h("DC3"),
        *_components(program),
        _placeholder("Describe the system boundaries and the data classification"),
        "<h3>DC4. System incidents</h3>",
        _incidents(run, program),
        _h("DC5"),
        _criteria_map(run, program),
        "<h3>DC6. Complementary user entity controls (CUECs)</h3>",
        _placeholder(
            "List the controls customers must operate, e.g. managing their own users' access "
            "and reviewing their own audit logs"
        ),
        "<h3>DC7. Subservice organizations and complementary subservice organization "
        "controls (CSOCs)</h3>",
        _p(
            "Candidates among the in-scope systems: "
            + (", ".join(engagement.systems) if engagement.systems else "none listed")
            + "."
        ),
        _placeholder(
            "Name each subservice organization, the carve-out or inclusive method and "
            "the CSOCs relied upon"
        ),
        _h("DC8"),
        _not_relevant(run),
        _h("DC9"),
        _p(f"Program version {run.program_version} was audited."),
        _placeholder("Describe significant changes to the system and controls in the period"),
    ]


def _commitments(program: Program) -> str:
    items = [
        f"{c.statement} ({policy.id})" for policy in program.policies for c in policy.commitments
    ]
    return _list(items, "No measurable commitment is recorded in the policies")


def _systems(program: Program) -> str:
    systems = list(
        dict.fromkeys([*program.engagement.systems, *(p.system for p in program.populations)])
    )
    return _list(systems, "List the in-scope infrastructure and software")


def _people(program: Program) -> str:
    rows = [
        f"<tr><td>{_e(p.name)}</td><td>{_e(p.role or '')}</td><td>{_e(p.id)}</td>"
        f"<td>{_e(f'left {p.left_on}' if p.left_on else '')}</td></tr>"
        for p in program.people
    ]
    if not rows:
        return _placeholder("List the people who operate the controls")
    return (
        '<table class="grid"><thead><tr><th>Name</th><th>Role</th><th>Id</th><th>Note</th></tr>'
        "</thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _policies(program: Program) -> str:
    rows = [
        f"<tr><td>{_e(p.id)}</td><td>{_e(p.title)}</td>"
        f"<td>{_e(words.owner_label(program, p.owner))}</td>"
        f"<td>{_e(p.approved_on or 'not approved')}</td>"
        f"<td>{_e(p.review_interval_days)} days</td></tr>"
        for p in program.policies
    ]
    if not rows:
        return _placeholder("List the policies and procedures")
    return (
        '<table class="grid"><thead><tr><th>Policy</th><th>Title</th><th>Owner</th>'
        "<th>Approved</th><th>Review interval</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _data(program: Program) -> str:
    items = [f"{p.title} ({p.id}, from {p.system})" for p in program.populations]
    return _list(items, "Describe the data the system processes")


def _incidents(run: Run, program: Program) -> str:
    sources = [p for p in program.populations if "incident" in f"{p.id} {p.title}".lower()]
    tested = {t.population: t for t in run.tests if t.population}
    lines = [
        f"{p.title} ({p.id}): {tested[p.id].population_size} in-period records"
        if p.id in tested
        else f"{p.title} ({p.id})"
        for p in sources
    ]
    return _list(lines, "No incident population") + _placeholder(
        "Describe each significant incident in the period: its nature, timing and resolution"
    )


def _criteria_map(run: Run, program: Program) -> str:
    readiness = _readiness(run)
    rows = []
    for cid, verdict in readiness.criteria.items():
        controls = [c.id for c in program.controls if cid in c.criteria]
        theme = criterion(cid).theme if is_criterion(cid) else ""
        label = charts.CONCLUSION_LABELS.get(verdict, verdict)
        rows.append(
            f"<tr><td>{_e(cid)}</td><td>{_e(theme)}</td><td>{_e(words.names_of(controls))}</td>"
            f"<td>{_e(label)}</td></tr>"
        )
    return (
        f"<p>Categories in scope: {_e(words.categories_phrase(program))}.</p>"
        '<table class="grid"><thead><tr><th>Criterion</th><th>Theme</th><th>Controls</th>'
        "<th>Rehearsal result</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _not_relevant(run: Run) -> str:
    uncovered = [c for c, v in _readiness(run).criteria.items() if v == "uncovered"]
    if not uncovered:
        return _p("Every applicable criterion has at least one control.")
    return _p(
        f"No control addresses {', '.join(uncovered)}: explain why each is not relevant, or add "
        "a control (see the gap list)."
    )
