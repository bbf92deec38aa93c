"""The SQLCipher connection: raw key first, then the pragmas every vault needs.

SQLCipher is keyed with a raw 32-byte key (``x'…'``) derived from the master key,
so its own PBKDF2 never runs and no passphrase text ever reaches SQL. The file is
opened with ``mode=rw`` so a mistyped path can never create an empty vault.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlcipher3

from mockaudit.errors import IntegrityError, VaultInUseError

DB_FILE = "vault.db"
# A page cache large enough that analysis scans stay near plain-SQLite speed
# (SQLCipher decrypts every page it reads) while a whole audit stays < 300 MB RSS.
CACHE_KIB = 128 * 1024
BUSY_TIMEOUT_MS = 5000
SYNCHRONOUS = "FULL"
"""Every commit on disk when it returns (WAL; rollback_journal.py uses EXTRA for its own)."""

DatabaseError = sqlcipher3.dbapi2.DatabaseError
OperationalError = sqlcipher3.dbapi2.OperationalError
Connection = Any  # sqlcipher3 ships no type stubs


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def connect(
    path: Path, key: bytes, *, create: bool = False, tolerate_damage: bool = False
) -> Connection:
    """Open and key the database; IntegrityError if the key does not decrypt page 1.

    The caller has already proven the passphrase (the header's AEAD opened), so a
    failure here means the database file itself — its salt or first page — is damaged.
    """
    # Always rw (WAL readers need the -shm file); never rwc unless creating, so a
    # mistyped path cannot create an empty vault. ``tolerate_damage`` lets a read-only
    # session open a file with damaged pages so that verify can name them.
    mode = "rwc" if create else "rw"
    conn = sqlcipher3.connect(
        _uri(path, mode),
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except DatabaseError as exc:
        if "locked" in str(exc).lower():  # e.g. an import holding it (rollback_journal.py)
            conn.close()
            raise VaultInUseError(
                "the vault is busy: another process is writing to it (an import holds it "
                "until it commits); retry when it has finished"
            ) from None
        if "not a database" in str(exc).lower():
            conn.close()
            raise IntegrityError(
                f"{path.name} cannot be decrypted although the passphrase is right: its salt or "
                "first page is damaged; restore vault.db from your backup"
            ) from None
        # Page 1 decrypted, so the key is right; later pages are damaged. A reader keeps
        # the connection so `vault verify` can name them; a writer never proceeds.
        if not tolerate_damage:
            conn.close()
            raise IntegrityError(_DAMAGED.format(name=path.name)) from None
    _configure(conn, tolerate=tolerate_damage)
    return conn


_DAMAGED = (
    "{name} has damaged pages; run 'mockaudit vault verify' to list them, then restore "
    "vault.db from your backup"
)


def _configure(conn: Connection, *, tolerate: bool) -> None:
    """Connection pragmas; with ``tolerate`` a pragma failing on a damaged page is skipped."""
    pragmas = [
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA temp_store = MEMORY",
        f"PRAGMA cache_size = -{CACHE_KIB}",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA synchronous = {SYNCHRONOUS}",
        "PRAGMA journal_mode = WAL",  # persistent in the file once set
    ]
    for pragma in pragmas:
        try:
            conn.execute(pragma)
        except DatabaseError:
            if not tolerate:
                conn.close()
                raise IntegrityError(_DAMAGED.format(name="vault.db")) from None


_savepoints = itertools.count()


@contextlib.contextmanager
def atomic(conn: Connection) -> Iterator[Connection]:
    """A transaction, or a savepoint when nested; rolls back on any exception."""
    if conn.in_transaction:
        name = f"sp{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            _undo(conn, f"ROLLBACK TO {name}", f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        _undo(conn, "ROLLBACK")
        raise


def _undo(conn: Connection, *statements: str) -> None:
    """Roll back after a failure without hiding it (SQLite may already have rolled back
    on FULL/IOERR/BUSY/NOMEM); also runs when COMMIT itself fails."""
    if not conn.in_transaction:
        return
    with contextlib.suppress(DatabaseError):
        for statement in statements:
            conn.execute(statement)


def cipher_facts(conn: Connection) -> dict[str, str]:
    """What SQLCipher build keeps this vault (recorded in the vault and in exports)."""
    facts: dict[str, str] = {}
    for pragma in ("cipher_version", "cipher_provider", "cipher_provider_version"):
        row = conn.execute(f"PRAGMA {pragma}").fetchone()
        facts[pragma] = str(row[0]) if row else ""
    facts["sqlite_version"] = str(sqlcipher3.sqlite_version)
    return facts
