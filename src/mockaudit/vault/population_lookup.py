"""Whether a population holds an item with a given key (evidence add checks its links)."""

from __future__ import annotations

from mockaudit.domain.population_table import PopulationTable
from mockaudit.vault.db import Connection


def has_item(conn: Connection, t: PopulationTable, key: str) -> bool:
    """One indexed-or-scanned lookup of ``key`` in the population's key column."""
    column = t.col(t.key_column)
    row = conn.execute(f'SELECT 1 FROM "{t.table}" WHERE "{column}" = ? LIMIT 1', (key,))
    return row.fetchone() is not None
