"""Testing one control as the auditor does, and scanning every item as the auditor cannot.

``test_control`` plays soc2-domain.md §2–§3 for one control: build the sampling
frame (in-period rows per month or quarter), size the sample (§2.3, sampling.py),
draw it with the control's seed (§3.3), test every attribute on every item —
evidence of the sampled items only is decrypted and re-hashed — and conclude with
the tolerable-deviation rule of ``domain.tolerable`` (§2.2, §3.4):

* the deviations counted are the sampled items that fail an attribute plus the
  occurrences of a weekly-to-semiannual control that never happened
  (occurrences.py: "one missed quarter = 1 of 4 failed");
* 0 → effective, "No exceptions noted."; exactly 1 in a planned sample of ≥ 20 →
  the sample is expanded once (``sampling.expanded_size``), and no further
  deviation → effective *with* the exception noted; otherwise → not effective;
* no occurrence in the period → not testable for an event-driven control (it did
  not operate), not effective for a scheduled one (every unit missed).

What each ``ControlTest`` carries (domain/run.py): ``effective`` (the verdict),
``exceptions_noted`` (every deviation found), ``result_text`` (Section IV, worded
by section_iv.py), ``tolerable_rule``, ``missed_occurrences``, ``scope_limited``
(a sampled item's evidence, or the population, was not produced — §2.1 still counts
the item as a deviation) and ``procedure``. ``conclusion`` follows Section IV, not
the opinion: ``EXCEPTIONS`` whenever an exception is noted — including an effective
control whose expanded sample held one deviation — ``NO_EXCEPTIONS`` only with
nothing to disclose. Whether the control can be relied on is ``effective``.
``reason`` is the one technical line behind the result.

Controls without a population are tested on their control-level evidence
(control_evidence.py: produced, dated in the period, a configuration held across
it, a register with nothing overdue).

``scan_population`` streams every in-period row once and reports each deviating
item with whether the auditor sampled it and the chance a sample of that size
finds such an item; an item the sample did not hit is a *risk* of an exception,
worded so and never rated high.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from mockaudit.domain import Control, Engagement, Finding, FindingCode, Population, Program
from mockaudit.domain.enums import AttributeCheck, ReportType
from mockaudit.domain.findings import Severity
from mockaudit.domain.observations import EvidenceRef, PeriodUnit, PopulationRow
from mockaudit.domain.run import AttributeResult, ControlConclusion, ControlTest, SampleItem
from mockaudit.domain.tolerable import Verdict, judge, rule_text
from mockaudit.fieldwork.attributes import (
    Check,
    compile_check,
    evidence_paths,
    evidence_problem,
    missing_paths,
)
from mockaudit.fieldwork.control_evidence import CONTROL_EVIDENCE, test_control_evidence
from mockaudit.fieldwork.occurrences import Schedule, schedule
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.sampling import (
    EXPANSION_MINIMUM,
    control_seed,
    detection_probability,
    expanded_size,
    expansion_seed,
    plan_sample,
    select,
    select_expansion,
    select_recent,
    stratum_unit,
)
from mockaudit.fieldwork.section_iv import (
    item_noun,
    missed_exception,
    result_text,
    sample_procedure,
    sampled_exception,
)
from mockaudit.fieldwork.severity import severity_of
from mockaudit.fieldwork.window import TYPE1_LOOKBACK, fieldwork_window

__all__ = [
    "CONTROL_EVIDENCE",
    "TYPE1_LOOKBACK",
    "ScanResult",
    "fieldwork_window",
    "reports_row_evidence",
    "scan_population",
    "test_control",
]

SCAN_CHUNK: Final = 4096
"""Rows whose evidence paths are looked up in one call during the scan."""

_NOT_TESTABLE = ControlConclusion.NOT_TESTABLE
_EXCEPTIONS = ControlConclusion.EXCEPTIONS
_CLEAN = ControlConclusion.NO_EXCEPTIONS


# -- testing one control -----------------------------------------------------------------


def test_control(
    control: Control,
    population: Population | None,
    source: ProgramSource,
    *,
    engagement: Engagement,
    run_seed: int,
    itgc_clean: bool,
    owner: str | None = None,
) -> ControlTest:
    """Plan, draw, test and conclude one control (see the module docstring for the rules)."""
    seed = control_seed(run_seed, control.id)
    base = ControlTest(
        control=control.id,
        owner=owner,
        population=population.id if population else None,
        frequency=control.frequency,
        kind=control.kind,
        risk=control.risk,
        seed=seed,
    )
    if population is None:
        return test_control_evidence(control, source, engagement, base)
    start, end = fieldwork_window(engagement)
    unit = stratum_unit(control.frequency)
    frame = dict(source.strata(population.id, start, end, unit))
    size = sum(frame.values())
    type1 = engagement.report_type is ReportType.TYPE1
    timing = Schedule() if type1 else schedule(control, population, source, start, end)
    plan = plan_sample(
        control,
        population_size=size,
        confidence=engagement.confidence,
        report_type=engagement.report_type,
        itgc_clean=itgc_clean,
        period=(start, end),
    )
    base = base.model_copy(
        update={
            "population_size": size,
            "unit": unit.value,
            "missed_occurrences": timing.missed,
            "procedure": sample_procedure(
                control,
                item_noun(population, population.id),
                plan.size,
                size,
                unit.value,
                plan.rule,
            ),
        }
    )
    if not plan.testable:
        return _nothing_to_sample(control, population, base, timing, (start, end))
    picks = (select_recent if type1 else select)(frame, plan.size, seed)
    tester = _ItemTester(control, population, source, (start, end, unit))
    items = tester.test(picks, expansion=False)
    whole = plan.size >= size
    found = _deviations(items) + len(timing.missed)
    verdict = judge(planned=plan.size, deviations=found, expanded=False, whole_population=whole)
    if verdict is Verdict.EXPAND:
        more = _expansion(tester, items, frame, picks, seed, engagement.confidence)
        items += more
        found = _deviations(items) + len(timing.missed)
        verdict = judge(
            planned=plan.size, deviations=found, expanded=bool(more), whole_population=not more
        )
    expanded = any(item.expansion for item in items)
    noun = item_noun(population, population.id)
    sampled = sampled_exception(control, items, noun) if _deviations(items) else ""
    missed = missed_exception(control.frequency, timing.expected, timing.missed)
    return base.model_copy(
        update={
            "planned_size": plan.size,
            "items": tuple(items),
            "expanded": expanded,
            "procedure": base.procedure
            + (
                f" After one deviation the sample was expanded to {len(items)} items."
                if expanded
                else ""
            ),
            "conclusion": _CLEAN if verdict is Verdict.EFFECTIVE else _EXCEPTIONS,
            "reason": _conclude(items, population.id, expanded=expanded, whole=size, timing=timing),
            "exceptions_noted": found,
            "effective": verdict is not Verdict.NOT_EFFECTIVE,
            "result_text": result_text(
                verdict,
                sampled=sampled,
                missed=missed if timing.missed else "",
                planned=plan.size,
                total=len(items),
            ),
            "tolerable_rule": rule_text(plan.size),
            "scope_limited": _evidence_not_produced(control, items),
        }
    )


def _nothing_to_sample(
    control: Control,
    population: Population,
    base: ControlTest,
    timing: Schedule,
    window: tuple[date, date],
) -> ControlTest:
    """No occurrence in the period: a scheduled control missed every unit (not effective);
    an event-driven one simply did not operate (not testable, §3.2)."""
    start, end = window
    if timing.missed:
        missed = missed_exception(control.frequency, timing.expected, timing.missed)
        return base.model_copy(
            update={
                "conclusion": _EXCEPTIONS,
                "reason": f"Exception noted: {missed}",
                "exceptions_noted": len(timing.missed),
                "effective": False,
                "result_text": result_text(Verdict.NOT_EFFECTIVE, missed=missed),
                "tolerable_rule": rule_text(timing.expected),
            }
        )
    reason = f"Not testable: no occurrence in {population.id} between {start} and {end}"
    return base.model_copy(
        update={
            "conclusion": _NOT_TESTABLE,
            "reason": reason,
            "result_text": (
                "The control did not operate during the period; its operating effectiveness"
                " could not be tested."
            ),
        }
    )


def _evidence_not_produced(control: Control, items: Sequence[SampleItem]) -> bool:
    """Whether any sampled item's evidence was not produced (a scope limitation, §3.5)."""
    evidence = {a.id for a in control.attributes if a.check is AttributeCheck.EVIDENCE}
    return any(
        not r.passed and r.attribute in evidence and "fails verification" not in r.detail
        for item in items
        for r in item.results
    )


