"""Population rows in encrypted tables indexed for the auditor's analyses.

Each population gets a table ``pop_<n>`` with one TEXT column per CSV column
(``c0``, ``c1``… in header order), plus ``_line`` (the CSV line), ``_key``,
``_day`` (the row's UTC day, ISO text, NULL when blank or not a date; tables
imported before the day runs also hold ``_week``, its ISO week label, which now
lives in the runs), computed once at import with the same ``domain.dates`` rules
the engine uses, and ``_blank``: bit i set when cell ``ci``
is blank by the queries' test (SQL ``trim(ci) = ''``: nothing but spaces; columns
from ``MASK_COLUMNS`` on are left out). Rows stream in with ``executemany``
batches inside the caller's transaction (fifty rows per statement, see
``population_inserts``): a failed import leaves nothing visible.

Beside each table, ``pop_<n>_days`` holds its day runs: one row per maximal run of
consecutive rows sharing a day (``first_row``, ``last_row``, ``day``, ``week``), written
during the fill. Every day-based analysis (the per-day and per-week histogram, the
rows of a stratum, the undated and out-of-period examples) reads this small table,
never the population's. A file sorted by date has one run per day, so the side table
costs a few hundred rows where a full ``_day`` index cost a B-tree entry per row
(~0.9 s of a million-row import). Tables imported before it keep their ``_day``
index and the queries fall back to it (``population_queries``).

Indexes: ``_key`` (distinct and duplicate keys; built by one sort once the rows are
in, see ``population_inserts.KeyIndex``) and a partial index of the rows with a blank
cell, so counting blanks reads those rows only — not a pass decrypting the whole table.

A million-row import is dominated by per-row Python, so the derived columns are
computed a block at a time with C-level ``map`` passes (see ``Deriver``), and a
block's cell lists are extended in place into the INSERT's parameter rows. Large
CSV files are parsed and derived in a second process (``population_feed``) that
hands this module ready ``Prepared`` blocks, so parsing overlaps SQLite's work.
"""

from __future__ import annotations

import gc
import json
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby, repeat
from operator import attrgetter, itemgetter
from typing import Any

from mockaudit.domain.dates import day_labels, parse_day
from mockaudit.domain.population_table import PopulationTable as PopulationTable
from mockaudit.vault.db import Connection
from mockaudit.vault.population_inserts import ColumnBlock, Inserter, KeyIndex
from mockaudit.vault.row_digest import Digested

BATCH_ROWS = 5000
IMPORT_CACHE_KIB = 32 * 1024
MASK_COLUMNS = 62
"""Columns whose blanks ``_blank`` records (bits 0..61: the mask stays a positive int64)."""
Progress = Callable[[int], None]
RowBatch = tuple[Sequence[int], list[list[str]]]
"""A block of rows: each row's CSV line, and its cells (lists this module may extend)."""
Labels = tuple[str | None, str | None]  # (ISO day, ISO week) of a row, or (None, None)
DayRun = tuple[int, int, str | None, str | None]
"""(first row id, last row id, ISO day, ISO week): consecutive rows sharing a day."""
Prepared = tuple[Iterable[Sequence[Any]] | ColumnBlock, int, list[DayRun]]
"""A block ready to bind (rows of cells + _line, _key, _blank, _day, or those columns), its
row count and the day runs it closed."""
Columns = tuple[list[Sequence[Any]], list[DayRun]]
"""A prepared block column by column (what the parsing process sends) and its runs."""


@dataclass
class PreparedRows:
    """Blocks already derived by a ``Deriver`` (possibly in another process), in file
    order, the last one carrying the final run (``Deriver.finish``).

    ``digest``: the row digest the producer computed over exactly the rows it handed
    over, set once the last block is read (None: the writer digests them itself)."""

    blocks: Iterable[Prepared]
    digest: Digested | None = None


