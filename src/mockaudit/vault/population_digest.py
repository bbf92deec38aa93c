"""A population's rows bound to the custody log: row count + digest of the rows as stored.

Each load of a population's rows (scenario import, ``import`` of one population)
appends a ``rows_loaded`` custody event carrying the row count and a digest of
the rows *as stored*: every stored column of every row (the CSV cells and the
derived ``_line``, ``_key``, ``_blank``, ``_day`` the analyses read). Deleting,
adding, duplicating, reordering or editing a row changes it; ``vault verify --full``
recomputes it and compares it with the custody event, not with the mutable
``populations.row_count`` column.

The digest algorithms (v2, and v1 for older events) are in ``row_digest``.

At import the digest is computed from the rows as they are INSERTed (the
``on_rows`` hook of ``replace_population``; a CSV parsed in a second process is
digested there, over the very values it sends the writer to bind), and
``vault verify --full`` recomputes it with one streaming pass over the table.
Nothing but the running hash is kept either way.
"""

from __future__ import annotations

from typing import Any

from mockaudit.errors import IntegrityError
from mockaudit.vault import custody
from mockaudit.vault.db import Connection
from mockaudit.vault.population_store import PopulationTable
from mockaudit.vault.row_digest import (
    ALGORITHMS,
    CHUNK_ROWS,
    DIGEST_ALG,
    Digested,
    RowDigest,
    RowSumV1,
)

_DERIVED = ("_line", "_key", "_blank", "_day")


def rows_digest(conn: Connection, table: PopulationTable, alg: str = DIGEST_ALG) -> tuple[int, str]:
    """(row count, hex digest by ``alg``) of ``table`` as stored: one streaming pass."""
    if alg not in ALGORITHMS:
        raise IntegrityError(f"population {table.population_id}: unknown row digest {alg!r}")
    names = [f"c{i}" for i in range(len(table.columns))] + list(_DERIVED)
    cursor = conn.execute(f'SELECT {", ".join(names)} FROM "{table.table}" ORDER BY _row')
    digest: RowDigest | RowSumV1 = RowDigest() if alg == DIGEST_ALG else RowSumV1()
    while block := cursor.fetchmany(CHUNK_ROWS):
        digest.add(block)
    return digest.count, digest.hexdigest()


def record_rows(conn: Connection, table: PopulationTable, digest: Digested) -> custody.CustodyEvent:
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
