"""Where things live. No side effects at import time."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_VAULT_DIR = "vault"
KEY_FILE = "vault.key"  # its presence marks a vault folder (vault/keyfile.py writes it)


def default_vault_dir() -> Path:
    """``$MOCKAUDIT_VAULT`` or ``./vault`` (like ``.git``, the vault sits beside the work)."""
    env = os.environ.get("MOCKAUDIT_VAULT")
    return Path(env) if env else Path.cwd() / DEFAULT_VAULT_DIR
