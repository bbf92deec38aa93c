"""The mock SOC 2 report: one self-contained HTML file laid out like the real thing.

Sections follow the usual report (soc2-domain.md §3.8): I. the (mock) independent
service auditor's report, II. management's assertion (draft), III. the system
description skeleton (DC 200 topics), IV. criteria, controls, tests and results,
V. other information provided by management (a response per exception) — then
the owned gap list, the readiness charts and, when given, the signed custody
checkpoint. Every section opens with the rehearsal notice, and print CSS repeats
it on every page: nobody may mistake this for an attestation by a CPA firm.

Everything shown is escaped (evidence names, titles and ids are user data); the
file has no script, no external resource and no link outside itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path

from mockaudit import fsio
from mockaudit.domain import Control, Finding, Program, Severity
from mockaudit.domain.remediation import Remediation
from mockaudit.domain.run import ControlConclusion, ControlTest, Readiness, Run
from mockaudit.errors import InputError
from mockaudit.export import report_charts as charts
from mockaudit.export import report_complementary as complementary
from mockaudit.export import report_text as words
from mockaudit.export.report_description import description_content
from mockaudit.export.report_print import keep_whole, page_css
from mockaudit.export.report_style import REPORT_CSS

SECTIONS = (
    ("section-1", "I. Independent Service Auditor's Report (mock)"),
    ("section-2", "II. Management's Assertion (draft)"),
    ("section-3", "III. Description of the System (skeleton)"),
    ("section-4", "IV. Trust Services Criteria, Related Controls, Tests and Results"),
    ("section-5", "V. Other Information Provided by Management: Responses to Exceptions"),
    ("gap-list", "Appendix A. Owned Gap List"),
    ("readiness", "Appendix B. Readiness Charts"),
)
DESCRIBED_TITLE = "III. Description of the System"
CHECKPOINT_SECTION = ("custody-checkpoint", "Appendix C. Signed Custody Checkpoint")
PROVENANCE_SECTION = ("provenance", "Appendix D. Who Collected the Evidence")
Provenance = tuple[str, str, str, str]  # evidence id, file name, collected by, date


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape(str(value), quote=True)


def write_html(
    run: Run,
    program: Program,
    out: Path,
    *,
    checkpoint: str | None = None,
    responses: Mapping[str, Remediation] | None = None,
    provenance: Sequence[Provenance] = (),
) -> None:
    """Write the report to ``out`` atomically (temp file, fsync, rename)."""
    document = render_html(
        run, program, checkpoint=checkpoint, responses=responses, provenance=provenance
    )
    out = Path(out)
    fsio.sweep_temps(out.parent, {out.name})
    fsio.atomic_write_bytes(out, document.encode("utf-8"))


def render_html(
    run: Run,
    program: Program,
    *,
    checkpoint: str | None = None,
    paper: str | None = None,
    responses: Mapping[str, Remediation] | None = None,
    provenance: Sequence[Provenance] = (),
) -> str:
    """The whole document as text (``paper``: a4 or letter fixes the printed page size)."""
    readiness = _readiness(run)
    sections = words.report_sections(run, SECTIONS) + ([CHECKPOINT_SECTION] if checkpoint else [])
    sections = [(a, _description_title(program) if a == "section-3" else t) for a, t in sections]
    sections += [PROVENANCE_SECTION] if provenance else []
    body = [
        _cover(run, program, readiness, sections),
        _opinion_section(run, program),
        _assertion_section(run, program),
        _description_section(run, program),
        _tests_section(run, program) if words.has_tests(run) else _controls_section(run, program),
        _responses_section(run, program, responses or {}),
        _gap_section(run, program),
        _charts_section(run, readiness),
    ]
    if checkpoint:
        body.append(_checkpoint_section(checkpoint))
    if provenance:
        body.append(_provenance_section(provenance))
    title = f"{words.report_title(run)} — {program.organization.name}"
    footer = f"{program.organization.name} — mock audit — not an attestation"
    style = REPORT_CSS + page_css(footer, paper)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="mockaudit {e(run.mockaudit_version)}">\n'
        f"<title>{e(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f'<div class="print-watermark" aria-hidden="true">REHEARSAL</div>\n'
        "<main>\n" + keep_whole("\n".join(body)) + "\n</main>\n</body>\n</html>\n"
    )


def _readiness(run: Run) -> Readiness:
    if run.readiness is None:
        raise InputError(f"run {run.id} has no readiness conclusion; re-run the audit")
    return run.readiness


def _banner() -> str:
    return f'<div class="rehearsal-banner" role="note">{e(words.REHEARSAL_NOTICE)}</div>'


def _section(anchor: str, title: str, content: Iterable[str]) -> str:
    return (
        f'<section class="report-section" id="{e(anchor)}">\n{_banner()}\n'
        f"<h2>{e(title)}</h2>\n" + "\n".join(content) + "\n</section>"
    )


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{e(cls)}"' if cls else ""
    return f"<p{attr}>{e(text)}</p>"


# -- cover -------------------------------------------------------------------------------


def _cover(
    run: Run, program: Program, readiness: Readiness, sections: Sequence[tuple[str, str]]
) -> str:
    org = program.organization.name
    facts = [
        ("Service organization", org),
        ("Report type", run.report_type.value.replace("type", "Type ")),
        ("Period", words.period_phrase(run)),
        ("Trust services categories", words.categories_phrase(program)),
        ("Likely opinion (rehearsal)", readiness.likely_opinion.value),
        ("Readiness score", f"{readiness.score:.1f} / 100"),
        ("Run", f"{run.id} (seed {run.seed}, started {run.started_at.isoformat()})"),
        (
            "Generated by",
            f"mockaudit {run.mockaudit_version}, program version {run.program_version}",
        ),
    ]
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
    toc = "".join(f'<li><a href="#{e(a)}">{e(t)}</a></li>' for a, t in sections)
    return (
        '<header class="cover">\n'
        f"{_banner()}\n"
        '<div class="stamp">REHEARSAL — NOT AN ATTESTATION</div>\n'
        f"<h1>{e(words.report_title(run))}</h1>\n"
        f"<p>Report on {e(org)}'s system relevant to {e(words.categories_phrase(program))} "
        f"{e(words.period_phrase(run))}.</p>\n"
        f'<table class="facts">{rows}</table>\n'
        f"<nav><strong>Contents</strong><ol>{toc}</ol></nav>\n</header>"
    )


# -- I. opinion ----------------------------------------------------------------------------


def _opinion_section(run: Run, program: Program) -> str:
    readiness = _readiness(run)
    opinion = readiness.likely_opinion
    org = program.organization.name
    basis = words.basis_paragraph(run, program)
    heading = words.opinion_heading(opinion)
    content = [
        f"<p><strong>To the management of {e(org)}</strong> (mock addressee)</p>",
        "<h3>Scope</h3>",
        _p(words.scope_paragraph(run, program)),
        "<h3>Service organization's responsibilities</h3>",
        _p(
            f"{org} is responsible for its service commitments and system requirements, for "
            "preparing the description and the assertion (Section II), and for designing, "
            "implementing and operating effective controls."
        ),
        "<h3>Service auditor's responsibilities (as simulated)</h3>",
        _p(
            "The simulated auditor requested evidence (the PBC list), checked the completeness "
            "and accuracy of each population, selected samples with a recorded seed, inspected "
            "the evidence in the encrypted vault and re-performed the attribute checks listed "
            "in Section IV. A real examination is performed under AICPA attestation standards "
            "by an independent CPA firm; this rehearsal is not."
        ),
    ]
    content += _complementary_paragraphs(program)
    if basis is not None:
        content += [f"<h3>Basis for {e(heading)}</h3>", _p(basis)]
    content += [
        f"<h3>{e(heading)}</h3>",
        f'<div class="opinion-box">{_p(words.opinion_paragraph(run, program))}</div>',
        _p(f"Why mockaudit expects this opinion: {readiness.opinion_rule}", "muted small"),
        *(
            [
                "<h3>Description of tests of controls</h3>",
                _p(
                    "The specific controls tested and the nature, timing and results of those "
                    "tests are listed in Section IV."
                ),
            ]
            if words.has_tests(run)
            else []
        ),
        '<div class="signature">[Mock service auditor — no CPA firm has signed this report]'
        f"<br>{e(run.started_at.date().isoformat())}</div>",
    ]
    return _section(*SECTIONS[0], content)


def _complementary_paragraphs(program: Program) -> list[str]:
    """The CSOC, inclusive-method and CUEC paragraphs of the auditor's report (§3.7)."""
    content = []
    for heading, text in (
        ("Subservice organizations", complementary.csoc_paragraph(program)),
        ("Subservice organizations (inclusive method)", complementary.inclusive_paragraph(program)),
        ("Complementary user entity controls", complementary.cuec_paragraph(program)),
    ):
        if text is not None:
            content += [f"<h3>{e(heading)}</h3>", _p(text)]
    return content


