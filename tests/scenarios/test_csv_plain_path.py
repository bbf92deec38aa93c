"""A file with no quote and no CR is split with ``str.split`` — and reads exactly as csv reads it.

The plain path decodes a chunk at a time; small chunks here put chunk boundaries
inside multi-byte characters' lines, at BOMs, blank lines and a missing last newline.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockaudit.errors import InputError
from mockaudit.scenarios import csv_reader
from mockaudit.scenarios.csv_reader import open_csv

LABEL = "populations/x.csv"
CHUNK = 16
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Quote-free, CR-free pieces: delimiters, spaces, blank lines, multi-byte text, a stray BOM.
PIECES = ["a", "id", "1", ",", ";", "\t", " ", "  ", "\n", "\n\n", "é", "€", "😀", "\ufeff", "x,y"]


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader, "PLAIN_CHUNK", CHUNK)


@pytest.fixture
def field_limit() -> Iterator[None]:
    previous = csv.field_size_limit(6)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _outcome(path: Path, size: int) -> tuple[object, object]:
    """(what batches() gives, what rows() — the csv path — gives), rows or error message."""
    table = open_csv(path, LABEL)

    def blocks() -> object:
        return [
            (line, cells)
            for lines, rows in table.batches(size)
            for line, cells in zip(lines, rows, strict=True)
        ]

    def read(fn: Callable[[], object]) -> object:
        try:
            return fn()
        except InputError as exc:
            return exc.message

    return read(blocks), read(lambda: list(table.rows()))


def _plain_file(tmp_path: Path, body: str, bom: bool, lead: str = "") -> Path | None:
    path = tmp_path / "x.csv"
    data = (b"\xef\xbb\xbf" if bom else b"") + (lead + "id,name\n" + body).encode()
    path.write_bytes(data)
    with path.open("rb") as raw:
        if not csv_reader._byte_facts(raw)[1]:
            return None  # a line longer than a chunk: not plain (covered elsewhere)
    return path


@SETTINGS
@given(
    body=st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    bom=st.booleans(),
    lead=st.sampled_from(["", "\n", "  \n\n"]),  # blank lines before the header
    size=st.integers(1, 4),
)
def test_plain_files_read_as_csv_reads_them(
    tmp_path: Path, body: str, bom: bool, lead: str, size: int
) -> None:
    path = _plain_file(tmp_path, body, bom, lead)
    if path is not None:
        got, want = _outcome(path, size)
        assert got == want


@SETTINGS
@given(
    body=st.lists(st.sampled_from(["abc", "abcdef", "abcdefg", ",", "\n"]), max_size=20).map(
        "".join
    ),
    size=st.integers(1, 3),
)
def test_a_cell_over_the_csv_field_limit_is_refused_like_csv_refuses_it(
    tmp_path: Path, field_limit: None, body: str, size: int
) -> None:
    path = _plain_file(tmp_path, body, bom=False)
    if path is not None:
        got, want = _outcome(path, size)
        assert got == want


def test_a_plain_file_takes_the_split_path_and_a_quoted_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    split = csv_reader._split_lines

    def spy(lines: list[str], delimiter: str, limit: int) -> list[list[str]]:
        calls.append(len(lines))
        return split(lines, delimiter, limit)

    monkeypatch.setattr(csv_reader, "_split_lines", spy)
    plain = tmp_path / "plain.csv"
    plain.write_text("id,name\n1,a\n2,b\n")
    assert [rows for _, rows in open_csv(plain).batches()] == [[["1", "a"], ["2", "b"]]]
    assert calls == [3]
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('id,name\n1,"a"\n')
    assert [rows for _, rows in open_csv(quoted).batches()] == [[["1", "a"]]]
    assert calls == [3]


def test_a_bad_byte_in_a_later_chunk_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,name\n" + b"1,a\n" * 20 + b"2,\xff\n")
    with pytest.raises(InputError) as caught:
        for _ in open_csv(path, LABEL).batches(4):
            pass
    assert caught.value.message.startswith(f"{LABEL} line 22: not valid UTF-8")
