"""No plaintext leaks: canaries in content, names and the passphrase appear nowhere on disk.

A full add → verify → checkpoint → export cycle runs through the real CLI in a
subprocess whose TMPDIR is a folder we then search, raw, hex, base64 and UTF-16.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import FAST_KDF_ARGS


def _encodings(canary: bytes) -> list[bytes]:
    forms = [
        canary,
        canary.hex().encode(),
        canary.hex().upper().encode(),
        canary.decode().encode("utf-16-le"),
    ]
    for shift in range(3):  # base64 of the canary at each alignment within a larger stream
        encoded = base64.b64encode(canary[shift:])
        forms.append(encoded[: len(encoded) - 4])
    return forms


def _hits(folder: Path, canaries: dict[str, bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            for label, canary in canaries.items():
                if any(form in data for form in _encodings(canary)):
                    found.append(f"{label} in {path}")
    return found


def test_canaries_never_reach_the_vault_or_temp_dir(tmp_path: Path) -> None:
    tag = secrets.token_hex(6)
    canaries = {
        "passphrase": f"PASSCANARY{tag}".encode(),
        "content": f"CONTENTCANARY{tag}".encode(),
        "name": f"NAMECANARY{tag}".encode(),
        "cell": f"CELLCANARY{tag}".encode(),
    }
    vault, tmpdir, src, out = (tmp_path / n for n in ("vault", "tmp", "src", "out"))
    for folder in (tmpdir, src):
        folder.mkdir()
    evidence = src / f"report-{canaries['name'].decode()}.txt"
    evidence.write_bytes((b"line with " + canaries["content"] + b"\n") * 5000)
    table = src / "population.csv"
    table.write_bytes(b"id,approver\n1," + canaries["cell"] + b"\n")
    env = {
        **os.environ,
        "TMPDIR": str(tmpdir),
        "MOCKAUDIT_PASSPHRASE": canaries["passphrase"].decode(),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }

    def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "mockaudit", *map(str, args)]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)

    outputs = [
        cli("init", "--vault", vault, *FAST_KDF_ARGS),
        cli("evidence", "add", evidence, table, "--vault", vault, "--control", "CHG-01"),
        cli("evidence", "list", "--vault", vault),
        cli("evidence", "show", "EV-000001", "--vault", vault),
        cli("vault", "verify", "--full", "--vault", vault),
        cli("vault", "checkpoint", "--out", tmp_path / "cp.txt", "--vault", vault),
        cli("evidence", "export", "EV-000001", "EV-000002", "--out", out, "--vault", vault),
    ]
    assert (out / f"EV-000001_{evidence.name}").read_bytes() == evidence.read_bytes()
    assert _hits(vault, canaries) == []
    assert _hits(tmpdir, canaries) == []
    printed = "".join(o.stdout + o.stderr for o in outputs)
    for label in ("passphrase", "content", "cell"):
        assert canaries[label].decode() not in printed, f"{label} canary printed"