# -- II. management's assertion ----------------------------------------------------------------


def _assertion_section(run: Run, program: Program) -> str:
    org = program.organization.name
    claims = "".join(f"<li>{e(c)}</li>" for c in words.assertion_claims(run, program))
    caveat = words.assertion_caveat(run)
    content = [
        _p(
            f"We have prepared the accompanying description of {org}'s system "
            f"{words.period_phrase(run)} (Section III), based on the criteria for a description "
            "of a service organization's system in DC 200 (2018 description criteria). We "
            "confirm, to the best of our knowledge and belief, that:"
        ),
        f'<ol type="a">{claims}</ol>',
    ]
    if caveat:
        content.append(f'<div class="opinion-box">{_p(caveat)}</div>')
    content.append(
        '<div class="signature"><span class="placeholder">[Name, title — to be signed by '
        f"management of {e(org)}]</span></div>"
    )
    return _section(*SECTIONS[1], content)


# -- III. system description -------------------------------------------------------------


def _description_section(run: Run, program: Program) -> str:
    return _section("section-3", _description_title(program), description_content(run, program))


def _description_title(program: Program) -> str:
    """A description generated from the model is no longer a skeleton."""
    return DESCRIBED_TITLE if program.describes_system else SECTIONS[2][1]


# -- IV. tests ----------------------------------------------------------------------------


