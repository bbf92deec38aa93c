"""RFC 6962 Merkle tree: known answers, corrupted-proof probes, lazy leaves.

Known-answer vectors are from transparency-dev/merkle (``testonly/constants.go``
and ``proof/verify_test.go``); the probe set mirrors that file's
``corruptInclusionProof`` / ``corruptConsistencyProof`` and is applied to every
proof over trees of sizes 1..MAX_SIZE, not only the handful of vectors.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from typing import overload

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockaudit.errors import InputError, ProofError
from mockaudit.vault import merkle
from mockaudit.vault.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_of_iter,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 20

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
# Root for tree size i + 1 over LEAF_INPUTS[: i + 1].
KNOWN_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf index, tree size, proof); verify_test.go lists 1-based leaves.
KNOWN_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
KNOWN_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
KNOWN_LEAVES = [leaf_hash(e) for e in LEAF_INPUTS]
# Beyond the 8 known inputs, distinct synthetic entries.
LEAVES = KNOWN_LEAVES + [leaf_hash(b"entry-%d" % i) for i in range(8, 64)]


# ------------------------------------------------------------- reference model


def ref_root(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, written recursively as the RFC states it."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(ref_root(hashes[:k]), ref_root(hashes[k:]))


def ref_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    if m < k:
        return ref_path(m, hashes[:k]) + [ref_root(hashes[k:])]
    return ref_path(m - k, hashes[k:]) + [ref_root(hashes[:k])]


def ref_subproof(m: int, hashes: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if whole else [ref_root(hashes)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return ref_subproof(m, hashes[:k], whole) + [ref_root(hashes[k:])]
    return ref_subproof(m - k, hashes[k:], False) + [ref_root(hashes[:k])]


class LazyLeaves(Sequence[bytes]):
    """A leaf-hash sequence like the vault's SQL-backed one, that counts reads.

    Iterating it directly is forbidden: the vault's real sequence would run one
    query per leaf, so the Merkle code must slice.
    """

    def __init__(self, make: Callable[[int], bytes], size: int, *, drop: int | None = None):
        self._make = make
        self._size = size
        self._drop = drop  # index silently missing from slices (a lost row)
        self.reads = [0] * size if size <= 100_000 else []
        self.calls = 0

    def __len__(self) -> int:
        return self._size

    def _get(self, i: int) -> bytes:
        if self.reads:
            self.reads[i] += 1
        return self._make(i)

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        self.calls += 1
        if isinstance(index, slice):
            start, stop, step = index.indices(self._size)
            assert step == 1
            return [self._get(i) for i in range(start, stop) if i != self._drop]
        if not 0 <= index < self._size:
            raise IndexError(index)
        return self._get(index)

    def __iter__(self) -> Iterator[bytes]:
        raise AssertionError("the lazy leaf sequence must be indexed or sliced, not iterated")


def synthetic_leaf(i: int) -> bytes:
    return leaf_hash(i.to_bytes(8, "big"))


# ------------------------------------------------------------------ known answers


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert root([]) == hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert root_of_iter(iter([])) == (EMPTY_ROOT, 0)


def test_leaf_and_node_hashes_use_domain_separation_prefixes() -> None:
    assert leaf_hash(b"") == bytes.fromhex(KNOWN_ROOTS[0])
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    # A pair of hashes cannot pass for a leaf (second-preimage resistance).
    assert leaf_hash(a + b) != node_hash(a, b)


@pytest.mark.parametrize("size", range(1, 9))
def test_known_roots(size: int) -> None:
    want = bytes.fromhex(KNOWN_ROOTS[size - 1])
    assert root(KNOWN_LEAVES[:size]) == want
    assert root_of_iter(iter(KNOWN_LEAVES[:size])) == (want, size)


def test_size_eight_root_matches_reference_value() -> None:
    assert root(KNOWN_LEAVES).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@pytest.mark.parametrize(("index", "size", "proof_hex"), KNOWN_INCLUSION)
def test_known_inclusion_proofs(index: int, size: int, proof_hex: list[str]) -> None:
    want = [bytes.fromhex(h) for h in proof_hex]
    assert inclusion_proof(KNOWN_LEAVES, index, size) == want
    verify_inclusion(index, size, KNOWN_LEAVES[index], want, bytes.fromhex(KNOWN_ROOTS[size - 1]))


@pytest.mark.parametrize(("size1", "size2", "proof_hex"), KNOWN_CONSISTENCY)
def test_known_consistency_proofs(size1: int, size2: int, proof_hex: list[str]) -> None:
    want = [bytes.fromhex(h) for h in proof_hex]
    assert consistency_proof(KNOWN_LEAVES, size1, size2) == want
    verify_consistency(
        size1,
        size2,
        bytes.fromhex(KNOWN_ROOTS[size1 - 1]),
        bytes.fromhex(KNOWN_ROOTS[size2 - 1]),
        want,
    )


# ------------------------------------------------------ edge cases of verify.go


def test_single_entry_tree_inclusion() -> None:
    h = leaf_hash(b"data")
    verify_inclusion(0, 1, h, [], h)
    for leaf, rt in ((h, b""), (b"", h), (b"", b"")):
        with pytest.raises(ProofError):
            verify_inclusion(0, 1, leaf, [], rt)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)])
def test_inclusion_rejects_impossible_index_or_mismatched_root(index: int, size: int) -> None:
    for leaf, rt in ((SOME_HASH, b""), (b"", EMPTY_ROOT), (SOME_HASH, EMPTY_ROOT)):
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, [], rt)


def test_trivial_consistency_cases() -> None:
    r1, r2 = leaf_hash(b"one"), leaf_hash(b"two")
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, r2, [])  # anything extends the empty tree
    verify_consistency(1, 1, r2, r2, [])
    bad = [
        (0, 0, r1, r1, []),  # an empty tree has exactly one root (stricter than verify.go)
        (0, 1, r1, r2, []),  # idem
        (1, 1, r1, r2, []),  # same size, different roots
        (1, 0, r1, r2, []),  # time travel
        (2, 1, r1, r2, []),
        (1, 2, r1, r2, []),  # empty proof
        (0, 0, EMPTY_ROOT, r2, []),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),  # equal roots but a proof
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (1, 1, b"short", b"short", []),  # not a hash at all
    ]
    for size1, size2, root1, root2, proof in bad:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, root1, root2, proof)


def test_proof_generation_rejects_impossible_requests() -> None:
    with pytest.raises(InputError, match="entry 3 in a Merkle tree of size 3"):
        inclusion_proof(LEAVES, 3, 3)
    with pytest.raises(InputError):
        inclusion_proof(LEAVES, -1, 3)
    with pytest.raises(InputError, match="outside the log's 8 entries"):
        inclusion_proof(KNOWN_LEAVES, 0, 9)
    with pytest.raises(InputError):
        consistency_proof(LEAVES, 5, 4)
    with pytest.raises(InputError):
        consistency_proof(KNOWN_LEAVES, 2, 9)


def test_leaf_hash_of_wrong_length_is_rejected() -> None:
    with pytest.raises(ProofError, match="leaf 1 is 3 bytes"):
        root([LEAVES[0], b"abc", LEAVES[2]])


# ------------------------------------------------------- corrupted-proof probes


def flip(h: bytes, byte: int, bit: int) -> bytes:
    b = bytearray(h)
    b[byte] ^= 1 << bit
    return bytes(b)


def inclusion_probes(
    index: int, size: int, leaf: bytes, proof: list[bytes], rt: bytes
) -> Iterator[tuple[str, int, int, bytes, list[bytes], bytes]]:
    yield "index - 1", index - 1, size, leaf, proof, rt
    yield "index + 1", index + 1, size, leaf, proof, rt
    yield "index ^ 2", index ^ 2, size, leaf, proof, rt
    yield "size * 2", index, size * 2, leaf, proof, rt
    yield "size / 2", index, size // 2, leaf, proof, rt
    yield "wrong leaf (not a hash)", index, size, b"WrongLeaf", proof, rt
    yield "wrong leaf", index, size, leaf_hash(b"WrongLeaf"), proof, rt
    yield "empty root", index, size, leaf, proof, EMPTY_ROOT
    yield "random root", index, size, leaf, proof, SOME_HASH
    yield "trailing garbage", index, size, leaf, [*proof, b""], rt
    yield "trailing root", index, size, leaf, [*proof, rt], rt
    yield "preceding garbage", index, size, leaf, [b"", *proof], rt
    yield "preceding root", index, size, leaf, [rt, *proof], rt
    for i in range(len(proof)):
        for byte, bit in ((0, 3), (15, 0), (31, 7)):
            bad = [*proof]
            bad[i] = flip(proof[i], byte, bit)
            yield f"proof[{i}] byte {byte} bit {bit} flipped", index, size, leaf, bad, rt
        yield f"proof[{i}] removed", index, size, leaf, proof[:i] + proof[i + 1 :], rt
    for i in range(len(proof) + 1):
        bad = proof[:i] + [SOME_HASH] + proof[i:]
        yield f"hash inserted at {i}", index, size, leaf, bad, rt


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_inclusion_proof_verifies_and_every_corruption_is_rejected(size: int) -> None:
    rt = root(LEAVES[:size])
    accepted: list[str] = []
    for index in range(size):
        proof = inclusion_proof(LEAVES, index, size)
        assert proof == ref_path(index, LEAVES[:size])
        verify_inclusion(index, size, LEAVES[index], proof, rt)
        for desc, i, n, leaf, bad, r in inclusion_probes(index, size, LEAVES[index], proof, rt):
            try:
                verify_inclusion(i, n, leaf, bad, r)
            except ProofError:
                continue
            accepted.append(f"entry {index}: {desc}")
    assert accepted == []


def consistency_probes(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> Iterator[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    yield "size1 - 1", size1 - 1, size2, root1, root2, proof
    yield "size1 + 1", size1 + 1, size2, root1, root2, proof
    yield "size1 ^ 2", size1 ^ 2, size2, root1, root2, proof
    yield "size2 * 2", size1, size2 * 2, root1, root2, proof
    yield "size2 / 2", size1, size2 // 2, root1, root2, proof
    yield "time travel (sizes swapped)", size2, size1, root2, root1, proof
    yield "wrong root1 (not a hash)", size1, size2, b"WrongRoot", root2, proof
    yield "wrong root2 (not a hash)", size1, size2, root1, b"WrongRoot", proof
    yield "wrong root1", size1, size2, SOME_HASH, root2, proof
    yield "wrong root2", size1, size2, root1, SOME_HASH, proof
    yield "empty root2", size1, size2, root1, EMPTY_ROOT, proof
    yield "swapped roots", size1, size2, root2, root1, proof
    yield "empty proof", size1, size2, root1, root2, []
    yield "truncated proof", size1, size2, root1, root2, proof[:-1]
    yield "trailing garbage", size1, size2, root1, root2, [*proof, b""]
    yield "trailing root1", size1, size2, root1, root2, [*proof, root1]
    yield "trailing root2", size1, size2, root1, root2, [*proof, root2]
    yield "preceding garbage", size1, size2, root1, root2, [b"", *proof]
    yield "preceding root1", size1, size2, root1, root2, [root1, *proof]
    yield "preceding root2", size1, size2, root1, root2, [root2, *proof]
    yield "preceding proof[0]", size1, size2, root1, root2, [proof[0], *proof]
    for i in range(len(proof)):
        for byte, bit in ((0, 4), (16, 1), (31, 7)):
            bad = [*proof]
            bad[i] = flip(proof[i], byte, bit)
            yield f"proof[{i}] byte {byte} bit {bit} flipped", size1, size2, root1, root2, bad
        yield f"proof[{i}] removed", size1, size2, root1, root2, proof[:i] + proof[i + 1 :]
    for i in range(len(proof) + 1):
        bad = proof[:i] + [SOME_HASH] + proof[i:]
        yield f"hash inserted at {i}", size1, size2, root1, root2, bad


@pytest.mark.parametrize("size2", range(1, MAX_SIZE + 1))
def test_every_consistency_proof_verifies_and_every_corruption_is_rejected(size2: int) -> None:
    root2 = root(LEAVES[:size2])
    accepted: list[str] = []
    for size1 in range(0, size2 + 1):
        root1 = root(LEAVES[:size1])
        proof = consistency_proof(LEAVES, size1, size2)
        want = ref_subproof(size1, LEAVES[:size2], True) if 0 < size1 < size2 else []
        assert proof == want
        verify_consistency(size1, size2, root1, root2, proof)
        if not proof:  # size1 == 0 or size1 == size2: only roots and sizes to corrupt
            trivial = [
                ("a proof where none is due", size1, size2, root1, root2, [root1]),
                ("time travel", size1 + 1, size1, root1, root1, []),
            ]
            if size1 == size2:
                trivial.append(("same size, other root", size1, size2, root1, SOME_HASH, []))
            else:
                trivial.append(("not the empty root", 0, size2, SOME_HASH, root2, []))
            probes: Iterator[tuple[str, int, int, bytes, bytes, list[bytes]]] = iter(trivial)
        else:
            probes = consistency_probes(size1, size2, root1, root2, proof)
        for desc, s1, s2, r1, r2, bad in probes:
            try:
                verify_consistency(s1, s2, r1, r2, bad)
            except ProofError:
                continue
            accepted.append(f"{size1}->{size2}: {desc}")
    assert accepted == []


def test_consistency_fails_when_an_early_entry_is_rewritten() -> None:
    """The vault's threat: history before a checkpoint rewritten, then re-rooted."""
    old_root = root(LEAVES[:7])
    forged = [*LEAVES[:20]]
    forged[3] = leaf_hash(b"rewritten event")
    proof = consistency_proof(forged, 7, 20)
    with pytest.raises(ProofError, match="first root"):
        verify_consistency(7, 20, old_root, root(forged), proof)


