"""Testing a control on its own evidence: annual, document-evidenced and continuous controls.

What the auditor does with a risk assessment, a pentest report, a policy register or a
configuration export (soc2-domain.md §2.1, §3.2, §3.4):

* the document must be produced (not produced → a deviation and a scope limitation);
* its date (``performed_on`` in scenario.toml, docs/scenario-format.md) must fall in
  the period, or within the control's frequency before the period end — "evidence
  dated outside the period does not count" (§3.2): a risk assessment dated 2023 fails
  an annual control for a 2026 period;
* a Type 2 configuration (continuous) control needs evidence that it held across the
  period: a capture within ``CONFIGURATION_SLACK`` of the period start and one of its
  end (or a change-history population, which is sampled like any other);
* a register that marks its own items overdue (a policy register's "overdue" next
  review) shows the control not operating for those items: one deviation each.

Evidence without a date is inspected as before (present and verifying), and the
procedure says its timing could not be tested. The verdict is ``domain.tolerable``'s:
a single instance has nothing to expand into, so any deviation is "not effective".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from mockaudit.domain import Control, Engagement, Finding, FindingCode, Frequency, Program
from mockaudit.domain.enums import ReportType
from mockaudit.domain.run import AttributeResult, ControlConclusion, ControlTest, SampleItem
from mockaudit.domain.tolerable import Verdict, judge, rule_text
from mockaudit.fieldwork.attributes import missing_paths
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.registers import overdue_entries
from mockaudit.fieldwork.section_iv import result_text
from mockaudit.fieldwork.severity import severity_of
from mockaudit.fieldwork.window import fieldwork_window

CONTROL_EVIDENCE: Final = "control-evidence"
"""Attribute id of the check that the control-level evidence is produced and verifies."""
DATED_IN_PERIOD: Final = "dated-in-period"
HELD_ACROSS_PERIOD: Final = "held-across-period"
REGISTER_CURRENT: Final = "register-current"

INTERVAL: Final = {
    Frequency.ANNUAL: timedelta(days=365),
    Frequency.SEMIANNUAL: timedelta(days=183),
    Frequency.QUARTERLY: timedelta(days=92),
    Frequency.MONTHLY: timedelta(days=31),
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.DAILY: timedelta(days=1),
}
"""How far before the period end an instance may be dated and still count (§3.2)."""

CONFIGURATION_SLACK: Final = timedelta(days=31)
"""A configuration captured within a month of the period start (end) shows it then."""

TYPE1_CONFIGURATION_AGE: Final = timedelta(days=92)
"""A Type 1 configuration capture must be this recent at the as-of date."""

GENERIC_DOCUMENT: Final = "control-level evidence"
TEXT_LIMIT: Final = 512 * 1024
"""Registers larger than this are not read (they are inspected, not parsed)."""

_TEXT_SUFFIXES: Final = (".md", ".txt", ".csv", ".tsv")
_WITHOUT_POPULATION: Final = {Frequency.ANNUAL, Frequency.CONTINUOUS}


@dataclass(frozen=True)
class _Inspection:
    items: tuple[SampleItem, ...]
    procedure: str
    exceptions: tuple[str, ...]  # Section IV phrases, one per kind of deviation
    scope_limited: bool


def test_control_evidence(
    control: Control, source: ProgramSource, engagement: Engagement, base: ControlTest
) -> ControlTest:
    """Annual, continuous and design-only controls: inspect the control-level evidence."""
    type2 = engagement.report_type is ReportType.TYPE2
    if type2 and control.frequency not in _WITHOUT_POPULATION:
        reason = f"Not testable: no population of occurrences for a {control.frequency} control"
        return _not_testable(base, reason, scope_limited=True)
    if not control.evidence:
        reason = "Not testable: no population and no control-level evidence to inspect"
        return _not_testable(base, reason, scope_limited=True)
    seen = _inspect(control, source, engagement)
    failing = sum(1 for item in seen.items if item.deviation)
    verdict = judge(planned=1, deviations=failing, expanded=False, whole_population=True)
    text = result_text(verdict, sampled="; ".join(seen.exceptions))
    produced = seen.items[0].results[0]
    return base.model_copy(
        update={
            "planned_size": 1,
            "items": seen.items,
            "conclusion": (
                ControlConclusion.NO_EXCEPTIONS
                if verdict is Verdict.EFFECTIVE
                else ControlConclusion.EXCEPTIONS
            ),
            "reason": _reason(control, text, produced),
            "exceptions_noted": failing,
            "effective": verdict is Verdict.EFFECTIVE,
            "result_text": text,
            "tolerable_rule": rule_text(1),
            "scope_limited": seen.scope_limited,
            "procedure": seen.procedure,
        }
    )


test_control_evidence.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _not_testable(base: ControlTest, reason: str, *, scope_limited: bool) -> ControlTest:
    return base.model_copy(
        update={
            "conclusion": ControlConclusion.NOT_TESTABLE,
            "reason": reason,
            "result_text": f"Not tested: {reason.removeprefix('Not testable: ')}.",
            "scope_limited": scope_limited,
        }
    )


def _reason(control: Control, text: str, produced: AttributeResult) -> str:
    count = f"{len(set(control.evidence))} control-level evidence file"
    count += "s" if len(set(control.evidence)) > 1 else ""
    if text.startswith("No exceptions"):
        return f"No exceptions noted: inspected {count}"
    if not produced.passed:
        return f"Exception noted: control-level evidence {produced.detail}"
    return text.removesuffix(".")


def _inspect(control: Control, source: ProgramSource, engagement: Engagement) -> _Inspection:
    paths = list(dict.fromkeys(control.evidence))
    refs = source.evidence(paths, verify=True)
    missing = missing_paths(paths, refs)
    damaged = [p for p in paths if p not in missing and refs[p].verified is False]
    doc = document_name(paths[0])
    results = [_produced(missing, damaged)]
    exceptions: list[str] = []
    if missing:
        exceptions.append(f"the {doc} was not produced ({_listing(missing)})")
    elif damaged:
        exceptions.append(f"the {doc} produced fails verification ({_listing(damaged)})")
    timing = _timing(control, engagement)
    if timing is not None:
        attribute, problem = timing
        results.append(
            AttributeResult(attribute=attribute, passed=problem is None, detail=problem or "")
        )
        if problem is not None:
            exceptions.append(f"the {doc} inspected {problem}")
    items = [SampleItem(key=control.id, line=0, results=tuple(results))]
    overdue = _overdue_entries([p for p in paths if p not in missing and p not in damaged], source)
    for key, line in overdue:
        detail = f"marked overdue: {line}"
        items.append(
            SampleItem(
                key=key,
                line=0,
                results=(AttributeResult(attribute=REGISTER_CURRENT, passed=False, detail=detail),),
            )
        )
    if overdue:
        keys = ", ".join(key for key, _ in overdue)
        noun = "entry" if len(overdue) == 1 else "entries"
        exceptions.append(f"the {doc} inspected marks {len(overdue)} {noun} overdue ({keys})")
    return _Inspection(
        items=tuple(items),
        procedure=_procedure(control, doc, paths, source, engagement),
        exceptions=tuple(exceptions),
        scope_limited=bool(missing),
    )


def _produced(missing: Sequence[str], damaged: Sequence[str]) -> AttributeResult:
    if missing:
        return AttributeResult(
            attribute=CONTROL_EVIDENCE, passed=False, detail=f"{_listing(missing)} not in vault"
        )
    if damaged:
        detail = f"{_listing(damaged)} fails verification"
        return AttributeResult(attribute=CONTROL_EVIDENCE, passed=False, detail=detail)
    return AttributeResult(attribute=CONTROL_EVIDENCE, passed=True)


def _timing(control: Control, engagement: Engagement) -> tuple[str, str | None] | None:
    """(attribute, why the dates fail or None) — None when the evidence carries no date."""
    if not control.performed_on:
        return None
    dates = sorted(control.performed_on)
    start, end = fieldwork_window(engagement)
    if control.frequency is Frequency.CONTINUOUS:
        return HELD_ACROSS_PERIOD, _held(dates, engagement, start, end)
    return DATED_IN_PERIOD, _in_period(dates, control.frequency, engagement, start, end)


def _held(dates: list[date], engagement: Engagement, start: date, end: date) -> str | None:
    shown = ", ".join(d.isoformat() for d in dates)
    usable = [d for d in dates if d <= end + CONFIGURATION_SLACK]
    if engagement.report_type is ReportType.TYPE1:
        if usable and usable[-1] >= end - TYPE1_CONFIGURATION_AGE:
            return None
        return f"is dated {shown}, not within {TYPE1_CONFIGURATION_AGE.days} days of {end}"
    if not usable or usable[-1] < end - CONFIGURATION_SLACK:
        return (
            f"shows the configuration as of {shown} only; nothing shows it at the period"
            f" end ({end})"
        )
    if usable[0] > start + CONFIGURATION_SLACK:
        return (
            f"shows the configuration as of {shown} only; nothing shows it held from the"
            f" start of the period ({start})"
        )
    return None


def _in_period(
    dates: list[date], frequency: Frequency, engagement: Engagement, start: date, end: date
) -> str | None:
    interval = INTERVAL.get(frequency, INTERVAL[Frequency.ANNUAL])
    type2 = engagement.report_type is ReportType.TYPE2
    for day in dates:
        if (type2 and start <= day <= end) or end - interval <= day <= end:
            return None
    latest = dates[-1]
    if latest > end:
        return f"is dated {latest}, after the period end ({end})"
    window = f"the period ({start} to {end})" if type2 else f"the 12 months to {end}"
    return f"is dated {latest}, outside {window} and more than {interval.days} days before {end}"


def _overdue_entries(paths: Sequence[str], source: ProgramSource) -> list[tuple[str, str]]:
    """(entry id, the row) for every entry a text register marks overdue (registers.py)."""
    found: list[tuple[str, str]] = []
    for path in paths:
        if not path.lower().endswith(_TEXT_SUFFIXES):
            continue
        text = source.evidence_text(path, limit=TEXT_LIMIT)
        if text is not None:
            found += overdue_entries(text, csv_file=path.lower().endswith((".csv", ".tsv")))
    return found


def document_name(path: str) -> str:
    """'evidence/risk/risk-assessment-2026.md' → 'risk assessment';
    'evidence/controls/INF-01-aws-config-rules.png' → 'aws config rules'; a file named
    only by an id ('GOV-01.pdf') → 'control-level evidence'."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = [w for w in stem.replace("_", "-").split("-") if w]
    while words and not any(ch.islower() for ch in words[0]):  # a leading id: "INF-01-…"
        words.pop(0)
    while len(words) > 1 and words[-1].isdigit():  # a date in the name is not its title
        words.pop()
    return " ".join(words) or GENERIC_DOCUMENT