def _tests_section(run: Run, program: Program) -> str:
    tests = {t.control: t for t in run.tests}
    rows = [_test_row(tests.get(c.id), c, c.id, program) for c in program.controls]
    rows += [
        _test_row(t, None, t.control, program)
        for t in run.tests
        if program.control(t.control) is None
    ]
    content = [
        _p(
            "For each control: the criteria it addresses, the test the simulated auditor "
            "performed, the sample size and the result. Exceptions are worded as a service "
            "auditor would write them."
        ),
        '<table class="grid tests"><thead><tr><th>Control</th><th>Criteria</th>'
        "<th>Test performed</th><th>Sample</th><th>Result</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>",
    ]
    return _section(*SECTIONS[3], content)


def _controls_section(run: Run, program: Program) -> str:
    """Type 1: the criteria and the controls stated for them, with no tests or results."""
    rows = "".join(
        f'<tr><td><strong>{e(c.id)}</strong><br><span class="muted">{e(c.title)}</span></td>'
        f"<td>{e(', '.join(c.criteria))}</td></tr>"
        for c in program.controls
    )
    content = [
        _p(words.TYPE1_SECTION_IV_NOTE),
        '<table class="grid tests"><thead><tr><th>Control</th><th>Criteria</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>",
    ]
    return _section("section-4", words.TYPE1_SECTION_IV, content)


