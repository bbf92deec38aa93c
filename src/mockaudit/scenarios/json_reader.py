"""Read a JSON array of flat objects as a table, streaming, with line numbers.

Some systems export populations as JSON (``[{"pr_id": 1, ...}, ...]``). The
array is decoded one element at a time from a bounded text buffer, so memory
does not grow with the file; each row reports the line its object starts on.
Numbers keep their exact text (``12.50`` stays ``12.50``), booleans become
``true``/``false`` and null becomes an empty cell, as they would in a CSV.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NoReturn, cast

from mockaudit.errors import InputError

CHUNK_BYTES = 64 * 1024
MAX_ELEMENT_CHARS = 16 * 1024 * 1024
"""An array element larger than this is refused: it bounds memory on a malformed file."""

_WHITESPACE = re.compile(r"[ \t\r\n]+")


class _Pairs(list[tuple[str, object]]):
    """A decoded JSON object as its key/value pairs, so repeated keys can be caught."""


class JsonTable:
    """A JSON array of flat objects seen as a table: header = keys in first-seen order."""

    delimiter: str | None = None

    def __init__(self, path: Path, label: str, header: list[str]) -> None:
        self.path = path
        self.label = label
        self.header = header

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(line, cells)`` per object, cells in header order; a missing key is ``""``."""
        for _index, line, cells in _flat_objects(self.path, self.label):
            yield line, [cells.get(name, "") for name in self.header]


def open_json_rows(path: Path, label: str | None = None) -> JsonTable:
    """Read the array once to learn its columns (the union of keys, first-seen order)."""
    name = label if label is not None else str(path)
    columns: dict[str, None] = {}
    for _index, _line, cells in _flat_objects(path, name):
        columns.update(dict.fromkeys(cells))
    return JsonTable(path, name, list(columns))


def _flat_objects(path: Path, label: str) -> Iterator[tuple[int, int, dict[str, str]]]:
    for index, line, value in _ArrayReader(path, label):
        yield index, line, _flatten(label, index, line, value)


def _flatten(label: str, index: int, line: int, value: object) -> dict[str, str]:
    if type(value) is _Pairs:
        fast: dict[str, object] = dict(value)
        # Fast path (most rows): distinct non-blank keys, every value a string or number.
        if len(fast) == len(value) and all(type(v) is str and k.strip() for k, v in value):
            return cast(dict[str, str], fast)
    where = f"{label} line {line} (index {index})"
    if not isinstance(value, _Pairs):
        raise InputError(f"{where}: expected an object, got {_kind(value)}")
    cells: dict[str, str] = {}
    for key, item in value:
        if not key.strip():
            raise InputError(f"{where}: empty key")
        if key in cells:
            raise InputError(f'{where}: key "{key}" appears twice')
        if isinstance(item, _Pairs | list):
            raise InputError(f'{where}: key "{key}" holds {_kind(item)}; rows must be flat')
        cells[key] = _cell(item)
    return cells


def _cell(item: object) -> str:
    if item is None:
        return ""
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)


def _kind(value: object) -> str:
    if isinstance(value, _Pairs):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a scalar"


class _ArrayReader:
    """Decode ``[elem, elem, ...]`` from a file one element at a time.

    Text is decoded from bytes in chunks (strict UTF-8, errors name the line),
    kept in a buffer that is trimmed as elements are consumed. ``line`` tracks
    the line number of ``pos`` incrementally, so it costs nothing per element.
    """

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self.decoder = json.JSONDecoder(
            object_pairs_hook=_Pairs, parse_int=str, parse_float=str, parse_constant=str
        )

    def __iter__(self) -> Iterator[tuple[int, int, object]]:
        try:
            fh = self.path.open("rb")
        except OSError as exc:
            raise InputError(f"{self.label}: cannot read ({exc.strerror or exc})") from None
        with fh:
            self._reset(fh)
            yield from self._elements()

    def _reset(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.pending = b""
        self.bytes_lines = 0  # newlines in the bytes decoded so far, for decode errors
        self.first_chunk = True
        self.eof = False

    def _elements(self) -> Iterator[tuple[int, int, object]]:
        if self._next_char() != "[":
            raise InputError(f"{self.label}: expected a JSON array of objects")
        self._advance(self.pos + 1)
        index = 0
        if self._next_char() == "]":
            self._advance(self.pos + 1)
            self._expect_end()
            return
        while True:
            self._next_char()
            start_line = self.line
            value = self._decode_element()
            yield index, start_line, value
            index += 1
            separator = self._next_char()
            self._advance(self.pos + 1)
            if separator == "]":
                self._expect_end()
                return
            if separator != ",":
                self._fail_at(f"expected ',' or ']' after element {index - 1}")

    def _decode_element(self) -> object:
        self._next_char()
        want = CHUNK_BYTES
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    line = self.line + self.buf.count("\n", self.pos, exc.pos)
                    raise InputError(
                        f"{self.label} line {line}: invalid JSON ({exc.msg})"
                    ) from None
                if len(self.buf) - self.pos > MAX_ELEMENT_CHARS:
                    self._fail_at(f"array element larger than {MAX_ELEMENT_CHARS} characters")
                want *= 2  # grow geometrically: re-parsing a big element stays linear
                self._fill(want)
                continue
            except RecursionError:
                self._fail_at("JSON nested too deeply")
            if end - self.pos > MAX_ELEMENT_CHARS:
                self._fail_at(f"array element larger than {MAX_ELEMENT_CHARS} characters")
            self._advance(end)
            return value

    def _next_char(self) -> str:
        """Skip whitespace (reading more as needed); the next character, or "" at the end."""
        while True:
            match = _WHITESPACE.match(self.buf, self.pos)
            if match is not None:
                self._advance(match.end())
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof:
                return ""
            self._fill(CHUNK_BYTES)

    def _expect_end(self) -> None:
        if self._next_char():
            self._fail_at("unexpected data after the array")

    def _advance(self, new_pos: int) -> None:
        self.line += self.buf.count("\n", self.pos, new_pos)
        self.pos = new_pos

    def _fail_at(self, problem: str) -> NoReturn:
        raise InputError(f"{self.label} line {self.line}: {problem}")

    def _fill(self, size: int) -> None:
        """Drop consumed text and append the next decoded chunk."""
        self.buf = self.buf[self.pos :]
        self.pos = 0
        # The first read takes at least 3 bytes so a UTF-8 BOM is never split.
        chunk = self.fh.read(max(size, 3) if self.first_chunk else size)
        if not chunk:
            self.eof = True
            if self.pending:
                self._decode_error(self.pending, 0)
            return
        if self.first_chunk:
            self.first_chunk = False
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")
        data = self.pending + chunk
        self.pending = b""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            incomplete_tail = exc.end == len(data) and len(data) - exc.start < 4
            if not incomplete_tail:
                self._decode_error(data, exc.start)
            self.pending = data[exc.start :]
            data = data[: exc.start]
            text = data.decode("utf-8")
        if "\0" in text:
            where = self.bytes_lines + data.split(b"\0", 1)[0].count(b"\n") + 1
            raise InputError(f"{self.label} line {where}: contains a NUL byte")
        self.bytes_lines += data.count(b"\n")
        self.buf += text

    def _decode_error(self, data: bytes, start: int) -> NoReturn:
        line = self.bytes_lines + data[:start].count(b"\n") + 1
        raise InputError(f"{self.label} line {line}: not valid UTF-8")
