"""The CLI's door into the TUI: importing it costs nothing; textual loads only when it runs."""

from __future__ import annotations

import inspect
import subprocess
import sys


def test_importing_the_tui_package_loads_no_textual() -> None:
    code = (
        "import sys, mockaudit.tui as t; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_cli_hook_takes_the_vault_a_passphrase_and_create() -> None:
    from mockaudit.tui import run_app, tui_main

    assert list(inspect.signature(tui_main).parameters) == ["vault_dir", "passphrase", "create"]
    assert list(inspect.signature(run_app).parameters) == ["vault_dir", "passphrase", "create"]