RowSource = Iterable[RowBatch] | PreparedRows
RowsSeen = Callable[[list[list[Any]]], None]
"""Called with each block of rows as INSERTed: CSV cells, then _line, _key, _blank, _day
(the column order of the table after _row)."""


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
    batches: RowSource,
    *,
    key_column: str,
    date_column: str,
    source_sha256: str,
    source_path: str,
    imported_at: str,
    progress: Progress | None = None,
    on_rows: RowsSeen | None = None,
) -> PopulationTable:
    """Drop any previous table of this population and stream ``batches`` into a new one.

    ``batches`` are raw blocks (their cell lists are consumed: extended with the
    derived columns and handed to SQLite as they are) or ``PreparedRows``. ``on_rows``
    sees each block of INSERT rows exactly as stored (the custody row digest,
    population_digest.py).
    """
    old = get_table(conn, population_id)
    if old is not None:
        conn.execute(f'DROP TABLE "{old.table}"')
        conn.execute(f'DROP TABLE IF EXISTS "{old.table}_days"')
        conn.execute("DELETE FROM populations WHERE population_id = ?", (population_id,))
    table = _new_table_name(conn)
    columns = tuple(header)
    defs = ", ".join(f"c{i} TEXT" for i in range(len(columns)))
    conn.execute(
        f'CREATE TABLE "{table}" (_row INTEGER PRIMARY KEY, _line INTEGER NOT NULL, '
        f"_key TEXT NOT NULL, _day TEXT, _blank INTEGER NOT NULL, {defs})"
    )
    # A bulk append needs little page cache; keeping the analysis-sized cache here
    # would let a 1M-row import grow the process by the whole cache (> 200 MB RSS).
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    conn.execute(f'DROP TABLE IF EXISTS "{table}_days"')  # a dropped table's name reused
    conn.execute(
        f'CREATE TABLE "{table}_days" (first_row INTEGER PRIMARY KEY, '
        "last_row INTEGER NOT NULL, day TEXT, week TEXT)"
    )
    try:
        conn.execute(f'CREATE INDEX "{table}_blank" ON "{table}"(_blank) WHERE _blank != 0')
        count = _fill(conn, table, columns, batches, key_column, date_column, progress, on_rows)
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
    batches: RowSource,
    key_column: str,
    date_column: str,
    progress: Progress | None,
    on_rows: RowsSeen | None = None,
) -> int:
    inserter = Inserter(conn, table, len(columns))
    runs_sql = f'INSERT INTO "{table}_days" (first_row, last_row, day, week) VALUES (?, ?, ?, ?)'
    if isinstance(batches, PreparedRows):
        blocks = batches.blocks
    else:
        blocks = derive(batches, columns.index(key_column), columns.index(date_column))
    count = 0
    key_index = KeyIndex(conn, table, IMPORT_CACHE_KIB)
    with _collector_paused():
        for rows, size, runs in blocks:
            if size:
                if on_rows is not None:
                    rows = _as_lists(rows)
                    on_rows(rows)
                inserter.insert(rows)
                count += size
                key_index.grown(count)
            if runs:
                conn.executemany(runs_sql, runs)
            if progress and size:
                progress(count)
    key_index.grown(count, done=True)
    # The runs name row ids the deriver counted; SQLite numbered the rows 1..count.
    last = conn.execute(f'SELECT max(_row) FROM "{table}"').fetchone()[0] or 0
    covered = conn.execute(f'SELECT max(last_row) FROM "{table}_days"').fetchone()[0] or 0
    if last != count or covered != count:
        raise RuntimeError(f"population import counted {count} rows, stored {last}/{covered}")
    return count


def _as_lists(rows: Iterable[Sequence[Any]] | ColumnBlock) -> list[list[Any]]:
    """A block's INSERT rows as lists (a prepared block may come column by column)."""
    if isinstance(rows, ColumnBlock):
        return list(map(list, rows.rows()))
    if isinstance(rows, list) and (not rows or isinstance(rows[0], list)):
        return rows
    return list(map(list, rows))


def derive(batches: Iterable[RowBatch], key_i: int, day_i: int) -> Iterator[Prepared]:
    """Raw blocks made ready to bind, with the day runs each closes (the last at the end)."""
    deriver = Deriver(key_i, day_i)
    for lines, records in _blocks(batches):
        yield deriver.prepare(lines, records)
    yield [], 0, deriver.finish()


