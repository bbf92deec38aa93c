"""Scratch space and a KDF cache for the fault tests, which open vaults thousands of times.

These tests check error handling, not durability (the SIGKILL tests do that), yet
SQLite's ``synchronous=FULL`` and our own fsyncs still run: thousands of them per
test. On a RAM-backed ``/dev/shm`` an fsync costs nothing, which keeps the
every-injection-point loops inside their time budget; elsewhere pytest's tmp_path is used.
For the same reason Argon2id results are memoised per (passphrase, parameters, salt): the
function is deterministic, so every unlock still takes the real code path, just not the
14 ms of memory-hard work each time (tests/vault covers the KDF itself).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaudit.vault import keyfile

SHM = Path("/dev/shm")
MIN_FREE = 512 * 1024 * 1024


def _tmpfs_available() -> bool:
    try:
        st = os.statvfs(SHM)
    except OSError:
        return False
    return os.access(SHM, os.W_OK) and st.f_bavail * st.f_frsize >= MIN_FREE


@pytest.fixture(scope="session")
def scratch_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not _tmpfs_available():
        yield tmp_path_factory.mktemp("faults")
        return
    root = Path(tempfile.mkdtemp(prefix="mockaudit-faults-", dir=SHM))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def scratch(scratch_root: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A fresh folder per test, removed afterwards (tmpfs is memory)."""
    path = Path(tempfile.mkdtemp(prefix=request.node.name[:40] + "-", dir=scratch_root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _memoised_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyfile, "derive_kek", _cached_kek)


@functools.lru_cache(maxsize=64)
def _cached_kek(passphrase: str, params: keyfile.KdfParams, salt: bytes) -> bytes:
    return _REAL_DERIVE_KEK(passphrase, params, salt)


_REAL_DERIVE_KEK = keyfile.derive_kek
