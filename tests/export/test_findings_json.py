"""The findings JSON has exactly findings-format.md's shape and validates against the shipped schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from mockaudit.domain import FindingCode, Severity
from mockaudit.domain.criteria import CRITERIA
from mockaudit.domain.enums import ReportType
from mockaudit.domain.run import ControlConclusion, Opinion, Run
from mockaudit.export.findings_json import dumps, findings_document, schema
from mockaudit.readiness import conclude
from tests.readiness.builders import clean_tests, control_test, finding, program

try:  # the lead adds jsonschema to the test extras; until then the real validator is skipped
    import jsonschema
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None

needs_jsonschema = pytest.mark.skipif(
    jsonschema is None, reason="jsonschema is not installed: it belongs in the test extras"
)


def _run(report_type: str = "type2") -> Run:
    prog = program(drop=("CHG-02",), report_type=report_type)
    tests = [
        control_test(prog, "CHG-01", ControlConclusion.EXCEPTIONS, size=25, deviations=2)
        if t.control == "CHG-01"
        else t
        for t in clean_tests(prog)
    ]
    findings = (
        finding(
            FindingCode.SAMPLE_DEVIATION,
            Severity.HIGH,
            1,
            control="CHG-01",
            population="changes",
            criteria=("CC8.1",),
            items=("PR-1",),
            owner="dana",
            sampled=True,
            detection_probability=0.42,
            detail="d",
            remediation="r",
        ),
        finding(FindingCode.SCOPE_CRITERION_UNCOVERED, Severity.HIGH, 2, criteria=("CC9.1",)),
        finding(FindingCode.POLICY_STALE, Severity.LOW, 3, policy="POL-ACCESS", owner="dana"),
    )
    readiness = conclude(findings, tests, [], prog, as_of=date(2026, 7, 15))
    return Run(
        id="run-0007",
        seed=7,
        started_at=datetime(2026, 7, 15, 9, 30, tzinfo=UTC),
        mockaudit_version="0.4.0",
        report_type=ReportType(report_type),
        period_start=prog.engagement.period_start,
        period_end=prog.engagement.period_end,
        findings=findings,
        tests=tuple(tests),
        readiness=readiness,
    )


FINDING_KEYS = [
    "id",
    "code",
    "severity",
    "control",
    "population",
    "policy",
    "risk",
    "criteria",
    "items",
    "owner",
    "title",
    "detail",
    "remediation",
    "sampled",
    "detection_probability",
]


def test_document_has_the_contract_shape() -> None:
    doc = findings_document(_run())
    assert list(doc) == ["schema", "run", "readiness", "findings", "controls"]
    assert doc["schema"] == "mockaudit.findings/1"
    assert doc["run"] == {
        "id": "run-0007",
        "seed": 7,
        "started_at": "2026-07-15T09:30:00+00:00",
        "mockaudit_version": "0.4.0",
        "report_type": "type2",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
    }
    readiness = doc["readiness"]
    assert list(readiness)[:6] == [
        "score",
        "likely_opinion",
        "fieldwork_days",
        "follow_up_rounds",
        "controls",
        "criteria",
    ]
    assert readiness["likely_opinion"] == "qualified"
    assert set(readiness["fieldwork_days"]) == {"low", "expected", "high"}
    assert readiness["controls"] == {
        "total": 4,
        "no_exceptions": 3,
        "exceptions": 1,
        "not_testable": 0,
    }
    assert readiness["criteria"]["CC8.1"] == "exceptions"
    assert readiness["opinion_rule"].startswith("qualified: ")
    assert [w["finding"] for w in readiness["weights"]] == ["F-0001", "F-0002", "F-0003"]
    assert readiness["timeline"]["type2_window_months"] == 6
    first = doc["findings"][0]
    assert list(first) == FINDING_KEYS
    assert first["items"] == ["PR-1"] and first["criteria"] == ["CC8.1"]
    assert first["sampled"] is True and first["detection_probability"] == 0.42
    assert doc["findings"][1]["owner"] is None


def test_opinion_distribution_and_controls_are_exported() -> None:
    doc = findings_document(_run())
    distribution = doc["readiness"]["opinion_distribution"]
    assert distribution["samples"] == 1000
    assert set(distribution["probabilities"]) == {
        "unqualified",
        "qualified",
        "adverse",
        "disclaimer",
    }
    assert distribution["most_likely"] == doc["readiness"]["likely_opinion"] == "qualified"
    assert distribution["probabilities"]["qualified"] == 1.0
    assert {(tuple(g["criteria"]), g["kind"]) for g in distribution["grounds"]} >= {
        (("CC8.1",), "deviations")
    }
    assert doc["readiness"]["grounds"][0]["controls"] == ["CHG-01"]
    by_id = {c["id"]: c for c in doc["controls"]}
    assert by_id["CHG-01"] == {
        "id": "CHG-01",
        "tested": True,
        "sample_size": 25,
        "planned_size": 25,
        "population_size": 100,
        "exceptions_noted": 2,
        "effective": False,
        "missed_occurrences": [],
        "scope_limited": False,
        "tolerable_rule": "",
        "result": "",
    }
    assert by_id["GOV-01"]["effective"] is True


def test_runs_stored_before_the_distribution_export_null() -> None:
    run = _run()
    assert run.readiness is not None
    old = run.model_copy(
        update={"readiness": run.readiness.model_copy(update={"opinion_distribution": None})}
    )
    assert findings_document(old)["readiness"]["opinion_distribution"] is None
    stored = json.loads(old.model_dump_json())
    del stored["readiness"]["opinion_distribution"], stored["readiness"]["grounds"]
    assert Run.model_validate(stored).readiness.opinion_distribution is None  # type: ignore[union-attr]


def test_score_equals_100_minus_the_weights() -> None:
    readiness = findings_document(_run())["readiness"]
    spent = sum(w["weight"] for w in readiness["weights"])
    assert readiness["score"] == pytest.approx(100 - spent, abs=0.01)


def test_dumps_is_json_and_deterministic() -> None:
    text = dumps(_run())
    assert text.endswith("\n")
    assert json.loads(text) == findings_document(_run())
    assert dumps(_run()) == text


def test_type1_has_null_period_start() -> None:
    doc = findings_document(_run("type1"))
    assert doc["run"]["period_start"] is None
    assert doc["run"]["report_type"] == "type1"


def test_run_without_readiness_is_refused() -> None:
    bare = _run().model_copy(update={"readiness": None})
    with pytest.raises(ValueError, match="run-0007 has no readiness"):
        findings_document(bare)


# --- the schema ---------------------------------------------------------------------------


def test_schema_enums_match_the_domain() -> None:
    defs = schema()["$defs"]
    assert defs["code"]["enum"] == [c.value for c in FindingCode]
    assert defs["severity"]["enum"] == [s.value for s in Severity]
    assert defs["opinion"]["enum"] == [o.value for o in Opinion]
    assert defs["criterion"]["enum"] == [c.id for c in CRITERIA]
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@needs_jsonschema
def test_documents_validate_with_jsonschema() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    jsonschema.Draft202012Validator.check_schema(schema())
    for report_type in ("type1", "type2"):
        errors = list(validator.iter_errors(json.loads(dumps(_run(report_type)))))
        assert errors == []
    broken = findings_document(_run())
    broken["findings"][0]["code"] = "sample.typo"
    assert list(validator.iter_errors(broken))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["findings"][0].update(code="sample.typo"), "is not one of"),
        (lambda d: d["findings"][0].pop("owner"), "'owner' is a required property"),
        (lambda d: d["findings"][0].update(extra=1), "('extra' was unexpected)"),
        (lambda d: d["readiness"].update(score=101), "greater than the maximum"),
        (lambda d: d["readiness"].update(likely_opinion="clean"), "is not one of"),
        (lambda d: d["readiness"]["criteria"].update({"CC99.1": "exceptions"}), "is not one of"),
        (lambda d: d["run"].update(period_end="30/06/2026"), "does not match"),
        (lambda d: d.update(schema="mockaudit.findings/2"), "was expected"),
    ],
)
@needs_jsonschema
def test_schema_rejects_a_broken_document(mutate, expected: str) -> None:
    doc = findings_document(_run())
    mutate(doc)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema()).iter_errors(doc)]
    assert any(expected in e for e in errors), errors
