"""``audit --assume-remediated-by``: Northwind's score rises and its opinion distribution
moves toward unqualified as if the remediations due before the date were done, with the
findings assumed fixed listed; those due later, or risk-accepted, are not assumed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.tui.helpers import SCENARIO

AS_OF = date(2026, 7, 20)
BY = date(2026, 9, 1)


def test_northwind_trajectory(tmp_path: Path, passfile: Path, run_cli) -> None:
    folder = tmp_path / "vault"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(SCENARIO)
        run = session.run_audit(seed=7, as_of=AS_OF)
        late = {f.id for f in run.findings if f.control == "HR-01"}
        for finding in run.findings:
            due = date(2026, 10, 1) if finding.id in late else date(2026, 8, 15)
            session.set_remediation(finding.id, due=due, response="fix")
        accepted = run.findings[-1].id
        session.set_remediation_status(accepted, "risk_accepted", reason="cost", approver="priya")
        assumed = session.assume_remediated(BY)
        fixed = {r.finding_id for r in assumed.fixed}
        assert fixed == {f.id for f in run.findings} - late - {accepted}
        before, after = assumed.before, assumed.after
        assert after.score > before.score + 30
        assert before.opinion_distribution and after.opinion_distribution
        assert before.opinion_distribution.probabilities["unqualified"] == 0.0
        assert after.opinion_distribution.probabilities["unqualified"] > 0.5
        # the timeline starts from the last due date assumed met
        assert (
            after.timeline
            and after.timeline.remediated_on
            and after.timeline.remediated_on >= date(2026, 8, 15)
        )
        earlier = session.assume_remediated(date(2026, 8, 1))  # nothing due yet
        assert earlier.fixed == () and earlier.after.score == before.score

    result = run_cli(
        "audit", "--vault", folder, "--passphrase-file", passfile, "--seed", "7",
        "--as-of", AS_OF.isoformat(), "--assume-remediated-by", BY.isoformat(),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (
        f"as if every remediation due before {BY} were done ({len(fixed)} finding(s)" in result.out
    )
    assert "opinion distribution: qualified 100% -> unqualified" in result.out
    assert result.out.count("assumed fixed F-") == len(fixed)
    bad = run_cli("audit", "--scenario", SCENARIO, "--assume-remediated-by", "2026-09-01")
    assert bad.code == 2 and "use --vault" in bad.err
