"""The TUI's first frame (the unlock screen) comes up without loading the core.

Issue 8 sets the cold start at ≤ 1.5× a bare Textual app; the core (session, engine,
pydantic models, the vault's crypto) loads in the unlock worker instead.
"""

from __future__ import annotations

import subprocess
import sys

from mockaudit.tui import app as tui_app
from mockaudit.vault.keyfile import KEY_FILE

HEAVY = ("mockaudit.session", "mockaudit.vault", "pydantic", "cryptography", "sqlcipher3")


def test_importing_the_app_loads_none_of_the_core() -> None:
    code = (
        "import sys, mockaudit.tui.app\n"
        f"heavy = {HEAVY!r}\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(heavy))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the unlock screen's import pulled in {out.stdout.strip()}"


def test_the_app_looks_for_the_vaults_own_key_file() -> None:
    """The app keeps its own copy of the name (to skip the crypto import): it must not drift."""
    assert tui_app.KEY_FILE == KEY_FILE
