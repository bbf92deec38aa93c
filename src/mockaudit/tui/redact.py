"""What a user sees when something fails: one line, never a secret.

Textual's own crash handler prints a rich traceback *with local variables*
(vault-security.md §1.6), which would put a passphrase, a key or decrypted
evidence on screen and in scrollback. Everything here names the kind of failure
and where it happened, and nothing from the exception's arguments unless the
exception is one of ours (whose messages are one redacted line by contract).
"""

from __future__ import annotations

from mockaudit.errors import MockauditError

CRASH_HINT = "nothing secret was shown; re-run and report the steps if it happens again"


def one_line(exc: BaseException, doing: str) -> str:
    """The message for a failed job: ours verbatim, anything else by type only."""
    if isinstance(exc, MockauditError):
        return exc.message
    cause = _our_cause(exc)
    if cause is not None:
        return cause.message
    return f"internal error ({type(exc).__name__}) while {doing}; {CRASH_HINT}"


def crash_line(exc: BaseException, where: str) -> str:
    """The single line printed when the app itself stops on an unexpected error (short
    enough for an 80-column terminal, so it never wraps into something traceback-like)."""
    return f"mockaudit stopped: {type(exc).__name__} in {where} (nothing secret shown)"


def _our_cause(exc: BaseException) -> MockauditError | None:
    """A worker wraps the real error (WorkerFailed); find ours underneath, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MockauditError):
            return current
        inner = getattr(current, "error", None)
        current = inner if isinstance(inner, BaseException) else current.__cause__
    return None