def _procedure(
    control: Control,
    doc: str,
    paths: Sequence[str],
    source: ProgramSource,
    engagement: Engagement,
) -> str:
    """'Inspected the risk assessment dated 2026-02-11, performed by …, approved by …'."""
    by = _person(control.performed_by, source)
    approver = _person(control.approved_by, source)
    files = ", ".join(paths)
    start, end = fieldwork_window(engagement)
    if control.performed_on:
        dates = ", ".join(d.isoformat() for d in sorted(control.performed_on))
        what = f"Inspected the {doc} dated {dates}"
    else:
        what = f"Inspected the {doc}"
    if by:
        what += f", performed by {by}"
    if approver:
        what += f", approved by {approver}"
    if doc == GENERIC_DOCUMENT or len(paths) > 1:  # name the files the title cannot
        what += f" ({files})"
    if not control.performed_on:
        return what + "; the evidence carries no date, so its timing could not be tested."
    if control.frequency is Frequency.CONTINUOUS and engagement.report_type is ReportType.TYPE2:
        return what + f", for evidence that the configuration held from {start} to {end}."
    return what + f", and compared its date with the period {start} to {end}."


def _person(who: str | None, source: ProgramSource) -> str | None:
    if not who:
        return None
    person = source.program().person(who)
    return person.name if person is not None else who


