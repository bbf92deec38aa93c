"""The streaming CSV reader: real-world CSV quirks parse; broken files fail naming the line."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockaudit.errors import InputError
from mockaudit.scenarios.csv_reader import open_csv, read_header, sniff_delimiter

LABEL = "populations/x.csv"
CSV_ATOMS = [b",", b";", b"\t", b'"', b"\n", b"\r", b"\r\n", b"a", b"id", b" ", b"\xff", b"\xc3"]
CSV_ATOMS += [b"\xc3\xa9", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe"]


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    return path


def read_all(path: Path) -> list[tuple[int, list[str]]]:
    return list(open_csv(path, LABEL).rows())


def test_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfid,name\n1,a\n")
    assert read_header(path) == ["id", "name"]
    assert read_all(path) == [(2, ["1", "a"])]


def test_quoted_newlines_keep_line_numbers_right(tmp_path: Path) -> None:
    data = b'id,note\r\n1,"two\r\nlines"\r\n2,"three\nphysical\nlines"\n3,plain\n'
    assert read_all(write(tmp_path, data)) == [
        (2, ["1", "two\r\nlines"]),
        (4, ["2", "three\nphysical\nlines"]),
        (7, ["3", "plain"]),
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    d = delimiter.encode()
    path = write(tmp_path, b"id" + d + b"name" + d + b"when\n1" + d + b'"a, b; c"' + d + b"x\n")
    table = open_csv(path, LABEL)
    assert table.delimiter == delimiter
    assert table.header == ["id", "name", "when"]
    assert list(table.rows()) == [(2, ["1", "a, b; c", "x"])]


def test_sniffing_ignores_delimiters_inside_quotes() -> None:
    assert sniff_delimiter('"a;b;c",d\n') == ","
    assert sniff_delimiter("single\n") == ","


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    data = b"\n\nid,name\n\n1,a\r\n\r\n   \n2,b\n\n"
    table = open_csv(write(tmp_path, data), LABEL)
    assert table.header == ["id", "name"]
    assert list(table.rows()) == [(5, ["1", "a"]), (8, ["2", "b"])]


def test_ragged_row_names_its_line(tmp_path: Path) -> None:
    data = b"a,b,c\n1,2,3\n1,2\n"
    with pytest.raises(InputError, match=r"^populations/x.csv line 3: 2 fields, header has 3$"):
        read_all(write(tmp_path, data))


def test_ragged_row_after_quoted_newline_names_its_first_line(tmp_path: Path) -> None:
    data = b'a,b\n"x\ny",1\n"p\nq",1,extra\n'
    with pytest.raises(InputError, match=r"line 4: 3 fields, header has 2"):
        read_all(write(tmp_path, data))


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    data = b"id,name\n1,ok\n2,Jos\xe9\n"  # Latin-1 é
    with pytest.raises(InputError) as caught:
        read_all(write(tmp_path, data))
    assert caught.value.message.startswith("populations/x.csv line 3: not valid UTF-8")


def test_nul_byte_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 2: contains a NUL byte"):
        read_all(write(tmp_path, b"id,name\n1,a\x00b\n"))


def test_utf16_file_gets_a_useful_message(tmp_path: Path) -> None:
    data = "id,name\n1,a\n".encode("utf-16")
    with pytest.raises(InputError, match="UTF-16; save it as UTF-8"):
        open_csv(write(tmp_path, data), LABEL)


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_has_no_header(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match=r"^populations/x.csv: empty file, expected a header row$"):
        open_csv(write(tmp_path, data), LABEL)


def test_duplicate_header_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r'header names "id" twice \(columns 1 and 3\)'):
        open_csv(write(tmp_path, b"id,name, id\n"), LABEL)


def test_empty_header_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 1: header column 2 has no name"):
        open_csv(write(tmp_path, b"id,,name\n"), LABEL)


def test_unterminated_quote_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 3: malformed CSV"):
        read_all(write(tmp_path, b'id,name\n1,a\n2,"never closed\n'))


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    assert read_all(write(tmp_path, b"id,name\r\n")) == []


def test_rows_can_be_iterated_twice(tmp_path: Path) -> None:
    table = open_csv(write(tmp_path, b"id\n1\n2\n"), LABEL)
    assert list(table.rows()) == list(table.rows()) == [(2, ["1"]), (3, ["2"])]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        open_csv(tmp_path / "nope.csv", LABEL)
    with pytest.raises(InputError, match="is a directory"):
        open_csv(tmp_path, LABEL)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(CSV_ATOMS), max_size=80).map(b"".join),
    )
)
def test_arbitrary_bytes_parse_or_raise_input_error(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    try:
        table = open_csv(path, LABEL)
        for line, cells in table.rows():
            assert line >= 2
            assert len(cells) == len(table.header)
    except InputError as exc:
        assert "\n" not in exc.message


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.lists(
            st.text(
                alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                max_size=8,
            ),
            min_size=3,
            max_size=3,
        ),
        max_size=6,
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_csv_written_by_the_csv_module_reads_back(
    tmp_path: Path, rows: list[list[str]], delimiter: str
) -> None:
    """Whatever Python's csv writer produces (quotes, newlines, delimiters in cells) round-trips.

    NUL is left out on purpose: the reader refuses it as a sign of a binary or UTF-16 file.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    path = write(tmp_path, buffer.getvalue().encode("utf-8"))
    got = [cells for _line, cells in open_csv(path, LABEL).rows()]
    assert got == rows


RSS_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from mockaudit.scenarios.csv_reader import open_csv
    path, rows = Path(sys.argv[1]), int(sys.argv[2])
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,author,approver,merged_at,note\\n")
        for i in range(rows):
            fh.write(f'PR-{i},user{i % 97},user{i % 89},2026-03-01T10:00:00Z,"note, {i}"\\n')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = sum(1 for _ in open_csv(path).rows())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(count, before, after)
    """
)


def _peak_rss_growth_kib(tmp_path: Path, rows: int) -> tuple[int, int, int]:
    result = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(tmp_path / "big.csv"), str(rows)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    count, before, after = (int(x) for x in result.stdout.split())
    return count, before, after


def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    count, before, after = _peak_rss_growth_kib(tmp_path, 100_000)
    assert count == 100_000
    assert after - before < 20 * 1024  # KiB: iterating adds well under 20 MiB to peak RSS


@pytest.mark.soak
def test_one_million_rows_in_bounded_memory(tmp_path: Path) -> None:
    count, before, after = _peak_rss_growth_kib(tmp_path, 1_000_000)
    assert count == 1_000_000
    assert after - before < 20 * 1024
