"""The likely opinion follows soc2-domain.md §3.4–§3.5 criterion by criterion, and says why."""

from __future__ import annotations

from typing import Any

from mockaudit.domain import FindingCode, Program, Severity
from mockaudit.domain.run import ControlConclusion, ControlTest, GroundKind, Opinion
from mockaudit.readiness.evaluation import Context, grounds, outcomes
from mockaudit.readiness.opinion import criterion_map, likely_opinion
from tests.readiness.builders import clean_tests, control_test, finding, program

EXC = ControlConclusion.EXCEPTIONS
NT = ControlConclusion.NOT_TESTABLE


def _with(prog: Program, **verdicts: Any) -> list[ControlTest]:
    """Clean tests, with some controls replaced: CHG_01=(conclusion, size, deviations[, fields])."""
    tests = []
    for test in clean_tests(prog):
        spec = verdicts.get(test.control.replace("-", "_"))
        if spec is None:
            tests.append(test)
            continue
        conclusion, size, deviations, *rest = spec
        fields = rest[0] if rest else {}
        tests.append(
            control_test(prog, test.control, conclusion, size=size, deviations=deviations, **fields)
        )
    return tests


def _access_program(**extra_risk: Any) -> Program:
    """Provisioning (IAM-01) and deprovisioning (IAM-02) both on CC6.2, separate risks."""
    base = program()
    data = base.model_dump(mode="json", exclude_none=True)
    iam02 = dict(next(c for c in data["controls"] if c["id"] == "IAM-01"))
    iam02.update(id="IAM-02", title="Access removed within 1 day of termination")
    data["controls"].append(iam02)
    data["risks"] += [
        {
            "id": "R-02",
            "title": "Unauthorised access granted",
            "likelihood": 3,
            "impact": 4,
            "controls": ["IAM-01"],
        },
        {
            "id": "R-03",
            "title": "A leaver keeps access",
            "likelihood": 3,
            "impact": 4,
            "controls": ["IAM-02", *extra_risk.get("with_leavers", [])],
        },
    ]
    return Program.model_validate(data)


def test_clean_run_is_unqualified() -> None:
    prog = program()
    opinion, rule = likely_opinion([], clean_tests(prog), prog)
    assert opinion is Opinion.UNQUALIFIED
    assert rule.startswith("unqualified:")
    assert "§3.5" in rule


def test_failure_compensated_by_an_effective_control_for_the_same_risk_and_criterion() -> None:
    prog = program()  # CHG-01 and CHG-02 both mitigate R-01 and map to CC8.1
    tests = _with(prog, CHG_01=(EXC, 25, 2, {"effective": False}))
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "CHG-01 (2 of 25)" in rule
    assert "compensated by another control for the same risk and criterion" in rule


def test_a_control_sharing_the_criterion_but_not_the_risk_does_not_compensate() -> None:
    prog = _access_program()
    tests = [*clean_tests(prog)]
    tests = [
        control_test(prog, "IAM-02", EXC, size=10, deviations=2, effective=False)
        if t.control == "IAM-02"
        else t
        for t in tests
    ]
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 — IAM-02: 2 of 10 sampled items deviated, above the tolerable rate" in rule
    assert "IAM-01" not in rule


def test_the_same_risk_but_another_criterion_does_not_compensate() -> None:
    prog = _access_program(with_leavers=["OPS-01"])  # OPS-01 maps to CC7.2 only
    tests = [
        control_test(prog, "IAM-02", EXC, size=10, deviations=2, effective=False)
        if t.control == "IAM-02"
        else t
        for t in clean_tests(prog)
    ]
    assert likely_opinion([], tests, prog)[0] is Opinion.QUALIFIED


