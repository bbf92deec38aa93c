"""generate → import → export the program back → load again gives equal models (issue 3, #2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import Session, generate_scenario
from tests.conftest import FAST_KDF, PASSPHRASE

CASES = [("small", s) for s in range(1, 6)] + [("medium", s) for s in range(1, 6)]


@pytest.mark.slow
@pytest.mark.parametrize(("size", "seed"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_generated_program_survives_the_vault(tmp_path: Path, size: str, seed: int) -> None:
    folder = tmp_path / "generated"
    generate_scenario(folder, seed=seed, size=size, defects=0.05)
    original = load_scenario(folder)
    with Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(folder)
        session.export_program(tmp_path / "exported")
    again = load_scenario(tmp_path / "exported")
    assert again.program == original.program
    for population in original.program.populations:
        before = original.table(population.id)
        after = again.table(population.id)
        assert after.header == before.header
        assert [c for _, c in after.rows()] == [c for _, c in before.rows()]
