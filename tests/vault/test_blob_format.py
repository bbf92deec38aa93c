"""Blob format v1 (vault-security.md §4.2; §6 rows 6 and 8).

What a user relies on: evidence comes back byte-identical with the right custody hash,
and any damage to a blob file — flipped bits, truncation, reordered/duplicated/foreign
chunks, appended data, edited header, wrong key — is reported as a BlobIntegrityError
naming the chunk, with not one byte of unauthenticated plaintext handed out first.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockaudit.errors import BlobIntegrityError
from mockaudit.vault.blob_format import (
    CHUNK_SIZE,
    HEADER_LEN,
    BlobHeader,
    decrypt_stream,
    decrypt_to,
    encrypt_stream,
    parse_header,
)

DEK = bytes(range(32))
OTHER_DEK = bytes(range(1, 33))
BLOB_ID = bytes.fromhex("8f1c2a9e4b7d4e1f9a0b1c2d3e4f5a6b")
OTHER_BLOB_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
TAG = 16
SMALL = 4096  # chunk size for the exhaustive loops
CANARY = b"CANARY-evidence-text-7f3a"


def make_plaintext(size: int, seed: int = 1) -> bytes:
    """Random bytes with a text canary up front, so a leak into a message is visible."""
    body = random.Random(seed).randbytes(size)
    return (CANARY + body)[:size]


def encrypt(
    data: bytes, *, blob_id: bytes = BLOB_ID, dek: bytes = DEK, chunk_size: int = SMALL
) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, dek, blob_id, chunk_size=chunk_size)
    return out.getvalue()


def decrypt_all(blob: bytes, dek: bytes = DEK) -> bytes:
    return b"".join(decrypt_stream(io.BytesIO(blob), dek))


def collect(
    blob: bytes, dek: bytes = DEK, expected_blob_id: bytes | None = None
) -> tuple[bytes, BlobIntegrityError | None]:
    """Everything the iterator yielded before it stopped, and the error it stopped with."""
    yielded: list[bytes] = []
    try:
        for piece in decrypt_stream(io.BytesIO(blob), dek, expected_blob_id=expected_blob_id):
            yielded.append(piece)
    except BlobIntegrityError as exc:
        return b"".join(yielded), exc
    return b"".join(yielded), None


def assert_rejected(
    blob: bytes,
    plaintext: bytes,
    chunk_size: int,
    bad_chunk: int | None,
    *,
    dek: bytes = DEK,
    expected_blob_id: bytes | None = None,
) -> BlobIntegrityError:
    """The blob is rejected at ``bad_chunk`` (None: at the header) and what was yielded
    is exactly the plaintext of the chunks before it — no unauthenticated byte."""
    yielded, err = collect(blob, dek, expected_blob_id)
    assert err is not None, "damaged blob was accepted"
    assert err.chunk == bad_chunk, str(err)
    authentic_prefix = 0 if bad_chunk is None else bad_chunk * chunk_size
    assert yielded == plaintext[:authentic_prefix]
    message = str(err)
    assert "\n" not in message
    assert CANARY.decode() not in message and dek.hex() not in message
    if bad_chunk is not None:
        assert f"chunk {bad_chunk}" in message
    return err


# --- an independent reading of the §4.2 spec, used to check and to forge chunks ---------


def spec_key(dek: bytes, salt: bytes, blob_id: bytes) -> AESGCM:
    hkdf = HKDF(hashes.SHA256(), 32, salt, b"mockaudit/blob/v1" + blob_id)
    return AESGCM(hkdf.derive(dek))


def spec_seal(blob: bytes, index: int, plaintext: bytes, last: bool) -> bytes:
    """A correctly keyed chunk for ``blob``'s header, as only a key holder could make."""
    header = blob[:HEADER_LEN]
    aead = spec_key(DEK, header[26:58], header[10:26])
    nonce = index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
    return aead.encrypt(nonce, plaintext, hashlib.sha256(header).digest())


def records(blob: bytes, chunk_size: int) -> list[bytes]:
    body = blob[HEADER_LEN:]
    rec = chunk_size + TAG
    return [body[i : i + rec] for i in range(0, len(body), rec)]


def join(blob: bytes, recs: list[bytes]) -> bytes:
    return blob[:HEADER_LEN] + b"".join(recs)


# --- 1. round trip -----------------------------------------------------------------


