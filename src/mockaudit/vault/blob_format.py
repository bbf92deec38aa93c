"""Encrypted evidence blob format v1: a chunked AEAD stream (vault-security.md §4.2).

Why chunked: ``AESGCM`` caps one call at 2**31-1 bytes and a one-shot decrypt would
have to hold the whole file in memory. Why this framing (age STREAM / Tink style):

* a fresh ``blob_key`` per blob (HKDF over the DEK, a random salt and the blob id), so
  the deterministic counter nonce can never repeat across blobs;
* nonce = 11-byte chunk counter ‖ last-chunk flag, so chunks cannot be reordered,
  dropped, duplicated, or the stream truncated/extended at a chunk boundary;
* AAD = SHA-256(header) on every chunk, so no header field can be changed and a chunk
  from another blob (other blob id / salt) never verifies.

Plaintext is released one chunk at a time and only after that chunk's tag verified:
only the one-shot ``AESGCM.decrypt`` is used, never the streaming GCM decryptor.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mockaudit.errors import BlobIntegrityError

CHUNK_SIZE = 65536
HEADER_LEN = 58
TAG_LEN = 16
MAGIC = b"MAVB"
FORMAT_VERSION = 1
AEAD_AES_256_GCM = 1
BLOB_ID_LEN = 16
SALT_LEN = 32
DEK_LEN = 32
# Chunk sizes a reader accepts: 64 KiB is what the vault writes; the other powers of two
# (4 KiB .. 1 MiB) exist for tests. The 1 MiB ceiling bounds reader memory.
ALLOWED_CHUNK_SIZES = frozenset(1 << n for n in range(12, 21))

_HEADER = struct.Struct(">4sBBI16s32s")
_INFO_PREFIX = b"mockaudit/blob/v1"
# Source reads and destination writes are batched to about this many bytes.
_IO_BLOCK = 1 << 20

Writer = Callable[[BinaryIO, bytes], None]


@dataclass(frozen=True)
class BlobHeader:
    """The 58-byte cleartext header; it holds no key material."""

    version: int
    aead_id: int
    chunk_size: int
    blob_id: bytes
    salt: bytes

    def to_bytes(self) -> bytes:
        return _HEADER.pack(
            MAGIC, self.version, self.aead_id, self.chunk_size, self.blob_id, self.salt
        )


@dataclass(frozen=True)
class BlobDigest:
    """What ingest/export learned about the plaintext: the custody hash and size."""

    sha256: str  # hex of the plaintext
    size: int  # plaintext bytes


def parse_header(data: bytes) -> BlobHeader:
    """Decode the first HEADER_LEN bytes of ``data``, rejecting anything this reader
    does not know, so a damaged or foreign file fails before any key is derived."""
    if len(data) < HEADER_LEN:
        raise BlobIntegrityError(f"blob header truncated: {len(data)} of {HEADER_LEN} bytes")
    magic, version, aead_id, chunk_size, blob_id, salt = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise BlobIntegrityError("blob header has bad magic: not a mockaudit evidence blob")
    if version != FORMAT_VERSION:
        raise BlobIntegrityError(f"blob header has unsupported format version {version}")
    if aead_id != AEAD_AES_256_GCM:
        raise BlobIntegrityError(f"blob header has unsupported AEAD id {aead_id}")
    if chunk_size not in ALLOWED_CHUNK_SIZES:
        raise BlobIntegrityError(f"blob header has unsupported chunk size {chunk_size}")
    return BlobHeader(version, aead_id, chunk_size, bytes(blob_id), bytes(salt))


def blob_label(blob_id: bytes) -> str:
    """How messages name a blob: its id in hex, as the vault names blob files."""
    return bytes(blob_id).hex()


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class _ChunkCipher:
    """The per-blob AEAD: one AESGCM object reused for every chunk."""

    def __init__(self, dek: bytes, header: BlobHeader, header_bytes: bytes) -> None:
        if len(dek) != DEK_LEN:
            raise ValueError(f"blob DEK must be {DEK_LEN} bytes")
        blob_key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=header.salt,
            info=_INFO_PREFIX + header.blob_id,
        ).derive(dek)
        self._aead = AESGCM(blob_key)
        self._aad = hashlib.sha256(header_bytes).digest()
        self.label = blob_label(header.blob_id)
        self.chunk_size = header.chunk_size

    def seal(self, index: int, plaintext: memoryview, last: bool) -> bytes:
        return self._aead.encrypt(_nonce(index, last), plaintext, self._aad)

    def open(self, index: int, record: memoryview, last: bool) -> bytes:
        """Verify and decrypt one on-disk chunk (ciphertext ‖ tag)."""
        try:
            return self._aead.decrypt(_nonce(index, last), record, self._aad)
        except InvalidTag:
            raise self._explain(index, record, last) from None

    def _explain(self, index: int, record: memoryview, last: bool) -> BlobIntegrityError:
        # Re-try with the other last-flag only to word the error; nothing is released.
        try:
            self._aead.decrypt(_nonce(index, not last), record, self._aad)
        except InvalidTag:
            hint = "wrong key or damaged data" if index == 0 else "damaged, moved or replaced"
            return BlobIntegrityError(
                f"blob {self.label}: chunk {index} failed authentication ({hint})", chunk=index
            )
        if last:
            return BlobIntegrityError(
                f"blob {self.label}: truncated, no final chunk after chunk {index}", chunk=index
            )
        return BlobIntegrityError(
            f"blob {self.label}: unexpected data after final chunk {index}",
            chunk=index,
        )


def _fill(src: BinaryIO, view: memoryview) -> int:
    """Read into ``view`` until it is full or ``src`` is at EOF; a short count means EOF."""
    readinto: Callable[[memoryview], int | None] | None = getattr(src, "readinto", None)
    total = 0
    while total < len(view):
        if readinto is not None:
            got = readinto(view[total:])
        else:
            data: bytes | None = src.read(len(view) - total)
            got = None if data is None else len(data)
            if data:
                view[total : total + len(data)] = data
        if got is None:
            raise ValueError("blob source is non-blocking; a blocking file is required")
        if got == 0:
            break
        total += got
    return total


def _default_write(dst: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = dst.write(view)
        if written is None:  # pragma: no cover - only for non-blocking files
            continue
        view = view[written:]


def _read_units(src: BinaryIO, unit: int) -> Iterator[tuple[memoryview, memoryview, bool]]:
    """Read ``src`` in batches of whole ``unit``-sized pieces, about 1 MiB at a time.

    Yields ``(ready, fresh, at_eof)``: ``fresh`` is what this step read (for hashing);
    ``ready`` is whole units known not to be the last one, or at EOF everything left
    (possibly empty or partial). The newest full unit is always held back until more
    data shows it is not the last, because that decides the chunk's last-flag. The
    views are only valid until the next step. The buffer starts at two units and
    doubles, so a small blob never pays for zeroing a 1 MiB buffer.
    """
    full_capacity = (max(1, _IO_BLOCK // unit) + 1) * unit
    buf = bytearray(2 * unit)
    filled = 0
    while True:
        view = memoryview(buf)
        got = _fill(src, view[filled:])
        fresh = view[filled : filled + got]
        filled += got
        if filled < len(buf):
            yield view[:filled], fresh, True
            return
        yield view[: filled - unit], fresh, False
        if len(buf) < full_capacity:
            grown = bytearray(min(2 * len(buf), full_capacity))
            grown[:unit] = view[filled - unit : filled]
            buf = grown
        else:
            view[:unit] = view[filled - unit : filled]
        filled = unit


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    dek: bytes,
    blob_id: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
    write: Writer | None = None,
    progress: Callable[[int], None] | None = None,
) -> BlobDigest:
    """Encrypt ``src`` (read to EOF) into ``dst`` as header ‖ chunks, in bounded memory.

    Writes go through ``write(dst, data)`` when given (the vault's fault-injectable
    writer): the header, then about 1 MiB of chunks per call. ``progress`` receives the
    cumulative number of plaintext bytes read so far. Returns the plaintext SHA-256 and
    size (the custody hash).
    """
    if chunk_size not in ALLOWED_CHUNK_SIZES:
        raise ValueError(f"unsupported chunk size {chunk_size}")
    if len(blob_id) != BLOB_ID_LEN:
        raise ValueError(f"blob id must be {BLOB_ID_LEN} bytes")
    header = BlobHeader(
        FORMAT_VERSION, AEAD_AES_256_GCM, chunk_size, bytes(blob_id), os.urandom(SALT_LEN)
    )
    header_bytes = header.to_bytes()
    cipher = _ChunkCipher(dek, header, header_bytes)
    emit = write if write is not None else _default_write
    emit(dst, header_bytes)

    hasher = hashlib.sha256()
    size = index = 0
    for ready, fresh, at_eof in _read_units(src, chunk_size):
        hasher.update(fresh)
        size += len(fresh)
        sealed = _seal_run(cipher, ready, index, chunk_size, final=at_eof)
        index += len(sealed)
        emit(dst, b"".join(sealed))
        if progress is not None:
            progress(size)
    return BlobDigest(hasher.hexdigest(), size)


def _seal_run(
    cipher: _ChunkCipher, run: memoryview, index: int, chunk_size: int, *, final: bool
) -> list[bytes]:
    """Seal ``run`` as chunks ``index``, ``index+1``, ...; when ``final`` its last chunk
    carries the last-flag, and an empty run (only for an empty file) becomes one empty
    final chunk."""
    count = max(1, -(-len(run) // chunk_size)) if final else len(run) // chunk_size
    return [
        cipher.seal(index + k, run[k * chunk_size : (k + 1) * chunk_size], final and k == count - 1)
        for k in range(count)
    ]


def _read_header(src: BinaryIO, dek: bytes, expected_blob_id: bytes | None) -> _ChunkCipher:
    raw = bytearray(HEADER_LEN)
    got = _fill(src, memoryview(raw))
    header_bytes = bytes(raw[:got])
    header = parse_header(header_bytes)
    if expected_blob_id is not None and header.blob_id != expected_blob_id:
        raise BlobIntegrityError(
            f"blob file holds blob {blob_label(header.blob_id)}, "
            f"expected blob {blob_label(expected_blob_id)}"
        )
    return _ChunkCipher(dek, header, header_bytes)


def decrypt_stream(
    src: BinaryIO, dek: bytes, *, expected_blob_id: bytes | None = None
) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk, each only after its tag verified.

    Raises BlobIntegrityError (with ``chunk`` set once chunks are being read) at the
    first problem: bad header, wrong blob id, bad tag, missing final chunk, data after
    the final chunk, an empty final chunk that is not the only chunk, a short chunk.
    """
    cipher = _read_header(src, dek, expected_blob_id)
    yield from _open_chunks(src, cipher)


