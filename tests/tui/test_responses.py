"""session.respond_to_request / responses: the client's answers in the fieldwork inbox."""

from __future__ import annotations

from datetime import date

import pytest

from mockaudit.errors import InputError
from mockaudit.session import Session
from tests.tui.helpers import SCENARIO


@pytest.fixture
def audited(session: Session) -> tuple[Session, str]:
    session.import_scenario(SCENARIO)
    return session, session.run_audit(seed=7, as_of=date(2026, 7, 20)).id


def test_attached_evidence_is_stored_with_custody_and_replaced_by_a_later_answer(
    audited: tuple[Session, str],
) -> None:
    session, run_id = audited
    evidence = [e.evidence_id for e in session.list_evidence()[:2]]
    answer = session.respond_to_request(run_id, "PBC-001", "provided", evidence, "  see   both ")
    assert answer.note == "see both"
    assert session.responses(run_id)["PBC-001"].evidence_ids == tuple(evidence)
    history = session.evidence_detail(evidence[0]).history
    assert history[-1].event == "annotated"
    assert history[-1].fields["request"] == "PBC-001"

    session.respond_to_request(run_id, "PBC-001", "not_available", [], "")
    stored = session.responses(run_id)
    assert stored["PBC-001"].status == "not_available"
    assert stored["PBC-001"].evidence_ids == ()
    assert session.responses("run-unknown") == {}


BAD_ANSWERS = [
    ("PBC-001", "sent", [], "status must be one of"),
    ("PBC-999", "not_available", [], "has no request PBC-999"),
    ("PBC-001", "provided", [], "attach at least one evidence file"),
    ("PBC-001", "provided", ["EV-999999"], "no evidence with id EV-999999"),
]


def test_bad_answers_are_refused_with_one_line_naming_the_problem(
    audited: tuple[Session, str],
) -> None:
    session, run_id = audited
    for code, status, ids, message in BAD_ANSWERS:
        with pytest.raises(InputError, match=message):
            session.respond_to_request(run_id, code, status, ids)
    with pytest.raises(InputError, match="no run with id run-nope"):
        session.respond_to_request("run-nope", "PBC-001", "not_available", [])
    assert session.responses(run_id) == {}  # nothing half-written
