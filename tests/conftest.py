"""Shared fixtures: fast-KDF vaults under tmp_path, a clean environment, CLI runner."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockaudit.session import Session
from mockaudit.vault.keyfile import KdfParams

# Tests create many vaults; the production default (128 MiB, 3 passes) is tested on its own.
FAST_KDF = KdfParams(memory_kib=8 * 1024, iterations=1)
PASSPHRASE = "correct horse battery staple"
FAST_KDF_ARGS = ["--kdf-memory-mib", "8", "--kdf-iterations", "1"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MOCKAUDIT_PASSPHRASE", "MOCKAUDIT_NEW_PASSPHRASE", "MOCKAUDIT_VAULT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOCKAUDIT_HOME", str(tmp_path / "home"))


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def session(vault_dir: Path) -> Iterator[Session]:
    s = Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def passfile(tmp_path: Path) -> Path:
    path = tmp_path / "pass.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run ``mockaudit ARGS`` in-process through ``main`` (the real error handling)."""
    from mockaudit.cli import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]