# ------------------------------------------------------------------ properties

leaf_lists = st.lists(st.binary(max_size=8).map(leaf_hash), max_size=70)


@settings(max_examples=150, deadline=None)
@given(leaf_lists)
def test_root_equals_recursive_definition(hashes: list[bytes]) -> None:
    assert root(hashes) == ref_root(hashes)
    assert root_of_iter(iter(hashes)) == (ref_root(hashes), len(hashes))


@settings(max_examples=150, deadline=None)
@given(leaf_lists.filter(bool), st.data())
def test_generated_proofs_match_rfc_and_verify(hashes: list[bytes], data: st.DataObject) -> None:
    size2 = data.draw(st.integers(1, len(hashes)), label="size2")
    size1 = data.draw(st.integers(0, size2), label="size1")
    index = data.draw(st.integers(0, size2 - 1), label="index")
    path = inclusion_proof(hashes, index, size2)
    assert path == ref_path(index, hashes[:size2])
    verify_inclusion(index, size2, hashes[index], path, ref_root(hashes[:size2]))
    proof = consistency_proof(hashes, size1, size2)
    if 0 < size1 < size2:
        assert proof == ref_subproof(size1, hashes[:size2], True)
    verify_consistency(size1, size2, ref_root(hashes[:size1]), ref_root(hashes[:size2]), proof)


