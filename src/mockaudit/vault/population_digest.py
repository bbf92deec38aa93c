"""A population's rows bound to the custody log: row count + order-independent digest.

Each load of a population's rows (scenario import, ``import`` of one population)
appends a ``rows_loaded`` custody event carrying the row count and a digest of
the rows *as stored*: every stored column of every row (the CSV cells and the
derived ``_line``, ``_key``, ``_blank``, ``_day``, ``_week`` the analyses read),
each row encoded as a JSON array and hashed with SHA-256, the row hashes summed
modulo 2^256 (so the digest does not depend on row order or the rowids SQLite
assigned), and the sum hashed once more. Deleting, adding, duplicating or editing
a row changes it; ``vault verify --full`` recomputes it and compares it with the
custody event, not with the mutable ``populations.row_count`` column.

One streaming pass over the table; nothing but the running sum is kept.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mockaudit.vault import custody
from mockaudit.vault.db import Connection
from mockaudit.vault.population_store import PopulationTable

DIGEST_ALG = "sha256-sum-of-row-sha256/v1"
_MOD = 1 << 256
_DERIVED = ("_line", "_key", "_blank", "_day", "_week")
_BLOCK = 5000
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def rows_digest(conn: Connection, table: PopulationTable) -> tuple[int, str]:
    """(row count, hex digest) of ``table`` as stored."""
    names = [f"c{i}" for i in range(len(table.columns))] + list(_DERIVED)
    cursor = conn.execute(f'SELECT {", ".join(names)} FROM "{table.table}"')
    total = 0
    count = 0
    sha = hashlib.sha256
    while block := cursor.fetchmany(_BLOCK):
        count += len(block)
        total += sum(
            int.from_bytes(sha(_encode(row).encode("utf-8")).digest(), "big") for row in block
        )
    digest = hashlib.sha256(b"mockaudit/rows/v1\n" + (total % _MOD).to_bytes(32, "big"))
    return count, digest.hexdigest()


def record_rows(conn: Connection, table: PopulationTable) -> custody.CustodyEvent:
    """Append the ``rows_loaded`` event for rows just stored (caller's transaction)."""
    count, digest = rows_digest(conn, table)
    return custody.append(
        conn,
        "rows_loaded",
        purpose=f"rows of population {table.population_id}",
        population_id=table.population_id,
        table=table.table,
        row_count=count,
        rows_digest=digest,
        rows_digest_alg=DIGEST_ALG,
        source_sha256=table.source_sha256,
        columns=list(table.columns),
    )


def recorded_matches(fields: dict[str, Any], count: int, digest: str) -> bool:
    return fields.get("row_count") == count and fields.get("rows_digest") == digest
