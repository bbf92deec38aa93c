"""An App whose crash output is one redacted line instead of Textual's traceback.

Textual's ``_fatal_error`` renders ``rich.traceback.Traceback(show_locals=True)``:
every frame's local variables — a passphrase, a key, decrypted evidence — would
land on the terminal and in its scrollback (vault-security.md §1.6). These
overrides keep Textual's bookkeeping (return code, the exception re-raised by
``run_test`` for test frameworks, closing the message loop) and print only the
kind of error and the screen it happened on.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import App

from mockaudit.tui.redact import crash_line

EXIT_CRASH = 70


def _line(text: str) -> Text:
    """One terminal line, never wrapped (a wrapped message reads like a traceback)."""
    return Text(text, no_wrap=True, overflow="ignore")


class RedactedCrashes(App[int]):
    """Replaces the three places Textual prints a traceback."""

    def _handle_exception(self, error: Exception) -> None:
        self._return_code = EXIT_CRASH
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(_line(crash_line(error, self._where())))
        self._close_messages_no_wait()

    def _fatal_error(self) -> None:
        self._return_code = EXIT_CRASH
        self._exit_renderables.append(_line(crash_line(RuntimeError(), self._where())))
        self._close_messages_no_wait()

    def panic(self, *renderables: RenderableType) -> None:
        """Textual panics with rich renderables (the driver's input thread sends a traceback):
        anything but plain text becomes the one redacted line."""
        where = self._where()
        safe = [
            r if isinstance(r, str | Text) else _line(crash_line(RuntimeError(), where))
            for r in renderables
        ]
        super().panic(*safe)

    def _where(self) -> str:
        try:
            return type(self.screen).__name__
        except Exception:  # no screen yet (or already gone)
            return "the app"
