"""Storing rehearsals (issue 7, acceptance 3) and the headless ``mockaudit walkthrough`` CLI.

A transcript is an encrypted evidence blob with a "transcript" custody event, linked to its
control, plus a row in ``walkthroughs``; it must survive locking and unlocking the vault.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaudit.cli import cli, walkthrough_cmd
from mockaudit.errors import InputError
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ANSWERS = Path(__file__).parent / "walkthrough_answers"
IR02 = ANSWERS / "northwind-ir02-consistent.toml"
IAM04 = ANSWERS / "northwind-iam04-owner-left.toml"


@pytest.fixture
def northwind(vault_dir: Path) -> Iterator[Path]:
    """A closed vault holding the northwind pack (so the CLI, or a test, can open it)."""
    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIOS / "northwind-first-type2")
    yield vault_dir


def _rehearse(session: Session, path: Path) -> object:
    answers = walkthrough_cmd.load_answers(path)
    assert answers.control is not None
    return session.rehearse(
        answers.control,
        answers.answers_for(answers.control),
        answers.shown_for(answers.control),
        as_of=answers.as_of,
    )


def test_a_transcript_survives_lock_and_unlock_and_is_in_the_custody_log(northwind: Path) -> None:
    with Session.open(northwind, PASSPHRASE) as session:
        saved = session.save_walkthrough(_rehearse(session, IAM04))  # type: ignore[arg-type]
    assert saved.walkthrough_id == "WT-000001"

    with Session.open(northwind, PASSPHRASE, write=False) as session:  # unlocked again
        assert session.walkthrough("WT-000001") == saved
        [record] = session.walkthroughs()
        assert record.control_id == "IAM-04" and record.owner == "rachel"
        assert record.divergences == ("owner", "changes") and record.corroborated
        assert record.evidence_id is not None
        detail = session.evidence_detail(record.evidence_id)
        assert [e.event for e in detail.history] == ["transcript"]
        assert detail.info.original_name == "walkthroughs/WT-000001-IAM-04.json"
        assert [link.control_id for link in detail.info.links] == ["IAM-04"]
        assert session.verify(full=True).ok


def test_the_transcript_is_encrypted_at_rest(northwind: Path) -> None:
    with Session.open(northwind, PASSPHRASE) as session:
        session.save_walkthrough(_rehearse(session, IAM04))  # type: ignore[arg-type]
    secret = b"Rachel Kim runs the quarterly review"
    for path in northwind.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path.name


def test_ids_follow_on_and_listing_filters_by_owner(northwind: Path) -> None:
    with Session.open(northwind, PASSPHRASE) as session:
        first = session.save_walkthrough(_rehearse(session, IAM04))  # type: ignore[arg-type]
        second = session.save_walkthrough(_rehearse(session, IR02))  # type: ignore[arg-type]
        assert (first.walkthrough_id, second.walkthrough_id) == ("WT-000001", "WT-000002")
        assert [r.walkthrough_id for r in session.walkthroughs("farah")] == ["WT-000002"]
        readiness = {row.owner: row for row in session.owner_readiness()}
    assert readiness["farah"].rehearsed == ("IR-02",) and readiness["farah"].score == 100.0
    assert not readiness["farah"].ready, "farah owns eight controls, one was rehearsed"
    assert readiness["rachel"].divergences == 2


def test_markdown_export_for_the_owner_is_recorded_as_an_export(
    northwind: Path, tmp_path: Path
) -> None:
    out = tmp_path / "study.md"
    with Session.open(northwind, PASSPHRASE) as session:
        saved = session.save_walkthrough(_rehearse(session, IAM04))  # type: ignore[arg-type]
        session.export_walkthrough_markdown(saved.walkthrough_id, out)
        [record] = session.walkthroughs()
        assert record.evidence_id is not None
        events = [e.event for e in session.evidence_detail(record.evidence_id).history]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Walkthrough rehearsal WT-000001: IAM-04")
    assert "> Rachel Kim runs the quarterly review." in text
    assert "Rachel Kim left on 2026-04-17" in text
    assert events == ["transcript", "exported"]


def test_shown_evidence_may_be_an_id_or_a_stored_name(northwind: Path) -> None:
    answers = walkthrough_cmd.load_answers(IR02).answers_for("IR-02")
    with Session.open(northwind, PASSPHRASE) as session:
        by_id = session.rehearse("IR-02", answers, "EV-000064")
        by_name = session.rehearse("IR-02", answers, "INC-0431-postmortem.md")
        with pytest.raises(InputError, match="no control 'IR-99'"):
            session.rehearse("IR-99", answers)
    assert by_id.corroboration == by_name.corroboration
    assert by_id.corroboration.evidence_name.endswith("INC-0431-postmortem.md")


# --- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def walkthrough_cli() -> None:
    """The lead registers the module in cli/__init__.py; until then the tests do."""
    walkthrough_cmd.register(cli)


def test_cli_runs_a_rehearsal_from_a_file_and_stores_it(
    northwind: Path, passfile: Path, tmp_path: Path, run_cli, walkthrough_cli: None
) -> None:
    vault = ["--vault", northwind, "--passphrase-file", passfile]
    done = run_cli("walkthrough", "--answers", IAM04, *vault)
    assert done.code == 0, done.err
    assert "Who performs this control day to day?" in done.out
    assert "answer: Rachel Kim runs the quarterly review." in done.out
    assert "→ contradiction: Contradiction: you said “Rachel Kim”" in done.out
    assert "divergences: 2 (owner, changes)" in done.out
    assert "Saved as WT-000001" in done.out

    out = tmp_path / "wt.md"
    exported = run_cli("walkthrough", "export", "WT-000001", "--out", out, *vault)
    assert exported.code == 0, exported.err
    assert "IAM-04" in out.read_text(encoding="utf-8")
    listed = run_cli("walkthrough", "list", *vault)
    assert listed.out.startswith("WT-000001\tIAM-04\trachel\t")
    ready = run_cli("walkthrough", "readiness", *vault)
    assert "rachel\tRachel Kim\t1/1\t80.0\tdivergences=2" in ready.out
    assert "next=IAM-04 (scored 80.0, " in ready.out  # her one control, issues still open


def test_cli_owner_runs_every_control_of_that_owner(
    northwind: Path, passfile: Path, tmp_path: Path, run_cli, walkthrough_cli: None
) -> None:
    answers = tmp_path / "elena.toml"
    answers.write_text(
        'as_of = 2026-07-15\n[answers]\nperformer = "I do."\n'
        '[answers.CHG-02]\nfrequency = "Continuously."\n',
        encoding="utf-8",
    )
    done = run_cli(
        "walkthrough", "--owner", "elena", "--answers", answers, "--no-save",
        "--vault", northwind, "--passphrase-file", passfile,
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "Summary CHG-01:" in done.out and "Summary CHG-02:" in done.out
    assert "Saved as" not in done.out


def test_cli_refuses_to_guess(
    northwind: Path, passfile: Path, tmp_path: Path, run_cli, walkthrough_cli: None
) -> None:
    vault = ["--vault", northwind, "--passphrase-file", passfile]
    no_terminal = run_cli("walkthrough", "--control", "CHG-01", *vault)
    assert no_terminal.code == 2 and "give --answers FILE" in no_terminal.err
    bad = tmp_path / "bad.toml"
    bad.write_text('[answers]\nfrequnecy = "weekly"\n', encoding="utf-8")
    typo = run_cli("walkthrough", "--control", "CHG-01", "--answers", bad, *vault)
    assert typo.code == 2 and "'frequnecy'" in typo.err
    extra = tmp_path / "extra.toml"
    extra.write_text('control = "CHG-01"\nanswer = "x"\n', encoding="utf-8")
    unknown = run_cli("walkthrough", "--answers", extra, *vault)
    assert unknown.code == 2 and "extra.toml: unknown key 'answer'" in unknown.err
    nobody = run_cli("walkthrough", "--owner", "zoe", "--answers", IAM04, *vault)
    assert nobody.code == 2 and "'zoe' owns no control" in nobody.err
    missing = run_cli("walkthrough", "export", "WT-000404", "--out", tmp_path / "x.md", *vault)
    assert missing.code == 2 and "no walkthrough with id WT-000404" in missing.err


def test_cli_lists_the_question_ids_an_answers_file_uses(run_cli, walkthrough_cli: None) -> None:
    done = run_cli("walkthrough", "questions", "--family", "change")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0] == "# change"
    assert "change.approvals\tapprovers, required\tHow many approvals" in done.out
    assert "Describe “this control” in your own words" in done.out
    assert not any(line.startswith("access.") for line in lines)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_asks_at_a_terminal_one_question_at_a_time(
    northwind: Path, passfile: Path, run_cli, walkthrough_cli: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    with Session.open(northwind, PASSPHRASE, write=False) as session:
        total = len(session.walkthrough_start("IR-04").questions)
    lines = ["A yearly tabletop tests the incident plan.", "Farah Qureshi."] + [""] * (total - 2)
    monkeypatch.setattr("sys.stdin", _Terminal("\n".join([*lines, "EV-000051"]) + "\n"))
    done = run_cli(
        "walkthrough", "--control", "IR-04", "--as-of", "2026-07-15",
        "--vault", northwind, "--passphrase-file", passfile,
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "→ consistent: Consistent: Farah Qureshi is the documented owner." in done.out
    assert "EV-000051  evidence/incidents/tabletop-2026-05-13.md" in done.out
    assert "corroborated: yes" in done.out and "Saved as WT-000001" in done.out


def test_cli_ctrl_d_mid_rehearsal_saves_it_as_finished_early(
    northwind: Path, passfile: Path, run_cli, walkthrough_cli: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Issue 23: end of input (Ctrl-D) after two answers stores them, the rest skipped."""
    answers = "A yearly tabletop tests the incident plan.\nFarah Qureshi.\n"
    monkeypatch.setattr("sys.stdin", _Terminal(answers))  # then end of input
    done = run_cli(
        "walkthrough", "--control", "IR-04", "--as-of", "2026-07-15",
        "--vault", northwind, "--passphrase-file", passfile,
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "Finished early after 2 question(s)" in done.out
    assert "Saved as WT-000001" in done.out and "aborted" not in done.out.lower()
    with Session.open(northwind, PASSPHRASE, write=False) as session:
        stored = session.walkthrough("WT-000001")
    assert [s.feedback.answer for s in stored.steps[:2]] == [
        "A yearly tabletop tests the incident plan.",
        "Farah Qureshi.",
    ]
    assert stored.steps[2].feedback.verdict.value == "skipped"