test_control.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _expansion(
    tester: _ItemTester,
    items: list[SampleItem],
    frame: Mapping[str, int],
    picks: Sequence[tuple[str, int]],
    seed: int,
    confidence: float,
) -> list[SampleItem]:
    """The extra items after exactly one deviation in a sample of at least 20 (§3.4)."""
    extra = expanded_size(len(items), confidence, sum(frame.values())) - len(items)
    if extra <= 0:  # the whole population was already tested
        return []
    more = select_expansion(frame, picks, extra, expansion_seed(seed))
    return tester.test(more, expansion=True)


@dataclass
class _ItemTester:
    """Fetches sampled rows, verifies their evidence and applies every attribute."""

    control: Control
    population: Population
    source: ProgramSource
    frame: tuple[date, date, PeriodUnit]
    checks: list[tuple[str, Check]] = field(init=False)

    def __post_init__(self) -> None:
        column = self.population.evidence_column
        self.checks = [(a.id, compile_check(a, column)) for a in self.control.attributes]

    def test(self, picks: Sequence[tuple[str, int]], *, expansion: bool) -> list[SampleItem]:
        start, end, unit = self.frame
        pid = self.population.id
        rows = [(label, self.source.row_at(pid, start, end, unit, label, i)) for label, i in picks]
        refs: Mapping[str, EvidenceRef] = {}
        if _has_evidence_check(self.control):
            paths = dict.fromkeys(
                p for _, row in rows for p in evidence_paths(row, self.population.evidence_column)
            )
            refs = self.source.evidence(paths, verify=True)
        return [
            SampleItem(
                key=row.key,
                line=row.line,
                day=row.day,
                stratum=label,
                expansion=expansion,
                results=tuple(_result(attr, check(row, refs)) for attr, check in self.checks),
            )
            for label, row in rows
        ]


