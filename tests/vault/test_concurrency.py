"""Two processes on one vault: one writer at a time, nothing lost or duplicated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mockaudit.session import Session
from tests.conftest import FAST_KDF
from tests.vault.crash_child import OLD

CHILD = str(Path(__file__).with_name("crash_child.py"))


def _spawn(vault: Path, seed: int, count: int, *, wait: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    env["CRASH_CHILD_WAIT"] = "1" if wait else "0"
    return subprocess.Popen(
        [sys.executable, CHILD, f"add{count}", str(vault), str(seed), "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_second_writer_gets_in_use_error_and_nothing_is_lost(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    Session.create(vault, OLD, kdf=FAST_KDF).close()
    first = _spawn(vault, 1, 40, wait=True)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "READY"  # first now holds the writer lock
    second = _spawn(vault, 2, 40)
    out2, err2 = second.communicate(timeout=60)
    out1, _ = first.communicate("go\n", timeout=60)
    assert first.returncode == 0
    assert second.returncode != 0
    assert f"vault is in use by PID {first.pid}" in err2
    assert "Traceback" not in err2 or "VaultInUseError" in err2
    acked = [line.split()[1] for line in out1.splitlines() if line.startswith("ACK")]
    assert len(acked) == 40
    third = _spawn(vault, 3, 10)  # the lock is free again once the first writer exits
    out3, _ = third.communicate("", timeout=60)
    assert third.returncode == 0
    acked += [line.split()[1] for line in out3.splitlines() if line.startswith("ACK")]
    with Session.open(vault, OLD, write=False) as s:
        stored = [i.evidence_id for i in s.list_evidence()]
        assert s.verify(full=True).ok
    assert len(acked) == 50  # every add was acknowledged (identical content shares one id)
    assert len(stored) == len(set(stored))
    assert sorted(stored) == sorted(set(acked))


def test_cli_reports_in_use_with_exit_3(tmp_path: Path, run_cli, passfile: Path) -> None:
    from tests.conftest import PASSPHRASE

    vault = tmp_path / "vault"
    holder = Session.create(vault, PASSPHRASE, kdf=FAST_KDF)
    try:
        (tmp_path / "x").write_text("x")
        result = run_cli(
            "evidence", "add", tmp_path / "x", "--vault", vault, "--passphrase-file", passfile
        )
    finally:
        holder.close()
    assert result.code == 3
    assert (
        result.err.strip()
        == f"error: vault is in use by PID {os.getpid()}; close it there and retry"
    )
