"""One door to the session for every UI thread.

The session owns a single SQLite connection. Workers run on threads, so every
call from the TUI goes through ``SessionGate.call``, which holds one lock for the
call's duration (the Datasette lesson: decide on purpose who touches the
connection). Locking the vault closes the session behind the same lock, so a
call can never run against a half-closed vault.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from mockaudit.errors import VaultLockedError

if TYPE_CHECKING:  # the session (the whole core) loads when the vault is unlocked, not before
    from mockaudit.session import Session

T = TypeVar("T")


class SessionGate:
    """Holds the open session (or none) and serialises access to it."""

    def __init__(self, vault_dir: Path) -> None:
        self.vault_dir = vault_dir
        self._lock = threading.RLock()
        self._session: Session | None = None

    @property
    def is_open(self) -> bool:
        return self._session is not None

    def attach(self, session: Session) -> None:
        with self._lock:
            if self._session is not None and self._session is not session:
                self._session.close()
            self._session = session

    def call(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` alone; VaultLockedError when the vault is locked."""
        with self._lock:
            if self._session is None:
                raise VaultLockedError(f"the vault at {self.vault_dir} is locked")
            return fn(self._session)

    def has(self, method: str) -> bool:
        """Whether this build's Session offers ``method`` (exports land separately)."""
        from mockaudit.session import Session

        return callable(getattr(Session, method, None))

    def close(self) -> None:
        """Close the session and drop its keys; safe to call more than once."""
        with self._lock:
            session, self._session = self._session, None
            if session is not None:
                session.close()
