"""OSCAL assessment results: valid per compliance-trestle, methods, subjects, vault hashes."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from trestle.oscal.assessment_results import AssessmentResults

from mockaudit.domain import Program
from mockaudit.domain.evidence import EvidenceInfo
from mockaudit.domain.run import RequestKind, Run
from mockaudit.export.oscal import OSCAL_VERSION, oscal_document, write_oscal
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.export.oscal_schema import nist_errors, schema_version

PACK = Path(__file__).parents[2] / "scenarios" / "northwind-first-type2"


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Run]]:
    folder = tmp_path_factory.mktemp("oscal") / "vault"
    s = Session.create(folder, PASSPHRASE, kdf=FAST_KDF)
    try:
        s.import_scenario(PACK)
        yield s, s.run_audit(seed=7, as_of=date(2026, 7, 15))
    finally:
        s.close()


@pytest.fixture(scope="module")
def exported(audited: tuple[Session, Run], tmp_path_factory: pytest.TempPathFactory) -> Any:
    s, run = audited
    out = tmp_path_factory.mktemp("oscal-out") / "results.json"
    write_oscal(run, s.program(), out, {e.evidence_id: e for e in s.list_evidence()})
    return json.loads(out.read_text(encoding="utf-8"))


def validate(doc: dict[str, Any]) -> AssessmentResults:
    assert list(doc) == ["assessment-results"]
    return AssessmentResults.model_validate(doc["assessment-results"])


def test_output_validates_against_trestle_assessment_results(exported: Any) -> None:
    model = validate(exported)
    result = model.results[0]
    assert result.observations and result.findings
    assert str(model.metadata.oscal_version.root.root) == OSCAL_VERSION


def test_output_is_valid_against_nist_schema_of_the_declared_version(exported: Any) -> None:
    assert (
        schema_version()
        == OSCAL_VERSION
        == exported["assessment-results"]["metadata"]["oscal-version"]
    )
    assert nist_errors(exported) == []


def test_nist_schema_check_catches_a_broken_document(exported: Any) -> None:
    broken = json.loads(json.dumps(exported))
    observation = broken["assessment-results"]["results"][0]["observations"][0]
    del observation["collected"]  # required by the schema
    observation["uuid"] = "observation-1"  # not a v4/v5 UUID
    errors = nist_errors(broken)
    assert any("collected" in e for e in errors) and any("observation-1" in e for e in errors)


def test_every_back_matter_resource_is_referenced(exported: Any) -> None:
    resources, refs = unreferenced(exported)
    assert resources and refs == set()


def unreferenced(doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The back-matter resource uuids, and those no href points to, as trestle counts them
    (its LinksValidator warns "Resources have N uuids and M are not referenced")."""
    from trestle.common.model_utils import ModelUtils

    model = validate(doc)
    resources = {r.uuid for r in model.back_matter.resources}
    return resources, resources - ModelUtils.find_uuid_refs(model)


def test_observations_carry_examine_interview_and_test_methods(
    exported: Any, audited: tuple[Session, Run]
) -> None:
    _, run = audited
    observations = exported["assessment-results"]["results"][0]["observations"]
    methods = {m for o in observations for m in o["methods"]}
    assert methods == {"EXAMINE", "INTERVIEW", "TEST"}
    walkthroughs = [r for r in run.requests if r.kind is RequestKind.WALKTHROUGH]
    interviews = [o for o in observations if o["methods"] == ["INTERVIEW"]]
    assert len(interviews) == len(walkthroughs) > 0
    tested = [o for o in observations if "TEST" in o["methods"]]
    sampled = [t for t in run.tests if t.population and t.items]
    assert len(tested) == len(sampled)


