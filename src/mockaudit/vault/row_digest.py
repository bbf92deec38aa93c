"""The custody row digest of a population's rows as stored (``population_digest``).

The digest (``DIGEST_ALG``, v2) is SHA-256 over the rows in row order, cut into
chunks of ``CHUNK_ROWS`` (the last one shorter) however the import's blocks were cut.
A chunk is its row and column counts, then each column in table order as a tag byte,
the payload's length and the payload, the first form that fits:

* ``z`` — every value a string and none holding NUL: the values joined by NUL, UTF-8;
* ``s`` — every value a string: each one's length (int64, code points), then them all;
* ``i`` — every value an int64: the values as big-endian int64;
* ``j`` — every value JSON can write (NULLs, other numbers): the column's compact JSON;
* ``r`` — anything else (a BLOB put there by hand): the column's ``repr``.

Every form is tagged and length-prefixed and each one is injective, so no value can
change, move or change type without changing the digest; the forms are C-level
passes over a column (~0.4 s per million rows, where JSON per row cost ~1.5 s and v1
~3 s), and the parsing process hands its rows over column by column anyway.

v1 (``DIGEST_ALG_V1``, events written before v2) hashed each row's ``repr`` with
SHA-256 and summed the hashes modulo 2^256 (order-independent); ``RowSumV1`` recomputes
it for them.

Pure computation over values: the parsing process (``population_feed``) digests the rows
it sends with it, without loading the custody code.
"""

from __future__ import annotations

import hashlib
import json
import sys
from array import array
from collections.abc import Sequence
from operator import methodcaller
from typing import Any, Protocol

DIGEST_ALG = "sha256-columns/v2"
DIGEST_ALG_V1 = "sha256-sum-of-sha256-repr-rows/v1"
ALGORITHMS = (DIGEST_ALG, DIGEST_ALG_V1)
CHUNK_ROWS = 5000
_MOD = 1 << 256
_digest = methodcaller("digest")
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


class Digested(Protocol):
    """A finished row digest: the rows it covers and its hex value."""

    count: int

    def hexdigest(self) -> str: ...


class RowDigest:
    """The running v2 digest: ``add`` blocks of rows, or ``add_columns`` blocks of columns,
    as INSERTed (any block sizes: the digest re-cuts them into ``CHUNK_ROWS``)."""

    def __init__(self) -> None:
        self.count = 0
        self._hash = hashlib.sha256(b"mockaudit/rows/v2\n")
        self._pending: list[list[Any]] = []

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.add_columns([list(column) for column in zip(*rows, strict=True)])

    def add_columns(self, columns: Sequence[Sequence[Any]]) -> None:
        size = len(columns[0]) if columns else 0
        if not size:
            return
        self.count += size
        if not self._pending and size == CHUNK_ROWS:
            self._chunk(columns)
            return
        if not self._pending:
            self._pending = [[] for _ in columns]
        for held, column in zip(self._pending, columns, strict=True):
            held.extend(column)
        while len(self._pending[0]) >= CHUNK_ROWS:
            self._chunk([held[:CHUNK_ROWS] for held in self._pending])
            for held in self._pending:
                del held[:CHUNK_ROWS]

    def hexdigest(self) -> str:
        """The digest of every row added (the last, shorter chunk is closed: add no more)."""
        if self._pending and self._pending[0]:
            self._chunk(self._pending)
        self._pending = []
        return self._hash.hexdigest()

    def _chunk(self, columns: Sequence[Sequence[Any]]) -> None:
        update = self._hash.update
        update(len(columns[0]).to_bytes(8, "big") + len(columns).to_bytes(4, "big"))
        for column in columns:
            tag, payload = _encoded(column)
            update(tag + len(payload).to_bytes(8, "big"))
            update(payload)


def _encoded(column: Sequence[Any]) -> tuple[bytes, bytes]:
    """(tag, payload) of one column of a chunk: the first form of the module doc that fits."""
    try:
        text = "\0".join(column)
    except TypeError:
        return _not_text(column)
    data = text.encode("utf-8", "surrogatepass")
    if text.count("\0") == len(column) - 1:
        return b"z", data
    lengths = array("q", map(len, column)).tobytes()
    return b"s", len(lengths).to_bytes(8, "big") + lengths + data


def _not_text(column: Sequence[Any]) -> tuple[bytes, bytes]:
    try:
        numbers = array("q", column)
    except (TypeError, OverflowError):
        pass
    else:
        if sys.byteorder == "little":
            numbers.byteswap()
        return b"i", numbers.tobytes()
    try:
        return b"j", _json(list(column)).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return b"r", repr(list(column)).encode("utf-8", "backslashreplace")


class RowSumV1:
    """The v1 digest, kept to check events written before v2."""

    def __init__(self) -> None:
        self.count = 0
        self._total = 0

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        self.count += len(rows)
        encoded = map(str.encode, map(repr, map(list, rows)))  # C-level passes
        self._total += sum(map(int.from_bytes, map(_digest, map(hashlib.sha256, encoded))))

    def hexdigest(self) -> str:
        total = (self._total % _MOD).to_bytes(32, "big")
        return hashlib.sha256(b"mockaudit/rows/v1\n" + total).hexdigest()


class FinishedDigest:
    """A digest computed elsewhere (the parsing process) over the rows it sent."""

    def __init__(self, count: int, hexdigest: str) -> None:
        self.count, self._hex = count, hexdigest

    def hexdigest(self) -> str:
        return self._hex