@pytest.mark.parametrize(
    "size", [0, 1, 65535, 65536, 65537, 3 * 65536, 10 * 1024 * 1024], ids=lambda s: f"{s}B"
)
def test_round_trip_is_byte_identical_with_correct_digest(size: int) -> None:
    plaintext = make_plaintext(size)
    out = io.BytesIO()
    digest = encrypt_stream(io.BytesIO(plaintext), out, DEK, BLOB_ID)
    blob = out.getvalue()

    assert digest.sha256 == hashlib.sha256(plaintext).hexdigest()
    assert digest.size == size
    # Framing: every chunk but the last is full; the last is non-empty unless size == 0.
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(blob) == HEADER_LEN + size + TAG * chunks
    assert CANARY not in blob

    restored = io.BytesIO()
    back = decrypt_to(
        io.BytesIO(blob), restored, DEK, expected_blob_id=BLOB_ID, expected_sha256=digest.sha256
    )
    assert restored.getvalue() == plaintext
    assert back == digest


def test_blob_matches_the_v1_spec_byte_for_byte() -> None:
    """Decode with an independent reading of §4.2, so the file is the documented format
    (a symmetric bug in encrypt and decrypt would otherwise go unnoticed)."""
    plaintext = make_plaintext(2 * SMALL)  # a full-size final chunk
    blob = encrypt(plaintext)
    magic, version, aead_id, chunk_size, blob_id, salt = struct.unpack(
        ">4sBBI16s32s", blob[:HEADER_LEN]
    )
    assert (magic, version, aead_id, chunk_size, blob_id) == (b"MAVB", 1, 1, SMALL, BLOB_ID)
    assert parse_header(blob) == BlobHeader(1, 1, SMALL, BLOB_ID, salt)
    aead = spec_key(DEK, salt, BLOB_ID)
    aad = hashlib.sha256(blob[:HEADER_LEN]).digest()
    recs = records(blob, SMALL)
    assert len(recs) == 2
    first = aead.decrypt(bytes(11) + b"\x00", recs[0], aad)
    last = aead.decrypt((1).to_bytes(11, "big") + b"\x01", recs[1], aad)
    assert first + last == plaintext


def test_each_blob_gets_a_fresh_salt_so_equal_evidence_encrypts_differently() -> None:
    plaintext = make_plaintext(5000)
    one, two = encrypt(plaintext), encrypt(plaintext)
    assert parse_header(one).salt != parse_header(two).salt
    assert one[HEADER_LEN:] != two[HEADER_LEN:]


def test_ingest_streams_in_bounded_blocks_through_the_given_writer() -> None:
    """The vault's fault-injectable writer must see every byte, in ~1 MiB batches, and a
    source of any size is read in bounded pieces (peak RSS target < 150 MB)."""
    plaintext = make_plaintext(5 * 1024 * 1024 + 123)
    reads: list[int] = []

    class CountingSource(io.BytesIO):
        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            reads.append(len(buffer))
            return super().readinto(buffer)

    writes: list[bytes] = []
    seen_progress: list[int] = []
    sink = io.BytesIO()
    encrypt_stream(
        CountingSource(plaintext),
        sink,
        DEK,
        BLOB_ID,
        write=lambda _dst, data: writes.append(bytes(data)),
        progress=seen_progress.append,
    )
    assert sink.getvalue() == b""  # nothing bypassed the writer
    assert decrypt_all(b"".join(writes)) == plaintext
    assert max(reads) <= 2 * 1024 * 1024
    assert max(len(w) for w in writes) <= 2 * 1024 * 1024
    assert len(writes) <= 10  # batched, not one write per 64 KiB chunk
    assert seen_progress == sorted(seen_progress) and seen_progress[-1] == len(plaintext)


def test_decrypt_yields_before_reading_the_whole_blob() -> None:
    blob = encrypt(make_plaintext(8 * 1024 * 1024), chunk_size=CHUNK_SIZE)
    src = io.BytesIO(blob)
    first = next(decrypt_stream(src, DEK))
    assert len(first) == CHUNK_SIZE
    assert src.tell() < 3 * 1024 * 1024


