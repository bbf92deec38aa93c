"""Small but real evidence files: a PNG "screenshot" and a PDF document, built by hand.

Why by hand: generated scenarios need evidence an auditor (or a test) can open
and read, and the project has no imaging or PDF library. Both builders are
deterministic — no timestamps, no random ids — so the same seed writes the
same bytes, which the generator's determinism test relies on.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from mockaudit.scenarios.synthetic.bitmap_font import GLYPH_HEIGHT, GLYPH_WIDTH, glyph

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INK = 0x20
_PAPER = 0xFF
_HEADER_SHADE = 0xD8


def png_text(lines: Sequence[str], *, scale: int = 2, margin: int = 6) -> bytes:
    """A grayscale PNG showing ``lines`` in a 5x7 font; the first line sits on a grey bar.

    Long lines are drawn in full (the image widens), so nothing an auditor should
    read is cut off.
    """
    lines = [line.rstrip() for line in lines] or [""]
    cell_w, cell_h = (GLYPH_WIDTH + 1) * scale, (GLYPH_HEIGHT + 3) * scale
    width = max(len(line) for line in lines) * cell_w + 2 * margin * scale
    height = len(lines) * cell_h + 2 * margin * scale
    pixels = [bytearray([_PAPER]) * width for _ in range(height)]
    for y in range(margin * scale + cell_h):
        pixels[y][:] = bytes([_HEADER_SHADE]) * width
    for row, line in enumerate(lines):
        top = margin * scale + row * cell_h + scale
        for col, char in enumerate(line):
            _draw_glyph(pixels, glyph(char), margin * scale + col * cell_w, top, scale)
    raw = b"".join(b"\x00" + bytes(line) for line in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return (
        _PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


def _draw_glyph(pixels: list[bytearray], columns: bytes, left: int, top: int, scale: int) -> None:
    for cx, bits in enumerate(columns):
        for cy in range(GLYPH_HEIGHT):
            if bits >> cy & 1:
                for dy in range(scale):
                    row = pixels[top + cy * scale + dy]
                    start = left + cx * scale
                    row[start : start + scale] = bytes([_INK]) * scale


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


_LINES_PER_PAGE = 52


def pdf_text(title: str, lines: Sequence[str]) -> bytes:
    """A minimal valid PDF 1.4 (Helvetica, A4) with ``title`` in bold and one line per entry.

    Text is limited to Latin-1; anything else becomes '?'. Pages break every
    52 lines. The cross-reference table carries exact byte offsets, so strict
    readers open it without repair.
    """
    body = [f"{title}", "", *lines]
    pages = [body[i : i + _LINES_PER_PAGE] for i in range(0, len(body), _LINES_PER_PAGE)]
    first_page = 5
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        _pages_object(len(pages), first_page),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for index, page_lines in enumerate(pages):
        content_ref = first_page + 2 * index + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >>"
            b" /Contents %d 0 R >>" % content_ref
        )
        stream = _page_stream(page_lines, bold_first=index == 0)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble_pdf(objects)


def _pages_object(count: int, first_page: int) -> bytes:
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(count))
    return f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode("ascii")


def _page_stream(lines: Sequence[str], *, bold_first: bool) -> bytes:
    parts = [b"BT", b"14 TL", b"56 786 Td"]
    for number, line in enumerate(lines):
        font = b"/F2 13 Tf" if bold_first and number == 0 else b"/F1 10 Tf"
        parts.append(font + b" (" + _pdf_escape(line) + b") Tj T*")
    parts.append(b"ET")
    return b"\n".join(parts)


def _pdf_escape(text: str) -> bytes:
    raw = text.encode("latin-1", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _assemble_pdf(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
