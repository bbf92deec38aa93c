"""The findings JSON of findings-format.md (``mockaudit.findings/1``), and its JSON Schema.

Scripts and CI jobs read this document, so its shape is a contract: the keys
of findings-format.md in that order, plus the extensions docs/findings-format.md
lists: in ``readiness`` — ``opinion_rule`` (why this opinion), ``weights`` (what
each finding took off the score), ``timeline``, ``grounds`` and
``opinion_distribution``; and a top-level ``controls`` array (each control's
Section IV result). ``schemas/findings-1.schema.json`` (draft 2020-12) describes
exactly this, and the tests validate output against it.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from mockaudit.domain.findings import FINDINGS_SCHEMA, Finding
from mockaudit.domain.run import (
    ControlConclusion,
    ControlTest,
    OpinionDistribution,
    Readiness,
    Run,
    Timeline,
)

SCHEMA_FILE = "findings-1.schema.json"


def findings_document(run: Run) -> dict[str, Any]:
    """The JSON-ready dict of a run's findings and readiness (findings-format.md)."""
    if run.readiness is None:
        raise ValueError(f"run {run.id} has no readiness conclusion to export")
    return {
        "schema": FINDINGS_SCHEMA,
        "run": {
            "id": run.id,
            "seed": run.seed,
            "started_at": run.started_at.isoformat(),
            "mockaudit_version": run.mockaudit_version,
            "report_type": run.report_type.value,
            "period_start": run.period_start.isoformat() if run.period_start else None,
            "period_end": run.period_end.isoformat(),
        },
        "readiness": _readiness(run.readiness),
        "findings": [_finding(f) for f in run.findings],
        "controls": [control_result(t) for t in run.tests],
    }


def dumps(run: Run) -> str:
    """The document as UTF-8 JSON text, indented, keys in contract order, newline-terminated."""
    return json.dumps(findings_document(run), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, Any]:
    """The shipped JSON Schema (draft 2020-12) for ``mockaudit.findings/1``."""
    text_file = resources.files("mockaudit.export").joinpath("schemas").joinpath(SCHEMA_FILE)
    text = text_file.read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _readiness(readiness: Readiness) -> dict[str, Any]:
    days = readiness.fieldwork_days
    counts = readiness.controls
    return {
        "score": readiness.score,
        "likely_opinion": readiness.likely_opinion.value,
        "fieldwork_days": {"low": days.low, "expected": days.expected, "high": days.high},
        "follow_up_rounds": readiness.follow_up_rounds,
        "controls": {
            "total": counts.total,
            "no_exceptions": counts.no_exceptions,
            "exceptions": counts.exceptions,
            "not_testable": counts.not_testable,
        },
        "criteria": dict(readiness.criteria),
        "opinion_rule": readiness.opinion_rule,
        "weights": [{"finding": w.finding, "weight": w.weight} for w in readiness.weights],
        "timeline": _timeline(readiness.timeline),
        "grounds": [
            {
                "criterion": g.criterion,
                "kind": g.kind.value,
                "controls": list(g.controls),
                "text": g.text,
            }
            for g in readiness.grounds
        ],
        "opinion_distribution": _distribution(readiness.opinion_distribution),
    }


def _distribution(distribution: OpinionDistribution | None) -> dict[str, Any] | None:
    if distribution is None:
        return None
    return {
        "samples": distribution.samples,
        "seed": distribution.seed,
        "probabilities": dict(distribution.probabilities),
        "most_likely": distribution.most_likely.value,
        "seeded_opinion": distribution.seeded_opinion.value,
        "grounds": [
            {
                "criteria": list(g.criteria),
                "kind": g.kind.value,
                "controls": list(g.controls),
                "text": g.text,
                "probability": g.probability,
            }
            for g in distribution.grounds
        ],
        "varying_controls": list(distribution.varying),
    }


def control_result(test: ControlTest) -> dict[str, Any]:
    """One control as Section IV reports it (older runs: derived from the conclusion)."""
    tested = test.conclusion is not ControlConclusion.NOT_TESTABLE
    effective = test.effective
    if effective is None and tested:
        effective = test.conclusion is ControlConclusion.NO_EXCEPTIONS
    return {
        "id": test.control,
        "tested": tested,
        "sample_size": test.sample_size,
        "planned_size": test.planned_size,
        "population_size": test.population_size,
        "exceptions_noted": test.exceptions_noted or test.deviations + len(test.missed_occurrences),
        "effective": effective,
        "missed_occurrences": list(test.missed_occurrences),
        "scope_limited": test.scope_limited,
        "tolerable_rule": test.tolerable_rule,
        "result": test.result_text or test.reason,
    }


def _timeline(timeline: Timeline | None) -> dict[str, Any] | None:
    if timeline is None:
        return None
    return {
        "remediation_days": timeline.remediation_days,
        "type1_earliest": timeline.type1_earliest.isoformat(),
        "type2_window_months": timeline.type2_window_months,
        "type2_period_start": timeline.type2_period_start.isoformat(),
        "type2_period_end": timeline.type2_period_end.isoformat(),
        "type2_report_date": timeline.type2_report_date.isoformat(),
        "period_completed": timeline.period_completed,
        "remediated_on": _day(timeline.remediated_on),
        "next_period_start": _day(timeline.next_period_start),
        "next_period_end": _day(timeline.next_period_end),
        "next_report_date": _day(timeline.next_report_date),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "code": finding.code.value,
        "severity": finding.severity.value,
        "control": finding.control,
        "population": finding.population,
        "policy": finding.policy,
        "risk": finding.risk,
        "criteria": list(finding.criteria),
        "items": list(finding.items),
        "owner": finding.owner,
        "title": finding.title,
        "detail": finding.detail,
        "remediation": finding.remediation,
        "sampled": finding.sampled,
        "detection_probability": finding.detection_probability,
    }
