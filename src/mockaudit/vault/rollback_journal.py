"""One large transaction written once, in place: a rollback journal instead of the WAL.

In WAL mode every page a million-row population import writes is written twice: into
``vault.db-wal`` as the rows stream in, then copied into ``vault.db`` by the checkpoint
after the commit (~0.5 s of a 3.5 s import; the ``_key`` index build also reads the
table back through the WAL). A rollback journal keeps the *old* content of the pages a
transaction changes, and a new table's pages lie past the end of the file, where there
is no old content: under it the rows are written once, into ``vault.db``, and the
journal holds only the few pages that existed before (page 1, the schema, the tables
the import updates). It also leaves nothing of the import in a WAL, which is what the
checkpoint after each ingest asks for (vault-security.md §1.5).

Durability is unchanged: ``synchronous = EXTRA`` is FULL plus the directory fsync after
the journal's unlink, which is what makes a DELETE-mode commit survive a power cut;
and the transaction is all or nothing as before (a crash leaves a hot journal that the
next open rolls back).

The switch needs the vault to itself: while another connection is open (a read-only
command in another terminal) it does not happen and the transaction runs in WAL as
always. A reader that opens during the transaction waits for its commit, up to
SQLite's busy timeout, then is told the vault is busy. Afterwards the vault goes back to WAL; if a
reader holds it at that moment, it stays in rollback mode, as durable, until the next
open sets WAL again (``db.connect``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from mockaudit.vault import db


@contextlib.contextmanager
def written_in_place(conn: db.Connection) -> Iterator[bool]:
    """Run the caller's transaction under a rollback journal when the vault is ours alone;
    yields whether it is (False: inside a transaction already, or another connection)."""
    if conn.in_transaction or not _switch(conn, "delete", wait=False):
        yield False
        return
    conn.execute("PRAGMA synchronous = EXTRA")
    try:
        yield True
    finally:
        with contextlib.suppress(db.DatabaseError):  # e.g. disk full: stays rollback mode
            conn.execute(f"PRAGMA synchronous = {db.SYNCHRONOUS}")
            _switch(conn, "wal", wait=True)


def _switch(conn: db.Connection, mode: str, *, wait: bool) -> bool:
    """Set the journal mode; False when another connection holds the vault (no wait
    unless ``wait``: leaving WAL is only worth it when nobody else is there)."""
    if not wait:
        conn.execute("PRAGMA busy_timeout = 0")
    try:
        return bool(conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0] == mode)
    except db.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            return False
        raise
    finally:
        if not wait:
            conn.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
