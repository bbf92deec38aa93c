"""A population's rows bound to the custody log: row count + order-independent digest.

Each load of a population's rows (scenario import, ``import`` of one population)
appends a ``rows_loaded`` custody event carrying the row count and a digest of
the rows *as stored*: every stored column of every row (the CSV cells and the
derived ``_line``, ``_key``, ``_blank``, ``_day`` the analyses read),
each row encoded as Python's ``repr`` of the tuple of its values (unambiguous: every
string is quoted and escaped, so no cell boundary can be moved without changing
it) and hashed with SHA-256, the row hashes (big-endian integers) summed
modulo 2^256 (so the digest does not depend on row order or the rowids SQLite
assigned), and the sum hashed once more. Deleting, adding, duplicating or editing
a row changes it; ``vault verify --full`` recomputes it and compares it with the
custody event, not with the mutable ``populations.row_count`` column.

At import the digest is computed from the rows as they are INSERTed (the
``on_rows`` hook of ``replace_population``: no second pass decrypting the table);
``vault verify --full`` recomputes it with one streaming pass over the table.
Nothing but the running sum is kept either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from operator import methodcaller
from typing import Any

from mockaudit.errors import IntegrityError
from mockaudit.vault import custody
from mockaudit.vault.db import Connection
from mockaudit.vault.population_store import PopulationTable

DIGEST_ALG = "sha256-sum-of-sha256-repr-rows/v1"
_MOD = 1 << 256
_DERIVED = ("_line", "_key", "_blank", "_day")
_BLOCK = 5000
_digest = methodcaller("digest")


class RowDigest:
    """The running digest: ``add`` each block of rows (lists, as INSERTed)."""

    def __init__(self) -> None:
        self.count = 0
        self._total = 0

    def add(self, rows: Sequence[list[Any]]) -> None:
        self.count += len(rows)
        encoded = map(str.encode, map(repr, rows))  # C-level passes: no per-row Python
        self._total += sum(map(int.from_bytes, map(_digest, map(hashlib.sha256, encoded))))

    def hexdigest(self) -> str:
        total = (self._total % _MOD).to_bytes(32, "big")
        return hashlib.sha256(b"mockaudit/rows/v1\n" + total).hexdigest()


def rows_digest(conn: Connection, table: PopulationTable) -> tuple[int, str]:
    """(row count, hex digest) of ``table`` as stored: one streaming pass."""
    names = [f"c{i}" for i in range(len(table.columns))] + list(_DERIVED)
    cursor = conn.execute(f'SELECT {", ".join(names)} FROM "{table.table}"')
    digest = RowDigest()
    while block := cursor.fetchmany(_BLOCK):
        digest.add(list(map(list, block)))  # lists, as the INSERT rows were
    return digest.count, digest.hexdigest()


def record_rows(
    conn: Connection, table: PopulationTable, digest: RowDigest
) -> custody.CustodyEvent:
    """Append the ``rows_loaded`` event for rows just stored (caller's transaction)."""
    count, hexdigest = digest.count, digest.hexdigest()
    if count != table.row_count:
        raise IntegrityError(f"population {table.population_id}: row count changed while stored")
    return custody.append(
        conn,
        "rows_loaded",
        purpose=f"rows of population {table.population_id}",
        population_id=table.population_id,
        table=table.table,
        row_count=count,
        rows_digest=hexdigest,
        rows_digest_alg=DIGEST_ALG,
        source_sha256=table.source_sha256,
        columns=list(table.columns),
    )


def recorded_matches(fields: dict[str, Any], count: int, digest: str) -> bool:
    return fields.get("row_count") == count and fields.get("rows_digest") == digest