class TrickleSource(io.RawIOBase):
    """A source without readinto that returns at most 777 bytes per read (pipes do)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 777) if size >= 0 else 777)

    readinto = None  # type: ignore[assignment]


def test_short_reads_from_the_source_change_nothing() -> None:
    plaintext = make_plaintext(3 * SMALL + 5)
    out = io.BytesIO()
    encrypt_stream(TrickleSource(plaintext), out, DEK, BLOB_ID, chunk_size=SMALL)  # type: ignore[arg-type]
    blob = out.getvalue()
    assert len(records(blob, SMALL)) == 4
    assert b"".join(decrypt_stream(TrickleSource(blob), DEK)) == plaintext  # type: ignore[arg-type]


def test_decrypt_to_rejects_a_custody_hash_mismatch() -> None:
    plaintext = make_plaintext(70000)
    blob = encrypt(plaintext)
    good = hashlib.sha256(plaintext).hexdigest()
    ok = decrypt_to(io.BytesIO(blob), io.BytesIO(), DEK, expected_sha256=good.upper())
    assert ok.sha256 == good
    with pytest.raises(BlobIntegrityError, match="SHA-256") as caught:
        decrypt_to(io.BytesIO(blob), io.BytesIO(), DEK, expected_sha256="0" * 64)
    assert good not in str(caught.value)


# --- 2. tampering ----------------------------------------------------------------

THREE_CHUNKS = make_plaintext(2 * SMALL + 1000, seed=3)  # last chunk short
THREE_CHUNK_BLOB = encrypt(THREE_CHUNKS)
REC = SMALL + TAG


def expected_chunk_for_damage_at(offset: int) -> int:
    return (offset - HEADER_LEN) // REC


@pytest.mark.parametrize("bit", range(8))
def test_every_single_bit_flip_is_detected_without_releasing_plaintext(bit: int) -> None:
    """§6 row 8, exhaustive: each bit of a 3-chunk blob (one bit position per case)."""
    for offset in range(len(THREE_CHUNK_BLOB)):
        damaged = bytearray(THREE_CHUNK_BLOB)
        damaged[offset] ^= 1 << bit
        if offset < HEADER_LEN:
            yielded, err = collect(bytes(damaged))
            assert err is not None and yielded == b"", f"header byte {offset}"
            assert err.chunk in (None, 0)
        else:
            assert_rejected(
                bytes(damaged), THREE_CHUNKS, SMALL, expected_chunk_for_damage_at(offset)
            )


def test_sampled_byte_changes_at_the_real_chunk_size() -> None:
    rec = CHUNK_SIZE + TAG
    plaintext = make_plaintext(2 * CHUNK_SIZE + 5000, seed=4)
    blob = encrypt(plaintext, chunk_size=CHUNK_SIZE)
    rng = random.Random(8)
    edges = [HEADER_LEN + k * rec + d for k in range(3) for d in (0, 1, rec - 17, rec - 1)]
    offsets = [o for o in edges if HEADER_LEN <= o < len(blob)]
    offsets += rng.sample(range(HEADER_LEN, len(blob)), 150) + [len(blob) - 1]
    for offset in offsets:
        damaged = bytearray(blob)
        damaged[offset] ^= rng.randrange(1, 256)
        assert_rejected(bytes(damaged), plaintext, CHUNK_SIZE, (offset - HEADER_LEN) // rec)


def truncation_points() -> list[int]:
    points = [0, 1, HEADER_LEN - 1, HEADER_LEN]
    for k in range(1, 4):
        boundary = HEADER_LEN + k * REC
        points += [boundary - 1, boundary, boundary + 1]
    return sorted(p for p in set(points) if p < len(THREE_CHUNK_BLOB))


@pytest.mark.parametrize("length", truncation_points())
def test_truncation_at_chunk_boundaries_and_one_off_is_detected(length: int) -> None:
    truncated = THREE_CHUNK_BLOB[:length]
    if length < HEADER_LEN:
        err = assert_rejected(truncated, THREE_CHUNKS, SMALL, None)
        assert "header" in str(err)
    else:
        assert_rejected(truncated, THREE_CHUNKS, SMALL, max(0, (length - HEADER_LEN - 1) // REC))


def test_truncation_at_every_length_is_detected() -> None:
    for length in range(len(THREE_CHUNK_BLOB)):
        yielded, err = collect(THREE_CHUNK_BLOB[:length])
        assert err is not None, f"truncated to {length} bytes was accepted"
        expected = 0 if length <= HEADER_LEN else (length - HEADER_LEN - 1) // REC
        assert yielded == THREE_CHUNKS[: expected * SMALL]


def test_truncating_exactly_after_a_full_chunk_says_the_final_chunk_is_missing() -> None:
    err = assert_rejected(THREE_CHUNK_BLOB[: HEADER_LEN + 2 * REC], THREE_CHUNKS, SMALL, 1)
    assert "no final chunk" in str(err)


FOUR_CHUNKS = make_plaintext(3 * SMALL + 700, seed=5)
FOUR_CHUNK_BLOB = encrypt(FOUR_CHUNKS)


@pytest.mark.parametrize(("a", "b"), [(0, 1), (1, 2), (0, 2)])
def test_swapped_chunks_are_detected(a: int, b: int) -> None:
    recs = records(FOUR_CHUNK_BLOB, SMALL)
    recs[a], recs[b] = recs[b], recs[a]
    assert_rejected(join(FOUR_CHUNK_BLOB, recs), FOUR_CHUNKS, SMALL, a)


def test_swapping_the_short_final_chunk_forward_is_detected() -> None:
    recs = records(FOUR_CHUNK_BLOB, SMALL)
    recs[2], recs[3] = recs[3], recs[2]
    assert_rejected(join(FOUR_CHUNK_BLOB, recs), FOUR_CHUNKS, SMALL, 2)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_duplicated_chunk_is_detected(index: int) -> None:
    recs = records(FOUR_CHUNK_BLOB, SMALL)
    recs.insert(index + 1, recs[index])
    assert_rejected(join(FOUR_CHUNK_BLOB, recs), FOUR_CHUNKS, SMALL, index + 1)


FULL_FINAL = make_plaintext(3 * SMALL, seed=9)  # last chunk exactly chunk_size
FULL_FINAL_BLOB = encrypt(FULL_FINAL)
ENDINGS = pytest.mark.parametrize(
    ("blob", "plaintext"),
    [(FOUR_CHUNK_BLOB, FOUR_CHUNKS), (FULL_FINAL_BLOB, FULL_FINAL)],
    ids=["short-final", "full-final"],
)


@ENDINGS
def test_duplicated_final_chunk_is_detected(blob: bytes, plaintext: bytes) -> None:
    recs = records(blob, SMALL)
    recs.append(recs[-1])
    err = assert_rejected(join(blob, recs), plaintext, SMALL, len(recs) - 2)
    if len(plaintext) % SMALL == 0:  # record boundaries still line up: say what happened
        assert "after final chunk" in str(err)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_dropped_chunk_is_detected(index: int) -> None:
    recs = records(FOUR_CHUNK_BLOB, SMALL)
    del recs[index]
    assert_rejected(join(FOUR_CHUNK_BLOB, recs), FOUR_CHUNKS, SMALL, index)


@pytest.mark.parametrize("donor_blob_id", [OTHER_BLOB_ID, BLOB_ID], ids=["other-id", "same-id"])
@pytest.mark.parametrize("index", [0, 1, 3])
def test_chunk_spliced_from_another_blob_is_detected(donor_blob_id: bytes, index: int) -> None:
    """Same DEK and even the same plaintext: the blob id / salt still separate them."""
    donor = records(encrypt(FOUR_CHUNKS, blob_id=donor_blob_id), SMALL)
    recs = records(FOUR_CHUNK_BLOB, SMALL)
    recs[index] = donor[index]
    assert_rejected(join(FOUR_CHUNK_BLOB, recs), FOUR_CHUNKS, SMALL, index)


@ENDINGS
def test_extra_final_chunk_made_with_the_right_key_is_rejected(
    blob: bytes, plaintext: bytes
) -> None:
    recs = records(blob, SMALL)
    recs.append(spec_seal(blob, len(recs), b"appended later", last=True))
    err = assert_rejected(join(blob, recs), plaintext, SMALL, len(recs) - 2)
    if len(plaintext) % SMALL == 0:
        assert "after final chunk" in str(err)


def test_stream_without_any_final_flag_is_rejected() -> None:
    plaintext = make_plaintext(2 * SMALL, seed=6)
    blob = encrypt(plaintext)
    recs = [spec_seal(blob, k, plaintext[k * SMALL : (k + 1) * SMALL], False) for k in range(2)]
    err = assert_rejected(join(blob, recs), plaintext, SMALL, 1)
    assert "no final chunk" in str(err)


def test_empty_final_chunk_after_other_chunks_is_rejected() -> None:
    """What a naive encoder writes for a size that is a multiple of the chunk size: the
    real chunks are authentic and may be released, the stray empty final one is refused."""
    plaintext = make_plaintext(2 * SMALL, seed=7)
    blob = encrypt(plaintext)
    recs = [spec_seal(blob, k, plaintext[k * SMALL : (k + 1) * SMALL], False) for k in range(2)]
    recs.append(spec_seal(blob, 2, b"", last=True))
    err = assert_rejected(join(blob, recs), plaintext, SMALL, 2)
    assert "empty final chunk" in str(err)


def test_empty_blob_is_one_empty_final_chunk_and_nothing_else_decodes() -> None:
    blob = encrypt(b"")
    assert len(blob) == HEADER_LEN + TAG
    assert decrypt_all(blob) == b""
    assert_rejected(blob[:HEADER_LEN], b"", SMALL, 0)  # header only: no chunk at all


@pytest.mark.parametrize(
    "garbage",
    [b"\x00", b"x" * 15, b"y" * 16, b"z" * (REC + 1), bytes(10_000)],
    ids=lambda g: f"{len(g)}B",
)
@pytest.mark.parametrize(
    "plaintext", [FOUR_CHUNKS, THREE_CHUNKS[: 2 * SMALL]], ids=["short", "full"]
)
def test_trailing_garbage_is_detected(garbage: bytes, plaintext: bytes) -> None:
    blob = encrypt(plaintext)
    last = len(records(blob, SMALL)) - 1
    assert_rejected(blob + garbage, plaintext, SMALL, last)


def with_header_field(blob: bytes, offset: int, value: bytes | None) -> bytes:
    """Overwrite header bytes at ``offset``; ``None`` inverts that one byte instead."""
    if value is None:
        value = bytes([blob[offset] ^ 0xFF])
    return blob[:offset] + value + blob[offset + len(value) :]


@pytest.mark.parametrize(
    ("offset", "value", "bad_chunk", "words"),
    [
        (0, b"MAVC", None, "magic"),
        (0, b"\x00\x00\x00\x00", None, "magic"),
        (4, b"\x02", None, "version"),
        (4, b"\x00", None, "version"),
        (5, b"\x02", None, "AEAD"),
        (5, b"\x00", None, "AEAD"),
        (6, struct.pack(">I", 1000), None, "chunk size"),
        (6, struct.pack(">I", 1 << 30), None, "chunk size"),
        (6, struct.pack(">I", 8192), 0, "chunk 0"),
        (6, struct.pack(">I", CHUNK_SIZE), 0, "chunk 0"),
        (10, OTHER_BLOB_ID, 0, "chunk 0"),
        (26, None, 0, "chunk 0"),
        (57, None, 0, "chunk 0"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_header_field_changes_are_detected(
    offset: int, value: bytes | None, bad_chunk: int | None, words: str
) -> None:
    damaged = with_header_field(THREE_CHUNK_BLOB, offset, value)
    assert damaged != THREE_CHUNK_BLOB
    err = assert_rejected(damaged, THREE_CHUNKS, SMALL, bad_chunk)
    assert words in str(err)


def test_parse_header_rejects_a_short_header() -> None:
    with pytest.raises(BlobIntegrityError, match="truncated"):
        parse_header(THREE_CHUNK_BLOB[: HEADER_LEN - 1])


def test_wrong_dek_is_rejected_at_chunk_zero() -> None:
    err = assert_rejected(THREE_CHUNK_BLOB, THREE_CHUNKS, SMALL, 0, dek=OTHER_DEK)
    assert "wrong key" in str(err)


def test_blob_file_for_another_blob_id_is_rejected() -> None:
    err = assert_rejected(
        THREE_CHUNK_BLOB, THREE_CHUNKS, SMALL, None, expected_blob_id=OTHER_BLOB_ID
    )
    assert OTHER_BLOB_ID.hex() in str(err) and BLOB_ID.hex() in str(err)


# --- 3. property -----------------------------------------------------------------


@st.composite
def sized_plaintexts(draw: st.DrawFn) -> tuple[int, bytes]:
    chunk_size = draw(st.sampled_from([4096, 8192, 16384]))
    near_boundary = st.builds(
        lambda k, d: max(0, k * chunk_size + d), st.integers(0, 4), st.integers(-1, 1)
    )
    size = draw(st.one_of(near_boundary, st.integers(0, 4 * chunk_size + 100)))
    return chunk_size, random.Random(draw(st.integers(0, 2**32))).randbytes(size)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sized_plaintexts())
def test_decrypt_inverts_encrypt_for_any_data_and_chunk_size(case: tuple[int, bytes]) -> None:
    chunk_size, plaintext = case
    out = io.BytesIO()
    digest = encrypt_stream(io.BytesIO(plaintext), out, DEK, BLOB_ID, chunk_size=chunk_size)
    assert digest.size == len(plaintext)
    yielded = list(decrypt_stream(io.BytesIO(out.getvalue()), DEK, expected_blob_id=BLOB_ID))
    assert b"".join(yielded) == plaintext
    assert all(len(piece) == chunk_size for piece in yielded[:-1])
