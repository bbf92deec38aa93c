"""How a population's rows go into its table (``population_store``): many rows to an
INSERT statement, and the ``_key`` index built by one sort.

A block comes either as rows (parsed in the writer: each a list of the CSV cells, then
``_line``, ``_key``, ``_blank``, ``_day``) or as a ``ColumnBlock`` (those columns, as
the parsing process sends them, ``population_feed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from mockaudit.vault.db import Connection

KEY_INDEX_CACHE_KIB = 8 * 1024
"""The page cache while the ``_key`` index sorts: the sort reuses what the fill's held."""
KEY_INDEX_SORT_ROWS = 1_500_000
"""Rows past which the ``_key`` index is built mid-fill and kept up by the inserts."""
ROWS_PER_INSERT = 50
"""Rows one INSERT statement carries (``Inserter``)."""
MAX_BOUND = 30_000
"""Parameters per statement at most (SQLite's limit is 32,766)."""


@dataclass(frozen=True)
class ColumnBlock:
    """A prepared block column by column, as the parsing process sends it
    (``Deriver.columns``): every column holds one value per row."""

    columns: list[Sequence[Any]]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return zip(*self.columns, strict=True)


class Inserter:
    """INSERTs a block's rows ``ROWS_PER_INSERT`` to a statement (a multi-row VALUES).

    A row per statement costs SQLite a statement reset per row, and each reset frees
    and each execution allocates the statement's working memory. SQLite serves such
    small allocations from the connection's lookaside buffer while it has room, but
    every statement held in the statement cache keeps a share of it: after the few
    dozen statements an import runs before its rows, each row's allocations went to
    malloc behind SQLite's memory mutex (a million-row fill: 1.25 s → 1.65 s). Fifty
    rows per statement make those costs fifty times rarer (1.17 s, cache full or not).
    """

    def __init__(self, conn: Connection, table: str, cells: int) -> None:
        self.conn, self.width = conn, cells + 4
        self.per_insert = max(1, min(ROWS_PER_INSERT, MAX_BOUND // self.width))
        one = "(" + ", ".join("?" for _ in range(self.width)) + ")"
        head = f'INSERT INTO "{table}" ({_names(cells)}, _line, _key, _blank, _day) VALUES '
        self.one_sql = head + one
        self.many_sql = head + ", ".join([one] * self.per_insert)

    def insert(self, rows: Iterable[Sequence[Any]] | ColumnBlock) -> None:
        # One stream of values, row after row, so every row must be `width` long: the
        # strict zip of a column block makes it so; a list of rows is measured.
        if isinstance(rows, ColumnBlock):
            if len(rows.columns) != self.width:
                raise RuntimeError(f"a block of {len(rows.columns)} columns for {self.width}")
            values, size = chain.from_iterable(rows.rows()), len(rows.columns[0])
        elif isinstance(rows, list) and _all_of_width(rows, self.width):
            values, size = chain.from_iterable(rows), len(rows)
        else:  # a row of another width fails its own statement, as it always did
            self.conn.executemany(self.one_sql, rows)
            return
        statements = size // self.per_insert
        many = zip(*[values] * (self.width * self.per_insert), strict=False)
        self.conn.executemany(self.many_sql, islice(many, statements))
        self.conn.executemany(self.one_sql, zip(*[values] * self.width, strict=False))


def _all_of_width(rows: list[Sequence[Any]], width: int) -> bool:
    return bool(rows) and min(map(len, rows)) == width == max(map(len, rows))


class KeyIndex:
    """The ``_key`` index (distinct and duplicate keys, lookups by key), built by one sort
    once the rows are in, or as soon as they pass ``KEY_INDEX_SORT_ROWS``.

    A sort costs ~0.6 s per million rows where keeping the index during the fill costs
    ~1.5 s (each row a B-tree insert at a random place). But SQLite's sorter holds the
    whole sort in memory when ``temp_store = MEMORY`` (SQLCipher never encrypts temp
    files, so it must), so a population past the threshold gets its index at that point
    (a bounded sort) and every later row is inserted into it as it comes (5M rows
    sorted at once took > 300 MB; issue 9).
    """

    def __init__(self, conn: Connection, table: str, fill_cache_kib: int) -> None:
        self.conn, self.table, self.built = conn, table, False
        self.fill_cache_kib = fill_cache_kib  # the page cache the fill goes on with

    def grown(self, rows: int, *, done: bool = False) -> None:
        if not self.built and (done or rows >= KEY_INDEX_SORT_ROWS):
            # The sort holds every key in memory: the page cache hands it its memory first
            # (a million-row import's peak RSS 135 MB → 110 MB, same time overall: the
            # dirty pages it writes out here the commit no longer has to).
            self.conn.execute(f"PRAGMA cache_size = -{KEY_INDEX_CACHE_KIB}")
            self.conn.execute(f'CREATE INDEX "{self.table}_key" ON "{self.table}"(_key)')
            self.conn.execute(f"PRAGMA cache_size = -{self.fill_cache_kib}")
            self.built = True


def _names(n: int) -> str:
    return ", ".join(f"c{i}" for i in range(n))
