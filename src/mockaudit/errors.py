"""The errors a user can see. Each carries its exit code and a one-line message.

Messages never contain a passphrase, a key or evidence content: they name files,
ids and keys only. The CLI prints ``error: <message>`` and exits with ``exit_code``;
the TUI shows the same message.
"""

from __future__ import annotations


class MockauditError(Exception):
    """Base class for every error meant for a user. Exit code 2: usage or input."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        # One line, always: a multi-line message would look like a traceback.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(MockauditError):
    """A file, option or value the user gave is wrong (exit 2)."""


class DiskFullError(MockauditError):
    """The disk filled up during a write; nothing half-written was kept (exit 5: not a
    usage error, so scripts can tell "free some space and retry" from "fix the command")."""

    exit_code = 5


class VaultLockedError(MockauditError):
    """The vault could not be unlocked or is held by someone else (exit 3)."""

    exit_code = 3


class WrongPassphraseError(VaultLockedError):
    pass


class VaultInUseError(VaultLockedError):
    pass


class MemberError(VaultLockedError):
    """No key slot for the member named (unknown, removed, or not said which)."""


class IntegrityError(MockauditError):
    """Stored data failed verification (exit 4)."""

    exit_code = 4


class HeaderDamagedError(IntegrityError):
    pass


class BlobIntegrityError(IntegrityError):
    """An encrypted blob failed authentication. ``chunk`` is the failing chunk index."""

    def __init__(self, message: str, chunk: int | None = None) -> None:
        super().__init__(message)
        self.chunk = chunk


class ProofError(IntegrityError):
    """A Merkle proof, checkpoint or signature did not verify."""
