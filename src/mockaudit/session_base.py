"""The session's ground floor: the vault it wraps, failures turned into one line, and the
stored program, runs and evidence every use case reads.

``Session`` (session.py) is built on this with the walkthrough and export use cases
(session_walkthrough.py, session_exports.py); the faces import only ``mockaudit.session``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from mockaudit import fsio
from mockaudit.domain import Program
from mockaudit.domain.evidence import EvidenceInfo
from mockaudit.domain.run import Run
from mockaudit.errors import DiskFullError, InputError, IntegrityError, MockauditError
from mockaudit.vault import db, program_store
from mockaudit.vault.store import Vault

Progress = Callable[[int, int], None]


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn OS and SQLite failures during ``what`` into one-line user errors."""
    try:
        yield
    except MockauditError:
        raise
    except OSError as exc:
        raise fsio.describe_os_error(exc, what) from None
    except db.DatabaseError as exc:
        text = str(exc).lower()
        if "full" in text:
            raise DiskFullError(f"disk full while {what}; nothing was half-written") from None
        if "locked" in text or "busy" in text:
            raise InputError(f"the vault is busy while {what}; retry in a moment") from None
        if "disk i/o error" in text:  # the OS refused a read or write; SQLite rolled back
            raise InputError(
                f"disk I/O error while {what}; nothing was half-written, check the disk and retry"
            ) from None
        raise IntegrityError(
            f"vault.db is damaged ({type(exc).__name__} while {what}); run 'mockaudit vault "
            "verify' to list the damaged pages, then restore vault.db from your backup"
        ) from None


class SessionBase:
    """One unlocked vault, and the reads every use case shares."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def list_evidence(
        self, *, control: str | None = None, search: str | None = None
    ) -> list[EvidenceInfo]:
        with translated("listing evidence"):
            return self.vault.list_evidence(control=control, search=search)

    def program(self) -> Program:
        with translated("reading the program"):
            return program_store.load_program(self.vault.conn)

    def run(self, run_id: str | None = None) -> Run:
        """A stored run (the latest when ``run_id`` is None)."""
        with translated("reading a stored run"):
            return program_store.load_run(self.vault.conn, run_id)

    def _program_of(self, run: Run) -> Program:
        with translated("reading the program"):
            return program_store.load_program(self.vault.conn, run.program_version or None)
