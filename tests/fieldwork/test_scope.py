"""Scope and control-design checks: each finding on its defect, nothing on a clean program."""

from __future__ import annotations

from datetime import date

import pytest

from mockaudit.domain import Finding, FindingCode, Severity, criteria_for
from mockaudit.fieldwork.scope import (
    PEER_LOAD_FACTOR,
    accountable_owner,
    audit_window,
    control_findings,
    owner_problem,
    peer_sample_load,
    scope_findings,
)
from tests.fieldwork.clean_programs import (
    CONTROL_EVIDENCE,
    END,
    START,
    Spec,
    build,
    source,
    spec,
)

C = FindingCode


def control(program_spec: Spec, cid: str) -> dict[str, object]:
    return next(c for c in program_spec["controls"] if c["id"] == cid)


def scope_of(program_spec: Spec, sample_load: int = 0) -> list[Finding]:
    return scope_findings(build(program_spec), sample_load=sample_load)


def controls_of(program_spec: Spec, files: list[str] | None = None) -> list[Finding]:
    src = source(program_spec, files=files)
    return control_findings(src.program(), src)


def test_clean_program_has_no_scope_or_control_finding() -> None:
    assert scope_of(spec()) == []
    assert controls_of(spec()) == []


# -- criteria and categories ----------------------------------------------------------------


def test_a_criterion_with_no_control_is_uncovered_and_high() -> None:
    s = spec()
    gov = control(s, "GOV-01")
    gov["criteria"] = [c for c in gov["criteria"] if c != "CC9.2"]  # type: ignore[attr-defined]
    findings = scope_of(s)
    assert [(f.code, f.criteria) for f in findings] == [(C.SCOPE_CRITERION_UNCOVERED, ("CC9.2",))]
    assert findings[0].severity is Severity.HIGH
    assert "CC9.2" in findings[0].title


def test_criteria_outside_the_scope_are_not_required() -> None:
    assert all(c.id.startswith("CC") for c in criteria_for(["security"]))
    assert scope_of(spec()) == []  # no A1/C1/PI1/P criteria needed for security alone


def test_an_optional_category_with_no_control_is_too_broad_and_uncovered() -> None:
    s = spec()
    s["engagement"]["categories"] = ["security", "availability"]
    findings = scope_of(s)
    assert [(f.code, f.criteria) for f in findings] == [
        (C.SCOPE_CRITERION_UNCOVERED, ("A1.1",)),
        (C.SCOPE_CRITERION_UNCOVERED, ("A1.2",)),
        (C.SCOPE_CRITERION_UNCOVERED, ("A1.3",)),
        (C.SCOPE_TOO_BROAD, ("A1.1", "A1.2", "A1.3")),
    ]
    assert '"availability"' in findings[-1].title
    assert findings[-1].severity is Severity.LOW


def test_a_partly_covered_category_is_not_too_broad() -> None:
    s = spec()
    s["engagement"]["categories"] = ["security", "availability"]
    control(s, "AV-01")["criteria"] = ["CC7.2", "A1.2"]
    assert [f.code for f in scope_of(s)] == [C.SCOPE_CRITERION_UNCOVERED] * 2


# -- systems --------------------------------------------------------------------------------


def test_a_system_nothing_touches_is_too_broad() -> None:
    s = spec()
    s["engagement"]["systems"] = ["github", "okta", "legacy-ftp"]
    findings = scope_of(s)
    assert [f.code for f in findings] == [C.SCOPE_TOO_BROAD]
    assert '"legacy-ftp"' in findings[0].title
    assert findings[0].control is None and findings[0].owner is None


@pytest.mark.parametrize(
    "mention",
    [
        ("controls", "description", "Backups of the Legacy-FTP server are checked"),
        ("controls", "evidence", ["evidence/legacy-ftp/config.png"]),
        ("populations", "query", "host:legacy-ftp"),
        ("populations", "system", "LEGACY-FTP"),
    ],
)
def test_a_system_named_anywhere_in_the_program_is_touched(
    mention: tuple[str, str, object],
) -> None:
    s = spec()
    s["engagement"]["systems"] = ["github", "okta", "legacy-ftp"]
    table, key, value = mention
    s[table][1][key] = value  # the reviews list / IAM-04 (okta stays touched by scans)
    assert scope_of(s) == []


def test_a_system_named_only_in_a_commitment_is_touched() -> None:
    s = spec()
    s["engagement"]["systems"] = ["github", "okta", "legacy-ftp"]
    s["policies"][0]["commitments"][0]["statement"] = "legacy-ftp uploads are reviewed"
    assert scope_of(s) == []


# -- sample load ----------------------------------------------------------------------------


