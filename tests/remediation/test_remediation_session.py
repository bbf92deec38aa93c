"""Remediation records (issue 18): stored encrypted with custody, following their finding
across runs, lock/unlock and a re-import of a changed program; retest passed on closure."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from mockaudit.domain.remediation import RemediationStatus
from mockaudit.errors import InputError
from mockaudit.session import Session
from tests.conftest import PASSPHRASE
from tests.tui.helpers import SCENARIO

AS_OF = date(2026, 7, 20)


@pytest.fixture
def audited(session: Session) -> Session:
    session.import_scenario(SCENARIO)
    session.run_audit(seed=7, as_of=AS_OF)
    return session


def _owner(session: Session) -> str:
    return session.program().people[0].id


def test_a_response_is_stored_with_custody_and_survives_lock_unlock_and_rerun(
    audited: Session, vault_dir: Path
) -> None:
    session = audited
    finding = session.run().findings[0]
    owner = _owner(session)
    before = session.vault.tree_size()
    record = session.set_remediation(
        finding.id,
        owner=owner,
        due=date(2026, 8, 15),
        cause="  reviewer   on leave ",
        category="execution",
        response="Backup reviewer named.",
    )
    assert (record.owner, record.cause, record.status) == (owner, "reviewer on leave", "open")
    assert session.vault.tree_size() == before + 1  # one "remediation" custody event
    evidence = session.list_evidence()[0].evidence_id
    session.set_remediation_status(finding.id, "remediated", evidence=[evidence])
    history = session.evidence_detail(evidence).history
    assert history[-1].event == "remediation" and history[-1].fields["finding"] == finding.id
    session.close()

    with Session.open(vault_dir, PASSPHRASE) as again:
        (stored,) = again.remediations()
        assert stored.response == "Backup reviewer named."
        assert stored.status is RemediationStatus.REMEDIATED
        assert stored.evidence_ids == (evidence,)
        run = again.run_audit(seed=8, as_of=AS_OF)  # the same defects: still reported
        (kept,) = again.remediations()
        assert kept.run_id == run.id and kept.status is RemediationStatus.REMEDIATED
        assert again.remediations_by_finding(run)[kept.finding_id].response == stored.response


def test_a_remediated_finding_the_next_run_no_longer_reports_is_marked_retest_passed(
    session: Session, tmp_path: Path
) -> None:
    program = tmp_path / "program"
    shutil.copytree(SCENARIO, program)
    session.import_scenario(program)
    run = session.run_audit(seed=7, as_of=AS_OF)
    ownerless = next(f for f in run.findings if f.title == "Control AV-02 has no owner")
    other = next(f for f in run.findings if f.code != "control.ownerless")
    session.set_remediation(ownerless.id, owner=_owner(session), response="Owner assigned.")
    session.set_remediation_status(ownerless.id, "remediated")
    session.set_remediation(other.id, response="Working on it.")

    toml = program / "scenario.toml"  # Tomás is named owner of AV-02
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('owner = ""  # TBD', 'owner = "tomas"  # was TBD'), "utf-8")
    session.import_scenario(program)  # a changed program
    later = session.run_audit(seed=7, as_of=AS_OF)
    assert all(f.title != ownerless.title for f in later.findings)
    records = {r.title: r for r in session.remediations()}
    fixed = records[ownerless.title]
    assert fixed.status is RemediationStatus.RETESTED and fixed.retest_run == later.id
    assert fixed.status_text == f"retest passed ({later.id})"
    assert records[other.title].response == "Working on it."  # survived the re-import
    assert records[other.title].status is RemediationStatus.OPEN


BAD = [
    ({"finding_id": "F-9999", "response": "x"}, "no finding F-9999 in the latest run"),
    ({"owner": "nobody"}, "unknown owner 'nobody'"),
    ({"category": "luck"}, "unknown cause category 'luck'"),
    ({}, "nothing to set"),
]


def test_bad_input_is_one_line_and_nothing_is_written(audited: Session) -> None:
    session = audited
    first = session.run().findings[0].id
    for kwargs, message in BAD:
        args = {"finding_id": first, **kwargs}
        with pytest.raises(InputError, match=message):
            session.set_remediation(**args)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no evidence with id EV-999999"):
        session.set_remediation_status(first, "remediated", evidence=["EV-999999"])
    with pytest.raises(InputError, match="needs --reason and --approver"):
        session.set_remediation_status(first, "risk_accepted", reason="cheap")
    with pytest.raises(InputError, match="still reported"):
        session.set_remediation_status(first, "in_progress")
        session.set_remediation_status(first, "remediated")
        session.set_remediation_status(first, "retested")
    with pytest.raises(InputError, match="cannot become"):
        session.set_remediation_status(first, "open")  # remediated → open is not a move


def test_overdue_and_owner_filters(audited: Session) -> None:
    session = audited
    findings = session.run().findings
    owner = _owner(session)
    session.set_remediation(findings[0].id, owner=owner, due=date(2026, 8, 1))
    session.set_remediation(findings[1].id, due=date(2026, 9, 1))
    session.set_remediation(findings[2].id, owner=owner, due=date(2026, 7, 1))
    session.set_remediation_status(findings[2].id, "remediated")
    assert [r.finding_id for r in session.remediations(owner=owner)] == [
        findings[2].id,
        findings[0].id,
    ]
    assert session.remediations(overdue_on=date(2026, 7, 31)) == []
    late = session.remediations(overdue_on=date(2026, 8, 2))
    assert [r.finding_id for r in late] == [findings[0].id]
    assert {r.finding_id for r in session.remediations(overdue_on=date(2026, 9, 2))} == {
        findings[0].id,
        findings[1].id,
    }


def test_a_vault_from_before_remediations_lists_none_read_only(
    audited: Session, vault_dir: Path
) -> None:
    """Read-only opens do not migrate: a vault made before migration 0005 has no table."""
    audited.vault.conn.execute("DROP TABLE remediations")
    audited.vault.conn.execute("DELETE FROM _mockaudit_migrations WHERE name = '0005_remediations'")
    audited.close()
    with Session.open(vault_dir, PASSPHRASE, write=False) as old:
        assert old.remediations() == []
        assert old.remediations_by_finding(old.run()) == {}
    with Session.open(vault_dir, PASSPHRASE) as migrated:  # a writable open migrates
        first = migrated.run().findings[0].id
        assert migrated.set_remediation(first, response="now").response == "now"
