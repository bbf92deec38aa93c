"""Read the objects of a JSON export one at a time, however it was paginated.

Real exports arrive as one array (``gh pr list --json``), as pages concatenated
by ``gh api --paginate`` (``[...][...]``) or by a shell loop over the Okta or AWS
APIs (``{"BackupJobs": [...], "NextToken": ...}{...}``), or as JSON lines. All
of them yield the same objects here; memory holds one array element (or, for a
wrapped page, one page) at a time, never the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockaudit.errors import InputError

CHUNK = 1 << 16
_DECODER = json.JSONDecoder()


def json_objects(path: Path, list_keys: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Every object of the export; a wrapped page yields the elements of its ``list_keys``."""
    reader = _Reader(path)
    while reader.skip_space():
        if reader.peek() == "[":
            reader.take(1)
            yield from _elements(reader)
        else:
            value = reader.value()
            yield from _unwrap(path, value, list_keys)


def _elements(reader: _Reader) -> Iterator[dict[str, Any]]:
    first = True
    while True:
        if not reader.skip_space():
            raise InputError(f"{reader.path.name}: the JSON array is not closed")
        if reader.peek() == "]":
            reader.take(1)
            return
        if not first:
            if reader.peek() != ",":
                raise InputError(f"{reader.path.name}: expected ',' between array elements")
            reader.take(1)
            reader.skip_space()
        first = False
        value = reader.value()
        if not isinstance(value, dict):
            raise InputError(f"{reader.path.name}: array elements must be objects")
        yield value


def _unwrap(path: Path, value: object, list_keys: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        for key in list_keys:
            inner = value.get(key)
            if isinstance(inner, list):
                yield from (item for item in inner if isinstance(item, dict))
                return
        yield value
        return
    raise InputError(f"{path.name}: expected JSON objects or arrays of objects")


class _Reader:
    """A window on the file: enough text to decode the next value, refilled as needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fh = open(path, encoding="utf-8-sig")  # noqa: SIM115 - closed at EOF
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        self._buf = ""
        self._pos = 0
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._fh.read(CHUNK)
        except UnicodeDecodeError:
            raise InputError(f"{self.path.name}: not valid UTF-8") from None
        if not chunk:
            self._eof = True
            self._fh.close()
            return False
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def skip_space(self) -> bool:
        """Skip whitespace; False at the end of the file."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return True
            if not self._fill():
                return False

    def peek(self) -> str:
        return self._buf[self._pos]

    def take(self, count: int) -> None:
        self._pos += count

    def value(self) -> Any:
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise InputError(f"{self.path.name}: invalid JSON ({exc.msg})") from None
            if end == len(self._buf) and not self._eof and _may_continue(value):
                if self._fill():
                    continue
            self._pos = end
            return value


def _may_continue(value: object) -> bool:
    """A number or literal at the end of the buffer may be cut short (``12`` of ``123``)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
