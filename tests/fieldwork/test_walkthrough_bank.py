"""The walkthrough question bank (issue 7, acceptance 1): every family, enough questions, in order."""

from __future__ import annotations

import pytest

from mockaudit.domain import Control
from mockaudit.domain.reference_controls import REFERENCE_CONTROLS, Family
from mockaudit.fieldwork.walkthrough.questions import (
    DOMAIN_QUESTIONS,
    Check,
    family_of,
    question,
    question_bank,
    questions_for,
    questions_for_family,
)

REFERENCE_FAMILIES = sorted({c.family for c in REFERENCE_CONTROLS})


def test_the_reference_set_uses_every_family() -> None:
    assert set(REFERENCE_FAMILIES) == set(Family)


@pytest.mark.parametrize("family", REFERENCE_FAMILIES)
def test_every_family_has_at_least_eight_questions_with_domain_specific_ones(
    family: Family,
) -> None:
    bank = question_bank()
    assert len(bank[family]) >= 8
    domain = DOMAIN_QUESTIONS[family]
    assert len(domain) >= 4, "each family needs its own §7.2 domain-specific questions"
    assert any(q.required for q in domain), "one domain question must be required"
    assert all(q.id.startswith(f"{family.value}.") for q in domain)


@pytest.mark.parametrize("family", REFERENCE_FAMILIES)
def test_questions_follow_the_auditors_order(family: Family) -> None:
    ids = [q.id for q in questions_for_family(family)]
    assert ids[:2] == ["purpose", "performer"], "understand the control and its owner first"
    assert ids[-1] == "last-instance", "the last instance comes right before 'show me'"
    assert ids.index("system") < ids.index(DOMAIN_QUESTIONS[family][0].id) < ids.index("evidence")
    assert len(ids) == len(set(ids))


def test_every_question_is_tagged_with_what_it_checks_and_required_ones_ask_for_facts() -> None:
    every = {q.id: q for questions in question_bank().values() for q in questions}
    required = {q.check for q in every.values() if q.required and q.family is None}
    assert {Check.OWNER, Check.BACKUP, Check.FREQUENCY, Check.SYSTEM_OF_RECORD,
            Check.EVIDENCE_LOCATION, Check.LAST_INSTANCE} <= required  # fmt: skip
    assert all(isinstance(q.check, Check) for q in every.values())
    assert question("change.approvals") is every["change.approvals"]
    assert question("no-such-question") is None


def test_every_reference_control_is_asked_its_own_familys_questions() -> None:
    for ref in REFERENCE_CONTROLS:
        control = Control(
            id=ref.id, title=ref.title, criteria=ref.criteria, frequency=ref.frequency,
            kind=ref.kind, nature=ref.nature, risk=ref.risk,
        )  # fmt: skip
        assert family_of(control) is ref.family, ref.id
        asked = questions_for(control)
        assert DOMAIN_QUESTIONS[ref.family][0] in asked
        assert not any(q.needs_population for q in asked), "no population, no population questions"


def _custom(cid: str, title: str, criteria: tuple[str, ...]) -> Control:
    return Control(id=cid, title=title, criteria=criteria, frequency="annual", kind="manual",
                   nature="preventive", risk="low")  # fmt: skip


def test_a_control_outside_the_reference_set_gets_a_family_from_prefix_title_or_criteria() -> None:
    assert family_of(_custom("CHG-99", "Something", ("CC1.1",))) is Family.CHANGE
    assert family_of(_custom("BCP-01", "Business continuity plan tested", ("CC9.1",))) is (
        Family.AVAILABILITY
    )
    assert family_of(_custom("X-1", "Quarterly thing", ("CC8.1",))) is Family.CHANGE
    assert family_of(_custom("X-2", "Something else", ("CC1.1",))) is Family.GOVERNANCE
