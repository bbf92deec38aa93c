"""Acceptance 4: a crash shows one redacted line — never the passphrase held in scope.

Textual's own handler prints a traceback with local variables; the app replaces it.
The child process fails with the passphrase (the canary) in its locals and in the
exception's message; the canary must appear nowhere in what the terminal received.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockaudit.session import Session
from tests.conftest import FAST_KDF

CANARY = "CANARY-passphrase-7f3a9c"
ROOT = Path(__file__).resolve().parents[2]


def _run_child(vault: Path, where: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEXTUAL_ANIMATIONS": "none"}
    return subprocess.run(
        [sys.executable, "-m", "tests.tui.crash_child", str(vault), CANARY, where],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture
def canary_vault(tmp_path: Path) -> Path:
    Session.create(tmp_path / "vault", CANARY, kdf=FAST_KDF).close()
    return tmp_path / "vault"


def test_crash_in_a_screen_prints_one_line_without_the_passphrase(canary_vault: Path) -> None:
    result = _run_child(canary_vault, "handler")
    output = result.stdout + result.stderr
    assert CANARY not in output
    assert CANARY.encode().hex() not in output
    assert (
        output.strip()
        == "mockaudit stopped: RuntimeError in DashboardScreen (nothing secret shown)"
    )
    assert "Traceback" not in output and "passphrase =" not in output
    assert result.returncode == 70


def test_a_failing_job_reports_the_error_kind_without_the_passphrase(canary_vault: Path) -> None:
    result = _run_child(canary_vault, "worker")
    output = result.stdout + result.stderr
    assert CANARY not in output
    assert "STATUS Error: internal error (RuntimeError) while loading the dashboard boom" in output
    assert result.returncode == 0
