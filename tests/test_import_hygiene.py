"""The core runs without the TUI: importing it never loads textual (DESIGN.md's one rule)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "mockaudit.domain",
    "mockaudit.vault",
    "mockaudit.vault.store",
    "mockaudit.vault.verify",
    "mockaudit.scenarios",
    "mockaudit.fieldwork",
    "mockaudit.readiness",
    "mockaudit.export",
    "mockaudit.session",
    "mockaudit.cli",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulled in {out.stdout.strip()}"


def test_cli_help_does_not_load_textual() -> None:
    code = (
        "import sys\nfrom mockaudit.cli import main\n"
        "try:\n    main(['vault', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stderr.strip().endswith("CLEAN")