# ------------------------------------------------------------- lazy sequences


def test_root_slices_a_lazy_sequence_and_reads_each_leaf_once() -> None:
    size = 3 * merkle.CHUNK + 17
    lazy = LazyLeaves(synthetic_leaf, size)
    want, n = root_of_iter(synthetic_leaf(i) for i in range(size))
    assert (root(lazy), n) == (want, size)
    assert set(lazy.reads) == {1}
    assert lazy.calls == 4  # one slice per chunk, no per-leaf queries


@pytest.mark.parametrize("size", [1, 2, 1000, 1025, 4097])
def test_proofs_read_each_leaf_at_most_once(size: int) -> None:
    for index in {0, size // 3, size - 1}:
        lazy = LazyLeaves(synthetic_leaf, size + 5)
        inclusion_proof(lazy, index, size)
        assert max(lazy.reads) <= 1 and sum(lazy.reads) == size - 1
    for size1 in {1, size // 2, size - 1} - {0}:
        lazy = LazyLeaves(synthetic_leaf, size)
        consistency_proof(lazy, size1, size)
        assert max(lazy.reads) <= 1


def test_a_row_missing_from_a_lazy_slice_is_an_integrity_error() -> None:
    lazy = LazyLeaves(synthetic_leaf, 100, drop=42)
    with pytest.raises(ProofError, match=r"leaves 0\.\.99: read 99 of 100"):
        root(lazy)
    with pytest.raises(ProofError):
        inclusion_proof(LazyLeaves(synthetic_leaf, 100, drop=42), 99, 100)


def test_root_of_a_large_lazy_tree_uses_bounded_memory() -> None:
    size = (1 << 17) + 3
    lazy = LazyLeaves(synthetic_leaf, size)
    tracemalloc.start()
    try:
        got = root(lazy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == root_of_iter(synthetic_leaf(i) for i in range(size))[0]
    # One chunk of hashes plus the O(log n) stack; the leaves alone would be ~8 MB.
    assert peak < 1_500_000


@pytest.mark.soak
def test_root_of_a_million_leaves_matches_level_by_level_reduction() -> None:
    size = 1_000_003
    level = [synthetic_leaf(i) for i in range(size)]
    lazy = LazyLeaves(synthetic_leaf, size)
    got = root(lazy)
    # RFC 6962 trees reduce level by level with an odd last node promoted unchanged.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    assert got == level[0]
    index = 765_432
    proof = inclusion_proof(lazy, index, size)
    verify_inclusion(index, size, synthetic_leaf(index), proof, got)
