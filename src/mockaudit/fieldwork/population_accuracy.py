"""Accuracy and source of a population, and controls that never operated (§3.2, §6.3).

What a single profile of the list shows, whatever the controls' frequency:
the count does not reconcile to the source, the list was pulled early, rows fall
outside the window, keys repeat, fields an attribute reads are blank, the list
is hand-made or has no query or count behind it — and, for a list with no row in
the window, each control on it did not operate (see :mod:`mockaudit.fieldwork.populations`).
"""

from __future__ import annotations

from mockaudit.domain import Finding, FindingCode
from mockaudit.domain.observations import Examples, PopulationProfile
from mockaudit.fieldwork.population_subject import PopulationSubject, and_more
from mockaudit.fieldwork.severity import counted


def accuracy_findings(subject: PopulationSubject, profile: PopulationProfile) -> list[Finding]:
    """Every accuracy and source problem the profile shows, in a fixed order."""
    findings = _count_mismatch(subject, profile)
    findings += _extracted_early(subject)
    findings += _out_of_period(subject, profile)
    findings += _duplicates(subject, profile)
    findings += _missing_fields(subject, profile)
    findings += _weak_source(subject)
    return findings


def _count_mismatch(subject: PopulationSubject, profile: PopulationProfile) -> list[Finding]:
    declared = subject.population.declared_count
    if declared is None or declared == profile.rows:
        return []
    return [
        subject.finding(
            FindingCode.POPULATION_COUNT_MISMATCH,
            f"Population {subject.pid} has {counted(profile.rows, 'row')} but the source showed "
            f"{declared}",
            f"The file holds {profile.rows} rows; the count the system of record showed is "
            f"{declared} ({profile.rows - declared:+d}). A list that does not reconcile to the "
            "source's own count fails completeness (soc2-domain.md §3.2).",
            "Re-run the query, export every row, and record the on-screen total with the export.",
        )
    ]


def _extracted_early(subject: PopulationSubject) -> list[Finding]:
    extracted = subject.population.extracted_on
    if extracted is None or extracted >= subject.end:
        return []
    early = (subject.end - extracted).days
    return [
        subject.finding(
            FindingCode.POPULATION_EXTRACTED_EARLY,
            f"Population {subject.pid} was extracted on {extracted}, "
            f"{counted(early, 'day')} before the period end {subject.end}",
            "Rows after the extraction date cannot be in the list, so the last days of the "
            "period are untested (soc2-domain.md §3.2 timely).",
            "Pull the list again after the period end with the same query.",
            days_early=early,
        )
    ]


def _out_of_period(subject: PopulationSubject, profile: PopulationProfile) -> list[Finding]:
    outside = profile.out_of_period
    if outside.count == 0:
        return []
    return [
        subject.finding(
            FindingCode.POPULATION_OUT_OF_PERIOD,
            f"Population {subject.pid} has {counted(outside.count, 'row')} dated outside "
            f"{subject.start}..{subject.end}",
            f"{outside.count} rows fall outside the window ({_keys(outside)}); they are kept, "
            "flagged and excluded from sampling, but show the extract was not filtered as "
            "described (soc2-domain.md §3.2).",
            "Filter the export to the period in the query itself and export again.",
            items=outside.keys,
        )
    ]


def _duplicates(subject: PopulationSubject, profile: PopulationProfile) -> list[Finding]:
    dup = profile.duplicates
    if dup.count == 0:
        return []
    key = subject.population.key
    return [
        subject.finding(
            FindingCode.POPULATION_DUPLICATE,
            f"Population {subject.pid} has {counted(dup.count, 'duplicate row')} "
            f"(a {key} on more than one row)",
            f"{dup.count} extra rows repeat a key ({_keys(Examples(dup.count, dup.keys))}); "
            f"{key} must be unique per row (soc2-domain.md §3.2 accurate).",
            "Remove the duplicated rows at the source query (joins often multiply rows) and "
            "export again.",
            items=dup.keys,
        )
    ]


