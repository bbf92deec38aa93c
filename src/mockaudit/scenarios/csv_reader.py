"""Stream population CSVs row by row, with errors that name the file and the line.

Populations can have a million rows, so nothing here reads a whole file: the
file is read one physical line at a time (each decoded as strict UTF-8, so a
bad byte is reported on its own line) and fed to :mod:`csv`. ``rows()`` opens
the file afresh on every call, so a table can be iterated more than once and
holds no file handle between iterations.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from itertools import chain, islice, repeat
from pathlib import Path
from typing import BinaryIO, NoReturn, Protocol

from mockaudit.errors import InputError

DELIMITERS = (",", ";", "\t")
MAX_LINE_BYTES = 16 * 1024 * 1024
"""A physical line longer than this is refused: it bounds memory on a file with no newlines."""

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

BATCH_ROWS = 5000
"""Records per block of ``batches()``."""
PLAIN_CHUNK = 1 << 20
"""Bytes read at a time when scanning a file and when splitting a plain one."""

RowBatch = tuple[Sequence[int], list[list[str]]]
"""A block of rows: each row's first physical line, and the rows' cells (fresh lists)."""


class RowTable(Protocol):
    """What a population reader offers: a header and a re-iterable stream of numbered rows."""

    @property
    def label(self) -> str: ...

    @property
    def header(self) -> list[str]: ...

    def rows(self) -> Iterator[tuple[int, list[str]]]: ...


class CsvTable:
    """A CSV file whose header has been read and checked; rows are read on demand."""

    def __init__(self, path: Path, label: str, header: list[str], delimiter: str) -> None:
        self.path = path
        self.label = label
        self.header = header
        self.delimiter = delimiter

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(line, cells)`` for each data row; ``line`` is the row's first physical line.

        Blank lines are skipped. A row with a different number of fields from
        the header is an :class:`InputError` naming its line.
        """
        width = len(self.header)
        records = _fast_records(self.path, self.label, self.delimiter)
        next(records, None)  # the header, already checked by open_csv
        for line, cells in records:
            if len(cells) != width:
                raise InputError(
                    f"{self.label} line {line}: {len(cells)} fields, header has {width}"
                )
            yield line, cells

    def batches(self, size: int = BATCH_ROWS) -> Iterator[RowBatch]:
        """The rows of ``rows()`` in blocks of up to ``size``: same lines, cells and errors."""
        width = len(self.header)
        header_pending = True  # the first non-blank record is the header open_csv checked
        try:
            for first, last, records in _fast_blocks(self.path, self.label, self.delimiter, size):
                lines = _block_lines(self.label, first, last, records)
                if header_pending or not _regular(records, width):
                    lines, records, header_pending = _checked(
                        self.label, width, lines, records, header_pending
                    )
                if records:
                    yield lines, records
        except _Stumbled:
            for _ in self.rows():  # raises the precise error of the first problem in the file
                pass
            raise InputError(f"{self.label}: malformed CSV") from None


def row_batches(table: RowTable, size: int = BATCH_ROWS) -> Iterator[RowBatch]:
    """Any row table in blocks (CSV files take the fast path; other tables are chunked)."""
    if isinstance(table, CsvTable):
        yield from table.batches(size)
        return
    rows = iter(table.rows())
    while chunk := list(islice(rows, size)):
        yield [line for line, _ in chunk], [list(cells) for _, cells in chunk]


class _Stumbled(Exception):
    """The fast block reader met something wrong; ``rows()`` will say what and where."""


def _fast_blocks(
    path: Path, label: str, delimiter: str, size: int
) -> Iterator[tuple[int, int, list[list[str]]]]:
    """``(lines before, lines after, records)`` per block of raw records, blanks included."""
    with _open(path, label) as raw:
        if raw.read(2) in _UTF16_BOMS:
            raise _Stumbled
        careful, plain = _byte_facts(raw)
        if careful:
            raise _Stumbled
        raw.seek(0)
        if plain:
            yield from _plain_blocks(raw, delimiter, size)
            return
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        previous = 0
        try:
            while records := list(islice(reader, size)):
                first, previous = previous, reader.line_num
                yield first, previous, records
        except (UnicodeDecodeError, csv.Error):
            raise _Stumbled from None