def _open_chunks(src: BinaryIO, cipher: _ChunkCipher) -> Iterator[bytes]:
    rec = cipher.chunk_size + TAG_LEN
    index = 0
    for ready, _fresh, at_eof in _read_units(src, rec):
        pos = 0
        # Before EOF every record in ``ready`` has data after it; at EOF all but the tail.
        while len(ready) - pos > (rec if at_eof else 0):
            yield cipher.open(index, ready[pos : pos + rec], False)
            pos += rec
            index += 1
        if at_eof:
            yield _open_final(cipher, ready[pos:], index)


def _open_final(cipher: _ChunkCipher, record: memoryview, index: int) -> bytes:
    if len(record) < TAG_LEN:
        raise BlobIntegrityError(
            f"blob {cipher.label}: truncated, chunk {index} is {len(record)} bytes,"
            f" shorter than its {TAG_LEN}-byte tag",
            chunk=index,
        )
    if len(record) == TAG_LEN and index > 0:
        raise BlobIntegrityError(
            f"blob {cipher.label}: empty final chunk {index} after other chunks", chunk=index
        )
    return cipher.open(index, record, True)


def decrypt_to(
    src: BinaryIO,
    dst: BinaryIO,
    dek: bytes,
    *,
    expected_blob_id: bytes | None = None,
    expected_sha256: str | None = None,
    write: Writer | None = None,
) -> BlobDigest:
    """Decrypt ``src`` into ``dst`` and re-check the custody hash.

    Only authenticated plaintext reaches ``dst``, but on a hash mismatch (or any error)
    ``dst`` holds a partial/unwanted result: callers write to a temp file and discard it.
    """
    cipher = _read_header(src, dek, expected_blob_id)
    emit = write if write is not None else _default_write
    hasher = hashlib.sha256()
    size = 0
    batch: list[bytes] = []
    batched = 0
    for piece in _open_chunks(src, cipher):
        hasher.update(piece)
        size += len(piece)
        batch.append(piece)
        batched += len(piece)
        if batched >= _IO_BLOCK:
            emit(dst, b"".join(batch))
            batch, batched = [], 0
    if batch:
        emit(dst, b"".join(batch))
    digest = BlobDigest(hasher.hexdigest(), size)
    if expected_sha256 is not None and digest.sha256 != expected_sha256.lower():
        raise BlobIntegrityError(
            f"blob {cipher.label}: decrypted content does not match its recorded SHA-256"
        )
    return digest
