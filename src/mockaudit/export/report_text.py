"""The words of the mock SOC 2 report: opinion, assertion, tests performed, exceptions.

Kept apart from the HTML so that the wording can be read, tested and reused (the
TUI or a Markdown writer can show the same sentences). Everything here returns
plain text; the HTML writer escapes it. The opinion paragraphs follow the shape
of a service auditor's report (soc2-domain.md §3.5 and §3.8): scope, the basis
for a modified opinion when there is one, then the opinion itself, covering fair
presentation of the description, suitability of design and — Type 2 only —
operating effectiveness.
"""

from __future__ import annotations

from collections.abc import Sequence

from mockaudit.domain import Attribute, AttributeCheck, Control, Population, Program
from mockaudit.domain.enums import Category, ReportType
from mockaudit.domain.run import ControlConclusion, ControlTest, Ground, Opinion, Run
from mockaudit.export import report_complementary as complementary

REHEARSAL_NOTICE = (
    "REHEARSAL ONLY: this is a mock report produced by mockaudit, a rehearsal tool. "
    "It is not a SOC 2 report and not an attestation by an independent CPA firm; "
    "no auditor has examined these controls or signed this document."
)
"""Said plainly at the top of every section and on every printed page."""

_LISTED_ITEMS = 10
_CATEGORY_NAMES = {
    Category.SECURITY: "Security",
    Category.AVAILABILITY: "Availability",
    Category.CONFIDENTIALITY: "Confidentiality",
    Category.PROCESSING_INTEGRITY: "Processing Integrity",
    Category.PRIVACY: "Privacy",
}


# -- engagement phrases ------------------------------------------------------------------


def period_phrase(run: Run) -> str:
    """'throughout the period July 1, 2025 to June 30, 2026' or 'as of June 30, 2026'."""
    if run.report_type is ReportType.TYPE2 and run.period_start is not None:
        return f"throughout the period {run.period_start:%B} {run.period_start.day}, " + (
            f"{run.period_start.year} to {run.period_end:%B} {run.period_end.day}, "
            f"{run.period_end.year}"
        )
    return f"as of {run.period_end:%B} {run.period_end.day}, {run.period_end.year}"


def categories_phrase(program: Program) -> str:
    """'Security and Availability' — the categories in scope, in catalogue order."""
    names = [_CATEGORY_NAMES[c] for c in Category if c in program.engagement.categories]
    if len(names) <= 1:
        return names[0] if names else "Security"
    return ", ".join(names[:-1]) + " and " + names[-1]


TYPE1_SECTION_IV = "IV. Trust Services Criteria and Related Controls"
TYPE1_SECTION_IV_NOTE = (
    "A Type 1 report covers the design and implementation of the controls as of a date "
    "(soc2-domain.md §3.6); it expresses no opinion on operating effectiveness and so has no "
    "tests of operating effectiveness or results. The controls stated in the description, "
    "and the criteria they address:"
)


def has_tests(run: Run) -> bool:
    """Only a Type 2 report has a Tests and Results section (§3.6, §3.8)."""
    return run.report_type is ReportType.TYPE2


