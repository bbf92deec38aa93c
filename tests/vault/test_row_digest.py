"""The custody row digest (v2): the same rows give the same digest however the import cut
them into blocks, and any change an analysis could see gives another; v1 events from
older vaults are still recomputed exactly."""

from __future__ import annotations

import hashlib
import random
from typing import Any

import pytest

from mockaudit.vault.row_digest import CHUNK_ROWS, RowDigest, RowSumV1

Row = list[Any]


def _rows(n: int) -> list[Row]:
    """Cells, _line, _key, _blank, _day: a NUL in one cell, undated and blank rows."""
    rows = []
    for i in range(n):
        cell = "x\0y" if i == 7 else ("" if i % 11 == 0 else f"v{i % 13}")
        day = None if i % 5 == 0 else f"2026-01-{1 + i % 28:02d}"
        rows.append([f"K-{i}", cell, "ünïcode ✓", i + 2, f"K-{i}", 2 if not cell else 0, day])
    return rows


def _digest(blocks: list[list[Row]]) -> tuple[int, str]:
    d = RowDigest()
    for block in blocks:
        d.add(block)
    return d.count, d.hexdigest()


def _cut(rows: list[Row], rng: random.Random) -> list[list[Row]]:
    cuts = sorted(rng.sample(range(1, len(rows)), rng.randint(1, 40)))
    return [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]


ROWS = _rows(2 * CHUNK_ROWS + 123)
WHOLE = _digest([ROWS])


def test_block_boundaries_do_not_change_the_digest() -> None:
    rng = random.Random(22)
    for _ in range(25):
        assert _digest(_cut(ROWS, rng)) == WHOLE
    by_columns = RowDigest()
    for block in _cut(ROWS, rng):
        by_columns.add_columns([list(column) for column in zip(*block, strict=True)])
    assert (by_columns.count, by_columns.hexdigest()) == WHOLE
    as_read = [tuple(row) for row in ROWS]  # SQLite returns tuples
    assert (
        _digest([as_read[i : i + CHUNK_ROWS] for i in range(0, len(as_read), CHUNK_ROWS)]) == WHOLE
    )


def _changed(row: int, column: int, value: Any) -> list[Row]:
    rows = [list(r) for r in ROWS]
    rows[row][column] = value
    return rows


@pytest.mark.parametrize(
    "rows",
    [
        _changed(0, 6, ""),  # undated (NULL) made blank text
        _changed(1, 5, "0"),  # an int made text
        _changed(1, 3, 3.0),  # an int made a float
        _changed(2, 1, b"v2"),  # a cell made a BLOB
        _changed(7, 1, "x\0z"),  # inside the cell holding NUL
        _changed(8, 1, "v8\0"),  # a NUL appended: cell boundaries must not move
        _changed(CHUNK_ROWS + 5, 2, "unicode ✓"),
        ROWS[:-1],
        ROWS[:3] + [ROWS[4], ROWS[3]] + ROWS[5:],
        ROWS + [ROWS[-1]],
    ],
    ids=[
        "null-to-blank", "int-to-text", "int-to-float", "text-to-blob", "nul-cell-edited",
        "nul-appended", "accent-dropped", "row-deleted", "rows-swapped", "row-duplicated",
    ],
)  # fmt: skip
def test_every_change_an_analysis_could_see_changes_the_digest(rows: list[Row]) -> None:
    assert _digest([rows]) != WHOLE


def test_cells_joined_differently_do_not_collide() -> None:
    a = [["a\0", "b", 1, "k", 0, None]]
    b = [["a", "\0b", 1, "k", 0, None]]
    assert _digest([a]) != _digest([b])


def test_v1_events_are_recomputed_as_older_vaults_recorded_them() -> None:
    """v1 as written before this round: SHA-256 of each row's repr (a list), summed."""
    rows = ROWS[:500]
    total = sum(int.from_bytes(hashlib.sha256(repr(list(r)).encode()).digest()) for r in rows)
    want = hashlib.sha256(b"mockaudit/rows/v1\n" + (total % (1 << 256)).to_bytes(32)).hexdigest()
    v1 = RowSumV1()
    v1.add([tuple(r) for r in rows[:123]])
    v1.add(rows[123:])
    assert (v1.count, v1.hexdigest()) == (500, want)
