"""The fidelity panel's cases: discover them and audit each once (cached per session)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from mockaudit.domain.run import Run
from mockaudit.session import audit_folder

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    expected: dict[str, Any]

    @property
    def seed(self) -> int:
        return int(self.expected.get("seed", 7))

    @property
    def as_of(self) -> date | None:
        value = self.expected.get("as_of")
        return date.fromisoformat(str(value)) if value else None


def cases() -> list[Case]:
    found = []
    for folder in sorted(p for p in CASES.iterdir() if (p / "expected.toml").is_file()):
        with (folder / "expected.toml").open("rb") as fh:
            found.append(Case(folder.name, folder, tomllib.load(fh)))
    return found


def cases_with(key: str) -> list[Case]:
    """The cases whose expected.toml has a ``key`` table (for parametrising a test)."""
    return [case for case in cases() if key in case.expected]


@cache
def run_case(name: str) -> Run:
    case = next(c for c in cases() if c.name == name)
    return audit_folder(case.folder, seed=case.seed, as_of=case.as_of)
