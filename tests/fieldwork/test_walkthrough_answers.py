"""Scripted rehearsals on the built-in scenarios (issue 7, acceptance 2).

Each file in walkthrough_answers/ is a rehearsal written for one control of a built-in
pack, with an ``[expect]`` table naming exactly the divergences (by what they contradict),
the evasions noted, and whether the last instance shown corroborates the answers.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mockaudit.cli.walkthrough_cmd import load_answers
from mockaudit.domain import FindingCode
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE

ANSWERS = Path(__file__).parent / "walkthrough_answers"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(ANSWERS.glob("*.toml"))


def _scenario(path: Path) -> str:
    return str(tomllib.loads(path.read_text(encoding="utf-8"))["scenario"])


@pytest.fixture(scope="module")
def vault_of(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Session]]:
    """One vault per built-in scenario, imported once and shared (rehearse() stores nothing)."""
    sessions: dict[str, Session] = {}

    def get(scenario: str) -> Session:
        if scenario not in sessions:
            folder = tmp_path_factory.mktemp("wt") / scenario
            session = Session.create(folder, PASSPHRASE, kdf=FAST_KDF)
            session.import_scenario(SCENARIOS / scenario)
            sessions[scenario] = session
        return sessions[scenario]

    yield get
    for session in sessions.values():
        session.close()


def test_there_are_twenty_answer_files_covering_every_kind_of_divergence() -> None:
    assert len(FILES) >= 20
    expects = [load_answers(path).expect for path in FILES]
    kinds = {kind for e in expects for kind in e["divergences"]}  # type: ignore[attr-defined]
    assert {"frequency", "approvers", "system_of_record", "evidence_location"} <= kinds
    assert any(e["evasions"] for e in expects), "an evasive rehearsal"
    assert any(not e["divergences"] and not e["evasions"] for e in expects), "a consistent one"
    assert {_scenario(path) for path in FILES} == {
        "northwind-first-type2",
        "acme-type1-ready",
        "globex-renewal-type2",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_findings_are_exactly_those_intended(
    path: Path, vault_of: Callable[[str], Session]
) -> None:
    answers = load_answers(path)
    assert answers.control is not None
    session = vault_of(_scenario(path))
    given = answers.answers_for(answers.control)
    result = session.rehearse(
        answers.control, given, answers.shown_for(answers.control), as_of=answers.as_of
    )
    expect = answers.expect

    assert list(result.divergences) == expect["divergences"]
    assert [e.check.value for e in result.evasions] == expect["evasions"]
    assert result.corroboration.corroborated is expect["corroborated"]
    if "shown_name" in expect:
        assert result.corroboration.evidence_name == expect["shown_name"]
    asked = {step.question.id: step for step in result.steps}
    assert set(given) <= set(asked), "every answer in the file must be to a question asked"
    for finding in result.findings:
        assert finding.code is FindingCode.WALKTHROUGH_DIVERGENCE and finding.id == ""
        [question_id] = finding.items
        assert asked[question_id].feedback.answer in finding.detail, "quotes the answer"
        assert asked[question_id].feedback.documented in finding.detail, "quotes the documents"
