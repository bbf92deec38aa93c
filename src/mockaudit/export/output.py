"""How an export lands on disk: whole or not at all.

Every writer renders its file in memory first (exports are megabytes at most,
even for a ``large`` scenario) and hands the bytes here, so a failure while
rendering leaves nothing behind and a failure while writing leaves the previous
file untouched (``fsio.atomic_writer``: temp file, fsync, rename).
"""

from __future__ import annotations

from pathlib import Path

from mockaudit import fsio

UTF8_BOM = "\ufeff"


def write_export(out: Path, data: bytes) -> None:
    """Replace ``out`` atomically with ``data``; sweep temp files an earlier failed export
    of the same name left beside it."""
    out = Path(out)
    fsio.sweep_temps(out.parent, {out.name})
    fsio.atomic_write_bytes(out, data)


def write_text(out: Path, text: str, *, bom: bool = False) -> None:
    """``text`` as UTF-8; with ``bom`` a leading byte-order mark, which is what makes
    Excel read a double-clicked CSV as UTF-8 instead of the local code page."""
    write_export(out, ((UTF8_BOM if bom else "") + text).encode("utf-8"))
