"""The JSON population reader: flat object arrays become tables; anything else is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockaudit.errors import InputError
from mockaudit.scenarios import json_reader
from mockaudit.scenarios.json_reader import open_json_rows

LABEL = "populations/x.json"


def write(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / "x.json"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


SAMPLE = """\ufeff[
  {"id": 1, "amount": 12.50, "ok": true, "big": 123456789012345678901234567890},
  {"id": 2, "note": null,
   "name": "Zoë"},
  {"id": 3, "ok": false}
]
"""


@pytest.mark.parametrize("chunk", [json_reader.CHUNK_BYTES, 1, 3, 7])
def test_flat_objects_become_rows_with_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Same result whatever the chunk size, so buffer boundaries (even mid-UTF-8) are safe."""
    monkeypatch.setattr(json_reader, "CHUNK_BYTES", chunk)
    table = open_json_rows(write(tmp_path, SAMPLE), LABEL)
    assert table.header == ["id", "amount", "ok", "big", "note", "name"]
    assert list(table.rows()) == [
        (2, ["1", "12.50", "true", "123456789012345678901234567890", "", ""]),
        (3, ["2", "", "", "", "", "Zoë"]),
        (5, ["3", "", "false", "", "", ""]),
    ]


def test_empty_array_has_no_columns(tmp_path: Path) -> None:
    table = open_json_rows(write(tmp_path, " [ ] \n"), LABEL)
    assert table.header == [] and list(table.rows()) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '[{"a": 1},\n {"a": {"b": 2}}]',
            'line 2 (index 1): key "a" holds an object; rows must be flat',
        ),
        ('[{"a": [1, 2]}]', 'line 1 (index 0): key "a" holds an array; rows must be flat'),
        ('[{"a": 1}, 5]', "line 1 (index 1): expected an object, got a scalar"),
        ('[{"a": 1, "a": 2}]', 'key "a" appears twice'),
        ('[{"": 1}]', "empty key"),
        ('{"a": 1}', "expected a JSON array of objects"),
        ("", "expected a JSON array of objects"),
        ('[{"a": 1}\n\n {"a": 2}]', "line 3: expected ',' or ']' after element 0"),
        ('[{"a": 1},\n{"a" 2}]', "line 2: invalid JSON (Expecting ':' delimiter)"),
        ('[{"a": 1}] x', "unexpected data after the array"),
        ('[{"a": 1},', "invalid JSON"),
        ('[{"a": 1}', "expected ',' or ']'"),
        (b'[{"a": 1},\n{"a": "\xe9"}]', "line 2: not valid UTF-8"),
        (b'[{"a": 1},\n{"a": "\x00"}]', "line 2: contains a NUL byte"),
        ("[" + "[" * 100_000 + "]" * 100_000 + "]", "nested too deeply"),
    ],
)
def test_bad_json_is_one_named_line(tmp_path: Path, text: str | bytes, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        table = open_json_rows(write(tmp_path, text), LABEL)
        list(table.rows())
    assert fragment in caught.value.message
    assert caught.value.message.startswith(LABEL)
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("chunk", [16, 64 * 1024])
def test_huge_element_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Bounds the buffer on a file whose element never ends, whether or not it fits a chunk."""
    monkeypatch.setattr(json_reader, "MAX_ELEMENT_CHARS", 1000)
    monkeypatch.setattr(json_reader, "CHUNK_BYTES", chunk)
    path = write(tmp_path, '[{"a": "' + "x" * 5000 + '"}]')
    with pytest.raises(InputError, match="line 1: array element larger than 1000 characters"):
        open_json_rows(path, LABEL)


def test_many_objects_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_reader, "CHUNK_BYTES", 256)
    objects = [{"id": f"K-{i}", "n": i} for i in range(2000)]
    path = write(tmp_path, "[\n" + ",\n".join(json.dumps(o) for o in objects) + "\n]")
    rows = list(open_json_rows(path, LABEL).rows())
    assert rows[0] == (2, ["K-0", "0"]) and rows[-1] == (2001, ["K-1999", "1999"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.sampled_from(["[", "]", "{", "}", '"a"', ":", ",", "1", "null", "\n", "\xff", '"'])
        ).map("".join),
    )
)
def test_arbitrary_input_parses_or_raises_input_error(tmp_path: Path, data: bytes | str) -> None:
    try:
        table = open_json_rows(write(tmp_path, data), LABEL)
        for _line, cells in table.rows():
            assert len(cells) == len(table.header)
    except InputError as exc:
        assert "\n" not in exc.message
