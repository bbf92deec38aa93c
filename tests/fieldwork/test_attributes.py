"""Every attribute check of scenario-format.md, on passing, failing and odd rows."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockaudit.domain import Attribute
from mockaudit.domain.observations import EvidenceRef, PopulationRow
from mockaudit.fieldwork.attributes import evaluate, evidence_paths


def row(**values: str) -> PopulationRow:
    return PopulationRow(key="PR-12", line=14, day=None, values=values)


def check(attribute: dict[str, Any], values: dict[str, str]) -> tuple[bool, str]:
    result = evaluate(Attribute(id="a", **attribute), row(**values), {}, None)
    assert result.attribute == "a"
    assert result.passed == (result.detail == "")
    return result.passed, result.detail


PRESENT = {"check": "present", "field": "approver"}
ABSENT = {"check": "absent", "field": "override"}
EQUALS = {"check": "equals", "field": "ci_status", "value": "success"}
IN = {"check": "in", "field": "method", "values": ["wipe", "shred"]}
DIFFERENT = {"check": "different", "fields": ["author", "approver"]}
BEFORE = {"check": "before", "fields": ["approved_at", "merged_at"]}
WITHIN = {"check": "within_days", "fields": ["terminated_on", "removed_on"], "days": 1}

CASES = [
    # (attribute, row values, passes, detail fragment when failing)
    (PRESENT, {"approver": "dana"}, True, ""),
    (PRESENT, {"approver": "  "}, False, "approver is blank"),
    (PRESENT, {}, False, "approver is blank"),  # column missing from the row: blank
    (ABSENT, {"override": ""}, True, ""),
    (ABSENT, {}, True, ""),
    (ABSENT, {"override": " yes "}, False, "override is not blank ('yes')"),
    (EQUALS, {"ci_status": " success "}, True, ""),  # trimmed
    (EQUALS, {"ci_status": "Success"}, False, "ci_status is 'Success', expected 'success'"),
    (EQUALS, {"ci_status": "failure"}, False, "ci_status is 'failure', expected 'success'"),
    (EQUALS, {"ci_status": ""}, False, "ci_status is blank"),
    (IN, {"method": "shred"}, True, ""),
    (IN, {"method": " wipe"}, True, ""),
    (IN, {"method": "resale"}, False, "method is 'resale', not one of wipe, shred"),
    (IN, {"method": ""}, False, "method is blank"),
    (DIFFERENT, {"author": "sam", "approver": "dana"}, True, ""),
    (DIFFERENT, {"author": "dana", "approver": "dana"}, False, "approver equals author (dana)"),
    (DIFFERENT, {"author": "Dana ", "approver": "dana"}, False, "approver equals author"),
    (DIFFERENT, {"author": "dana", "approver": ""}, False, "approver is blank"),
    (DIFFERENT, {"author": "", "approver": "dana"}, False, "author is blank"),
    (
        BEFORE,
        {"approved_at": "2026-03-01T10:00:00Z", "merged_at": "2026-03-02T09:00:00Z"},
        True,
        "",
    ),
    (
        BEFORE,
        {"approved_at": "2026-03-02T09:00:00Z", "merged_at": "2026-03-02T09:00:00Z"},
        True,
        "",
    ),
    (
        BEFORE,
        {"approved_at": "2026-03-04", "merged_at": "2026-03-02"},
        False,
        "approved_at 2026-03-04 is after merged_at 2026-03-02",
    ),
    (
        BEFORE,
        {"approved_at": "2026-03-02T10:00:01Z", "merged_at": "2026-03-02T10:00:00Z"},
        False,
        "is after merged_at",
    ),
    # offsets are converted to UTC: 11:00+02:00 is 09:00Z, before the 10:00Z merge
    (
        BEFORE,
        {"approved_at": "2026-03-02T11:00:00+02:00", "merged_at": "2026-03-02T10:00:00Z"},
        True,
        "",
    ),
    # no offset means UTC
    (BEFORE, {"approved_at": "2026-03-02T09:00:00", "merged_at": "2026-03-02T10:00:00Z"}, True, ""),
    # a bare date means "that day": same-day approval is not after the merge
    (BEFORE, {"approved_at": "2026-03-02T18:00:00Z", "merged_at": "2026-03-02"}, True, ""),
    (BEFORE, {"approved_at": "2026-03-03T00:30:00Z", "merged_at": "2026-03-02"}, False, "after"),
    (BEFORE, {"approved_at": "", "merged_at": "2026-03-02"}, False, "approved_at is blank"),
    (BEFORE, {"approved_at": "2026-03-01"}, False, "merged_at is blank"),
    (
        BEFORE,
        {"approved_at": "yesterday", "merged_at": "2026-03-02"},
        False,
        "approved_at 'yesterday' is not a date",
    ),
    (BEFORE, {"approved_at": "2026-02-30", "merged_at": "2026-03-02"}, False, "is not a date"),
    (WITHIN, {"terminated_on": "2026-03-01", "removed_on": "2026-03-01"}, True, ""),
    (WITHIN, {"terminated_on": "2026-03-01", "removed_on": "2026-03-02"}, True, ""),
    # calendar days on UTC dates: 23:50 → next day 00:10 is 1 day, 00:10 → 23:50 same day is 0
    (
        WITHIN,
        {"terminated_on": "2026-03-01T23:50:00Z", "removed_on": "2026-03-02T00:10:00Z"},
        True,
        "",
    ),
    (
        WITHIN,
        {"terminated_on": "2026-03-01T00:10:00Z", "removed_on": "2026-03-02T23:50:00Z"},
        True,
        "",
    ),
    (
        WITHIN,
        {"terminated_on": "2026-03-01", "removed_on": "2026-03-05"},
        False,
        "removed_on 2026-03-05 is 4 days after terminated_on 2026-03-01 (limit 1)",
    ),
    (
        WITHIN,
        {"terminated_on": "2026-03-01", "removed_on": "2026-02-27"},
        False,
        "removed_on 2026-02-27 is before terminated_on 2026-03-01",
    ),
    (WITHIN, {"terminated_on": "2026-03-01", "removed_on": " "}, False, "removed_on is blank"),
    (WITHIN, {"terminated_on": "13/03/2026", "removed_on": "2026-03-14"}, False, "not a date"),
]


@pytest.mark.parametrize(("attribute", "values", "passes", "fragment"), CASES)
def test_attribute_checks(
    attribute: dict[str, Any], values: dict[str, str], passes: bool, fragment: str
) -> None:
    passed, detail = check(attribute, values)
    assert passed is passes
    assert fragment in detail
    assert "\n" not in detail


def test_long_values_are_cut_in_details() -> None:
    _, detail = check(EQUALS, {"ci_status": "x" * 500})
    assert len(detail) < 100 and "…" in detail


# -- evidence ------------------------------------------------------------------------------

EVIDENCE = Attribute(id="evidenced", check="evidence")
STORED = EvidenceRef("evidence/pr/PR-12.png", "ev-1", "ab" * 32, None)


def evidence_check(cell: str, refs: dict[str, EvidenceRef], column: str | None = "evidence") -> str:
    result = evaluate(EVIDENCE, row(evidence=cell), refs, column)
    assert result.passed == (result.detail == "")
    return result.detail


def test_evidence_paths_split_trim_and_dedupe() -> None:
    r = row(evidence=" a.png ; ;b.pdf;a.png ")
    assert evidence_paths(r, "evidence") == ["a.png", "b.pdf"]
    assert evidence_paths(r, None) == []
    assert evidence_paths(row(), "evidence") == []


def test_evidence_passes_when_every_listed_file_is_stored() -> None:
    assert evidence_check("evidence/pr/PR-12.png", {STORED.path: STORED}) == ""
    verified = EvidenceRef(STORED.path, "ev-1", None, True)
    assert evidence_check(" evidence/pr/PR-12.png ;", {STORED.path: verified}) == ""


def test_evidence_failures() -> None:
    assert evidence_check("", {}) == "no evidence file listed in evidence"
    assert evidence_check("evidence/pr/PR-12.png", {}) == "evidence/pr/PR-12.png not in vault"
    absent = {STORED.path: EvidenceRef(STORED.path, None)}
    assert evidence_check("evidence/pr/PR-12.png", absent) == "evidence/pr/PR-12.png not in vault"
    two_missing = evidence_check("x.png;evidence/pr/PR-12.png;y.png", {STORED.path: STORED})
    assert two_missing == "x.png and 1 more not in vault"
    damaged = {STORED.path: EvidenceRef(STORED.path, "ev-1", None, False)}
    assert evidence_check(STORED.path, damaged) == "evidence/pr/PR-12.png fails verification"
    assert evidence_check(STORED.path, {STORED.path: STORED}, column=None) != ""


# -- odd values never raise ----------------------------------------------------------------

ALL = [PRESENT, ABSENT, EQUALS, IN, DIFFERENT, BEFORE, WITHIN]


@settings(max_examples=200, deadline=None)
@given(
    cells=st.dictionaries(
        st.sampled_from(
            [
                "approver",
                "override",
                "ci_status",
                "method",
                "author",
                "approved_at",
                "merged_at",
                "terminated_on",
                "removed_on",
                "evidence",
            ]
        ),
        st.text(max_size=40) | st.sampled_from(["2026-03-01", "2026-03-01T10:00:00Z", "0000", "Z"]),
    )
)
def test_odd_cells_never_raise(cells: dict[str, str]) -> None:
    for attribute in ALL:
        check(attribute, cells)
    evaluate(EVIDENCE, row(**cells), {}, "evidence")