def _result(attribute: str, detail: str | None) -> AttributeResult:
    return AttributeResult(attribute=attribute, passed=detail is None, detail=detail or "")


def _has_evidence_check(control: Control) -> bool:
    return any(a.check is AttributeCheck.EVIDENCE for a in control.attributes)


def _deviations(items: Iterable[SampleItem]) -> int:
    return sum(1 for item in items if item.deviation)


def _conclude(
    items: list[SampleItem], population: str, *, expanded: bool, whole: int, timing: Schedule
) -> str:
    """The one technical line under the control (the Section IV wording is ``result_text``)."""
    total = len(items)
    planned = sum(1 for item in items if not item.expansion)
    deviating = [item for item in items if item.deviation]
    missed = (
        f"; {len(timing.missed)} of {timing.expected} occurrences not performed"
        f" ({', '.join(timing.missed)})"
        if timing.missed
        else ""
    )
    if not deviating:
        if missed:
            return f"Exception noted: {total} sampled items of {population} passed{missed}"
        return f"No exceptions noted: {total} sampled items of {population} passed"
    first = deviating[0]
    example = next(r for r in first.results if not r.passed)
    instance = f"{first.key}: {example.detail}"
    if expanded and len(deviating) == 1 and not missed:
        return (
            f"1 deviation in {planned} sampled items of {population} ({instance}); sample"
            f" expanded to {total} with no further deviation, within the tolerable rate"
        )
    counts: dict[str, int] = {}
    for item in deviating:
        for r in item.results:
            if not r.passed:
                counts[r.attribute] = counts.get(r.attribute, 0) + 1
    failed = ", ".join(f"{attr} failed on {n}" for attr, n in counts.items())
    scope = f"{total} sampled items of {population}"
    if expanded:
        scope += f" (expanded from {planned} after one deviation)"
    why = ""
    if len(deviating) == 1 and not missed:
        why = (
            "; the whole population was tested"
            if total >= whole
            else f"; one deviation in a sample under {EXPANSION_MINIMUM} exceeds the tolerable rate"
        )
    return (
        f"Exception noted: {len(deviating)} of {scope} deviated"
        f" ({failed}; e.g. {instance}){why}{missed}"
    )


