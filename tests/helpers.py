"""Test helpers shared by several test modules."""

from __future__ import annotations

import hashlib
from pathlib import Path


def snapshot_tree(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file (and a marker for every directory)."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_dir():
            out[rel + "/"] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
