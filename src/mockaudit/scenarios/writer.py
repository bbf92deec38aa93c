"""Write a Program back as ``scenario.toml`` (the inverse of the loader's TOML step).

Used by the generator and by "export the program back": the file is the
model's JSON dump, so its keys are exactly scenario-format.md's, except that
dates are written as TOML dates (``2026-03-01``) rather than strings, which is
what a person would type and what keeps ``load → write → load`` equal.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from mockaudit.domain import Program
from mockaudit.fsio import atomic_write_bytes, describe_os_error

SCENARIO_FILE = "scenario.toml"
_OPTIONAL_TABLES = (
    "service_commitments",
    "vendors",
    "cuecs",
    "incidents",
    "significant_changes",
)


def scenario_toml(program: Program) -> str:
    """The TOML text of ``program``: None fields left out, dates as TOML dates."""
    as_json = program.model_dump(mode="json", exclude_none=True)
    as_python = program.model_dump(mode="python", exclude_none=True)
    document = _with_dates(as_json, as_python)
    assert isinstance(document, dict)
    for key in _OPTIONAL_TABLES:  # additions a folder without them must not grow
        if document.get(key) == []:
            del document[key]
    return tomli_w.dumps(document)


def write_scenario(program: Program, folder: Path) -> None:
    """Write ``folder/scenario.toml`` atomically (the folder is created if needed).

    Population CSVs and evidence are not touched: they are files of their own,
    written by whoever produced them.
    """
    target = folder / SCENARIO_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, scenario_toml(program).encode("utf-8"))
    except OSError as exc:
        raise describe_os_error(exc, f"writing {target}") from None


def _with_dates(as_json: Any, as_python: Any) -> Any:
    """Walk both dumps together; wherever the Python value is a date, keep the date."""
    if isinstance(as_python, date):
        return as_python
    if isinstance(as_json, dict):
        return {key: _with_dates(value, as_python[key]) for key, value in as_json.items()}
    if isinstance(as_json, list):
        return [_with_dates(j, p) for j, p in zip(as_json, as_python, strict=True)]
    return as_json