def report_sections(run: Run, sections: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The table of contents: Type 1 retitles Section IV (criteria and controls only)."""
    if has_tests(run):
        return list(sections)
    return [(a, TYPE1_SECTION_IV if a == "section-4" else t) for a, t in sections]


def report_title(run: Run) -> str:
    kind = "Type 2" if run.report_type is ReportType.TYPE2 else "Type 1"
    return f"Mock SOC 2 {kind} Report (rehearsal)"


# -- Section I: the opinion --------------------------------------------------------------


def opinion_heading(opinion: Opinion) -> str:
    return {
        Opinion.UNQUALIFIED: "Opinion (unmodified)",
        Opinion.QUALIFIED: "Qualified Opinion",
        Opinion.ADVERSE: "Adverse Opinion",
        Opinion.DISCLAIMER: "Disclaimer of Opinion",
    }[opinion]


def scope_paragraph(run: Run, program: Program) -> str:
    org = program.organization.name
    what = "suitability of the design" + (
        " and operating effectiveness" if run.report_type is ReportType.TYPE2 else ""
    )
    return (
        f"We have been engaged (in this rehearsal) to examine {org}'s accompanying description "
        f"of its system (Section III) {period_phrase(run)}, based on the description criteria "
        f"(DC 200), and the {what} of the controls stated in the description to provide "
        f"reasonable assurance that {org}'s service commitments and system requirements were "
        f"achieved based on the trust services criteria relevant to "
        f"{categories_phrase(program)}."
    )


def basis_paragraph(run: Run, program: Program) -> str | None:
    """Why the opinion is modified (None for an unmodified opinion).

    The matters are the qualification grounds (what the auditor's sample, the
    population-level facts and the design showed), never items only the
    full-population scan saw; runs stored before grounds existed use the rule text.
    """
    readiness = run.readiness
    if readiness is None or readiness.likely_opinion is Opinion.UNQUALIFIED:
        return None
    matters = (
        _matters(readiness.grounds)
        if readiness.grounds
        else readiness.opinion_rule.partition(":")[2].strip() or readiness.opinion_rule
    )
    noted = [t.control for t in run.tests if _exception_noted(t)]
    tail = (
        f" Exceptions were noted in the tests of {', '.join(noted)} (Section IV)."
        if noted and has_tests(run)
        else ""
    )
    tail += likelihood_sentence(run)
    if readiness.likely_opinion is Opinion.DISCLAIMER:
        return (
            "We were unable to obtain sufficient appropriate evidence about the operation of "
            f"the controls: {matters}.{tail}"
        )
    return f"The following matters were identified: {matters}.{tail}"


def likelihood_sentence(run: Run) -> str:
    """' In 62% of 1,000 simulated samples the opinion was qualified.' (rehearsal context)."""
    readiness = run.readiness
    distribution = readiness.opinion_distribution if readiness else None
    if distribution is None:
        return ""
    share = distribution.probabilities.get(distribution.most_likely.value, 0.0)
    return (
        f" (Rehearsal: this opinion came out of {share:.0%} of {distribution.samples:,} "
        "simulated auditor samples.)"
    )


def _matters(grounds: Sequence[Ground]) -> str:
    """Criteria sharing one cause joined: 'CC6.1, CC6.2 — IAM-04 did not operate …'."""
    by_text: dict[str, list[str]] = {}
    for ground in grounds:
        by_text.setdefault(ground.text, []).append(ground.criterion)
    return "; ".join(f"{', '.join(dict.fromkeys(c))} — {text}" for text, c in by_text.items())


def _exception_noted(test: ControlTest) -> bool:
    return (
        test.exceptions_noted > 0
        or test.conclusion is ControlConclusion.EXCEPTIONS
        or bool(test.missed_occurrences)
    )


def opinion_paragraph(run: Run, program: Program) -> str:
    """The opinion sentence for the likely opinion (unqualified when no readiness exists)."""
    opinion = run.readiness.likely_opinion if run.readiness else Opinion.UNQUALIFIED
    org = program.organization.name
    period = period_phrase(run)
    cats = categories_phrase(program)
    type2 = run.report_type is ReportType.TYPE2
    if opinion is Opinion.DISCLAIMER:
        return (
            "Because of the significance of the matter described in the Basis for Disclaimer "
            "of Opinion paragraph, we have not been able to obtain sufficient appropriate "
            "evidence to provide a basis for an opinion. Accordingly, we do not express an "
            f"opinion on the description or on the controls of {org} {period}."
        )
    if opinion is Opinion.ADVERSE:
        effective = " and did not operate effectively" if type2 else ""
        return (
            "In our opinion, because of the significance of the matters described in the Basis "
            f"for Adverse Opinion paragraph, the controls stated in {org}'s description were not "
            f"suitably designed{effective} {period} to provide reasonable assurance that its "
            "service commitments and system requirements were achieved based on the trust "
            f"services criteria relevant to {cats}."
        )
    lead = "In our opinion, in all material respects,"
    if opinion is Opinion.QUALIFIED:
        lead = (
            "In our opinion, except for the effects of the matter described in the Basis for "
            "Qualified Opinion paragraph, in all material respects,"
        )
    parts = [
        f"(a) the description presents {org}'s system that was designed and implemented {period} "
        "in accordance with the description criteria",
        f"(b) the controls stated in the description were suitably designed {period} to provide "
        f"reasonable assurance that {org}'s service commitments and system requirements would "
        f"be achieved based on the trust services criteria relevant to {cats}, if its controls "
        f"operated effectively{complementary.design_condition(program)}",
    ]
    if type2:
        parts.append(
            f"(c) the controls stated in the description operated effectively {period} to "
            f"provide reasonable assurance that {org}'s service commitments and system "
            f"requirements were achieved based on the trust services criteria relevant to {cats}"
            f"{complementary.design_condition(program)}"
        )
    return f"{lead} {'; '.join(parts)}."


# -- Section II: management's assertion --------------------------------------------------


def assertion_claims(run: Run, program: Program) -> list[str]:
    """The (a)/(b)/(c) statements management would sign."""
    org = program.organization.name
    period = period_phrase(run)
    claims = [
        f"The description presents {org}'s system that was designed and implemented {period} "
        "in accordance with the description criteria (DC 200).",
        f"The controls stated in the description were suitably designed {period} to provide "
        "reasonable assurance that the service commitments and system requirements would be "
        f"achieved based on the trust services criteria relevant to {categories_phrase(program)}"
        f"{complementary.design_condition(program)}.",
    ]
    if run.report_type is ReportType.TYPE2:
        claims.append(
            f"The controls stated in the description operated effectively {period} to provide "
            "reasonable assurance that the service commitments and system requirements were "
            "achieved based on the applicable trust services criteria"
            f"{complementary.design_condition(program)}."
        )
    extra = complementary.assertion_sentence(program)
    return [*claims, extra] if extra else claims


def assertion_caveat(run: Run) -> str | None:
    """What management could not yet sign, given the likely opinion."""
    readiness = run.readiness
    if readiness is None or readiness.likely_opinion is Opinion.UNQUALIFIED:
        return None
    return (
        f"Draft note: the rehearsal expects a {readiness.likely_opinion.value} opinion "
        f"({readiness.opinion_rule}). Management should not sign these statements unmodified "
        "until the owned gap list below is resolved, or should describe the exceptions in the "
        "assertion."
    )


# -- Section IV: tests and results --------------------------------------------------------


def test_performed(test: ControlTest, control: Control | None, program: Program) -> str:
    """What the auditor did, in the usual 'Inquired … inspected …' style."""
    owner = _person(program, test.owner)
    inquiry = f"Inquired of the control owner ({owner}). " if owner else ""
    if test.conclusion is ControlConclusion.NOT_TESTABLE and not test.items:
        return f"{inquiry}No test could be performed: {_strip_prefix(test.reason)}."
    if test.population is None:
        if test.procedure:  # what the auditor inspected, with its date (control_evidence.py)
            return f"{inquiry}{test.procedure}"
        files = ", ".join(control.evidence) if control and control.evidence else "its evidence"
        return (
            f"{inquiry}Inspected the control-level evidence ({files}) to determine whether the "
            f"control was performed as described {_window(program)}."
        )
    noun = population_noun(program.population(test.population), test.population)
    planned = test.planned_size or test.sample_size
    checks = [attribute_expectation(a) for a in control.attributes] if control else []
    checked = f" and, for each, checked that {'; '.join(checks)}" if checks else ""
    expansion = (
        f" After one deviation the sample was expanded to {test.sample_size} items."
        if test.expanded
        else ""
    )
    strata = f", spread by {test.unit}" if test.unit else ""
    return (
        f"{inquiry}Selected a sample of {planned} of {test.population_size} {noun} "
        f"(population {test.population}{strata}){checked}.{expansion}"
    )


def result_text(test: ControlTest, control: Control | None, program: Program) -> str:
    """'No exceptions noted.' or the exception wording, e.g. 'Exception noted: 2 of 25 …'
    (the engine's ``ControlTest.result_text`` when the run has it)."""
    if test.result_text:
        return test.result_text
    if test.conclusion is ControlConclusion.NOT_TESTABLE:
        return test.reason or "Not testable."
    if test.deviations or test.missed_occurrences:
        wording = exception_wording(test, control, program)
        if test.conclusion is ControlConclusion.NO_EXCEPTIONS:
            wording += (
                " The sample was expanded with no further deviation: within the tolerable"
                " rate, the control operated effectively."
            )
        return wording
    return "No exceptions noted."


def exception_wording(test: ControlTest, control: Control | None, program: Program) -> str:
    """'Exception noted: 2 of 25 sampled changes had no approved_at before merged_at (…)'
    (the engine's ``ControlTest.result_text`` when the run has it)."""
    if test.result_text.startswith("Exception noted"):
        return test.result_text
    deviating = [item for item in test.items if item.deviation]
    if test.population is None or not deviating:
        return test.reason or "Exception noted."
    noun = population_noun(program.population(test.population), test.population)
    counts: dict[str, int] = {}
    for item in deviating:
        for result in item.results:
            if not result.passed:
                counts[result.attribute] = counts.get(result.attribute, 0) + 1
    phrases = [
        f"{_failure(control, attr)} ({attr})"
        if len(counts) == 1
        else f"{n} had {_failure(control, attr)} ({attr})"
        for attr, n in counts.items()
    ]
    keys = [item.key for item in deviating]
    listed = ", ".join(keys[:_LISTED_ITEMS]) + (
        f" and {len(keys) - _LISTED_ITEMS} more" if len(keys) > _LISTED_ITEMS else ""
    )
    head = f"Exception noted: {len(deviating)} of {test.sample_size} sampled {noun}"
    if len(counts) == 1:
        return f"{head} had {phrases[0]}: {listed}."
    return f"{head} deviated: {'; '.join(phrases)}. Items: {listed}."


def population_noun(population: Population | None, fallback: str) -> str:
    """The population's title as a plural noun ('merged pull requests …'), else its id."""
    if population is None or not population.title.strip():
        return f"items of {fallback}"
    title = " ".join(population.title.split())
    return title[0].lower() + title[1:] if title[:2] != title[:2].upper() else title


def attribute_expectation(attribute: Attribute) -> str:
    """What a passing item shows, e.g. 'approved_at is on or before merged_at', with the
    rows it applies to when the attribute is conditional ('(where change_type is …)')."""
    text = _expectation(attribute)
    if attribute.check is AttributeCheck.BEFORE and attribute.days:
        unit = "business day" if attribute.business_days else "day"
        a, b = (attribute.fields or ("", ""))[:2]
        text = f"{a} is no later than {_days(attribute.days).replace('day', unit)} after {b}"
    if attribute.when is not None:
        text += f" (where {attribute.when.describe()})"
    return text


def _expectation(attribute: Attribute) -> str:
    a, b = (attribute.fields or ("", ""))[:2]
    field = attribute.field or ""
    check = attribute.check
    if check is AttributeCheck.PRESENT:
        return f"{field} is recorded"
    if check is AttributeCheck.ABSENT:
        return f"{field} is blank"
    if check is AttributeCheck.EQUALS:
        return f"{field} is '{attribute.value}'"
    if check is AttributeCheck.IN:
        return f"{field} is one of {', '.join(attribute.values or ())}"
    if check is AttributeCheck.DIFFERENT:
        return f"{a} and {b} are different people"
    if check is AttributeCheck.BEFORE:
        return f"{a} is on or before {b}"
    if check is AttributeCheck.WITHIN_DAYS:
        return f"{b} is within {_days(attribute.days or 0)} of {a}"
    return "its supporting evidence is in the vault and verifies"


def _failure(control: Control | None, attribute_id: str) -> str:
    """What a failing item had, e.g. 'no approver' or 'no removed_on within 1 day of …'."""
    attribute = control.attribute(attribute_id) if control else None
    if attribute is None:
        return f"a failed check {attribute_id}"
    a, b = (attribute.fields or ("", ""))[:2]
    field = attribute.field or ""
    check = attribute.check
    if check is AttributeCheck.PRESENT:
        return f"no {field}"
    if check is AttributeCheck.ABSENT:
        return f"a {field} where none is allowed"
    if check is AttributeCheck.EQUALS:
        return f"{field} other than '{attribute.value}'"
    if check is AttributeCheck.IN:
        return f"{field} outside {', '.join(attribute.values or ())}"
    if check is AttributeCheck.DIFFERENT:
        return f"the same {a} and {b}"
    if check is AttributeCheck.BEFORE:
        return f"no {a} before {b}"
    if check is AttributeCheck.WITHIN_DAYS:
        return f"no {b} within {_days(attribute.days or 0)} of {a}"
    return "no supporting evidence in the vault"


def _window(program: Program) -> str:
    engagement = program.engagement
    if engagement.report_type is ReportType.TYPE2 and engagement.period_start is not None:
        return f"within the period {engagement.period_start} to {engagement.period_end}"
    return f"as of {engagement.period_end}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _strip_prefix(reason: str) -> str:
    head, sep, rest = reason.partition(":")
    return rest.strip() if sep and head.strip().lower() == "not testable" else reason


def _person(program: Program, person_id: str | None) -> str:
    if not person_id:
        return ""
    person = program.person(person_id)
    if person is None:
        return person_id
    return f"{person.name}, {person.role}" if person.role else person.name


def owner_label(program: Program, person_id: str | None) -> str:
    """'Ben Carter (ben)', the bare id when unknown, 'NO OWNER' when there is none."""
    if not person_id:
        return "NO OWNER"
    person = program.person(person_id)
    return f"{person.name} ({person_id})" if person else f"{person_id} (not among people)"


def names_of(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "none"
