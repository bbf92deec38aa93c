"""Issue 23, acceptance 5: scoring rewards answers about the control, not any sentence, and
names that are nobody of the program are said to be unknown."""

from __future__ import annotations

import pytest

from mockaudit.fieldwork.walkthrough.rehearsal import Rehearsal, Verdict
from tests.fieldwork.test_walkthrough_rehearsal import CHG, FACTS, PROGRAM, STARTED

FILLERS = [
    "We handle this carefully and follow our documented process every time.",
    "Our team is always on top of it and makes sure things are done properly.",
]


def _rehearsal() -> Rehearsal:
    return Rehearsal(CHG, PROGRAM, FACTS, started_at=STARTED)


@pytest.mark.parametrize("filler", FILLERS)
def test_the_same_filler_for_every_question_scores_under_30(filler: str) -> None:
    rehearsal = _rehearsal()
    while rehearsal.question is not None:
        rehearsal.answer(filler)
    rehearsal.show(None)
    assert rehearsal.result().score < 30


def test_a_repeated_sentence_is_evasive_even_when_it_is_on_topic() -> None:
    rehearsal = _rehearsal()
    on_topic = "Every pull request is approved by a second engineer in GitHub."
    first = rehearsal.answer(on_topic)  # purpose: about the control
    assert first.verdict is Verdict.ANSWERED
    rehearsal.answer("Dana")
    rehearsal.answer("Lee Park")
    assert rehearsal.question is not None and rehearsal.question.id == "frequency"
    again = rehearsal.answer(on_topic)  # would be consistent (per event): but said before
    assert again.verdict is Verdict.EVASIVE
    assert "same words as your answer to question 1" in again.message


def test_an_off_topic_answer_to_a_free_question_is_evasive() -> None:
    rehearsal = _rehearsal()
    feedback = rehearsal.answer("The weather was lovely and the lunch menu improved a lot.")
    assert feedback.verdict is Verdict.EVASIVE
    assert "nothing about this question or this control" in feedback.message


def test_a_name_that_is_nobody_of_the_program_is_said_to_be_unknown() -> None:
    rehearsal = _rehearsal()
    rehearsal.answer("Peer review of every pull request stops unreviewed code reaching main.")
    feedback = rehearsal.answer("Jane Doe does it.")
    assert feedback.verdict is Verdict.GAP
    assert "Unknown: “Jane Doe” is not a person of the program" in feedback.message
    assert "no person is named" not in feedback.message
    known = rehearsal.answer("Lee Park reviews my work, and Zed covers when I am out.")
    assert known.verdict is Verdict.CONSISTENT  # a person of the program still counts
