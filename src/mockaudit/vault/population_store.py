"""Population rows in encrypted tables indexed for the auditor's analyses.

Each population gets a table ``pop_<n>`` with one TEXT column per CSV column
(``c0``, ``c1``… in header order), plus ``_line`` (the CSV line), ``_key``,
``_day`` (the row's UTC day, ISO text, NULL when blank or not a date) and
``_week`` (its ISO week label), computed once at import with the same
``domain.dates`` rules the engine uses, and ``_blank``: bit i set when cell ``ci``
is blank by the queries' test (SQL ``trim(ci) = ''``: nothing but spaces; columns
from ``MASK_COLUMNS`` on are left out). Rows stream in with ``executemany``
batches inside the caller's transaction: a failed import leaves nothing visible.

Indexes: ``_day`` (every day-based analysis reads it, never the table), ``_key``
(distinct and duplicate keys) and a partial index of the rows with a blank cell,
so counting blanks reads those rows only — not a pass decrypting the whole table.

A million-row import is dominated by per-row Python, so the derived columns are
computed a block at a time with C-level ``map`` passes (see ``_derived``), and a
block's cell lists are extended in place into the INSERT's parameter rows.
"""

from __future__ import annotations

import gc
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any

from mockaudit.domain.dates import day_labels, parse_day
from mockaudit.domain.population_table import PopulationTable as PopulationTable
from mockaudit.vault.db import Connection

BATCH_ROWS = 5000
IMPORT_CACHE_KIB = 32 * 1024
MASK_COLUMNS = 62
"""Columns whose blanks ``_blank`` records (bits 0..61: the mask stays a positive int64)."""
Progress = Callable[[int], None]
RowBatch = tuple[Sequence[int], list[list[str]]]
"""A block of rows: each row's CSV line, and its cells (lists this module may extend)."""
Labels = tuple[str | None, str | None]  # (ISO day, ISO week) of a row, or (None, None)


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
    batches: Iterable[RowBatch],
    *,
    key_column: str,
    date_column: str,
    source_sha256: str,
    source_path: str,
    imported_at: str,
    progress: Progress | None = None,
) -> PopulationTable:
    """Drop any previous table of this population and stream ``batches`` into a new one.

    The cell lists of ``batches`` are consumed: they are extended with the derived
    columns and handed to SQLite as they are.
    """
    old = get_table(conn, population_id)
    if old is not None:
        conn.execute(f'DROP TABLE "{old.table}"')
        conn.execute("DELETE FROM populations WHERE population_id = ?", (population_id,))
    table = _new_table_name(conn)
    columns = tuple(header)
    defs = ", ".join(f"c{i} TEXT" for i in range(len(columns)))
    conn.execute(
        f'CREATE TABLE "{table}" (_row INTEGER PRIMARY KEY, _line INTEGER NOT NULL, '
        f"_key TEXT NOT NULL, _day TEXT, _week TEXT, _blank INTEGER NOT NULL, {defs})"
    )
    # A bulk append needs little page cache; keeping the analysis-sized cache here
    # would let a 1M-row import grow the process by the whole cache (> 200 MB RSS).
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        # The day index grows as rows arrive: a population spans few days and row ids
        # only increase, so each insert lands at the end of its day's run (a handful of
        # hot pages). Built afterwards it would cost a second decrypting table pass.
        conn.execute(f'CREATE INDEX "{table}_day" ON "{table}"(_day)')
        conn.execute(f'CREATE INDEX "{table}_blank" ON "{table}"(_blank) WHERE _blank != 0')
        # Also before the fill: built afterwards, the key index is one big sort, and with
        # temp_store = MEMORY (SQLCipher never encrypts temp files) the sort holds the
        # whole index in RAM (5M rows: > 300 MB RSS; issue 9).
        conn.execute(f'CREATE INDEX "{table}_key" ON "{table}"(_key)')
        count = _fill(conn, table, columns, batches, key_column, date_column, progress)
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
    batches: Iterable[RowBatch],
    key_column: str,
    date_column: str,
    progress: Progress | None,
) -> int:
    key_i, day_i = columns.index(key_column), columns.index(date_column)
    n = len(columns)
    marks = ", ".join("?" for _ in range(n + 5))
    sql = f'INSERT INTO "{table}" ({_names(n)}, _line, _key, _blank, _day, _week) VALUES ({marks})'

    labels = _DayLabels()
    count = 0
    with _collector_paused():
        for lines, records in batches:
            for start in range(0, len(records), BATCH_ROWS):
                part = records[start : start + BATCH_ROWS]
                conn.executemany(
                    sql, _derived(part, lines[start : start + BATCH_ROWS], key_i, day_i, labels)
                )
                count += len(part)
                if progress:
                    progress(count)
    return count


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic GC off while rows stream through (restored after).

    Every parsed row is a fresh list, so a million-row import would trigger
    thousands of collections that find nothing: each block's lists hold only
    strings and ints and are freed by reference counting once inserted. The
    collections cost ~7 % of an import's CPU (measured with ``gc.callbacks``).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _names(n: int) -> str:
    return ", ".join(f"c{i}" for i in range(n))