def _listing(paths: Sequence[str]) -> str:
    return paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1} more"


def evidence_findings(
    program: Program, control: Control, test: ControlTest, owner: str | None
) -> list[Finding]:
    """A sample.deviation for each dating or register deviation of a control-level test
    (evidence not produced is ``control.no_evidence`` / ``evidence.missing``, scope.py)."""
    findings = []
    for item in test.items:
        for result in item.results:
            if result.passed or result.attribute == CONTROL_EVIDENCE:
                continue
            policy = program.policy(item.key)
            findings.append(
                Finding(
                    id="",
                    code=FindingCode.SAMPLE_DEVIATION,
                    severity=severity_of(FindingCode.SAMPLE_DEVIATION, exceptions=True),
                    control=control.id,
                    policy=policy.id if policy is not None else None,
                    criteria=control.criteria,
                    items=(item.key,),
                    owner=owner,
                    sampled=True,
                    title=_title(control, result),
                    detail=(
                        f"{test.procedure} Result: {test.result_text} ({result.attribute}:"
                        f" {result.detail})"
                    ),
                    remediation=_remediation(control, result.attribute),
                )
            )
    return findings


def _title(control: Control, result: AttributeResult) -> str:
    if result.attribute == REGISTER_CURRENT:
        return f"{control.id}: the register inspected marks an entry overdue"
    if result.attribute == HELD_ACROSS_PERIOD:
        return f"{control.id}: nothing shows the configuration held across the period"
    return f"{control.id}: the evidence inspected is dated outside the period"


def _remediation(control: Control, attribute: str) -> str:
    if attribute == REGISTER_CURRENT:
        return (
            f"Complete the overdue item the register shows, update the register and keep it as"
            f" {control.id}'s evidence."
        )
    if attribute == HELD_ACROSS_PERIOD:
        return (
            f"Keep dated captures of {control.id}'s configuration at the start and end of the"
            " period (or its change history) and record their dates in performed_on."
        )
    return (
        f"Perform {control.id} inside the period (or move the period to cover it), keep the"
        " dated evidence and record its date in performed_on."
    )
