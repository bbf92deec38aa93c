"""File names that are safe to create inside an export folder.

Original evidence names come from users and from scenario folders: they may hold
``../``, absolute paths, NULs, control characters, right-to-left overrides,
reserved Windows names or hundreds of bytes. They are never used as paths; this
module turns them into one plain name component, and ``contained`` checks the
result stays inside its root.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

MAX_NAME_BYTES = 180
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_component(name: str, fallback: str = "file") -> str:
    """One path component: no separators, controls, leading dots or reserved names."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cc", "Cs"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name:
        name = fallback
    stem, dot, ext = name.rpartition(".")
    if (stem if dot else name).split(".")[0].lower() in _RESERVED:
        name = "_" + name
    return _truncate(name)


def _truncate(name: str) -> str:
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    ext = ext[:16] if dot else ""
    stem = stem if dot else name
    budget = MAX_NAME_BYTES - len(ext.encode("utf-8")) - (1 if ext else 0)
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
    return f"{cut}.{ext}" if ext else cut


def contained(root: Path, candidate: Path) -> bool:
    """True when ``candidate`` (resolved, following nothing new) stays inside ``root``."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    return real == real_root or real.startswith(real_root + os.sep)
