"""RFC 6962 / RFC 9162 Merkle tree: roots, inclusion and consistency proofs.

The custody log is one Merkle leaf per evidence event. A root fixes the whole
history; an inclusion proof shows one event is in it; a consistency proof shows
a later log extends an earlier one, so nothing before was rewritten, removed or
reordered. Hashing follows RFC 6962 §2.1 exactly (0x00 leaf / 0x01 node
prefixes, split at the largest power of two strictly smaller than n, empty tree
= SHA-256("")) so checkpoints can be checked by any transparency-log tool.

``leaves`` arguments are sequences of leaf *hashes* and are only indexed and
sliced, in bounded chunks, because the vault passes a lazy sequence backed by
SQL. Every function reads each leaf at most once and keeps O(log n) hashes.
Verification ports transparency-dev/merkle ``proof/verify.go`` (RFC 9162
§2.1.3.2 and §2.1.4.2); it additionally requires every hash to be 32 bytes and
a size-0 tree to carry the empty-tree root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence

from mockaudit.errors import InputError, ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
# Leaves fetched per slice: bounds memory while keeping SQL round trips few.
CHUNK = 4096

__all__ = [
    "CHUNK",
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_of_iter",
    "verify_consistency",
    "verify_inclusion",
]


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry): the prefix keeps a leaf from passing for a node."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


# --------------------------------------------------------------------------- roots


def root_of_iter(leaves: Iterable[bytes]) -> tuple[bytes, int]:
    """Root and size of the tree over a stream of leaf hashes, in O(log n) memory.

    Keeps the compact range: the roots of the perfect subtrees the leaves so far
    decompose into (one per set bit of the size). Folding them right to left gives
    exactly the RFC 6962 tree, whose left subtrees are always perfect.
    """
    stack: list[bytes] = []
    size = 0
    for leaf in leaves:
        if len(leaf) != HASH_SIZE:
            raise ProofError(f"Merkle leaf {size} is {len(leaf)} bytes, expected {HASH_SIZE}")
        stack.append(bytes(leaf))
        size += 1
        carry = size
        while carry & 1 == 0:  # one merge per trailing zero bit of the new size
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            carry >>= 1
    if not stack:
        return EMPTY_ROOT, 0
    acc = stack[-1]
    for left in reversed(stack[:-1]):
        acc = node_hash(left, acc)
    return acc, size


def root(leaves: Sequence[bytes]) -> bytes:
    """Root of the tree over all of ``leaves`` (leaf hashes)."""
    return _range_root(leaves, 0, len(leaves))


def _iter_range(leaves: Sequence[bytes], start: int, end: int) -> Iterator[bytes]:
    """Yield ``leaves[start:end]`` slice by slice; ProofError if a slice comes back short.

    A short slice means the backing store lost rows (e.g. a gap in the custody
    sequence); silently hashing fewer leaves would produce a wrong root.
    """
    for lo in range(start, end, CHUNK):
        hi = min(lo + CHUNK, end)
        got = 0
        for leaf in leaves[lo:hi]:
            got += 1
            if got > hi - lo:
                break
            yield leaf
        if got != hi - lo:
            raise ProofError(f"Merkle leaves {lo}..{hi - 1}: read {got} of {hi - lo} leaf hashes")


def _range_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH(D[start:end]): the subtree over that range, read once."""
    if end - start == 1:
        leaf = leaves[start]
        if len(leaf) != HASH_SIZE:
            raise ProofError(f"Merkle leaf {start} is {len(leaf)} bytes, expected {HASH_SIZE}")
        return bytes(leaf)
    return root_of_iter(_iter_range(leaves, start, end))[0]


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# ------------------------------------------------------------------------- proofs


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]), bottom-up; InputError on an impossible request.

    The siblings on the path cover disjoint ranges, so the proof reads at most
    ``size`` leaves once each.
    """
    _check_tree_size(leaves, size)
    if not 0 <= index < size:
        raise InputError(f"cannot prove entry {index} in a Merkle tree of size {size}")
    top_down: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            top_down.append(_range_root(leaves, lo + k, hi))
            hi = lo + k
        else:
            top_down.append(_range_root(leaves, lo, lo + k))
            lo += k
    return top_down[::-1]


def consistency_proof(leaves: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """RFC 6962 PROOF(size1, D[0:size2]), bottom-up; empty when size1 is 0 or size2.

    Like the inclusion proof, its nodes cover disjoint ranges: one pass over the
    leaves at most.
    """
    _check_tree_size(leaves, size2)
    if not 0 <= size1 <= size2:
        raise InputError(f"cannot prove Merkle tree size {size1} is a prefix of size {size2}")
    if size1 in (0, size2):
        return []
    top_down: list[bytes] = []
    lo, hi, m, whole = 0, size2, size1, True
    while True:
        n = hi - lo
        if m == n:
            if not whole:
                top_down.append(_range_root(leaves, lo, hi))
            break
        k = _split(n)
        if m <= k:
            top_down.append(_range_root(leaves, lo + k, hi))
            hi = lo + k
        else:
            top_down.append(_range_root(leaves, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    return top_down[::-1]


def _check_tree_size(leaves: Sequence[bytes], size: int) -> None:
    if not 0 <= size <= len(leaves):
        raise InputError(f"Merkle tree size {size} is outside the log's {len(leaves)} entries")


# ------------------------------------------------------------------- verification


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` is entry ``index`` of the tree of ``size`` with ``root``.

    Raises ProofError (one line) on any mismatch, wrong proof length or size.
    """
    what = f"inclusion proof for entry {index} in tree size {size}"
    if not 0 <= index < size:
        raise ProofError(f"{what}: index out of range")
    _check_hashes(what, [leaf, root, *proof])
    inner, border = _decomp_incl_proof(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"{what}: {len(proof)} hashes, expected {inner + border}")
    calc = _chain_inner(leaf, proof[:inner], index)
    calc = _chain_border_right(calc, proof[inner:])
    if calc != root:
        raise ProofError(f"{what} does not match the root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (size1, root1) is a prefix of the tree (size2, root2).

    Raises ProofError (one line) if it is not, or if the proof is malformed.
    """
    what = f"consistency proof from tree size {size1} to {size2}"
    if not 0 <= size1 <= size2:
        raise ProofError(f"{what}: the second tree is smaller than the first")
    _check_hashes(what, [root1, root2, *proof])
    if size1 == size2:
        if proof:
            raise ProofError(f"{what}: sizes are equal but the proof is not empty")
        if root1 != root2:
            raise ProofError(f"{what}: same size, different roots")
        if size1 == 0 and root1 != EMPTY_ROOT:
            raise ProofError(f"{what}: an empty tree must have the empty-tree root")
        return
    if size1 == 0:
        if proof:
            raise ProofError(f"{what}: a proof from the empty tree must be empty")
        if root1 != EMPTY_ROOT:
            raise ProofError(f"{what}: an empty tree must have the empty-tree root")
        return
    if not proof:
        raise ProofError(f"{what}: the proof is empty")

    inner, border = _decomp_incl_proof(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1  # trailing zero bits of size1
    inner -= shift
    # The proof starts with the root of the size-2**shift subtree, unless size1 is it.
    if size1 == 1 << shift:
        seed, start = root1, 0
    else:
        seed, start = proof[0], 1
    if len(proof) != start + inner + border:
        raise ProofError(f"{what}: {len(proof)} hashes, expected {start + inner + border}")
    rest = proof[start:]
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if hash1 != root1:
        raise ProofError(f"{what} does not match the first root")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if hash2 != root2:
        raise ProofError(f"{what} does not match the second root")


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for h in hashes:
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError(f"{what}: a hash is not {HASH_SIZE} bytes")


def _decomp_incl_proof(index: int, size: int) -> tuple[int, int]:
    """Lengths of the proof below and above where the paths to index and size-1 meet."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Like _chain_inner but only left siblings: the earlier version of the subtree."""
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed
