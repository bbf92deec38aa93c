"""Program models: per-check attribute keys, period rules, references, and the findings shape."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from mockaudit.domain import (
    CHECK_KEYS,
    Attribute,
    AttributeCheck,
    Category,
    Commitment,
    Engagement,
    Finding,
    FindingCode,
    Person,
    Program,
    Severity,
)
from mockaudit.domain.controls import ALLOWED_KEYS

ATTRIBUTE_KEYS: dict[str, dict[str, Any]] = {
    "field": {"field": "a"},
    "fields": {"fields": ["a", "b"]},
    "value": {"value": "x"},
    "values": {"values": ["x"]},
    "days": {"days": 3},
}


@pytest.mark.parametrize("check", list(AttributeCheck))
def test_each_check_accepts_exactly_its_keys(check: AttributeCheck) -> None:
    needed = CHECK_KEYS[check]
    given = {k: v for key in needed for k, v in ATTRIBUTE_KEYS[key].items()}
    attribute = Attribute(id="a1", check=check, **given)
    assert set(attribute.columns) <= {"a", "b"}
    for key in needed:  # dropping any needed key fails
        partial = {k: v for k, v in given.items() if k != key}
        with pytest.raises(ValidationError, match=f'key "{key}" is required'):
            Attribute(id="a1", check=check, **partial)
    optional = ALLOWED_KEYS.get(check, frozenset())
    for key in optional:  # an optional key (before's grace ``days``) is accepted
        Attribute(id="a1", check=check, **given, **ATTRIBUTE_KEYS[key])
    for key in set(ATTRIBUTE_KEYS) - needed - optional:  # adding any other key fails
        with pytest.raises(ValidationError, match=f'key "{key}" does not apply'):
            Attribute(id="a1", check=check, **given, **ATTRIBUTE_KEYS[key])


def test_conditions_and_business_days() -> None:
    when = {"column": "change_type", "in": ["Emergency", "hotfix"]}
    attribute = Attribute(
        id="a1", check="before", fields=["a", "b"], days=1, business_days=True, when=when
    )
    assert attribute.columns == ("a", "b", "change_type")
    assert attribute.when is not None and attribute.when.applies(" emergency ")
    assert not attribute.when.applies("standard")
    dumped = attribute.model_dump(mode="json", exclude_none=True)
    assert dumped["when"] == when  # written back with the key a user types ("in")
    assert Attribute.model_validate(dumped) == attribute
    with pytest.raises(ValidationError, match="exactly one of"):
        Attribute(id="a1", check="present", field="a", when={"column": "c"})
    with pytest.raises(ValidationError, match="exactly one of"):
        Attribute(
            id="a1", check="present", field="a", when={"column": "c", "in": ["x"], "not_in": ["y"]}
        )
    with pytest.raises(ValidationError, match='"when" does not apply to check "evidence"'):
        Attribute(id="a1", check="evidence", when=when)
    with pytest.raises(ValidationError, match='"business_days" does not apply'):
        Attribute(id="a1", check="present", field="a", business_days=True)


def test_in_needs_a_value() -> None:
    with pytest.raises(ValidationError, match="at least one value"):
        Attribute(id="a", check="in", field="f", values=[])


def test_negative_days_refused() -> None:
    with pytest.raises(ValidationError):
        Attribute(id="a", check="within_days", fields=["a", "b"], days=-1)


def test_dates_accept_toml_dates_datetimes_and_iso_strings() -> None:
    assert Person(id="p", name="P", left_on="2026-03-15").left_on == date(2026, 3, 15)
    assert Person(id="p", name="P", left_on="2026-03-15T14:05:00Z").left_on == date(2026, 3, 15)
    # an offset is converted to UTC before the day is taken
    late = Person(id="p", name="P", left_on="2026-03-15T23:30:00-05:00")
    assert late.left_on == date(2026, 3, 16)
    with pytest.raises(ValidationError):
        Person(id="p", name="P", left_on=20260315)


def test_security_is_always_in_scope() -> None:
    engagement = Engagement(report_type="type1", period_end="2026-06-30", categories=["privacy"])
    assert engagement.categories == (Category.SECURITY, Category.PRIVACY)


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_confidence_values(confidence: float) -> None:
    engagement = Engagement(report_type="type1", period_end="2026-06-30", confidence=confidence)
    assert engagement.confidence == confidence


@pytest.mark.parametrize("confidence", [0.8, 1, "0.9", True])
def test_bad_confidence(confidence: object) -> None:
    with pytest.raises(ValidationError, match="0.90 or 0.95"):
        Engagement(report_type="type1", period_end="2026-06-30", confidence=confidence)


def test_commitment_needs_one_form() -> None:
    assert Commitment(id="c", statement="s", reconciliation="r").max_days is None
    with pytest.raises(ValidationError, match='needs "reconciliation" or'):
        Commitment(id="c", statement="s")
    with pytest.raises(ValidationError, match='"attribute" is required'):
        Commitment(id="c", statement="s", control="CHG-01")
    with pytest.raises(ValidationError, match="reconciliation form only"):
        Commitment(id="c", statement="s", control="X", attribute="a", max_days=1)


def _program(**tables: Any) -> dict[str, Any]:
    return {
        "organization": {"name": "Acme"},
        "engagement": {"report_type": "type1", "period_end": "2026-06-30"},
        **tables,
    }


def test_models_are_frozen_and_strict() -> None:
    program = Program.model_validate(_program())
    with pytest.raises(ValidationError):
        program.organization.name = "Other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Program.model_validate(_program(extra=1))
    assert hash(program) == hash(Program.model_validate(_program()))


def test_program_reference_error_carries_its_location() -> None:
    with pytest.raises(ValidationError) as caught:
        Program.model_validate(
            _program(risks=[{"id": "R", "title": "t", "likelihood": 1, "impact": 1,
                             "controls": ["NOPE"]}])
        )  # fmt: skip
    error = caught.value.errors()[0]
    assert error["type"] == "program_reference"
    assert error["ctx"] == {"location": "risks[0] (R).controls",
                            "problem": 'control "NOPE" is not defined'}  # fmt: skip


def test_finding_codes_match_the_contract() -> None:
    # the 21 codes of the shared contract, then the 11 of docs/findings-format.md (issue 19)
    assert len(FindingCode) == 32
    added = [c.value for c in FindingCode][21:]
    assert all(code.startswith(("vendor.", "description.")) for code in added)
    assert {s.value for s in Severity} == {"high", "medium", "low"}
    assert "population.count_mismatch" in {c.value for c in FindingCode}


def test_finding_json_has_the_documented_keys() -> None:
    finding = Finding(
        id="F-0007",
        code="population.count_mismatch",
        severity="high",
        control="CHG-01",
        population="changes",
        criteria=["CC8.1"],
        items=["PR-1201"],
        owner="dana",
        title="Population has 412 rows but the source showed 418",
    )
    dumped = finding.model_dump(mode="json")
    assert list(dumped) == [
        "id", "code", "severity", "control", "population", "policy", "risk", "criteria",
        "items", "owner", "title", "detail", "remediation", "sampled", "detection_probability",
    ]  # fmt: skip
    assert dumped["code"] == "population.count_mismatch" and dumped["policy"] is None
    assert Finding.model_validate(dumped) == finding
    with pytest.raises(ValidationError, match="unknown criterion"):
        Finding(id="F", code="risk.unmitigated", severity="low", title="t", criteria=["CC0.1"])