def _listing(paths: Sequence[str]) -> str:
    return paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1} more"


# -- the full-population scan ------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    """Every deviating in-period item of one control, found by testing them all."""

    findings: tuple[Finding, ...]
    failing: dict[str, list[str]]  # attribute id → every failing key, in file order
    population_size: int  # in-period rows scanned (N)
    deviating: int  # rows behind the sample.deviation findings (K)
    missing_evidence: int  # rows behind the evidence.missing findings
    failing_rows: int = 0  # rows failing any attribute: what another sample could hit


@dataclass
class _Hit:
    line: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (attribute, detail)
    lost: list[str] = field(default_factory=list)  # listed files not in the vault


def reports_row_evidence(control: Control, program: Program) -> bool:
    """Whether ``control`` is the one that reports its population's missing row evidence.

    One control per population does, so shared populations give one finding per
    item: the first control (program order) on it with an ``evidence`` attribute,
    or, if none has one, the first control on it.
    """
    users = [c for c in program.controls if c.population == control.population]
    evidenced = [c for c in users if _has_evidence_check(c)]
    chosen = (evidenced or users or [control])[0]
    return chosen.id == control.id


def scan_population(
    control: Control,
    population: Population,
    source: ProgramSource,
    test: ControlTest,
    *,
    owner: str | None,
    engagement: Engagement | None = None,
    report_evidence: bool | None = None,
) -> ScanResult:
    """Test every in-period row in one streaming pass; report each deviating item.

    An item whose only failure is an ``evidence`` check on files missing from the
    vault is an ``evidence.missing`` finding, not also a ``sample.deviation``.
    ``engagement`` and ``report_evidence`` default to what ``source.program()`` says.
    """
    if engagement is None or report_evidence is None:
        program = source.program()
        engagement = engagement or program.engagement
        if report_evidence is None:
            report_evidence = reports_row_evidence(control, program)
    start, end = fieldwork_window(engagement)
    scanner = _Scanner(control, population.evidence_column, report_evidence)
    if scanner.wants_refs:
        for batch in _batches(_in_period(source.rows(population.id), start, end)):
            paths = [evidence_paths(row, scanner.column) for row in batch]
            refs = source.evidence(dict.fromkeys(p for listed in paths for p in listed))
            scanner.scan_all(zip(batch, paths, strict=True), refs)
    else:
        scanner.scan_period(source.rows(population.id), start, end)
    context = _FindingContext(control, population, test, owner, scanner.rows)
    findings = [context.deviation(k, hit, scanner.deviating) for k, hit in scanner.hits.items()]
    findings += [context.missing(k, hit, scanner.missing) for k, hit in scanner.lost.items()]
    return ScanResult(
        findings=tuple(findings),
        failing={attr: list(keys) for attr, keys in scanner.failing.items()},
        population_size=scanner.rows,
        deviating=scanner.deviating,
        missing_evidence=scanner.missing,
        failing_rows=scanner.failing_rows,
    )


_NO_REFS: Final[Mapping[str, EvidenceRef]] = {}
_NO_PATHS: Final[list[str]] = []