def _blank_masks(records: list[list[str]]) -> Iterable[int]:
    """Each record's ``_blank``: bit i set when cell i is empty or only spaces, as the
    queries' SQL test ``trim(coalesce(ci, '')) = ''`` decides (SQL trim strips spaces).

    Only a cell sorting below ``'!'`` (empty, or starting with a space or a control
    character) can be blank, so a block whose smallest cell is not such a cell —
    the usual block — is settled by C-level ``min`` passes.
    """
    lows = list(map(min, records))
    if not lows or min(lows) >= "!":
        return repeat(0, len(records))
    return [_mask(cells) if low < "!" else 0 for cells, low in zip(records, lows, strict=True)]


def _mask(cells: list[str]) -> int:
    return sum(1 << i for i, cell in enumerate(cells[:MASK_COLUMNS]) if not cell.strip(" "))


class _DayLabels(dict[date, tuple[str, str]]):
    """day → (ISO day, ISO week), filled on first sight (a population spans few days)."""

    def __missing__(self, day: date) -> tuple[str, str]:
        labels = self[day] = day_labels(day)
        return labels


_fromisoformat = datetime.fromisoformat
_tzinfo = attrgetter("tzinfo")
_NO_LABELS: Labels = (None, None)


def _derived(
    records: list[list[str]],
    lines: Sequence[int],
    key_i: int,
    day_i: int,
    labels: _DayLabels,
) -> list[list[str]]:
    """``records`` extended in place with (_line, _key, _blank, _day, _week): the
    INSERT's rows."""
    keys = map(str.strip, map(itemgetter(key_i), records))
    masks = _blank_masks(records)
    days = _day_labels([cells[day_i] for cells in records], labels)
    _extend_each(records, zip(lines, keys, masks, strict=True))
    _extend_each(records, days)
    return records


def _extend_each(records: Sequence[list[Any]], tails: Iterable[Iterable[Any]]) -> None:
    """``records[i].extend(tails[i])`` for every i, looped in C (deque drains the map)."""
    deque(map(list.extend, records, tails), maxlen=0)


def _day_labels(texts: list[str], labels: _DayLabels) -> list[Labels]:
    """The stored (_day, _week) of each date cell: ``parse_day`` then ``day_labels``.

    The usual block (every cell an ISO date or datetime, all naive or all UTC) is
    parsed by ``map`` over ``datetime.fromisoformat``; any other block goes cell by
    cell through ``parse_day`` itself, so the meaning cannot drift from the engine's.
    """
    try:
        moments = list(map(_fromisoformat, map(str.strip, texts)))
    except ValueError:
        return [_one_day(text, labels) for text in texts]
    zones = set(map(_tzinfo, moments))
    if not zones <= {None, UTC}:  # offsets other than UTC: convert cell by cell
        return [_one_day(text, labels) for text in texts]
    return list(map(labels.__getitem__, map(datetime.date, moments)))


def _one_day(text: str, labels: _DayLabels) -> Labels:
    day = parse_day(text)
    return labels[day] if day else _NO_LABELS