def _missing_fields(subject: PopulationSubject, profile: PopulationProfile) -> list[Finding]:
    findings = []
    if profile.undated.count:
        column = subject.population.date
        findings.append(
            subject.finding(
                FindingCode.POPULATION_MISSING_FIELD,
                f"Population {subject.pid}: {counted(profile.undated.count, 'row')} without a "
                f'usable date in "{column}"',
                f"Rows without a date cannot be placed in the period or sampled "
                f"({_keys(profile.undated)}; soc2-domain.md §3.2).",
                f'Fill "{column}" with an ISO-8601 date on every row.',
                items=profile.undated.keys,
            )
        )
    for column, blanks in profile.blanks.items():
        if blanks.count == 0:
            continue
        findings.append(
            subject.finding(
                FindingCode.POPULATION_MISSING_FIELD,
                f'Population {subject.pid}: "{column}" is blank on {counted(blanks.count, "row")}',
                f'An attribute reads "{column}", so a blank row is a deviation when sampled '
                f"({_keys(blanks)}; soc2-domain.md §2.1, §3.2).",
                f'Export "{column}" from the system of record, or record why it is blank.',
                controls=subject.readers(column) or None,
                items=blanks.keys,
            )
        )
    return findings


def _weak_source(subject: PopulationSubject) -> list[Finding]:
    population = subject.population
    has_query = bool(population.query and population.query.strip())
    has_count = bool(population.count_evidence and population.count_evidence.strip())
    reasons = []
    if population.is_hand_made:
        reasons.append(f'it is a hand-made list (system "{population.system}")')
    if not has_query:
        reasons.append("no query or report parameters are recorded")
    if not has_count:
        reasons.append("no screenshot of the total count backs it")
    if not reasons:
        return []
    return [
        subject.finding(
            FindingCode.POPULATION_WEAK_SOURCE,
            f"Population {subject.pid} has a weak source: " + "; ".join(reasons),
            "The auditor tests completeness and accuracy through the system of record, the "
            "query that produced the list and a count matching the source "
            "(soc2-domain.md §3.2, [S20][S23]).",
            "Export the list from the system of record, record the query, and keep a "
            "screenshot of the on-screen total.",
            has_query=has_query,
            has_count_evidence=has_count,
        )
    ]


def not_operated(subject: PopulationSubject, *, provided: bool = True) -> list[Finding]:
    """One finding per control on a list with no row in the window.

    A list with no row at all has not been provided yet (a starter program's empty
    export): the finding then asks for the population rather than reporting a
    control that did not operate.
    """
    if not provided:
        return [
            subject.finding(
                FindingCode.CONTROL_NOT_OPERATED,
                f"Control {control.id}: provide population {subject.pid} "
                f"({subject.population.system}); the list has no rows yet",
                "Without the list of occurrences for the period the control cannot be "
                "sampled or tested (soc2-domain.md §3.2).",
                f"Export {subject.pid} from {subject.population.system} for "
                f"{subject.start}..{subject.end} and import it (mockaudit population import "
                f"FILE --population {subject.pid}); COLLECT.md gives the command.",
                controls=(control,),
                frequency=control.frequency,
            )
            for control in subject.users
        ]
    return [
        subject.finding(
            FindingCode.CONTROL_NOT_OPERATED,
            f"Control {control.id} did not operate in {subject.start}..{subject.end}: "
            f"population {subject.pid} has no occurrence",
            "With no occurrence in the period the control's operating effectiveness cannot be "
            "tested (soc2-domain.md §2.1, §3.2 zero-occurrence populations).",
            "Confirm nothing happened (and say so in the description), or export the missing "
            "occurrences; for an annual control, perform it inside the period.",
            controls=(control,),
            frequency=control.frequency,
        )
        for control in subject.users
    ]


def _keys(examples: Examples) -> str:
    return and_more(examples.keys, examples.count, 5)
