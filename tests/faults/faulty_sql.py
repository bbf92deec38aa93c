"""SQLite-level faults: the Nth SQL statement of an operation fails, as SQLite would report it.

SQLite writes do not go through ``fsio``, so ``FaultyOps`` never reaches the
statements that store a program version, a population or a run. ``FaultyConnection``
wraps a vault's connection and makes its Nth ``execute``/``executemany`` raise the
error SQLite gives for a failing disk — ``disk I/O error`` (SQLITE_IOERR) or
``database or disk is full`` (SQLITE_FULL) — once (transient) or for every later
statement too (persistent), before the statement runs (a failed statement has no
effect: SQLite's statement journal guarantees it).

SQLite may also roll the whole transaction back on IOERR/FULL (sqlite.org/lang_transaction:
"the transaction may be rolled back automatically"). ``auto_rollback=True`` does that
before raising, so both of the states a caller can be left in get exercised.

``match`` counts only statements containing that text: ``match="INSERT INTO custody"``
with ``fail_at=1`` fails an operation's first custody append (a named hook point).

``ROLLBACK`` (and ``ROLLBACK TO``/``RELEASE`` after a failure) are never failed: the
error under test is the write, not the undo, and a connection whose rollback fails is
one SQLite itself declares unusable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from mockaudit.vault import db
from mockaudit.vault.store import Vault

IOERR = "disk I/O error"
FULL = "database or disk is full"
MESSAGES = (IOERR, FULL)


class FaultyConnection:
    """A sqlcipher3 connection whose ``fail_at``-th statement (1-based) raises."""

    def __init__(
        self,
        real: Any,
        fail_at: int | None = None,
        message: str = IOERR,
        *,
        persistent: bool = False,
        auto_rollback: bool = False,
        match: str | None = None,
    ) -> None:
        self._real = real
        self.match = match
        self.fail_at = fail_at
        self.message = message
        self.persistent = persistent
        self.auto_rollback = auto_rollback
        self.calls = 0
        self.failed: list[tuple[int, str]] = []  # (statement number, first words of its SQL)
        self.active = True

    @property
    def tripped(self) -> bool:
        return bool(self.failed)

    def clear(self) -> None:
        self.active = False

    def _gate(self, sql: str) -> None:
        head = " ".join(sql.split()[:3]).upper()
        if head.startswith(("ROLLBACK", "RELEASE")):
            return
        if self.match is not None and self.match not in sql:
            return
        self.calls += 1
        if not self.active or self.fail_at is None:
            return
        if self.calls == self.fail_at or (self.persistent and self.calls > self.fail_at):
            self.failed.append((self.calls, head))
            if self.auto_rollback and self._real.in_transaction:
                self._real.execute("ROLLBACK")
            raise db.OperationalError(self.message)

    def execute(self, sql: str, *args: Any) -> Any:
        self._gate(sql)
        return self._real.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._gate(sql)
        return self._real.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextlib.contextmanager
def sql_faults(vault: Vault, conn: FaultyConnection) -> Iterator[FaultyConnection]:
    """Install ``conn`` as ``vault``'s connection for the block; the real one comes back."""
    real = vault._conn
    assert real is not None and conn._real is real
    vault._conn = conn
    try:
        yield conn
    finally:
        vault._conn = real
