"""Fuzzing the population readers and the population import (issue 9 acceptance 4).

tests/scenarios already throws short random byte strings at both readers; this goes
further with *mutations of valid files* and *differential oracles*:

* CSV: whenever ``open_csv`` accepts a mutated population file, its rows must be what
  Python's own csv module reads from the same text (the reader's fast C path and its
  careful line-by-line path must agree with it), and a long-line limit cut to 64 bytes
  must reject rather than mis-read.
* JSON: whenever the streaming reader accepts a mutated array, its table must be what
  ``json.loads`` of the whole text gives, and must not depend on the chunk size it reads
  with (1, 7 or 64 KiB bytes: a UTF-8 character, a BOM or a token split across chunks).
* Import: mutated files imported into a real vault either replace the population with
  exactly the rows the oracle reads, or fail with a one-line error leaving the
  population and the evidence as they were.

Property everywhere: no exception but InputError (MockauditError for the import), one
line each, and no hang.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from mockaudit.errors import InputError, MockauditError
from mockaudit.scenarios import csv_reader, json_reader
from mockaudit.scenarios.csv_reader import open_csv
from mockaudit.scenarios.json_reader import open_json_rows
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.fuzz.oracles import csv_oracle, json_oracle
from tests.fuzz.profile import EXAMPLES, assert_one_line, fuzz

pytestmark = pytest.mark.crash  # counts scale up under make soak

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"
CHANGES = (FIXTURE / "populations" / "changes.csv").read_bytes()
TERMINATIONS = (FIXTURE / "populations" / "terminations.csv").read_bytes()
LABEL = "populations/fuzz.csv"
PIECES = [
    b",",
    b";",
    b"\t",
    b'"',
    b'""',
    b"\n",
    b"\r",
    b"\r\n",
    b" ",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\xc3",
    b"\xc3\xa9",
    b"\xe2\x80\xae",
    b"=cmd|' /C calc'!A0",
    b"2026-02-30",
    b"PR-1",
    b"x" * 200,
]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-tables")


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nfuzz examples (tables): {dict(sorted(EXAMPLES.items()))}")


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    """A valid population file with a few byte-level and structural edits."""
    lines = draw(st.sampled_from([CHANGES, TERMINATIONS])).split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["insert", "replace", "drop", "dup", "cells", "cut"]))
        line = lines[at]
        if action == "insert":
            i = draw(st.integers(0, len(line)))
            lines[at] = line[:i] + draw(st.sampled_from(PIECES)) + line[i:]
        elif action == "replace" and line:
            i = draw(st.integers(0, len(line) - 1))
            lines[at] = line[:i] + draw(st.binary(min_size=1, max_size=3)) + line[i + 1 :]
        elif action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "dup":
            lines.insert(at, line)
        elif action == "cells":
            lines[at] = b",".join(draw(st.lists(st.sampled_from(PIECES), max_size=12)))
        else:
            i = draw(st.integers(0, max(0, len(line) - 1)))
            lines[at:] = [line[:i]]
    return b"\n".join(lines)


# ----- CSV -----


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], str]:
    table = open_csv(path, LABEL)
    return table.header, [cells for _, cells in table.rows()], table.delimiter


@fuzz(ci=400)
@given(st.one_of(mutated_csv(), st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)))
def test_csv_reader_agrees_with_the_csv_module(scratch: Path, data: bytes) -> None:
    EXAMPLES["csv_reader (differential)"] += 1
    path = scratch / "fuzz.csv"
    path.write_bytes(data)
    try:
        header, rows, delimiter = _read_csv(path)
    except InputError as exc:
        text = assert_one_line(exc)
        event("rejected")
        assert text.startswith(LABEL), text
        return
    oracle = csv_oracle(data, delimiter)
    assert oracle is not None, "the reader accepted a file the csv module cannot read"
    assert [c.strip() for c in oracle[0]] == header
    assert rows == oracle[1:], "rows differ from what the csv module reads"
    # Lone CRs included (test_lone_carriage_return_errors_name_the_right_line): the careful
    # path gives the same records starting on the same lines.
    careful = list(csv_reader._records(io.BytesIO(data), LABEL, delimiter))
    assert [c for _, c in careful[1:]] == rows, "the fast and the careful path disagree"
    fast_lines = [line for line, _ in csv_reader.open_csv(path, LABEL).rows()]
    assert [line for line, _ in careful[1:]] == fast_lines, "they number lines differently"


@fuzz(ci=200)
@given(mutated_csv())
def test_csv_long_lines_are_refused_not_misread(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    EXAMPLES["csv_reader (64-byte line limit)"] += 1
    monkeypatch.setattr(csv_reader, "MAX_LINE_BYTES", 64)
    path = scratch / "long.csv"
    path.write_bytes(data)
    try:
        header, rows, delimiter = _read_csv(path)
    except InputError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    oracle = csv_oracle(data, delimiter)
    assert oracle is not None and rows == oracle[1:]


# ----- JSON -----


def _json_rows(path: Path, data: bytes) -> list[dict[str, str]]:
    path.write_bytes(data)
    table = open_json_rows(path, "populations/fuzz.json")
    return [dict(zip(table.header, cells, strict=True)) for _, cells in table.rows()]


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["Zoë", "\u202e", "=1+1", "a\nb", "\ud800x"]),
)
json_values = st.recursive(
    json_scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=8,
)


@st.composite
def json_arrays(draw: st.DrawFn) -> bytes:
    """Arrays of (mostly flat) objects, serialised with varied spacing, then maybe mutated."""
    rows = draw(
        st.lists(
            st.one_of(
                st.dictionaries(
                    st.sampled_from(["id", "a", "b", " ", "é", ""]), json_scalars, max_size=4
                ),
                json_values,
            ),
            max_size=6,
        )
    )
    indent = draw(st.sampled_from([None, 0, 1, 3]))
    text = json.dumps(rows, indent=indent, ensure_ascii=draw(st.booleans()))
    data = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b" \n"])) + text.encode(
        "utf-8", "surrogatepass"
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        edit = draw(
            st.sampled_from(
                [
                    b",",
                    b"]",
                    b"[",
                    b"{",
                    b"}",
                    b'"',
                    b":",
                    b"\n",
                    b"\xc3",
                    b"\x00",
                    b"1e999",
                    b"NaN",
                    b"-",
                    b"",
                    b" x",
                ]
            )
        )
        data = data[:at] + edit + data[at + draw(st.integers(0, 2)) :]
    return data


@fuzz(ci=400)
@given(json_arrays(), st.sampled_from([1, 7, json_reader.CHUNK_BYTES]))
def test_json_reader_agrees_with_json_loads_at_any_chunk_size(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, chunk: int
) -> None:
    EXAMPLES["json_reader (differential)"] += 1
    monkeypatch.setattr(json_reader, "CHUNK_BYTES", chunk)
    try:
        got = _json_rows(scratch / "fuzz.json", data)
    except InputError as exc:
        text = assert_one_line(exc)
        event("rejected")
        assert text.startswith("populations/fuzz.json"), text
        assert json_oracle(data) is None or len(data) > json_reader.MAX_ELEMENT_CHARS, (
            f"the reader refused a valid table: {text}"
        )
        return
    oracle = json_oracle(data)
    assert oracle is not None, "the reader accepted what json.loads does not read as a table"
    header = list(dict.fromkeys(k for row in oracle for k in row))
    assert got == [{k: row.get(k, "") for k in header} for row in oracle]


# ----- the import into a vault -----


@pytest.fixture(scope="module")
def vault(scratch: Path) -> Iterator[Session]:
    folder = scratch / "vault"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(FIXTURE)
        yield s
        report = s.verify(full=True)
        assert report.ok, report.problems


def _population(s: Session) -> tuple[Any, ...]:
    [table] = [t for t in s.populations() if t.population_id == "changes"]
    rows = [tuple(r.values.items()) for r in s.population_page("changes", 0, 10_000)]
    return (
        table.source_sha256,
        table.row_count,
        tuple(rows),
        len(s.list_evidence()),
        s.vault.tree_size(),
    )


@fuzz(ci=120)
@given(mutated_csv())
def test_population_import_is_all_or_nothing(vault: Session, scratch: Path, data: bytes) -> None:
    EXAMPLES["import_population (end to end)"] += 1
    path = scratch / "import.csv"
    path.write_bytes(data)
    before = _population(vault)
    try:
        done = vault.import_population("changes", file=path)
    except MockauditError as exc:
        assert_one_line(exc)
        assert _population(vault) == before, "a refused import changed the population"
        return
    oracle = csv_oracle(data, open_csv(path, LABEL).delimiter)
    assert oracle is not None and done.rows == len(oracle) - 1
    assert _population(vault)[1] == done.rows


def test_a_long_header_is_not_echoed_whole(vault: Session, scratch: Path) -> None:
    """Regression (fuzz): a header that lacks a needed column was listed in full in the
    message ("columns are: …"), however long its names."""
    path = scratch / "wide.csv"
    path.write_bytes(b",".join(b"col%d_" % i + b"x" * 300 for i in range(50)) + b"\n1\n")
    with pytest.raises(InputError, match="no column 'pr_id'") as caught:
        vault.import_population("changes", file=path)
    assert_one_line(caught.value, limit=400 + len(str(path)))


def test_lone_carriage_return_errors_name_the_right_line(scratch: Path) -> None:
    """Found by the differential fuzzer: the fast path reads a lone CR as a row break, the
    careful path (which words every error) calls it "new-line character seen in unquoted
    field". So a file whose real problem is an unclosed quote on line 5 was reported as
    malformed on line 2, the line of a harmless CR. Both now read a lone CR as a line end."""
    path = scratch / "cr.csv"
    path.write_bytes(b'a,b\r\n\r1,2\r\n3,4\r\n5,"6\r\n')
    with pytest.raises(InputError) as caught:
        list(open_csv(path, LABEL).rows())
    assert "line 2" not in caught.value.message, caught.value.message
    assert "line 5" in caught.value.message, caught.value.message
