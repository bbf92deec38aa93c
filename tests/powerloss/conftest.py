"""The ``powerloss`` fixtures: LazyFS built once per machine, one mount per module.

Every test here is marked ``powerloss`` and skips, with the reason, where LazyFS cannot
run (no FUSE, no root, no fusermount3, the build failed, or FUSE refused three
mounts in a row — the reason then carries LazyFS's stderr and log). The binary is built into
``~/.cache/mockaudit-lazyfs`` (``$XDG_CACHE_HOME`` respected, ``$LAZYFS_BIN`` overrides)
by the tool's own ``build.sh``; .ci/run builds it before the suite.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaudit.vault import keyfile
from tests.powerloss import lazyfs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/powerloss/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.powerloss)


@functools.cache
def _binary() -> Path | str:
    reason = lazyfs.unavailable()
    return reason if reason is not None else lazyfs.binary()


@pytest.fixture(scope="session")
def lazyfs_binary() -> Path:
    found = _binary()
    if isinstance(found, str):
        pytest.skip(f"LazyFS unavailable: {found}")
    return found


@pytest.fixture(scope="module")
def mount(lazyfs_binary: Path) -> Iterator[lazyfs.Mount]:
    """A LazyFS mount for the module: ``mount.mnt`` is the folder to write in."""
    m = lazyfs.Mount(lazyfs_binary, lazyfs.new_workdir("mockaudit-lazyfs-"), "256mb")
    try:
        m.mount()
    except RuntimeError as exc:  # FUSE refused a mount three times: the machine, not us
        m.close()
        pytest.skip(f"LazyFS unavailable: {exc}")
    try:
        yield m
    finally:
        m.close()


@pytest.fixture(autouse=True)
def _memoised_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id is deterministic: memoise it so thousands of reopens stay cheap (the
    children of the fork server run the real one, with the tests' fast parameters)."""
    monkeypatch.setattr(keyfile, "derive_kek", _cached_kek)


@functools.lru_cache(maxsize=256)
def _cached_kek(passphrase: str, params: keyfile.KdfParams, salt: bytes) -> bytes:
    return _REAL_DERIVE_KEK(passphrase, params, salt)


_REAL_DERIVE_KEK = keyfile.derive_kek
