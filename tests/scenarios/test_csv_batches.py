"""The bulk import's block reader gives exactly what the row reader gives: rows, lines, errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockaudit.errors import InputError
from mockaudit.scenarios.csv_reader import open_csv, row_batches
from mockaudit.scenarios.json_reader import open_json_rows

LABEL = "populations/x.csv"
ATOMS = [b",", b";", b'"', b"\n", b"\r", b"\r\n", b"a", b"id", b" ", b"  \n", b"\xff", b"\x00"]
ATOMS += [b'"x\ny"', b'"p\r\nq"', b"\n\n", b"\xef\xbb\xbf", b"1,2", b"1,2,3"]
Outcome = tuple[str, object]


def _outcome(read: Callable[[], object]) -> Outcome:
    try:
        return "rows", read()
    except InputError as exc:
        return "error", exc.message


def _flat(path: Path, size: int) -> list[tuple[int, list[str]]]:
    table = open_csv(path, LABEL)
    return [
        (line, cells)
        for lines, rows in table.batches(size)
        for line, cells in zip(lines, rows, strict=True)
    ]


def _same_as_rows(path: Path, size: int) -> None:
    try:
        table = open_csv(path, LABEL)
    except InputError:
        return
    assert _outcome(lambda: _flat(path, size)) == _outcome(lambda: list(table.rows()))


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=200), st.lists(st.sampled_from(ATOMS), max_size=60).map(b"".join)
    ),
    size=st.integers(1, 5),
)
def test_blocks_match_rows_on_any_bytes(tmp_path: Path, data: bytes, size: int) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,name\n" + data)
    _same_as_rows(path, size)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='ab ,;"\r\n\t\u2028', max_size=5), min_size=3, max_size=3),
        max_size=12,
    ),
    blanks=st.lists(st.integers(0, 12), max_size=4),
    size=st.integers(1, 4),
)
def test_multiline_cells_and_blank_lines_keep_their_line_numbers(
    tmp_path: Path, rows: list[list[str]], blanks: list[int], size: int
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(["a", "b", "c"])
    lines = buffer.getvalue().splitlines(keepends=True)
    for cells in rows:
        one = io.StringIO(newline="")
        csv.writer(one, lineterminator="\n").writerow(cells)
        lines.append(one.getvalue())
    for position in sorted(blanks, reverse=True):
        lines.insert(min(position + 1, len(lines)), "\n" if position % 2 else "   \r\n")
    path = tmp_path / "x.csv"
    path.write_text("".join(lines), encoding="utf-8", newline="")
    _same_as_rows(path, size)


def test_a_ragged_row_in_a_later_block_is_named_like_rows_names_it(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n" + "1,2\n" * 10 + "1\n" + '"never closed\n')
    table = open_csv(path, LABEL)
    try:
        _flat(path, 3)
    except InputError as exc:
        assert exc.message == f"{LABEL} line 12: 1 fields, header has 2"
    else:
        raise AssertionError("the ragged row was accepted")
    assert table.header == ["a", "b"]


def test_other_tables_are_chunked_with_fresh_cell_lists(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('[{"id": "1", "n": "a"}, {"id": "2"}, {"id": "3", "n": "c"}]')
    table = open_json_rows(path)
    blocks = list(row_batches(table, 2))
    assert [len(rows) for _, rows in blocks] == [2, 1]
    flat = [
        (line, cells) for lines, rows in blocks for line, cells in zip(lines, rows, strict=True)
    ]
    assert flat == list(table.rows())
    blocks[0][1][0].append("extended")  # the importer extends the lists it is given
    assert list(table.rows())[0][1] == ["1", "a"]