def _byte_facts(raw: BinaryIO) -> tuple[bool, bool]:
    """(needs the careful reader, is plain): one memchr-speed pass over the file's bytes.

    The careful reader (``rows()``) is needed for a NUL or a physical line longer than
    ``MAX_LINE_BYTES``: the fast readers below would buffer such a line whole before
    any limit applied (a 1 GB line cost 2 GB of memory), the careful one stops at the
    limit and names the line.

    A plain file has no quote, no CR and a line break in every full chunk (so no
    line spans more than two chunks). In such a file every record is one line
    and every cell is the text between delimiters, so ``_plain_blocks`` may split
    it with ``str.split`` instead of running :mod:`csv` — same records, same lines.
    """
    raw.seek(0)
    plain = True
    run = _LineRun()
    while chunk := raw.read(PLAIN_CHUNK):
        if b"\0" in chunk or run.too_long(chunk):
            return True, False
        if plain and (
            b'"' in chunk or b"\r" in chunk or (len(chunk) == PLAIN_CHUNK and b"\n" not in chunk)
        ):
            plain = False
    return False, plain


class _LineRun:
    """Tracks the bytes since the last line break across chunks (C-level find/rfind only).

    A line inside one chunk is shorter than the chunk, so only a line spanning
    chunks can pass ``MAX_LINE_BYTES``: its length is the run carried in plus the
    bytes up to the chunk's first line break."""

    def __init__(self) -> None:
        self.run = 0

    def too_long(self, chunk: bytes) -> bool:
        first = chunk.find(b"\n")
        if first < 0:
            self.run += len(chunk)
            return self.run > MAX_LINE_BYTES
        if self.run + first + 1 > MAX_LINE_BYTES:
            return True
        self.run = len(chunk) - chunk.rfind(b"\n") - 1
        return False


def _plain_blocks(
    raw: BinaryIO, delimiter: str, size: int
) -> Iterator[tuple[int, int, list[list[str]]]]:
    """``_fast_blocks`` for a plain file (see ``_byte_facts``): lines split in C.

    The bytes are decoded a chunk at a time, cut after the chunk's last line
    break (never inside a UTF-8 sequence); the BOM goes as ``utf-8-sig`` drops it.
    A bad byte or a cell longer than csv's field limit stumbles, as csv would.
    """
    limit = csv.field_size_limit()
    pending: list[str] = []
    carry = b""
    bom_pending = True
    previous = 0
    while True:
        chunk = raw.read(PLAIN_CHUNK)
        data = carry + chunk
        cut = data.rfind(b"\n") + 1 if chunk else len(data)
        data, carry = data[:cut], data[cut:]
        if bom_pending and data:
            data, bom_pending = data.removeprefix(_BOM), False
        try:
            lines = data.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            raise _Stumbled from None
        if lines[-1] == "":  # the empty text after the last line break
            lines.pop()
        pending += lines
        start = 0
        while len(pending) - start >= size or (start < len(pending) and not chunk):
            block = pending[start : start + size]
            start += len(block)
            first, previous = previous, previous + len(block)
            yield first, previous, _split_lines(block, delimiter, limit)
        if not chunk:
            return
        del pending[:start]


def _split_lines(lines: list[str], delimiter: str, limit: int) -> list[list[str]]:
    """Each line's cells (an empty line gives one empty cell, which counts as blank)."""
    records = list(map(str.split, lines, repeat(delimiter)))
    if max(map(len, lines)) > limit and max(map(len, chain.from_iterable(records))) > limit:
        raise _Stumbled  # csv refuses such a cell: rows() says where
    return records


def _block_lines(label: str, first: int, last: int, records: list[list[str]]) -> Sequence[int]:
    """The physical line each record of a block starts on.

    One line per record is the rule (a ``range``, no work per row). Otherwise some
    quoted cell spans lines: each line break inside a cell (``\r\n``, ``\r`` or
    ``\n``, as the reader splits lines) moves the next record down one line.
    """
    if last - first == len(records):
        return range(first + 1, last + 1)
    lines = []
    line = first
    for cells in records:
        lines.append(line + 1)
        line += 1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells)
    if line != last:  # never expected: refuse rather than store wrong line numbers
        raise InputError(f"{label} line {first + 1}: malformed CSV (line breaks do not add up)")
    return lines


def _regular(records: list[list[str]], width: int) -> bool:
    """Every record has the header's width and (with ≥ 2 columns) so none is blank."""
    return width > 1 and min(map(len, records)) == width == max(map(len, records))


def _checked(
    label: str,
    width: int,
    lines: Sequence[int],
    records: list[list[str]],
    header_pending: bool,
) -> tuple[Sequence[int], list[list[str]], bool]:
    """The slow lane of a block: drop blank records (and the header), check every width.

    Returns the rows kept, their lines and whether the header is still to come.
    """
    kept_lines: list[int] = []
    kept: list[list[str]] = []
    for line, cells in zip(lines, records, strict=True):
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if header_pending:
            header_pending = False
            continue
        if len(cells) != width:
            raise _Stumbled  # rows() names the line (and any earlier problem first)
        kept_lines.append(line)
        kept.append(cells)
    return kept_lines, kept, header_pending