def _test_row(test: ControlTest | None, control: Control | None, cid: str, program: Program) -> str:
    title = f'<br><span class="muted">{e(control.title)}</span>' if control else ""
    criteria = ", ".join(control.criteria) if control else ""
    if test is None:
        return (
            f'<tr class="not-testable"><td><strong>{e(cid)}</strong>{title}</td>'
            f"<td>{e(criteria)}</td><td>Not tested in this run.</td><td>—</td>"
            "<td>Not tested.</td></tr>"
        )
    css = {
        ControlConclusion.EXCEPTIONS: "exception",
        ControlConclusion.NOT_TESTABLE: "not-testable",
    }.get(test.conclusion, "")
    result = words.result_text(test, control, program)
    result_cls = (
        ' class="result-exception"' if test.conclusion is ControlConclusion.EXCEPTIONS else ""
    )
    sample = (
        f"{test.sample_size} of {test.population_size}"
        if test.population
        else f"{test.sample_size}"
        if test.items
        else "—"
    )
    return (
        f'<tr class="{css}"><td><strong>{e(cid)}</strong>{title}</td><td>{e(criteria)}</td>'
        f"<td>{e(words.test_performed(test, control, program))}</td><td>{e(sample)}</td>"
        f"<td><span{result_cls}>{e(result)}</span></td></tr>"
    )


# -- V. management responses -----------------------------------------------------------------


def _responses_section(run: Run, program: Program, responses: Mapping[str, Remediation]) -> str:
    failing = [t for t in run.tests if t.conclusion is ControlConclusion.EXCEPTIONS]
    content = [
        _p(
            "One response per exception in Section IV. Management describes the cause, the "
            "remediation and when it took or will take effect; the auditor does not audit "
            "these responses."
        )
    ]
    if not failing:
        content.append(_p("No exceptions were noted; no management response is required."))
    for test in failing:
        control = program.control(test.control)
        related = [f.id for f in run.findings if f.control == test.control]
        content.append(
            '<div class="response">'
            f"<h4>{e(test.control)}{e(' — ' + control.title) if control else ''}</h4>"
            f'<p class="result-exception">{e(words.exception_wording(test, control, program))}</p>'
            f"<p>Control owner: {e(words.owner_label(program, test.owner))}. Related findings: "
            f"{e(words.names_of(related))}.</p>"
            "<p><strong>Management's response:</strong></p>"
            + _management_responses([responses[f] for f in related if f in responses], program)
            + "</div>"
        )
    return _section(*SECTIONS[4], content)


def _management_responses(records: Sequence[Remediation], program: Program) -> str:
    """What management wrote about the findings of one exception, or the blank to fill."""
    written = [r for r in records if r.response or r.cause]
    if not written:
        return '<div class="blank">[To be completed by management: cause, remediation, date]</div>'
    parts = []
    for record in written:
        facts = [f"status: {record.status_text}"]
        if record.owner:
            facts.append(f"owner: {words.owner_label(program, record.owner)}")
        if record.due:
            facts.append(f"due {record.due.isoformat()}")
        cause = f"Cause: {record.cause} " if record.cause else ""
        parts.append(
            f'<p class="management-response"><strong>{e(record.finding_id)}</strong> '
            f"{e(cause)}{e(record.response)} <em>({e('; '.join(facts))})</em></p>"
        )
    return "".join(parts)


# -- appendices ------------------------------------------------------------------------------


def _gap_section(run: Run, program: Program) -> str:
    content = [_p("Every finding of the rehearsal, by severity, with who should fix it and how.")]
    content.append(_owner_table(run.findings, program))
    for severity in Severity:
        found = [f for f in run.findings if f.severity is severity]
        content.append(f"<h3>{e(severity.value.capitalize())} severity ({len(found)})</h3>")
        if not found:
            content.append(_p("None."))
            continue
        content.append(
            '<table class="grid gaps"><thead><tr><th>ID</th><th>Finding</th><th>Subject</th>'
            "<th>Owner</th><th>Remediation</th></tr></thead><tbody>"
            + "".join(_gap_row(f, program) for f in found)
            + "</tbody></table>"
        )
    return _section(*SECTIONS[5], content)


