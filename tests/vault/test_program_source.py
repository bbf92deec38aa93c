"""The vault's SQL answers every ProgramSource question exactly like the reference fake."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from mockaudit.domain.observations import PeriodUnit
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import Session
from tests.fieldwork.fake_source import FakeSource

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"
START, END = date(2026, 1, 1), date(2026, 6, 30)
HEADER = "pr_id,author,approver,approved_at,merged_at,ci_status,risk_level,deployed_at,bypass_reason,evidence"


def _messy_changes(rng: random.Random, n: int = 600) -> str:
    """Rows with duplicates, blanks, offsets, out-of-period and undated rows, and gaps."""
    lines = [HEADER]
    for i in range(n):
        day = START + timedelta(days=rng.randint(-20, 200))
        if date(2026, 3, 1) <= day <= date(2026, 3, 19):  # a hole in the period
            day += timedelta(days=30)
        stamp = rng.choice([day.isoformat(), f"{day}T23:30:00-05:00", f"{day}T10:00:00Z", ""])
        if rng.random() < 0.02:
            stamp = "not a date"
        key = f"PR-{i if rng.random() > 0.05 else rng.randint(0, 20)}"
        approver = rng.choice(["ana", "ben", "", "  "])
        evidence = rng.choice(["evidence/changes/PR-1.txt", "", "evidence/changes/missing.txt"])
        lines.append(f"{key},ana,{approver},{day},{stamp},success,low,{day},,{evidence}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[FakeSource, Session]:
    root = tmp_path_factory.mktemp("src")
    folder = root / "scenario"
    shutil.copytree(FIXTURE, folder)
    (folder / "populations" / "changes.csv").write_text(_messy_changes(random.Random(5)))
    scenario = load_scenario(folder)
    tables = {}
    for pop in scenario.program.populations:
        table = scenario.table(pop.id)
        tables[pop.id] = [dict(zip(table.header, cells, strict=True)) for _, cells in table.rows()]
    from tests.conftest import FAST_KDF, PASSPHRASE

    session = Session.create(root / "vault", PASSPHRASE, kdf=FAST_KDF)
    session.import_scenario(folder)
    from mockaudit.domain.observations import EvidenceRef

    present = {"evidence/changes/PR-1.txt"}
    fake = FakeSource(scenario.program, tables, {p: EvidenceRef(p, "x") for p in present})
    return fake, session


PERIODS = [
    (START, END),
    (date(2026, 2, 1), date(2026, 2, 28)),
    (date(2025, 12, 1), date(2026, 1, 31)),
]


@pytest.mark.parametrize("unit", list(PeriodUnit))
@pytest.mark.parametrize("period", PERIODS)
def test_profile_matches(
    both: tuple[FakeSource, Session], unit: PeriodUnit, period: tuple[date, date]
) -> None:
    fake, session = both
    source = session.source()
    cols = ["approver", "evidence", "bypass_reason"]
    assert source.profile("changes", *period, unit=unit, columns=cols) == fake.profile(
        "changes", *period, unit=unit, columns=cols
    )


@pytest.mark.parametrize("unit", [PeriodUnit.MONTH, PeriodUnit.QUARTER, PeriodUnit.WEEK])
def test_strata_and_rows_match(both: tuple[FakeSource, Session], unit: PeriodUnit) -> None:
    fake, session = both
    source = session.source()
    frame = source.strata("changes", START, END, unit)
    assert frame == fake.strata("changes", START, END, unit)
    for label, count in frame.items():
        for index in {0, count // 2, count - 1}:
            assert source.row_at("changes", START, END, unit, label, index) == fake.row_at(
                "changes", START, END, unit, label, index
            )
    assert list(source.rows("changes")) == list(fake.rows("changes"))


def test_reconciliation_and_evidence_match(both: tuple[FakeSource, Session]) -> None:
    fake, session = both
    source = session.source()
    [recon] = fake.program().reconciliations
    assert source.reconciliation_breaks(recon, START, END) == fake.reconciliation_breaks(
        recon, START, END
    )
    paths = ["evidence/changes/PR-1.txt", "evidence/changes/missing.txt"]
    found = source.evidence(paths, verify=True)
    assert found["evidence/changes/PR-1.txt"].evidence_id is not None
    assert found["evidence/changes/PR-1.txt"].verified is True
    assert found["evidence/changes/missing.txt"].evidence_id is None
    assert source.program() == fake.program()
