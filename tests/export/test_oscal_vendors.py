"""OSCAL carries Northwind's vendors as parties and components and its vendor and
description findings as observations (issue 19, acceptance 4); the document still
validates against NIST's schema (test_oscal.py checks the same export as a whole)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mockaudit.export.oscal import oscal_document
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import audit_folder
from tests.export.oscal_schema import nist_errors

PACK = Path(__file__).parents[2] / "scenarios" / "northwind-first-type2"


@pytest.fixture(scope="module")
def document() -> Any:
    run = audit_folder(PACK, seed=7, as_of=date(2026, 7, 15))
    return oscal_document(run, load_scenario(PACK).program, {})["assessment-results"]


def _props(node: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in node.get("props", [])}


def test_vendors_are_parties_and_service_components(document: Any) -> None:
    parties = {p["name"]: p for p in document["metadata"]["parties"]}
    assert {"Amazon Web Services", "Stripe", "Okta", "GitHub", "Salesforce"} <= set(parties)
    components = document["results"][0]["local-definitions"]["components"]
    aws = next(c for c in components if c["title"] == "Amazon Web Services")
    assert aws["type"] == "service"
    props = _props(aws)
    assert props["subservice-organization"] == "yes"
    assert props["subservice-method"] == "carve_out"
    assert props["soc-report-period-end"] == "2025-09-30"
    assert props["csocs"] == "AWS-CSOC-PHYS AWS-CSOC-ENV AWS-CSOC-MEDIA"
    assert aws["responsible-roles"][0]["party-uuids"] == [parties["Amazon Web Services"]["uuid"]]
    salesforce = next(c for c in components if c["title"] == "Salesforce")
    assert _props(salesforce)["subservice-organization"] == "undecided"


def test_new_findings_are_observations_their_findings_point_to(document: Any) -> None:
    result = document["results"][0]
    observations = {o["uuid"]: o for o in result["observations"]}
    components = {c["uuid"]: c["title"] for c in result["local-definitions"]["components"]}
    new = [
        f for f in result["findings"]
        if _props(f).get("code", "").startswith(("vendor.", "description."))
    ]  # fmt: skip
    codes = {_props(f)["code"] for f in new}
    assert {
        "vendor.bridge_letter_needed",
        "vendor.exception_unevaluated",
        "vendor.review_incomplete",
        "vendor.system_unaddressed",
        "description.sla_breach_undisclosed",
        "description.incident_undisclosed",
        "description.change_undisclosed",
        "description.element_missing",
    } == codes
    for finding in new:
        (link,) = finding["related-observations"]
        observation = observations[link["observation-uuid"]]
        assert observation["methods"] == ["EXAMINE"] and observation["types"] == ["finding"]
        assert _props(observation)["code"] == _props(finding)["code"]
    okta_exception = next(
        observations[f["related-observations"][0]["observation-uuid"]]
        for f in new
        if _props(f)["code"] == "vendor.exception_unevaluated"
    )
    subjects = [components[s["subject-uuid"]] for s in okta_exception["subjects"]]
    assert subjects == ["Okta"]


def test_document_with_vendors_validates_against_nist_schema(document: Any) -> None:
    assert nist_errors({"assessment-results": document}) == []
