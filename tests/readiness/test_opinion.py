"""The likely opinion follows soc2-domain.md §3.5 and §6.2's impact rule, and says why."""

from __future__ import annotations

from mockaudit.domain import FindingCode, Severity
from mockaudit.domain.run import ControlConclusion, Opinion
from mockaudit.readiness.opinion import criterion_map, likely_opinion
from tests.readiness.builders import clean_tests, control_test, finding, program

EXC = ControlConclusion.EXCEPTIONS
NT = ControlConclusion.NOT_TESTABLE


def _with(prog, **verdicts):
    """Clean tests, with some controls replaced: CHG_01=(conclusion, size, deviations)."""
    tests = []
    for test in clean_tests(prog):
        spec = verdicts.get(test.control.replace("-", "_"))
        if spec is None:
            tests.append(test)
        else:
            conclusion, size, deviations = spec
            tests.append(
                control_test(prog, test.control, conclusion, size=size, deviations=deviations)
            )
    return tests


def test_clean_run_is_unqualified() -> None:
    prog = program()
    opinion, rule = likely_opinion([], clean_tests(prog), prog)
    assert opinion is Opinion.UNQUALIFIED
    assert rule.startswith("unqualified:")
    assert "without exceptions" in rule


def test_isolated_exception_covered_by_a_sibling_stays_unqualified() -> None:
    prog = program()
    tests = _with(prog, CHG_01=(EXC, 25, 2))
    found = [finding(FindingCode.SAMPLE_DEVIATION, control="CHG-01", items=("CHG-01-item-0",))]
    opinion, rule = likely_opinion(found, tests, prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "CHG-01 (2 of 25)" in rule


def test_one_tolerated_deviation_stays_unqualified() -> None:
    prog = program()
    tests = _with(prog, CHG_01=(ControlConclusion.NO_EXCEPTIONS, 25, 1))
    found = [finding(FindingCode.SAMPLE_DEVIATION, Severity.MEDIUM, control="CHG-01")]
    assert likely_opinion(found, tests, prog)[0] is Opinion.UNQUALIFIED


def test_sole_control_with_exceptions_qualifies_and_names_the_rule() -> None:
    prog = program(drop=("CHG-02",))
    tests = _with(prog, CHG_01=(EXC, 40, 3))
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert rule == "qualified: CC8.1 relies only on CHG-01, which has exceptions (3 of 40)"


def test_both_controls_of_a_criterion_failing_qualifies() -> None:
    prog = program()
    tests = _with(prog, CHG_01=(EXC, 25, 2), CHG_02=(EXC, 25, 3))
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC8.1 has no effective control: CHG-01 (2 of 25) and CHG-02 (3 of 25)" in rule


def test_uncovered_criterion_qualifies() -> None:
    prog = program(drop=("IAM-01",))
    opinion, rule = likely_opinion([], clean_tests(prog), prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 has no control" in rule


def test_ownerless_key_control_qualifies() -> None:
    prog = program(owners={"IAM-01": "nobody"})
    found = [finding(FindingCode.CONTROL_OWNERLESS, control="IAM-01", criteria=("CC6.2",))]
    opinion, rule = likely_opinion(found, clean_tests(prog), prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 relies only on IAM-01, which has no owner" in rule


def test_ownerless_control_with_a_sibling_does_not_qualify() -> None:
    prog = program()
    found = [finding(FindingCode.CONTROL_OWNERLESS, control="CHG-02", criteria=("CC8.1",))]
    assert likely_opinion(found, clean_tests(prog), prog)[0] is Opinion.UNQUALIFIED


def test_sole_control_without_population_is_a_limited_scope_limitation() -> None:
    prog = program()
    tests = _with(prog, IAM_01=(NT, 0, 0))
    found = [finding(FindingCode.CONTROL_NO_POPULATION, control="IAM-01")]
    opinion, rule = likely_opinion(found, tests, prog)
    assert opinion is Opinion.QUALIFIED
    assert "CC6.2 has no control that could be tested for lack of evidence (IAM-01)" in rule


def test_control_that_did_not_operate_is_reported_not_qualified() -> None:
    prog = program()
    tests = _with(prog, IAM_01=(NT, 0, 0))
    found = [finding(FindingCode.CONTROL_NOT_OPERATED, control="IAM-01")]
    opinion, rule = likely_opinion(found, tests, prog)
    assert opinion is Opinion.UNQUALIFIED
    assert "IAM-01 did not operate in the period" in rule


def test_practice_divergence_qualifies() -> None:
    prog = program()
    found = [finding(FindingCode.POLICY_PRACTICE_DIVERGENCE, policy="POL-ACCESS")]
    opinion, rule = likely_opinion(found, clean_tests(prog), prog)
    assert opinion is Opinion.QUALIFIED
    assert rule.startswith("qualified: POL-ACCESS: practice breaks a policy commitment")


def test_exceptions_in_most_families_are_adverse() -> None:
    prog = program()
    tests = _with(prog, GOV_01=(EXC, 1, 1), CHG_01=(EXC, 25, 3), IAM_01=(EXC, 25, 4))
    opinion, rule = likely_opinion([], tests, prog)
    assert opinion is Opinion.ADVERSE
    assert "3 of 4 control families" in rule
    assert "GOV, CHG, IAM" in rule


def test_exceptions_in_two_families_are_not_pervasive() -> None:
    prog = program()
    tests = _with(prog, CHG_01=(EXC, 25, 3), IAM_01=(EXC, 25, 4))
    assert likely_opinion([], tests, prog)[0] is Opinion.QUALIFIED


def test_program_covering_few_criteria_is_adverse() -> None:
    prog = program(drop=("GOV-01",))
    opinion, rule = likely_opinion([], clean_tests(prog), prog)
    assert opinion is Opinion.ADVERSE
    assert "criterion groups" in rule


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


def test_unreliable_population_counts_towards_the_disclaimer() -> None:
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
