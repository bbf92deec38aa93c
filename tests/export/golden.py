"""Golden-file comparison: ``MOCKAUDIT_UPDATE_GOLDEN=1 pytest tests/export`` rewrites them.

Files are compared byte for byte, so a change in wording, column order, quoting
or line ends shows up as a diff to review (``git diff tests/export/golden``).
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
UPDATE_ENV = "MOCKAUDIT_UPDATE_GOLDEN"


def assert_golden(name: str, actual: bytes) -> None:
    """``actual`` equals ``golden/name``; with MOCKAUDIT_UPDATE_GOLDEN=1 it becomes it."""
    path = GOLDEN / name
    if os.environ.get(UPDATE_ENV) == "1":
        path.write_bytes(actual)
        return
    assert path.exists(), f"{path} is missing: run with {UPDATE_ENV}=1 to create it"
    expected = path.read_bytes()
    if actual != expected:
        first = next(
            (i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
            min(len(actual), len(expected)),
        )
        line = expected[:first].count(b"\n") + 1
        raise AssertionError(
            f"{name} differs from the golden file at byte {first} (line {line}); "
            f"review the change and rerun with {UPDATE_ENV}=1 if it is intended"
        )
