"""Torn writes: a write cut at any byte leaves the old state or the new one, and a file
that is neither is detected and named.

With LazyFS (``torn-op``): the write of ``vault.key`` (and of ``vault.key.bak``) during a
passphrase change, and the header and the last chunk of a blob during an evidence add,
are split at every byte offset (CI: the blob's at every offset, vault.key's at every 4th);
only the first part reaches the disk (in the soak, also only the second: a hole of zeros
then the tail), and LazyFS dies — the power is cut in
the middle of the write. After a remount the vault must be in the old state: the old
passphrase opens (never neither, never both), the verifier is clean, the unacknowledged
evidence is not visible and no temp file stays.

Without LazyFS (runs everywhere): the same splits applied to the *final* files, as a
disk that tore a write in place would leave them. ``vault.key`` then parses as the old
header, the new one, or fails with the documented "restore it from vault.key.bak" line;
a torn blob is reported by ``verify --full`` under its evidence id.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mockaudit import fsio
from mockaudit.errors import HeaderDamagedError, MockauditError, WrongPassphraseError
from mockaudit.session import Session
from mockaudit.vault import blob_format, blobstore, keyfile
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.powerloss.lazyfs import Mount, TornWrite, durable_copy
from tests.verifier import assert_vault_sound

SOAK = os.environ.get("MOCKAUDIT_SOAK") == "1"
NEW = "a new passphrase for torn writes"
FIXED = "000000000000"
CONTENT = b"torn write evidence, one short chunk: " + bytes(range(62))  # 100 bytes
CHUNK_WRITE = len(CONTENT) + blob_format.TAG_LEN  # the blob's second (and last) write


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("torn") / "vault"
    src = folder.parent / "prior.bin"
    src.write_bytes(b"prior evidence" * 100)
    with Session.create(folder, "first " + PASSPHRASE, kdf=FAST_KDF) as s:
        prior = {r.evidence_id: r.sha256 for r in s.add_evidence([src])}
        # vault.key records the change that wrote it: after one passphrase change every
        # later header of this vault has the same size (the torn writes below rely on it)
        s.change_passphrase(PASSPHRASE)
    return folder, prior


@pytest.fixture
def fixed_names(monkeypatch: pytest.MonkeyPatch) -> Iterator[bytes]:
    """Temp names and blob ids known in advance: LazyFS's torn-op names its exact file."""
    monkeypatch.setattr(
        fsio, "temp_name", lambda final: final.with_name(f".{final.name}.{FIXED}.partial")
    )
    blob_id = bytes(range(0xA0, 0xB0))

    class Ids:
        @staticmethod
        def token_bytes(n: int) -> bytes:
            return blob_id if n == len(blob_id) else os.urandom(n)

    monkeypatch.setattr(blobstore, "secrets", Ids)
    yield blob_id


def _split_points(size: int, every: int = 1) -> list[int]:
    points = set(range(1, size, every)) | {1, size - 1}
    return sorted(points)


def _tear_each(
    mount: Mount, faults: list[TornWrite], act: Callable[[], None], check: Callable[[], None]
) -> int:
    """For each fault: arm it, run ``act`` (it must fail: LazyFS dies mid-write), then
    remount and ``check``. The check runs with the next fault already armed (one mount
    per case); it never writes the torn file, and would fail loudly if it did.

    ``act`` can also fail before it writes anything: LazyFS fails ``ftruncate`` of a file
    not in its cache (``vault.lock`` at open; see test_power_cuts._open_glitch). Then
    LazyFS is still alive and the same fault is retried on a fresh mount, up to twice.
    """
    mount.remount(faults[:1])
    for i, fault in enumerate(faults):
        for _ in range(3):
            with pytest.raises((MockauditError, OSError)):
                act()
            if mount.crashed(wait=5):
                break
            mount.remount([fault])  # an open that failed before the write: again
        else:
            raise AssertionError(f"the torn write never happened: {fault}")
        mount.remount(faults[i + 1 : i + 2])
        check()
    return len(faults)


def _quietly_close(s: Session) -> None:
    with contextlib.suppress(Exception):
        s.close()


def _change_passphrase(folder: Path) -> None:
    s = Session.open(folder, PASSPHRASE)
    try:
        s.change_passphrase(NEW)
    finally:
        _quietly_close(s)


def _add(folder: Path, src: Path) -> None:
    s = Session.open(folder, PASSPHRASE)
    try:
        s.add_evidence([src])
    finally:
        _quietly_close(s)


def _only_old_passphrase_opens(folder: Path, prior: dict[str, str]) -> None:
    with pytest.raises(WrongPassphraseError):
        Session.open(folder, NEW, write=False).close()
    assert_vault_sound(folder, PASSPHRASE, prior, exact=True)


# ----- with LazyFS: the write really torn, the power really cut -----


