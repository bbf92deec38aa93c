"""Every C&A answer and finding is what the code before issue 22 gave (acceptance 2).

The fixture (``data/ca_before.json``) was recorded by ``ca_snapshot`` from the code
that kept a full ``_day`` index and parsed in the writer; the built-in packs and
generator seeds 1–20 (small, 5 % defects) must give identical digests, profiles,
strata, stratum row ids, C&A findings and samples now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockaudit.services import importer
from tests.vault.ca_snapshot import FIXTURE, case_folder, cases, snapshot

_BEFORE: dict[str, Any] = json.loads(FIXTURE.read_text())


def test_the_fixture_covers_every_pack_and_seed() -> None:
    assert sorted(_BEFORE) == sorted(cases())
    assert all(_BEFORE[case]["populations"] for case in cases())


FORCED = [c for c in cases() if c.startswith("pack:")] + ["seed:1"]


@pytest.mark.slow
@pytest.mark.parametrize("case", cases())
def test_ca_answers_are_unchanged(case: str, tmp_path: Path) -> None:
    _check(case, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("case", FORCED)
def test_ca_answers_are_unchanged_when_parsed_in_a_second_process(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every population, however small, through the parsing process (large ones take it)."""
    monkeypatch.setattr(importer, "PARSE_ELSEWHERE_BYTES", 0)
    _check(case, tmp_path)


def _check(case: str, tmp_path: Path) -> None:
    folder, seed = case_folder(case, tmp_path)
    after = json.loads(json.dumps(snapshot(folder, seed), sort_keys=True))
    before = _BEFORE[case]
    assert after["findings"] == before["findings"]
    assert after["samples"] == before["samples"]
    assert sorted(after["populations"]) == sorted(before["populations"])
    for name, population in before["populations"].items():
        assert after["populations"][name] == population, name