class _Scanner:
    """Evaluates every attribute on each row it is shown; keeps only the failing items."""

    def __init__(self, control: Control, column: str | None, report_evidence: bool) -> None:
        self.column = column
        self.report_evidence = report_evidence
        evidenced = _has_evidence_check(control)
        self.wants_refs = column is not None and (report_evidence or evidenced)
        # None stands for the evidence check, computed from the row's paths already split
        self.checks: list[tuple[str, Check | None]] = [
            (a.id, None if a.check is AttributeCheck.EVIDENCE else compile_check(a, column))
            for a in control.attributes
        ]
        self.failing: dict[str, dict[str, None]] = {a.id: {} for a in control.attributes}
        self.hits: dict[str, _Hit] = {}  # key → the attributes it fails
        self.lost: dict[str, _Hit] = {}  # key → its files missing from the vault
        self.rows = self.deviating = self.missing = self.failing_rows = 0

    def scan_all(
        self, rows: Iterable[tuple[PopulationRow, list[str]]], refs: Mapping[str, EvidenceRef]
    ) -> None:
        """``scan`` every row; rows that pass everything take a short lane that records nothing.

        A million rows are mostly clean, so the lane runs only the plain checks (and
        looks at the row's evidence paths); any row it is unsure of goes to ``scan``,
        which re-runs every check and records the failures exactly as before.
        """
        plain = [check for _, check in self.checks if check is not None]
        evidenced = len(plain) < len(self.checks)  # the control has an evidence attribute
        watch_lost = evidenced or self.report_evidence
        no_column = self.column is None
        clean = 0
        for row, paths in rows:
            for check in plain:
                if check(row, refs) is not None:
                    break
            else:
                if not watch_lost or not _evidence_doubt(paths, refs, evidenced, no_column):
                    clean += 1
                    continue
            self.scan(row, refs, paths)
        self.rows += clean

    def scan_period(self, rows: Iterable[PopulationRow], start: date, end: date) -> None:
        """``scan_all`` of the rows dated in [start, end], for a control that reads no
        evidence: the million-row loop with no generator or evidence look-up in between."""
        plain = [check for _, check in self.checks if check is not None]
        if len(plain) < len(self.checks):  # an evidence check with no evidence column
            self.scan_all(
                ((row, _NO_PATHS) for row in _in_period(iter(rows), start, end)), _NO_REFS
            )
            return
        clean = 0
        for row in rows:
            day = row.day
            if day is None or day < start or day > end:
                continue
            for check in plain:
                if check(row, _NO_REFS) is not None:
                    self.scan(row, _NO_REFS, _NO_PATHS)
                    break
            else:
                clean += 1
        self.rows += clean

    def scan(self, row: PopulationRow, refs: Mapping[str, EvidenceRef], paths: list[str]) -> None:
        self.rows += 1
        lost = missing_paths(paths, refs) if paths else _NO_PATHS
        failures: list[tuple[str, str]] | None = None
        only_lost_evidence = True
        for attr, check in self.checks:
            if check is None:
                detail = evidence_problem(paths, lost, refs, self.column)
                other = detail is not None and not lost
            else:
                detail = check(row, refs)
                other = detail is not None
            if detail is not None:
                failures = failures or []
                failures.append((attr, detail))
                self.failing[attr][row.key] = None
                only_lost_evidence = only_lost_evidence and not other
        if failures:
            self.failing_rows += 1
        if failures and not only_lost_evidence:
            self.deviating += 1
            self.hits.setdefault(row.key, _Hit(row.line, failures))
        if lost and self.report_evidence:
            self.missing += 1
            self.lost.setdefault(row.key, _Hit(row.line, lost=lost))


def _evidence_doubt(
    paths: list[str], refs: Mapping[str, EvidenceRef], evidenced: bool, no_column: bool
) -> bool:
    """Whether a row's listed files could make ``scan`` record anything (else it is clean)."""
    if evidenced and (no_column or not paths):
        return True  # "no evidence column" / "no evidence file listed"
    for path in paths:
        ref = refs.get(path)
        if ref is None or ref.evidence_id is None or ref.verified is False:
            return True  # missing from the vault, or failing verification
    return False


