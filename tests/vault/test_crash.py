"""Crash safety: SIGKILL at random moments and at every file operation loses nothing acknowledged.

CI runs the reduced counts below; ``make soak`` (MOCKAUDIT_SOAK=1) runs ≥ 1,000 kills.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mockaudit.errors import WrongPassphraseError
from mockaudit.session import Session
from tests.conftest import FAST_KDF
from tests.vault.crash_child import NEW, OLD

pytestmark = pytest.mark.crash

CHILD = str(Path(__file__).with_name("crash_child.py"))
SOAK = os.environ.get("MOCKAUDIT_SOAK") == "1"
ADD_KILLS = 1000 if SOAK else 50
PASSWD_KILLS = 1000 if SOAK else 50


def _spawn(mode: str, vault: Path, seed: int, kill_at: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    return subprocess.Popen(
        [sys.executable, CHILD, mode, str(vault), str(seed), str(kill_at)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _run_until_killed(proc: subprocess.Popen[str], delay: float | None) -> list[str]:
    """Collect stdout lines; SIGKILL the child ``delay`` s after READY (None: let it die)."""
    lines: list[str] = []
    ready = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("READY"):
                ready.set()

    t = threading.Thread(target=reader)
    t.start()
    if delay is not None:
        ready.wait(timeout=30)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    t.join(timeout=30)
    return lines


def _check_vault(vault: Path, acked: dict[str, str]) -> None:
    with Session.open(vault, OLD) as s:  # writable: runs the recovery sweep
        report = s.verify(full=True)
        assert report.ok, report.problems
        stored = {i.evidence_id: i.sha256 for i in s.list_evidence()}
        files = {p.name for p in s.vault.blobs.iter_files()}
        assert len(files) == len(stored), "a blob without a row or a row without a blob"
    lost = {k: v for k, v in acked.items() if stored.get(k) != v}
    assert not lost, f"acknowledged items lost: {sorted(lost)[:5]}"


def test_sigkill_during_evidence_add_loses_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(20261126)
    acked: dict[str, str] = {}
    kills = total_acked = 0
    for i in range(ADD_KILLS):
        if i % 10 == 0:  # a fresh vault now and then keeps each full verify short
            crash_vault = tmp_path / f"vault-{i}"
            Session.create(crash_vault, OLD, kdf=FAST_KDF).close()
            total_acked += len(acked)
            acked = {}
        # Alternate: a random moment, or an exact file operation (a named hook point).
        kill_at = 0 if i % 2 == 0 else rng.randint(1, 40)
        delay = rng.uniform(0.0, 0.25) if kill_at == 0 else None
        proc = _spawn("add", crash_vault, i, kill_at)
        lines = _run_until_killed(proc, delay)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
        kills += 1
        for line in lines:
            if line.startswith("ACK "):
                _, evidence_id, sha = line.split()
                acked[evidence_id] = sha
        _check_vault(crash_vault, acked)
    assert kills == ADD_KILLS
    assert (
        total_acked + len(acked) > ADD_KILLS // 4
    )  # the loop really acknowledged work before the kills


def test_sigkill_during_passphrase_change_leaves_exactly_one_passphrase(tmp_path: Path) -> None:
    rng = random.Random(7)
    outcomes = {"old": 0, "new": 0}
    for i in range(PASSWD_KILLS):
        vault = tmp_path / f"v{i % 3}"
        if vault.exists():
            shutil.rmtree(vault)
        with Session.create(vault, OLD, kdf=FAST_KDF) as s:
            (tmp_path / "e.bin").write_bytes(os.urandom(3000))
            s.add_evidence([tmp_path / "e.bin"])
        kill_at = 1 + i % 12 if i % 2 else 0
        proc = _spawn("passwd", vault, i, kill_at)
        lines = _run_until_killed(proc, rng.uniform(0, 0.02) if not kill_at else None)
        opens = []
        for name, phrase in (("old", OLD), ("new", NEW)):
            try:
                with Session.open(vault, phrase) as s:
                    assert s.verify(full=True).ok
                opens.append(name)
            except WrongPassphraseError:
                pass
        assert len(opens) == 1, f"iteration {i}: {opens} open the vault"
        if "DONE" in lines:
            assert opens == ["new"]
        outcomes[opens[0]] += 1
    assert outcomes["old"] and outcomes["new"]  # kills landed on both sides of the switch