def derive_columns(batches: Iterable[RowBatch], key_i: int, day_i: int) -> Iterator[Columns]:
    """``derive`` column by column (``zip(*columns)`` gives the rows), the last at the end."""
    deriver = Deriver(key_i, day_i)
    for lines, records in _blocks(batches):
        yield deriver.columns(lines, records)
    yield [], deriver.finish()


def _blocks(batches: Iterable[RowBatch]) -> Iterator[RowBatch]:
    for lines, records in batches:
        for start in range(0, len(records), BATCH_ROWS):
            yield lines[start : start + BATCH_ROWS], records[start : start + BATCH_ROWS]


class Deriver:
    """Derived columns and day runs of a stream of blocks, numbering rows from 1.

    Row ids are counted here, not read back: a new table's ``INTEGER PRIMARY KEY``
    numbers its inserts 1, 2, 3… (``_fill`` checks the totals agree).
    """

    def __init__(self, key_i: int, day_i: int) -> None:
        self.key_i, self.day_i = key_i, day_i
        self.labels = _DayLabels()
        self.next_row = 1
        self.open: DayRun | None = None
        self.distinct: set[int] = set()  # columns not worth sharing (``columns``)

    def prepare(self, lines: Sequence[int], records: list[list[str]]) -> Prepared:
        """``records`` extended in place into INSERT rows, and the runs this block closed."""
        days = _day_labels([cells[self.day_i] for cells in records], self.labels)
        closed = self._runs(days)
        keys = map(str.strip, map(itemgetter(self.key_i), records))
        texts = map(itemgetter(0), days)
        _extend_each(records, zip(lines, keys, _blank_masks(records), texts, strict=True))
        return records, len(records), closed

    def columns(self, lines: Sequence[int], records: list[list[str]]) -> Columns:
        """The INSERT's columns of ``records`` (not modified), and the runs this block closed.

        Equal texts within a column become one object, so a pickled block carries each
        repeated value (a status, a person, a day) once and unpickling makes one string
        per distinct value, not one per cell: that is most of the writer's unpickling.
        A column found mostly distinct in a block (a key, a timestamp) is left as it is
        from then on: sharing it would hash every cell for nothing.
        """
        cells: list[list[str]] = []
        low: list[int] = []  # columns holding a cell below "!": only they can hold a blank
        for i, column in enumerate(zip(*records, strict=True)):
            shared, distinct = self._shared(i, column)
            cells.append(shared)
            if i < MASK_COLUMNS and min(distinct) < "!":
                low.append(i)
        days = _day_labels(cells[self.day_i], self.labels)
        closed = self._runs(days)
        keys = list(map(str.strip, cells[self.key_i]))  # strip returns a trimmed key as is
        masks = _column_masks(cells, low, len(records))
        texts = list(map(itemgetter(0), days))
        return [*cells, lines, keys, masks, texts], closed

    def _shared(self, i: int, column: Sequence[str]) -> tuple[list[str], Collection[str]]:
        """The column with equal texts as one object, and its distinct texts."""
        if i in self.distinct:
            cells = list(column)
            return cells, cells
        seen: dict[str, str] = {}
        shared = list(map(seen.setdefault, column, column))
        if len(seen) * 2 > len(shared):
            self.distinct.add(i)
        return shared, seen

    def finish(self) -> list[DayRun]:
        """The last run (once every block is prepared)."""
        last, self.open = self.open, None
        return [last] if last is not None else []

    def _runs(self, days: list[Labels]) -> list[DayRun]:
        closed: list[DayRun] = []
        row = self.next_row
        for (day, week), group in groupby(days):
            size = len(list(group))
            run = self.open
            if run is not None and run[2] == day:
                self.open = (run[0], row + size - 1, day, week)
            else:
                if run is not None:
                    closed.append(run)
                self.open = (row, row + size - 1, day, week)
            row += size
        self.next_row = row
        return closed


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


def _column_masks(columns: Sequence[Sequence[str]], low: Iterable[int], rows: int) -> list[int]:
    """``_blank_masks`` of a block given column by column; only the ``low`` columns (whose
    smallest cell is below ``'!'``) can hold a blank cell."""
    masks = [0] * rows
    for i in low:
        bit = 1 << i
        for row, cell in enumerate(columns[i]):
            if cell < "!" and not cell.strip(" "):
                masks[row] |= bit
    return masks


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