@pytest.mark.parametrize("target", [keyfile.KEY_FILE, keyfile.BACKUP_FILE])
def test_torn_key_file_write_leaves_the_old_passphrase(
    target: str,
    mount: Mount,
    template: tuple[Path, dict[str, str]],
    fixed_names: bytes,
) -> None:
    folder, prior = template
    vault = mount.mnt / f"key-{target}"
    durable_copy(folder, vault)
    size = (folder / keyfile.KEY_FILE).stat().st_size  # every header of this vault: same size
    temp = mount.backing(vault / f".{target}.{FIXED}.partial")
    # Soak: every split point, first part kept and second part kept. CI: about 48 split
    # points of vault.key and 16 of the backup written before it, spread over the whole
    # header whatever its size (a team vault's header grows with its slots);
    # test_key_file_torn_in_place_is_old_new_or_named covers every point without LazyFS.
    every = 1 if SOAK else max(1, size // (48 if target == keyfile.KEY_FILE else 16))
    persists = [(1,), (2,)] if SOAK else [(1,)]
    faults = [
        TornWrite(temp, 1, persist, parts_bytes=(k, size - k))
        for k in _split_points(size, every)
        for persist in persists
    ]
    cases = _tear_each(
        mount,
        faults,
        lambda: _change_passphrase(vault),
        lambda: _only_old_passphrase_opens(vault, prior),
    )
    assert not list(vault.glob("*.partial"))
    print(f"\n{target}: {cases} torn writes ({size} bytes), old passphrase kept every time")


@pytest.mark.parametrize("part", ["header", "last-chunk"])
def test_torn_blob_write_leaves_the_evidence_unstored(
    part: str,
    mount: Mount,
    template: tuple[Path, dict[str, str]],
    fixed_names: bytes,
    tmp_path: Path,
) -> None:
    folder, prior = template
    vault = mount.mnt / f"blob-{part}"
    durable_copy(folder, vault)
    src = tmp_path / "new.bin"
    src.write_bytes(CONTENT)
    blob_file = fixed_names.hex()
    temp = mount.backing(vault / "blobs" / blob_file[:1] / f"{blob_file}.partial")
    occurrence, size = (1, blob_format.HEADER_LEN) if part == "header" else (2, CHUNK_WRITE)
    persists = [(1,), (2,)] if SOAK else [(1,)]
    # CI: every other split point (odd offsets, and the last); soak: every one.
    faults = [
        TornWrite(temp, occurrence, persist, parts_bytes=(k, size - k))
        for k in _split_points(size, 1 if SOAK else 2)
        for persist in persists
    ]
    cases = _tear_each(
        mount,
        faults,
        lambda: _add(vault, src),
        lambda: assert_vault_sound(vault, PASSPHRASE, prior, exact=True),
    )
    print(f"\nblob {part}: {cases} torn writes ({size} bytes), never stored, swept")


# ----- without LazyFS: the torn bytes in place, as a lying disk would leave them -----


def test_key_file_torn_in_place_is_old_new_or_named(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    Session.create(vault, "first " + PASSPHRASE, kdf=FAST_KDF).close()
    with Session.open(vault, "first " + PASSPHRASE) as s:  # old and new: the same shape
        s.change_passphrase(PASSPHRASE)
    old = (vault / keyfile.KEY_FILE).read_bytes()
    with Session.open(vault, PASSPHRASE) as s:
        s.change_passphrase(NEW)
    new = (vault / keyfile.KEY_FILE).read_bytes()
    assert len(old) == len(new)
    outcomes = {"old": 0, "new": 0, "named": 0}
    for k in range(1, len(new)):
        for torn in (new[:k] + old[k:], new[:k] + bytes(len(new) - k), bytes(k) + new[k:]):
            try:
                header = keyfile.parse_header(torn)
            except HeaderDamagedError as exc:
                line = str(exc)
                assert "\n" not in line and keyfile.BACKUP_FILE in line, line
                outcomes["named"] += 1
                continue
            assert header.to_bytes() in (old, new), f"split {k}: a third header parsed"
            outcomes["old" if header.to_bytes() == old else "new"] += 1
    assert outcomes["named"] > 0 and outcomes["new"] > 0
    # What the line tells the user works: the backup opens the vault.
    (vault / keyfile.KEY_FILE).write_bytes(new[: len(new) // 2] + old[len(new) // 2 :])
    with pytest.raises(HeaderDamagedError, match="restore it from vault.key.bak"):
        Session.open(vault, NEW, write=False)
    shutil.copyfile(vault / keyfile.BACKUP_FILE, vault / keyfile.KEY_FILE)
    assert_vault_sound(vault, NEW)


def test_blob_torn_in_place_is_named_by_verify(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    src = tmp_path / "e.bin"
    src.write_bytes(CONTENT)
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as s:
        [added] = s.add_evidence([src])
        path = s.vault.blobs.path(s.list_evidence()[0].blob_file)
    whole = path.read_bytes()
    assert len(whole) == blob_format.HEADER_LEN + CHUNK_WRITE
    header_points = range(1, blob_format.HEADER_LEN)
    chunk_points = range(blob_format.HEADER_LEN + 1, len(whole))
    cases = same = 0
    for k in [*header_points, *chunk_points]:
        for torn in (whole[:k], whole[:k] + bytes(len(whole) - k), bytes(k) + whole[k:]):
            if torn == whole:  # the tail was zeros already (a tag ending in 0x00: 1 in 256)
                same += 1
                continue
            path.write_bytes(torn)
            with Session.open(vault, PASSPHRASE, write=False) as s:
                report = s.verify(full=True)
            assert not report.ok, f"split {k}: a torn blob verified"
            assert any(added.evidence_id in p for p in report.problems), report.problems
            cases += 1
    path.write_bytes(whole)
    assert_vault_sound(vault, PASSPHRASE, {added.evidence_id: added.sha256})
    assert cases + same == 3 * (len(header_points) + len(chunk_points)) and same <= 2
