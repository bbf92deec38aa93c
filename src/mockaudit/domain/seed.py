"""The sampling seed: printed with every run so anyone can redraw the same samples."""

from __future__ import annotations

import secrets

SEED_RANGE = 1_000_000  # six digits: short enough to read out and type back


def new_seed() -> int:
    """A fresh seed, for a run the user did not give one."""
    return secrets.randbelow(SEED_RANGE)