def _gap_row(finding: Finding, program: Program) -> str:
    subject = (
        finding.control
        or finding.population
        or finding.policy
        or finding.risk
        or ", ".join(finding.criteria)
        or "program"
    )
    sev = finding.severity.value
    return (
        f'<tr><td><span class="sev sev-{e(sev)}">{e(finding.id)}</span></td>'
        f'<td>{e(finding.title)}<br><span class="muted small">{e(finding.code.value)}</span></td>'
        f"<td>{e(subject)}</td><td>{e(words.owner_label(program, finding.owner))}</td>"
        f"<td>{e(finding.remediation)}</td></tr>"
    )


def _owner_table(findings: Sequence[Finding], program: Program) -> str:
    counts: dict[str, dict[Severity, int]] = {}
    for f in findings:
        owner = words.owner_label(program, f.owner)
        counts.setdefault(owner, {s: 0 for s in Severity})[f.severity] += 1
    if not counts:
        return _p("No findings.")
    rows = "".join(
        f"<tr><td>{e(owner)}</td>" + "".join(f"<td>{n[s]}</td>" for s in Severity) + "</tr>"
        for owner, n in sorted(counts.items(), key=lambda kv: (-kv[1][Severity.HIGH], kv[0]))
    )
    return (
        "<h3>Findings by owner</h3>"
        '<table class="grid owners"><thead><tr><th>Owner</th><th>High</th><th>Medium</th>'
        f"<th>Low</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _charts_section(run: Run, readiness: Readiness) -> str:
    counts = {s.value: sum(1 for f in run.findings if f.severity is s) for s in Severity}
    blocks = [
        ("Readiness score", charts.score_gauge(readiness.score)),
        ("Findings by severity", charts.severity_bars(counts)),
        (
            "Fieldwork estimate",
            charts.fieldwork_range(readiness.fieldwork_days, readiness.follow_up_rounds),
        ),
        ("Criteria heat map by category", charts.criteria_heatmap(readiness.criteria)),
        ("Timeline", charts.timeline_chart((run.period_start, run.period_end), readiness.timeline)),
    ]
    content = (
        ['<div class="charts">']
        + [f'<figure class="chart"><h3>{e(title)}</h3>{svg}</figure>' for title, svg in blocks]
        + ["</div>"]
    )
    c = readiness.controls
    content.append(
        _p(
            f"Controls: {c.total} total, {c.no_exceptions} without exceptions, {c.exceptions} "
            f"with exceptions, {c.not_testable} not testable."
        )
    )
    return _section(*SECTIONS[6], content)


def _checkpoint_section(note: str) -> str:
    content = [
        _p(
            "The vault's custody log (every evidence event, in a Merkle tree) as signed when "
            "this report was written: a C2SP signed note (origin, tree size, root hash, "
            "Ed25519 signature). Keep this copy outside the vault: 'mockaudit vault verify "
            "--against FILE' later proves that no event before it was rewritten or removed."
        ),
        f'<pre class="note">{e(note)}</pre>',
    ]
    return _section(*CHECKPOINT_SECTION, content)


def _provenance_section(rows: Sequence[Provenance]) -> str:
    """Issue 20: who collected each evidence item, from the custody event that brought it in."""
    intro = _p(
        "Each item of evidence in the vault and the team member who collected it, as the "
        "custody log recorded at collection (members unlock with their own key slot)."
    )
    body = "".join(
        f"<tr><td class='nw'>{e(ev)}</td><td>{e(name)}</td><td>{e(who)}</td>"
        f"<td class='nw'>{e(day)}</td></tr>"
        for ev, name, who, day in rows
    )
    table = (
        "<table><thead><tr><th>Evidence</th><th>File</th><th>Collected by</th><th>On</th>"
        f"</tr></thead><tbody>{body}</tbody></table>"
    )
    return _section(*PROVENANCE_SECTION, [intro, table])
