"""The vault folder's own files outside SQLite and the blob store: their permissions,
the empty ``vault.db`` made private before SQLite opens it, and what ``Vault.create``
refuses or undoes."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from mockaudit import fsio
from mockaudit.errors import InputError
from mockaudit.vault import db, keyfile


def make_private(folder: Path) -> None:
    """The vault folder 0700 and its database files 0600, whatever umask made them
    (SQLite creates vault.db from the umask; -wal and -shm copy its mode)."""
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(folder / (db.DB_FILE + suffix), 0o600)


def precreate_private(path: Path) -> None:
    """An empty vault.db made 0600 before SQLite opens it (SQLite would use the umask)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))


def refuse_existing(folder: Path) -> None:
    if (folder / keyfile.KEY_FILE).exists() or (folder / db.DB_FILE).exists():
        raise InputError(f"a vault already exists at {folder}")


def remove_unfinished(folder: Path) -> None:
    """Undo a failed ``create``: its database (made under the writer lock after checking
    that none existed, and unusable without the key file that never got written) and
    the key files. SQLite made the database files itself, outside ``fsio``, so they are
    removed directly: a retry must not find a keyless vault.db and refuse to start."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            os.unlink(folder / (db.DB_FILE + suffix))
    for name in (keyfile.KEY_FILE, keyfile.BACKUP_FILE):
        fsio.discard(folder / name)