def test_sample_load_far_above_the_peer_baseline_is_too_broad() -> None:
    program = build(spec())
    baseline = peer_sample_load(program)
    assert 800 < baseline < 2000  # the §5 security controls at their usual tiers
    limit = int(PEER_LOAD_FACTOR * baseline)
    assert scope_findings(program, sample_load=limit) == []
    findings = scope_findings(program, sample_load=limit + 1)
    assert [f.code for f in findings] == [C.SCOPE_TOO_BROAD]
    assert str(limit + 1) in findings[0].title


def test_the_peer_baseline_grows_with_the_categories_in_scope() -> None:
    s = spec()
    security = peer_sample_load(build(s))
    s["engagement"]["categories"] = ["security", "availability", "privacy"]
    assert peer_sample_load(build(s)) > security


# -- owners ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "severity", "title"),
    [
        (None, Severity.HIGH, "has no owner"),
        ("", Severity.HIGH, "has no owner"),
        ("ghost", Severity.MEDIUM, 'owned by "ghost", who is not among the people'),
        ("sam", Severity.MEDIUM, "owned by Sam Lee, who left on 2026-03-15"),
    ],
)
def test_ownerless_has_three_distinct_titles(
    owner: str | None, severity: Severity, title: str
) -> None:
    s = spec()
    control(s, "VUL-03")["owner"] = owner
    findings = controls_of(s)
    assert [(f.code, f.control) for f in findings] == [(C.CONTROL_OWNERLESS, "VUL-03")]
    assert findings[0].severity is severity
    assert title in findings[0].title
    assert findings[0].owner is None
    assert findings[0].criteria == ("CC6.1",)


def test_an_owner_leaving_on_the_period_end_still_owns_the_control() -> None:
    s = spec()
    s["people"][1]["left_on"] = END
    control(s, "VUL-03")["owner"] = "sam"
    assert controls_of(s) == []
    program = build(s)
    assert owner_problem(program, "sam") is None
    assert accountable_owner(program, "sam") == "sam"
    assert accountable_owner(program, "ghost") is None


# -- populations and evidence ---------------------------------------------------------------


@pytest.mark.parametrize("frequency", ["per_event", "daily", "weekly", "monthly", "semiannual"])
def test_a_sampled_control_without_population_is_high(frequency: str) -> None:
    s = spec()
    s["controls"].append(
        {"id": "HR-09", "title": "Exit interviews", "criteria": ["CC1.4"], "owner": "dana",
         "frequency": frequency, "kind": "manual", "nature": "detective", "risk": "low"}
    )  # fmt: skip
    findings = controls_of(s)
    assert [(f.code, f.control) for f in findings] == [(C.CONTROL_NO_POPULATION, "HR-09")]
    assert findings[0].severity is Severity.HIGH
    assert findings[0].owner == "dana"


@pytest.mark.parametrize("frequency", ["annual", "continuous"])
def test_annual_and_continuous_controls_need_evidence_not_a_population(frequency: str) -> None:
    s = spec()
    s["controls"].append(
        {"id": "IAM-06", "title": "MFA enforced", "criteria": ["CC6.1"], "owner": "dana",
         "frequency": frequency, "kind": "automated", "nature": "preventive", "risk": "low"}
    )  # fmt: skip
    findings = controls_of(s)
    assert [(f.code, f.control) for f in findings] == [(C.CONTROL_NO_EVIDENCE, "IAM-06")]
    assert findings[0].severity is Severity.MEDIUM
    s["controls"][-1]["evidence"] = [CONTROL_EVIDENCE]
    assert controls_of(s) == []


def test_listed_evidence_absent_from_the_vault_is_missing_not_no_evidence() -> None:
    s = spec()
    control(s, "GOV-01")["evidence"] = [CONTROL_EVIDENCE, "evidence/board/minutes.pdf"]
    findings = controls_of(s)
    assert [(f.code, f.control) for f in findings] == [(C.EVIDENCE_MISSING, "GOV-01")]
    assert "evidence/board/minutes.pdf" in findings[0].detail
    assert CONTROL_EVIDENCE not in findings[0].detail
    assert "1 evidence file not" in findings[0].title
    findings = controls_of(s, files=[])
    assert "2 evidence files" in findings[0].title


def test_evidence_on_a_sampled_control_is_checked_too() -> None:
    s = spec()
    control(s, "CHG-01")["evidence"] = ["evidence/config/branch-protection.png"]
    findings = controls_of(s)
    assert [(f.code, f.control) for f in findings] == [(C.EVIDENCE_MISSING, "CHG-01")]


# -- the window -----------------------------------------------------------------------------


def test_audit_window_is_the_period_or_the_year_before_a_type1_date() -> None:
    assert audit_window(build(spec())) == (START, END)
    s = spec()
    s["engagement"]["report_type"] = "type1"
    del s["engagement"]["period_start"]
    assert audit_window(build(s)) == (date(2025, 6, 30), END)
