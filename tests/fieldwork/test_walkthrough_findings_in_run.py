"""Issue 23, acceptance 3: a stored rehearsal's contradictions are findings of the next run."""

from __future__ import annotations

from pathlib import Path

from mockaudit.domain import FindingCode
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE

NORTHWIND = Path(__file__).resolve().parents[2] / "scenarios" / "northwind-first-type2"


def test_the_latest_rehearsal_per_control_feeds_the_next_run(vault_dir: Path) -> None:
    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(NORTHWIND)
        before = session.run_audit(seed=7)
        assert not [f for f in before.findings if f.code is FindingCode.WALKTHROUGH_DIVERGENCE]

        older = session.rehearse("CHG-01", {"system": "We use Jira and Excel."})
        session.save_walkthrough(older)  # superseded by the next rehearsal of CHG-01
        latest = session.rehearse(
            "CHG-01",
            {"frequency": "Once a year.", "change.approvals": "No approval is needed."},
        )
        assert len(latest.findings) == 2
        session.save_walkthrough(latest)

        run = session.run_audit(seed=7)

    divergences = [f for f in run.findings if f.code is FindingCode.WALKTHROUGH_DIVERGENCE]
    assert sorted(f.title for f in divergences) == [
        "CHG-01: walkthrough answer contradicts the documented approver count",
        "CHG-01: walkthrough answer contradicts the documented frequency",
    ]
    assert all(f.id.startswith("F-") and f.control == "CHG-01" for f in divergences)
    assert len(run.findings) == len(before.findings) + 2
    assert run.readiness is not None and before.readiness is not None
    assert run.readiness.score < before.readiness.score  # they weigh on readiness
