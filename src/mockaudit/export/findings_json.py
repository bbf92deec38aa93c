"""The findings JSON of findings-format.md (``mockaudit.findings/1``), and its JSON Schema.

Scripts and CI jobs read this document, so its shape is a contract: the keys
of findings-format.md in that order, plus three allowed extensions in
``readiness`` — ``opinion_rule`` (why this opinion), ``weights`` (what each
finding took off the score) and ``timeline``. ``schemas/findings-1.schema.json``
(draft 2020-12) describes exactly this, and the tests validate output against it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from mockaudit.domain.findings import FINDINGS_SCHEMA, Finding
from mockaudit.domain.run import Readiness, Run, Timeline

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
    }


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
