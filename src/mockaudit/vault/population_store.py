"""Population rows in encrypted tables indexed for the auditor's analyses.

Each population gets a table ``pop_<n>`` with one TEXT column per CSV column
(``c0``, ``c1``… in header order), plus ``_line`` (the CSV line), ``_key``,
``_day`` (the row's UTC day, ISO text, NULL when blank or not a date) and
``_week`` (its ISO week label), computed once at import with the same
``domain.dates`` functions the engine uses. Rows stream in with ``executemany``
batches inside the caller's transaction: a failed import leaves nothing visible.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from mockaudit.domain.dates import day_labels, parse_day
from mockaudit.errors import InputError
from mockaudit.vault.db import Connection

BATCH_ROWS = 5000
IMPORT_CACHE_KIB = 32 * 1024
Progress = Callable[[int], None]


@dataclass(frozen=True)
class PopulationTable:
    population_id: str
    table: str
    columns: tuple[str, ...]
    key_column: str
    date_column: str
    row_count: int
    source_sha256: str
    source_path: str

    def col(self, name: str) -> str:
        """The SQL column holding CSV column ``name``."""
        try:
            return f"c{self.columns.index(name)}"
        except ValueError:
            raise InputError(f"population {self.population_id} has no column {name!r}") from None


def get_table(conn: Connection, population_id: str) -> PopulationTable | None:
    row = conn.execute(
        "SELECT population_id, table_name, columns, key_column, date_column, row_count, "
        "source_sha256, source_path FROM populations WHERE population_id = ?",
        (population_id,),
    ).fetchone()
    if row is None:
        return None
    pid, table, columns, key, date, count, sha, path = row
    return PopulationTable(pid, table, tuple(json.loads(columns)), key, date, count, sha, path)


def all_tables(conn: Connection) -> list[PopulationTable]:
    ids = [r[0] for r in conn.execute("SELECT population_id FROM populations ORDER BY 1")]
    return [t for t in (get_table(conn, pid) for pid in ids) if t is not None]


def replace_population(
    conn: Connection,
    population_id: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, list[str]]],
    *,
    key_column: str,
    date_column: str,
    source_sha256: str,
    source_path: str,
    imported_at: str,
    progress: Progress | None = None,
) -> PopulationTable:
    """Drop any previous table of this population and stream ``rows`` into a new one."""
    old = get_table(conn, population_id)
    if old is not None:
        conn.execute(f'DROP TABLE "{old.table}"')
        conn.execute("DELETE FROM populations WHERE population_id = ?", (population_id,))
    table = _new_table_name(conn)
    columns = tuple(header)
    defs = ", ".join(f"c{i} TEXT" for i in range(len(columns)))
    conn.execute(
        f'CREATE TABLE "{table}" (_row INTEGER PRIMARY KEY, _line INTEGER NOT NULL, '
        f"_key TEXT NOT NULL, _day TEXT, _week TEXT, {defs})"
    )
    # A bulk append needs little page cache; keeping the analysis-sized cache here
    # would let a 1M-row import grow the process by the whole cache (> 200 MB RSS).
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        count = _fill(conn, table, columns, rows, key_column, date_column, progress)
        conn.execute(f'CREATE INDEX "{table}_key" ON "{table}"(_key)')
        conn.execute(f'CREATE INDEX "{table}_day" ON "{table}"(_day, _row)')
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")
    conn.execute(
        "INSERT INTO populations (population_id, table_name, columns, key_column, date_column, "
        "row_count, source_sha256, source_path, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            population_id,
            table,
            json.dumps(list(columns)),
            key_column,
            date_column,
            count,
            source_sha256,
            source_path,
            imported_at,
        ),
    )
    return PopulationTable(
        population_id, table, columns, key_column, date_column, count, source_sha256, source_path
    )


def _new_table_name(conn: Connection) -> str:
    used = {r[0] for r in conn.execute("SELECT table_name FROM populations")}
    n = 1
    while f"pop_{n}" in used:
        n += 1
    # A dropped table's name may be reused; a leftover from a crash is impossible
    # because table creation and its populations row commit together.
    return f"pop_{n}"


def _fill(
    conn: Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[int, list[str]]],
    key_column: str,
    date_column: str,
    progress: Progress | None,
) -> int:
    key_i, day_i = columns.index(key_column), columns.index(date_column)
    marks = ", ".join("?" for _ in range(len(columns) + 4))
    sql = (
        f'INSERT INTO "{table}" (_line, _key, _day, _week, {_names(len(columns))}) VALUES ({marks})'
    )
    count = 0
    for batch in _batches(rows, key_i, day_i):
        conn.executemany(sql, batch)
        count += len(batch)
        if progress:
            progress(count)
    return count


def _names(n: int) -> str:
    return ", ".join(f"c{i}" for i in range(n))


def _batches(
    rows: Iterable[tuple[int, list[str]]], key_i: int, day_i: int
) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    append = batch.append
    for line, cells in rows:
        day = parse_day(cells[day_i])
        iso, week = day_labels(day) if day else (None, None)
        append((line, cells[key_i].strip(), iso, week, *cells))
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
            append = batch.append
    if batch:
        yield batch
