"""The rehearsal state machine on an in-memory program: one question at a time, immediate
feedback, corroboration of the last instance, scores, findings, Markdown and readiness."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mockaudit.domain import FindingCode, Program
from mockaudit.errors import InputError
from mockaudit.fieldwork.walkthrough.rehearsal import (
    NOT_ASKED,
    EvidenceFact,
    EvidenceLink,
    Phase,
    Rehearsal,
    VaultFacts,
    Verdict,
    WalkthroughRecord,
    owner_readiness,
    rehearse,
    transcript_markdown,
)

PROGRAM = Program.model_validate(
    {
        "organization": {"name": "Test Co"},
        "engagement": {
            "report_type": "type2",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "systems": ["github", "okta", "jira"],
        },
        "people": [
            {"id": "dana", "name": "Dana Reyes"},
            {"id": "lee", "name": "Lee Park"},
            {"id": "max", "name": "Max Stone", "left_on": "2026-03-01"},
        ],
        "populations": [
            {"id": "changes", "title": "Merged PRs", "system": "github",
             "file": "populations/changes.csv", "key": "pr_id", "date": "merged_at"},
        ],
        "controls": [
            {"id": "CHG-01", "title": "Code changes reviewed before merge",
             "description": "Every pull request is approved by someone other than its author.",
             "criteria": ["CC8.1"], "owner": "dana", "frequency": "per_event",
             "kind": "manual", "nature": "preventive", "risk": "high", "population": "changes",
             "attributes": [{"id": "independent-approval", "check": "different",
                             "fields": ["author", "approver"]}]},
            {"id": "IAM-06", "title": "MFA enforced", "criteria": ["CC6.1"], "owner": "lee",
             "frequency": "continuous", "kind": "automated", "nature": "preventive",
             "risk": "high", "evidence": ["evidence/config/mfa.png"]},
        ],
    }
)  # fmt: skip
CHG = PROGRAM.controls[0]
COLLECTED = date(2026, 7, 2)
FACTS = VaultFacts(
    PROGRAM,
    (
        EvidenceFact("EV-000001", "populations/changes.csv", COLLECTED,
                     (EvidenceLink(population="changes"),)),
        EvidenceFact("EV-000002", "evidence/changes/PR-17-review.md", COLLECTED,
                     (EvidenceLink(population="changes", item="PR-17",
                                   item_date=date(2026, 6, 20)),)),
        EvidenceFact("EV-000003", "evidence/changes/PR-1-review.md", COLLECTED,
                     (EvidenceLink(population="changes", item="PR-1",
                                   item_date=date(2025, 12, 20)),)),
        EvidenceFact("EV-000004", "evidence/config/mfa.png", COLLECTED,
                     (EvidenceLink(control="IAM-06"),)),
    ),
    as_of=date(2026, 7, 15),
)  # fmt: skip
GOOD = {
    "purpose": "Every pull request gets an independent review before it reaches production.",
    "performer": "I do, Dana Reyes.",
    "backup": "Lee Park covers when I am out.",
    "frequency": "Every pull request to main.",
    "system": "GitHub pull requests.",
    "change.approvals": "One approval from someone other than the author.",
    "evidence": "On each pull request in GitHub.",
    "last-instance": "2026-06-20",
}
STARTED = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)


def _rehearsal() -> Rehearsal:
    return Rehearsal(CHG, PROGRAM, FACTS, started_at=STARTED)


def test_questions_come_one_at_a_time_with_immediate_feedback() -> None:
    rehearsal = _rehearsal()
    assert rehearsal.phase is Phase.INQUIRY
    first = rehearsal.question
    assert first is not None and first.id == "purpose"
    assert "Code changes reviewed before merge" in (rehearsal.prompt or "")
    feedback = rehearsal.answer(GOOD["purpose"])
    assert feedback.question_id == "purpose"
    assert rehearsal.question is not None and rehearsal.question.id == "performer"
    assert rehearsal.progress == (1, len(rehearsal.questions) + 1)
    feedback = rehearsal.answer("Max Stone does it.")
    assert feedback.verdict is Verdict.CONTRADICTION
    assert "Max Stone left on 2026-03-01" in feedback.message


def test_the_state_machine_refuses_steps_out_of_order() -> None:
    rehearsal = _rehearsal()
    with pytest.raises(InputError):
        rehearsal.show("EV-000002")
    with pytest.raises(InputError):
        rehearsal.result()
    while rehearsal.question is not None:
        rehearsal.answer(GOOD.get(rehearsal.question.id, ""))
    assert rehearsal.phase is Phase.CORROBORATION
    assert "show me the last instance" in (rehearsal.prompt or "").lower()
    with pytest.raises(InputError):
        rehearsal.answer("too late")
    rehearsal.show("EV-000002")
    assert rehearsal.phase is Phase.DONE
    with pytest.raises(InputError):
        rehearsal.show("EV-000002")


def test_a_consistent_rehearsal_scores_100_and_has_no_finding() -> None:
    result = rehearse(CHG, PROGRAM, FACTS, GOOD, "EV-000002", started_at=STARTED)
    assert result.score == 100.0
    assert result.findings == () and result.evasions == ()
    assert result.corroboration.corroborated
    scores = result.question_scores()
    assert scores["performer"] == 1.0 and scores["exceptions"] is None  # skipped: not scored
    assert scores["show-last-instance"] == 1.0


def test_a_contradiction_is_a_divergence_finding_quoting_answer_and_documents() -> None:
    answers = {**GOOD, "change.approvals": "Two approvals are needed."}
    result = rehearse(CHG, PROGRAM, FACTS, answers, "EV-000002", started_at=STARTED)
    [finding] = result.findings
    assert finding.id == "" and finding.code is FindingCode.WALKTHROUGH_DIVERGENCE
    assert finding.control == "CHG-01" and finding.owner == "dana"
    assert finding.criteria == ("CC8.1",)
    assert "Two approvals are needed." in finding.detail
    assert "approved by someone other than its author" in finding.detail
    assert result.divergences == ("approvers",)
    assert result.score < 100.0


def test_evasive_answers_to_required_questions_are_noted_optional_ones_only_scored() -> None:
    answers = {**GOOD, "performer": "", "exceptions": "Not sure."}
    result = rehearse(CHG, PROGRAM, FACTS, answers, "EV-000002", started_at=STARTED)
    assert [e.question_id for e in result.evasions] == ["performer"]
    verdicts = {s.question.id: s.feedback.verdict for s in result.steps}
    assert verdicts["exceptions"] is Verdict.EVASIVE
    assert result.question_scores()["exceptions"] == 0.0
    assert result.findings == ()


@pytest.mark.parametrize(
    ("shown", "corroborated", "says"),
    [
        ("EV-000002", True, "inside the period"),
        ("EV-000003", False, "outside the period"),
        ("EV-000001", False, "population list"),
        ("EV-000004", False, "not linked to CHG-01"),
        ("EV-999999", False, "not in the vault"),
        (None, False, "Nothing shown"),
    ],
)
def test_the_last_instance_must_belong_to_the_control_and_fall_in_the_period(
    shown: str | None, corroborated: bool, says: str
) -> None:
    result = rehearse(CHG, PROGRAM, FACTS, GOOD, shown, started_at=STARTED)
    assert result.corroboration.corroborated is corroborated
    assert says in result.corroboration.message


def test_showing_another_instance_than_the_one_named_is_pointed_out() -> None:
    answers = {**GOOD, "last-instance": "2026-05-02"}
    result = rehearse(CHG, PROGRAM, FACTS, answers, "EV-000002", started_at=STARTED)
    assert result.corroboration.corroborated
    assert "You said the last instance was" in result.corroboration.message


def test_candidates_offer_the_controls_instances_first_newest_first() -> None:
    ids = [f.evidence_id for f in _rehearsal().candidates()]
    assert ids == ["EV-000002", "EV-000003", "EV-000001", "EV-000004"]


def test_finish_ends_early_and_counts_required_questions_left_open() -> None:
    rehearsal = _rehearsal()
    rehearsal.answer(GOOD["purpose"])
    result = rehearsal.finish()
    assert "performer" in [e.question_id for e in result.evasions]
    assert not result.corroboration.corroborated


def test_finishing_early_records_the_questions_not_reached_as_skipped_not_evasive() -> None:
    rehearsal = _rehearsal()
    rehearsal.answer(GOOD["purpose"])
    rehearsal.answer(GOOD["performer"])
    result = rehearsal.finish_early()
    assert rehearsal.phase is Phase.DONE
    assert len(result.steps) == len(rehearsal.questions)
    asked, rest = result.steps[:2], result.steps[2:]
    assert [s.feedback.verdict for s in asked] == [Verdict.ANSWERED, Verdict.CONSISTENT]
    assert {s.feedback.verdict for s in rest} == {Verdict.SKIPPED}
    assert all(s.feedback.message.startswith(NOT_ASKED) for s in rest)
    assert result.evasions == () and result.findings == ()
    assert not result.corroboration.corroborated
    assert "finished early" in result.corroboration.message
    # stopping early never scores better than answering: required questions not reached count 0
    required = sum(1 for s in rest if s.question.required)
    assert required > 0
    assert result.score == round(100 * 2 / (2 + required + 1), 1)
    assert "skipped" in transcript_markdown(result)


def test_the_same_answers_give_the_same_result() -> None:
    one = rehearse(CHG, PROGRAM, FACTS, GOOD, "EV-000002", started_at=STARTED)
    two = rehearse(CHG, PROGRAM, FACTS, GOOD, "EV-000002", started_at=STARTED)
    assert one == two


def test_an_unknown_answer_key_is_refused_naming_it() -> None:
    with pytest.raises(InputError, match="'frequnecy'"):
        rehearse(CHG, PROGRAM, FACTS, {"frequnecy": "weekly"})


def test_the_markdown_transcript_has_every_question_answer_verdict_and_finding() -> None:
    answers = {**GOOD, "frequency": "Weekly."}
    result = rehearse(CHG, PROGRAM, FACTS, answers, "EV-000002", started_at=STARTED)
    text = transcript_markdown(result)
    for step in result.steps:
        assert step.question.text in text
    assert "> Weekly." in text and "**CONTRADICTION**" in text
    assert "## Findings" in text and "## What to practise" in text
    assert "Last instance corroborated: yes" in text


def _record(
    control: str,
    owner: str,
    score: float,
    divergences: tuple[str, ...] = (),
    corroborated: bool = True,
    at: str = "2026-07-15T09:00:00+00:00",
) -> WalkthroughRecord:
    return WalkthroughRecord(f"WT-{control}-{at}", control, owner, at, "EV-1", score,
                             divergences, (), corroborated)  # fmt: skip


def test_owner_readiness_uses_the_latest_rehearsal_of_each_owned_control() -> None:
    records = [
        _record("CHG-01", "dana", 60.0, ("frequency",), at="2026-07-01T09:00:00+00:00"),
        _record("CHG-01", "dana", 100.0, at="2026-07-10T09:00:00+00:00"),
        _record("IAM-06", "lee", 80.0, ("systems",)),
    ]
    rows = {r.owner: r for r in owner_readiness(PROGRAM, records)}
    assert rows["dana"].score == 100.0 and rows["dana"].ready
    assert rows["lee"].divergences == 1 and not rows["lee"].ready
    assert owner_readiness(PROGRAM, [])[0].score is None


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("On each pull request in GitHub.", Verdict.CONSISTENT),
        ("The review note is evidence/changes/PR-17-review.md in the vault.", Verdict.CONSISTENT),
        ("Screenshots go to a Slack channel.", Verdict.CONTRADICTION),
        ("It is evidence/changes/PR-99-signoff.pdf.", Verdict.CONTRADICTION),
        ("We don't keep anything, GitHub is enough.", Verdict.CONTRADICTION),
        ("Copies live in Confluence.", Verdict.GAP),  # a real tool, just not documented
        ("Somewhere safe.", Verdict.EVASIVE),
    ],
)
def test_evidence_location_is_compared_with_what_the_vault_holds(
    answer: str, verdict: Verdict
) -> None:
    result = rehearse(CHG, PROGRAM, FACTS, {**GOOD, "evidence": answer}, started_at=STARTED)
    [step] = [s for s in result.steps if s.question.id == "evidence"]
    assert step.feedback.verdict is verdict, step.feedback.message
    assert (step.feedback.finding is not None) is (verdict is Verdict.CONTRADICTION)