def _in_period(rows: Iterator[PopulationRow], start: date, end: date) -> Iterator[PopulationRow]:
    for row in rows:
        day = row.day
        if day is not None and start <= day <= end:
            yield row


def _batches(rows: Iterator[PopulationRow]) -> Iterator[list[PopulationRow]]:
    """Chunks of SCAN_CHUNK rows, so evidence is looked up once per chunk, not per row."""
    batch: list[PopulationRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= SCAN_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class _FindingContext:
    """What every item finding of one control's scan shares."""

    control: Control
    population: Population
    test: ControlTest
    owner: str | None
    size: int
    sampled: frozenset[str] = field(init=False)
    severity: dict[tuple[FindingCode, bool], Severity] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sampled", frozenset(item.key for item in self.test.items))
        codes = (FindingCode.SAMPLE_DEVIATION, FindingCode.EVIDENCE_MISSING)
        severity = {(c, hit): _severity(c, self.test, sampled=hit) for c in codes for hit in (1, 0)}
        object.__setattr__(self, "severity", severity)

    def _common(self, code: FindingCode, key: str, bad: int) -> dict[str, Any]:
        return {
            "id": "",
            "code": code,
            "severity": self.severity[code, key in self.sampled],
            "control": self.control.id,
            "population": self.population.id,
            "criteria": self.control.criteria,
            "items": (key,),
            "owner": self.owner,
            "sampled": key in self.sampled,
            "detection_probability": detection_probability(
                self.size, min(bad, self.size), min(self.test.sample_size, self.size)
            ),
        }

    def _odds(self, bad: int, what: str, sampled: bool, probability: float) -> str:
        n = self.test.sample_size
        if sampled:
            return f"The auditor's sample of {n} contains this item: {self.test.result_text}"
        return (
            f"Risk of an exception, not an exception: the auditor's sample of {n} did not"
            f" include this item, so Section IV does not report it; another sample of {n}"
            f" from {self.size} items hits one of the {bad} {what} with probability"
            f" {probability:.0%}."
        )

    def deviation(self, key: str, hit: _Hit, bad: int) -> Finding:
        common = self._common(FindingCode.SAMPLE_DEVIATION, key, bad)
        names = ", ".join(attr for attr, _ in hit.failures)
        reasons = "; ".join(f"{attr}: {detail}" for attr, detail in hit.failures)
        odds = self._odds(
            bad, "deviating items", common["sampled"], common["detection_probability"]
        )
        title = f"{key} fails {names}"
        if not common["sampled"]:
            title = f"Risk of an exception: {title} (not in the auditor's sample)"
        return Finding(
            **common,
            title=title,
            detail=f"{self.population.id} line {hit.line}: {reasons}. {odds}",
            remediation=(
                f"Find out why {self.control.id} did not operate on {key}, fix the cause so it"
                " cannot recur, and keep the cause and fix for management's response."
            ),
        )

    def missing(self, key: str, hit: _Hit, bad: int) -> Finding:
        common = self._common(FindingCode.EVIDENCE_MISSING, key, bad)
        column = self.population.evidence_column
        odds = self._odds(
            bad, "items without evidence", common["sampled"], common["detection_probability"]
        )
        return Finding(
            **common,
            title=f"Evidence for {key} is not in the vault",
            detail=(
                f"{self.population.id} line {hit.line} lists {_listing(hit.lost)} in {column},"
                f" which the vault does not hold. {odds}"
            ),
            remediation=(
                f"Add the file with `mockaudit evidence add FILE --population"
                f" {self.population.id} --item {key}`, or correct the path in {column}."
            ),
        )


def _severity(code: FindingCode, test: ControlTest, *, sampled: int) -> Severity:
    """sample.deviation is high when the auditor's sample hit it and the control is not
    effective; an unsampled one is a risk of an exception, never high (severity.py)."""
    return severity_of(code, exceptions=bool(sampled) and test.effective is False)
