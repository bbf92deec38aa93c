"""UI-level messages: workers post them (thread-safe), the app and screens react.

Names are past tense. Progress messages replace a queued older one for the same
job (Toolong's ``can_replace``), so a fast worker cannot flood the event loop.
"""

from __future__ import annotations

from textual.message import Message


class ProgressChanged(Message):
    """A job moved on: ``total`` None means "working, size unknown"."""

    def __init__(self, job: str, label: str, done: int, total: int | None) -> None:
        super().__init__()
        self.job = job
        self.label = label
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ProgressChanged) and message.job == self.job


class JobFinished(Message):
    """A job ended well; ``text`` is the one line the task bar shows."""

    def __init__(self, job: str, text: str, *, changed: bool, value: object = None) -> None:
        super().__init__()
        self.job = job
        self.text = text
        self.changed = changed  # the vault's content changed: screens reload
        self.value = value


class JobFailed(Message):
    """A job ended with an error; ``text`` is already one redacted line."""

    def __init__(self, job: str, text: str) -> None:
        super().__init__()
        self.job = job
        self.text = text


class VaultUnlocked(Message):
    """The session is open (``created``: a new vault was made)."""

    def __init__(self, created: bool) -> None:
        super().__init__()
        self.created = created


class UnlockFailed(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class VaultLocked(Message):
    """The session is closed and its keys dropped (``reason``: why, for the unlock screen)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