def test_one_tolerated_deviation_stays_unqualified() -> None:
    prog = program(drop=("CHG-02",))
    tests = _with(prog, CHG_01=(ControlConclusion.NO_EXCEPTIONS, 38, 1, {"effective": True}))
    found = [finding(FindingCode.SAMPLE_DEVIATION, Severity.MEDIUM, control="CHG-01")]
    opinion, rule = likely_opinion(found, tests, prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "CHG-01 (1 of 38)" in rule


def test_sole_control_with_exceptions_qualifies_and_names_the_rule() -> None:
    prog = program(drop=("CHG-02",))
    tests = _with(prog, CHG_01=(EXC, 40, 3))
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert rule == (
        "qualified: CC8.1 — CHG-01: 3 of 40 sampled items deviated, above the tolerable rate "
        "(soc2-domain.md §3.5: a specific, limited material issue)"
    )


def test_missed_quarter_is_a_not_operating_ground_even_with_clean_instances() -> None:
    prog = program()
    tests = _with(
        prog,
        IAM_01=(EXC, 1, 0, {"missed_occurrences": ("Q2 2026",), "effective": False}),
    )
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 — IAM-01 did not operate for part of the period (Q2 2026 not performed)" in rule
    found = grounds(Context.of(prog, []), outcomes(prog, tests, []))
    assert [(g.criterion, g.kind) for g in found] == [("CC6.2", GroundKind.NOT_OPERATING)]


def test_uncovered_criterion_is_a_design_deficiency() -> None:
    prog = program(drop=("IAM-01",))
    opinion, rule = likely_opinion([], clean_tests(prog), prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 — no control addresses CC6.2 (design deficiency)" in rule


def test_ownerless_control_that_operated_is_not_a_ground() -> None:
    prog = program(owners={"IAM-01": "nobody"})
    found = [finding(FindingCode.CONTROL_OWNERLESS, control="IAM-01", criteria=("CC6.2",))]
    opinion, rule = likely_opinion(found, clean_tests(prog), prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "ownerless controls (IAM-01) are a readiness risk, not a ground by itself" in rule


def test_policy_stricter_than_practice_is_not_a_ground() -> None:
    prog = program()
    found = [finding(FindingCode.POLICY_PRACTICE_DIVERGENCE, policy="POL-ACCESS")]
    opinion, rule = likely_opinion(found, clean_tests(prog), prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "POL-ACCESS" in rule and "description fix" in rule


def test_sole_control_without_population_is_a_limited_scope_limitation() -> None:
    prog = program()
    tests = _with(prog, IAM_01=(NT, 0, 0))
    found = [finding(FindingCode.CONTROL_NO_POPULATION, control="IAM-01")]
    opinion, rule = likely_opinion(found, tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 — IAM-01: the evidence to test it was not produced (scope limitation)" in rule


def test_scope_limited_flag_is_a_scope_ground() -> None:
    prog = program()
    tests = _with(prog, OPS_01=(NT, 0, 0, {"scope_limited": True}))
    found = grounds(Context.of(prog, []), outcomes(prog, tests, []))
    assert [(g.criterion, g.kind) for g in found] == [("CC7.2", GroundKind.SCOPE_LIMITATION)]


def test_control_that_did_not_operate_is_reported_not_qualified() -> None:
    prog = program()
    tests = _with(prog, IAM_01=(NT, 0, 0))
    found = [finding(FindingCode.CONTROL_NOT_OPERATED, control="IAM-01")]
    opinion, rule = likely_opinion(found, tests, prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "IAM-01 did not operate in the period" in rule


def test_description_misstatement_is_a_ground() -> None:
    prog = program()
    found = [
        finding(FindingCode.WALKTHROUGH_DIVERGENCE, control="OPS-01", title="not as described")
    ]
    opinion, rule = likely_opinion(found, clean_tests(prog), prog)
    assert opinion is Opinion.QUALIFIED
    assert "OPS-01: the description misstates the control (not as described)" in rule


def test_type1_clean_run_speaks_of_design_and_implementation_not_operation() -> None:
    prog = program(report_type="type1")
    opinion, rule = likely_opinion([], clean_tests(prog), prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "suitably designed and implemented as of 2026-06-30" in rule
    assert "operated" not in rule  # a Type 1 report has no operating period


def test_type1_failure_is_a_design_ground() -> None:
    prog = program(report_type="type1")
    tests = _with(prog, OPS_01=(EXC, 1, 1, {"effective": False}))
    found = grounds(Context.of(prog, []), outcomes(prog, tests, []))
    assert [(g.criterion, g.kind) for g in found] == [("CC7.2", GroundKind.DESIGN)]
    assert "not suitably designed or implemented as of 2026-06-30" in found[0].text


def test_grounds_in_most_criterion_groups_are_adverse() -> None:
    prog = program()
    failing = {"effective": False}
    tests = _with(
        prog,
        GOV_01=(EXC, 1, 1, failing),
        CHG_01=(EXC, 25, 3, failing),
        CHG_02=(EXC, 25, 3, failing),
    )
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.ADVERSE
    assert "in-scope criteria are not met" in rule
    assert "more than 50% of the criteria, at least 3 groups" in rule


def test_failures_in_many_groups_leaving_most_criteria_met_are_qualified() -> None:
    prog = program()
    data = prog.model_dump(mode="json", exclude_none=True)
    gov = next(c for c in data["controls"] if c["id"] == "GOV-01")
    gov["criteria"] = [c for c in gov["criteria"] if c not in ("CC1.1", "CC2.1", "CC3.1")]
    for cid, crit in (("HR-A", "CC1.1"), ("COM-A", "CC2.1"), ("RSK-A", "CC3.1")):
        data["controls"].append({**gov, "id": cid, "criteria": [crit], "evidence": []})
    from mockaudit.domain import Program

    prog = Program.model_validate(data)
    failing = {"effective": False}
    tests = _with(
        prog, HR_A=(EXC, 1, 1, failing), COM_A=(EXC, 1, 1, failing), RSK_A=(EXC, 1, 1, failing)
    )
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.QUALIFIED  # three groups, but 3 of 33 criteria
    assert "CC1.1" in rule and "CC2.1" in rule and "CC3.1" in rule


def test_grounds_in_two_groups_are_not_pervasive() -> None:
    prog = program()
    tests = _with(prog, IAM_01=(EXC, 25, 4), OPS_01=(EXC, 1, 1))
    assert likely_opinion([], tests, prog)[0] is Opinion.QUALIFIED


def test_half_the_controls_without_evidence_is_a_disclaimer() -> None:
    prog = program()
    tests = _with(prog, GOV_01=(NT, 0, 0), IAM_01=(NT, 0, 0), OPS_01=(NT, 0, 0))
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.DISCLAIMER
    assert "3 of 5 controls (60%, threshold 50%)" in rule


def test_two_of_five_without_evidence_is_not_a_disclaimer() -> None:
    prog = program()
    tests = _with(prog, GOV_01=(NT, 0, 0), OPS_01=(NT, 0, 0))
    assert likely_opinion([], tests, prog)[0] is not Opinion.DISCLAIMER


def test_unreconciled_population_counts_towards_the_disclaimer() -> None:
    prog = program()
    tests = _with(prog, IAM_01=(NT, 0, 0))
    mismatch = finding(FindingCode.POPULATION_COUNT_MISMATCH, population="changes")
    assert likely_opinion([], tests, prog)[0] is not Opinion.DISCLAIMER
    assert likely_opinion([mismatch], tests, prog)[0] is Opinion.DISCLAIMER


def test_disclaimer_takes_precedence_over_adverse() -> None:
    prog = program()
    tests = _with(
        prog,
        GOV_01=(EXC, 1, 1),
        CHG_01=(EXC, 25, 3),
        IAM_01=(NT, 0, 0),
        OPS_01=(NT, 0, 0),
        CHG_02=(NT, 0, 0),
    )
    assert likely_opinion([], tests, prog)[0] is Opinion.DISCLAIMER


def test_criterion_map_follows_the_conclusion_rules() -> None:
    prog = program(drop=("IAM-01",))
    tests = _with(prog, CHG_01=(EXC, 25, 2), OPS_01=(NT, 0, 0))
    got = criterion_map(prog, tests)
    assert got["CC8.1"] == "exceptions"  # one of two controls has exceptions
    assert got["CC7.2"] == "not_testable"
    assert got["CC6.2"] == "uncovered"
    assert got["CC1.1"] == "no_exceptions"
    assert len(got) == 33  # every security criterion, in catalogue order
    assert list(got)[:2] == ["CC1.1", "CC1.2"]


def test_untested_control_counts_as_not_testable() -> None:
    prog = program()
    tests = [t for t in clean_tests(prog) if t.control != "OPS-01"]
    assert criterion_map(prog, tests)["CC7.2"] == "not_testable"