def open_csv(path: Path, label: str | None = None) -> CsvTable:
    """Open ``path``, sniff its delimiter and check its header.

    ``label`` is how messages name the file (e.g. ``populations/changes.csv``);
    it defaults to the path as given.
    """
    name = label if label is not None else str(path)
    with _open(path, name) as fh:
        first = _first_content_line(fh, name)
    delimiter = sniff_delimiter(first)
    with _open(path, name) as fh:
        record = next(_records(fh, name, delimiter), None)
    if record is None:  # pragma: no cover - _first_content_line already found a line
        raise InputError(f"{name}: empty file, expected a header row")
    header = _check_header(name, *record)
    return CsvTable(path, name, header, delimiter)


def read_header(path: Path, label: str | None = None) -> list[str]:
    """The checked header names of a CSV file, without reading its rows."""
    return open_csv(path, label).header


def sniff_delimiter(line: str) -> str:
    """The candidate delimiter appearing most often outside quotes in the header line.

    Ties go to the earlier of ``,`` ``;`` tab; a single-column header means ``,``.
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open(path: Path, label: str) -> BinaryIO:
    try:
        return path.open("rb")
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, expected a CSV file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None


_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")
"""After a CR that no LF follows: old Mac files end lines so, and the fast path (a text
stream with ``newline=""``) reads them as line breaks too, so both count lines alike."""


def _physical_lines(fh: BinaryIO, label: str) -> Iterator[str]:
    """Decode one physical line at a time so a bad byte is reported with its line number."""
    number = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if number == 1:
            if raw.startswith(_UTF16_BOMS):
                raise InputError(f"{label}: file is UTF-16; save it as UTF-8")
            raw = raw.removeprefix(_BOM)
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"{label} line {number}: line longer than {MAX_LINE_BYTES} bytes")
        if b"\0" in raw:
            raise InputError(f"{label} line {number}: contains a NUL byte (binary or UTF-16 file?)")
        pieces = [p for p in _LONE_CR.split(raw) if p] if b"\r" in raw else (raw,)
        for index, piece in enumerate(pieces):
            number += 1 if index else 0
            try:
                yield piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{label} line {number}: not valid UTF-8 (byte 0x{piece[exc.start]:02x} "
                    f"at byte {exc.start + 1} of the line)"
                ) from None


def _records(fh: BinaryIO, label: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with the physical line each one starts on."""
    reader = csv.reader(_physical_lines(fh, label), delimiter=delimiter, strict=True)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{label} line {previous + 1}: malformed CSV ({exc})") from None
        start, previous = previous + 1, reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        yield start, cells


def _fast_records(path: Path, label: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The same records as ``_records``, decoded in large chunks by C code.

    Decoding line by line in Python is what makes a bad byte easy to place, but
    it costs most of an import's time. So the happy path streams through
    ``csv.reader`` over a strict UTF-8 text stream, and only when something is
    wrong (bad byte, NUL, unbalanced quote, a stray CR) does the careful
    line-by-line reader run again from the start to name the exact line.
    """
    previous = 0
    with _open(path, label) as raw:
        if raw.read(2) in _UTF16_BOMS or _byte_facts(raw)[0]:
            _explain(path, label, delimiter, previous)
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        try:
            for cells in reader:
                start, previous = previous + 1, reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                yield start, cells
        except (UnicodeDecodeError, csv.Error):
            pass
        else:
            return
    _explain(path, label, delimiter, previous)


def _explain(path: Path, label: str, delimiter: str, previous: int) -> NoReturn:
    """Re-read carefully to raise the precise one-line error (the fast path stumbled)."""
    with _open(path, label) as fh:
        for _ in _records(fh, label, delimiter):
            pass
    raise InputError(f"{label} line {previous + 1}: malformed CSV")


def _first_content_line(fh: BinaryIO, label: str) -> str:
    for line in _physical_lines(fh, label):
        if line.strip():
            return line
    raise InputError(f"{label}: empty file, expected a header row")


def _check_header(label: str, line: int, cells: list[str]) -> list[str]:
    """Header names are trimmed; empty and repeated names are errors (rows are keyed by name)."""
    header = [cell.strip() for cell in cells]
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            raise InputError(f"{label} line {line}: header column {position} has no name")
        if name in seen:
            raise InputError(
                f'{label} line {line}: header names "{name}" twice '
                f"(columns {seen[name]} and {position})"
            )
        seen[name] = position
    return header