def test_every_sampled_item_is_a_subject_of_its_control_test(
    exported: Any, audited: tuple[Session, Run]
) -> None:
    _, run = audited
    doc = exported["assessment-results"]
    resources = {r["uuid"]: r for r in doc["back-matter"]["resources"]}
    by_control = {
        p["value"]: o
        for o in doc["results"][0]["observations"]
        for p in o.get("props", [])
        if p["name"] == "control" and "TEST" in o["methods"]
    }
    for test in run.tests:
        if not (test.population and test.items):
            continue
        subjects = by_control[test.control]["subjects"]
        assert len(subjects) == test.sample_size
        keys = [_prop(resources[s["subject-uuid"]], "item-key") for s in subjects]
        assert keys == [item.key for item in test.items]
        deviating = [_prop(s, "deviation") == "true" for s in subjects]
        assert deviating == [item.deviation for item in test.items]


def test_relevant_evidence_hashes_are_the_vaults(
    exported: Any, audited: tuple[Session, Run]
) -> None:
    s, _ = audited
    doc = exported["assessment-results"]
    resources = {r["uuid"]: r for r in doc["back-matter"]["resources"]}
    cited = [
        ev["href"]
        for o in doc["results"][0]["observations"]
        for ev in o.get("relevant-evidence", [])
    ]
    assert len(set(cited)) > 30
    for href in set(cited):
        resource = resources[href.removeprefix("#")]
        evidence_id = _prop(resource, "evidence-id")
        (hash_,) = resource["rlinks"][0]["hashes"]
        digest = hashlib.sha256(b"".join(s.vault.read_chunks(evidence_id))).hexdigest()
        assert hash_ == {"algorithm": "SHA-256", "value": digest}
        assert digest == s.vault.get_evidence(evidence_id).sha256


def test_findings_cover_every_gap_and_every_control_conclusion(
    exported: Any, audited: tuple[Session, Run]
) -> None:
    _, run = audited
    findings = exported["assessment-results"]["results"][0]["findings"]
    gap_ids = [_prop(f, "finding-id") for f in findings if _prop(f, "finding-id")]
    assert gap_ids == [f.id for f in run.findings]
    states = {
        _prop(f, "control"): f["target"]["status"]["state"]
        for f in findings
        if _prop(f, "conclusion")
    }
    assert states == {
        t.control: "satisfied" if t.conclusion == "no_exceptions" else "not-satisfied"
        for t in run.tests
    }


def test_uuids_are_deterministic_v5_and_unique(
    audited: tuple[Session, Run], tmp_path: Path
) -> None:
    s, run = audited
    evidence = s.list_evidence()
    first = oscal_document(run, s.program(), {e.evidence_id: e for e in evidence})
    write_oscal(run, s.program(), tmp_path / "a.json", evidence)  # a plain list works too
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8")) == first
    defined = list(_defined_uuids(first))
    assert len(defined) == len(set(defined))
    resources = {r["uuid"] for r in first["assessment-results"]["back-matter"]["resources"]}
    # Resources are v4-shaped (trestle resolves only v4 references), the rest v5.
    assert all(uuid.UUID(u).version == (4 if u in resources else 5) for u in defined)
    other = oscal_document(run.model_copy(update={"id": "another-run"}), s.program(), {})
    assert not set(_defined_uuids(other)) & set(defined)


def test_odd_ids_and_multiline_titles_still_validate(
    golden_run: Run, golden_program: Program
) -> None:
    odd = "1 odd/id:\u00e9"
    tests = tuple(
        t.model_copy(update={"control": f"{odd}{i}"}) for i, t in enumerate(golden_run.tests)
    )
    findings = tuple(
        f.model_copy(update={"title": " line one\nline two ", "control": odd, "detail": ""})
        for f in golden_run.findings
    )
    run = golden_run.model_copy(update={"tests": tests, "findings": findings, "id": "r\n1"})
    validate(oscal_document(run, golden_program, _fake_evidence()))


def _fake_evidence() -> dict[str, EvidenceInfo]:
    info = EvidenceInfo("EV-1", "a\nb.txt", 3, "ab" * 32, "", "test", "2026-01-01", "00")
    return {"EV-1": info}


def _prop(obj: dict[str, Any], name: str) -> str | None:
    return next((p["value"] for p in obj.get("props", []) if p["name"] == name), None)


def _defined_uuids(node: Any) -> Iterator[str]:
    """Every ``uuid`` key (definitions, not references) in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uuid":
                yield value
            else:
                yield from _defined_uuids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _defined_uuids(value)
